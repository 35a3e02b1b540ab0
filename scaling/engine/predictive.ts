/**
 * Predictive scaling for an ECS service as Application Auto Scaling documents it. Sources:
 * [P1] user guide, "How Application Auto Scaling predictive scaling works"
 *      (https://docs.aws.amazon.com/autoscaling/application/userguide/aas-predictive-scaling-how-it-works.html);
 * [P2] API reference, PredictiveScalingPolicyConfiguration
 *      (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PredictiveScalingPolicyConfiguration.html);
 * [P3] GetPredictiveScalingForecast ("Capacity forecasts are represented as predicted values for the
 *      minimum capacity that is needed on an hourly basis"; "A minimum of 24 hours of data is required").
 * - the load metric needs at least 24 hours of data before the first forecast [P1, P3];
 * - the forecast reads up to the past 14 days [P1], is hourly, covers the next 48 hours and is made
 *   again every 6 hours [P1];
 * - the capacity forecast is "the minimum capacity that is needed on an hourly basis, based on the
 *   hourly load forecast" [P3]: load / target per task, rounded up (the rounding is (U));
 * - each hour's capacity is applied SchedulingBufferTime seconds before the hour (default 300, below
 *   3600) [P2];
 * - ForecastOnly (the default) forecasts and does not scale; ForecastAndScale raises capacity when the
 *   forecast rises and never scales in on a forecast [P1];
 * - HonorMaxCapacity (the default) keeps the maximum; IncreaseMaxCapacity lets the maximum rise to the
 *   forecast plus MaxCapacityBuffer percent of it ("forecast capacity is 50, and the maximum capacity
 *   is 40, then the effective maximum capacity is 55") [P2].
 * AWS does not publish its forecasting model. The simulator's (U): an hour's load is the mean of the
 * same hour of the week one and two weeks before when the history holds one, else the mean of the same
 * hour of day on the days before (up to 14), so a forecaster with 3 days of history sees a weekday
 * pattern only from the days it has.
 */
import {
    PREDICTIVE_FORECAST_HOURS, PREDICTIVE_MAX_HISTORY_DAYS, PREDICTIVE_MIN_HISTORY_HOURS, PREDICTIVE_REFRESH_HOURS,
} from "../../aws/limits";

const HOUR_MS = 3_600_000;

export type PredictiveMode = "ForecastOnly" | "ForecastAndScale";
export type MaxCapacityBreachBehavior = "HonorMaxCapacity" | "IncreaseMaxCapacity";

export interface PredictiveEnginePolicy {
    readonly kind: "predictive";
    /** The AWS policy name. */
    readonly name: string;
    /** The signal fed with `observe` that carries the load metric: the service's total load. */
    readonly loadMetricId: string;
    /** Load one task should carry (the scaling metric's target). */
    readonly targetValue: number;
    readonly mode: PredictiveMode;
    /** Seconds before each hour its capacity is applied [P2]. */
    readonly schedulingBufferTime: number;
    readonly maxCapacityBreachBehavior: MaxCapacityBreachBehavior;
    /** Percent of the forecast capacity the maximum may rise above it, with IncreaseMaxCapacity [P2]. */
    readonly maxCapacityBuffer: number;
}

/** What the policy asks for at an instant. */
export interface PredictiveFloor {
    /** Start of the hour whose forecast applies, ms since the epoch. */
    readonly hourStartMs: number;
    readonly forecastLoad: number;
    /** ceil(load / target). */
    readonly forecastCapacity: number;
}

interface Bucket { sum: number; count: number }

export class PredictiveForecaster {
    private readonly hours = new Map<number, Bucket>();
    private firstDataMs?: number;
    private forecast?: { readonly madeAtMs: number; readonly loads: ReadonlyMap<number, number> };

    /** @param epochMs wall-clock instant of engine time 0: hours are the clock's hours. */
    constructor(readonly policy: PredictiveEnginePolicy, readonly epochMs: number) {
        if (!(policy.targetValue > 0)) throw new Error(`predictive policy ${policy.name}: targetValue ${policy.targetValue} must be > 0`);
    }

    /** One sample of the load metric at engine time `t`, seconds. */
    observe(t: number, load: number): void {
        const ms = this.epochMs + t * 1000;
        this.firstDataMs ??= ms;
        const h = Math.floor(ms / HOUR_MS);
        const b = this.hours.get(h);
        if (b) { b.sum += load; b.count += 1; } else this.hours.set(h, { sum: load, count: 1 });
        const oldest = h - (PREDICTIVE_MAX_HISTORY_DAYS * 24 + PREDICTIVE_FORECAST_HOURS);
        if (this.hours.size > PREDICTIVE_MAX_HISTORY_DAYS * 24 + 2 * PREDICTIVE_FORECAST_HOURS) {
            for (const k of this.hours.keys()) if (k < oldest) this.hours.delete(k);
        }
    }

    /** Whether the load metric has the 24 hours of data a forecast needs at engine time `now` [P1]. */
    canForecast(now: number): boolean {
        return this.firstDataMs !== undefined && this.epochMs + now * 1000 - this.firstDataMs >= PREDICTIVE_MIN_HISTORY_HOURS * HOUR_MS;
    }

    /** The current forecast's load per hour (hour index since the epoch), made again every 6 hours; undefined before 24 h of data. */
    forecastAt(now: number): ReadonlyMap<number, number> | undefined {
        if (!this.canForecast(now)) return undefined;
        const nowMs = this.epochMs + now * 1000;
        if (!this.forecast || nowMs - this.forecast.madeAtMs >= PREDICTIVE_REFRESH_HOURS * HOUR_MS) this.forecast = { madeAtMs: nowMs, loads: this.make(nowMs) };
        return this.forecast.loads;
    }

    private make(nowMs: number): Map<number, number> {
        const current = Math.floor(nowMs / HOUR_MS);
        // Complete hours within the last 14 days.
        const oldest = current - PREDICTIVE_MAX_HISTORY_DAYS * 24;
        const mean = (h: number) => {
            const b = h >= oldest && h < current ? this.hours.get(h) : undefined;
            return b && b.count > 0 ? b.sum / b.count : undefined;
        };
        const average = (hours: number[]) => {
            const values = hours.map(mean).filter((v): v is number => v !== undefined);
            return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
        };
        const loads = new Map<number, number>();
        for (let h = current; h < current + PREDICTIVE_FORECAST_HOURS; h++) {
            const weekly = average([h - 7 * 24, h - 14 * 24]);
            const daily = weekly ?? average(Array.from({ length: PREDICTIVE_MAX_HISTORY_DAYS }, (_, i) => h - (i + 1) * 24));
            if (daily !== undefined) loads.set(h, daily);
        }
        return loads;
    }

    /** The forecast for the hour starting within the scheduling buffer of `now` [P2]; undefined without a forecast. */
    floorAt(now: number): PredictiveFloor | undefined {
        const loads = this.forecastAt(now);
        if (!loads) return undefined;
        const h = Math.floor((this.epochMs + now * 1000 + this.policy.schedulingBufferTime * 1000) / HOUR_MS);
        const load = loads.get(h);
        if (load === undefined) return undefined;
        return { hourStartMs: h * HOUR_MS, forecastLoad: load, forecastCapacity: Math.ceil(load / this.policy.targetValue - 1e-9) };
    }
}

/**
 * The bounds the policies work within while a forecast applies: with ForecastAndScale the forecast
 * capacity is a floor ("predictive scaling will increase the capacity" and "will not scale in" [P1]);
 * the maximum stays, or with IncreaseMaxCapacity rises to the forecast plus the buffer [P2]. ForecastOnly
 * leaves the bounds as they are [P1].
 */
export function predictiveBounds(bounds: { min: number; max: number }, policy: PredictiveEnginePolicy, floor: PredictiveFloor | undefined): { min: number; max: number } {
    if (!floor || policy.mode !== "ForecastAndScale") return bounds;
    const max = policy.maxCapacityBreachBehavior === "IncreaseMaxCapacity"
        ? Math.max(bounds.max, Math.ceil(floor.forecastCapacity * (1 + policy.maxCapacityBuffer / 100) - 1e-9))
        : bounds.max;
    return { min: Math.min(max, Math.max(bounds.min, floor.forecastCapacity)), max };
}
