/**
 * Predictive scaling in the engine, against Application Auto Scaling's published behaviour:
 * [P1] user guide, "How Application Auto Scaling predictive scaling works" (24 hours of data before a
 * forecast; up to 14 days read; hourly forecast for 48 hours, made every 6 hours; ForecastOnly does not
 * scale; ForecastAndScale increases capacity and does not scale in on a forecast);
 * [P2] API PredictiveScalingPolicyConfiguration (SchedulingBufferTime; MaxCapacityBreachBehavior and
 * MaxCapacityBuffer: forecast 50, maximum 40, buffer 10 gives an effective maximum of 55);
 * [A1]/[A7] user guide target tracking and PutScalingPolicy: the policy giving the largest capacity wins,
 * scale-in only when every target-tracking policy is ready to.
 */
import { expect } from "chai";
import { engineParams } from "../../../scaling/engine/params";
import { PredictiveForecaster, predictiveBounds, type PredictiveEnginePolicy } from "../../../scaling/engine/predictive";
import { AwsScalingEngine, type EnginePolicy } from "../../../scaling/engine/scaler";
import { engineScheduledAction } from "../../../scaling/engine/scheduled";
import { targetTrackingAlarms } from "../../../scaling/engine/target-tracking";

const H = 3600;
const D = 24 * H;
/** Monday 2026-11-02 00:00 UTC is engine time 0. */
const EPOCH = Date.parse("2026-11-02T00:00:00Z");
/** Alarms of 1 datapoint of 60 s, seen at once: the tests follow the arbitration, not CloudWatch's delays. */
const FAST = engineParams({
    publicationDelaySeconds: 0,
    targetTrackingScaleOut: { period: 60, evaluationPeriods: 1, datapointsToAlarm: 1 },
    targetTrackingScaleIn: { period: 60, evaluationPeriods: 1, datapointsToAlarm: 1 },
});

function policy(o: Partial<PredictiveEnginePolicy> = {}): PredictiveEnginePolicy {
    return {
        kind: "predictive", name: "api-forecast", loadMetricId: "load", targetValue: 100, mode: "ForecastAndScale",
        schedulingBufferTime: 300, maxCapacityBreachBehavior: "HonorMaxCapacity", maxCapacityBuffer: 0, ...o,
    };
}

/** Target tracking on the signal `metric` at 50, scale-in enabled, no cooldowns. */
const TT: EnginePolicy = {
    kind: "targetTracking", name: "api-cpu", metric: { id: "metric", statistic: "Average" }, targetValue: 50,
    disableScaleIn: false, scaleOutCooldown: 0, scaleInCooldown: 0,
    alarms: targetTrackingAlarms("service/sim/api", 50, false, FAST, "cpu"),
};

function engine(p: PredictiveEnginePolicy, o: { min?: number; max?: number; policies?: EnginePolicy[]; schedules?: { min: number; at: string }[] } = {}): AwsScalingEngine {
    return new AwsScalingEngine({
        resourceId: "service/sim/api", minCapacity: o.min ?? 1, maxCapacity: o.max ?? 10, policies: o.policies ?? [],
        predictive: [p], epochMs: EPOCH,
        scheduledActions: (o.schedules ?? []).map((a, i) => engineScheduledAction(`api-s${i}`, { name: `s${i}`, schedule: `at(${a.at})`, timezone: "UTC", minCapacity: a.min })),
    }, FAST);
}

/** Feeds `load(t)` once a minute over [from, to), to an engine's signal `load` or to a forecaster. */
function feed(e: AwsScalingEngine | PredictiveForecaster, from: number, to: number, load: (t: number) => number): void {
    for (let t = from; t < to; t += 60) {
        if (e instanceof PredictiveForecaster) e.observe(t, load(t));
        else e.observe("load", t, load(t));
    }
}

/** 800 (8 tasks at 100 per task) from 09:00 to 10:00 every day, 100 otherwise. */
const nineOClock = (t: number) => ((t % D) >= 9 * H && (t % D) < 10 * H ? 800 : 100);

describe("engine: predictive scaling", () => {
    it("predictive needs 24 h before it forecasts [P1: 'this metric must have at least 24 hours of data']", () => {
        const e = engine(policy());
        feed(e, 0, D, () => 300);
        expect(e.forecasters[0]!.canForecast(D - 1)).to.equal(false);
        expect(e.tick(D - 1, { desired: 1, running: 1 }).activity).to.equal(undefined);
        expect(e.forecasters[0]!.canForecast(D)).to.equal(true);
        expect(e.tick(D, { desired: 1, running: 1 }).activity).to.deep.include({ policy: "api-forecast", direction: "out", oldDesired: 1, newDesired: 3 });
    });

    it("ForecastAndScale applies each hour's forecast capacity SchedulingBufferTime before the hour [P2]", () => {
        const e = engine(policy({ schedulingBufferTime: 300 }));
        feed(e, 0, 2 * D, nineOClock);
        // Day 3, 08:54:59: the forecast of 08:00 (1 task) applies; 08:55:00: the one of 09:00 (8 tasks).
        expect(e.tick(2 * D + 9 * H - 301, { desired: 1, running: 1 }).activity).to.equal(undefined);
        const at = e.tick(2 * D + 9 * H - 300, { desired: 1, running: 1 }).activity;
        expect(at).to.deep.include({ at: 2 * D + 9 * H - 300, direction: "out", oldDesired: 1, newDesired: 8 });
        expect(at!.cause).to.equal("predictive scaling policy api-forecast forecast load 800 for the hour from 2026-11-04T09:00:00.000Z, capacity 8, changing the desired capacity from 1 to 8");
        expect(e.effectiveBounds()).to.deep.equal({ min: 8, max: 10 });
    });

    it("ForecastOnly forecasts and does not scale [P1]", () => {
        const e = engine(policy({ mode: "ForecastOnly" }));
        feed(e, 0, 2 * D, nineOClock);
        expect(e.forecasters[0]!.floorAt(2 * D + 9 * H)).to.deep.equal({ hourStartMs: EPOCH + (2 * D + 9 * H) * 1000, forecastLoad: 800, forecastCapacity: 8 });
        expect(e.tick(2 * D + 9 * H, { desired: 1, running: 1 }).activity).to.equal(undefined);
        expect(e.effectiveBounds()).to.deep.equal({ min: 1, max: 10 });
    });

    it("predictive does not scale in on a lower forecast; the floor falls and only the reactive policies scale in [P1]", () => {
        const e = engine(policy());
        feed(e, 0, 2 * D, nineOClock);
        e.tick(2 * D + 9 * H, { desired: 8, running: 8 });
        expect(e.effectiveBounds().min).to.equal(8);
        // 09:55: the 10:00 forecast is 1 task; desired stays at 8, the floor is 1.
        expect(e.tick(2 * D + 10 * H - 300, { desired: 8, running: 8 }).activity).to.equal(undefined);
        expect(e.effectiveBounds()).to.deep.equal({ min: 1, max: 10 });
    });

    it("target tracking scales in no lower than the predictive floor, and raises capacity above it: the largest capacity wins [A1, A7]", () => {
        const e = engine(policy(), { policies: [TT], max: 20 });
        feed(e, 0, 2 * D, nineOClock);
        const t0 = 2 * D + 9 * H;
        expect(e.tick(t0, { desired: 1, running: 1 }).activity).to.deep.include({ newDesired: 8 });
        // CPU 10 % on 8 tasks: target tracking asks for floor(8 x 10 / 50) = 1; the floor holds 8.
        e.observe("metric", t0 + 90, 10);
        expect(e.tick(t0 + 120, { desired: 8, running: 8 }).activity).to.equal(undefined);
        // CPU 75 % on 8 tasks: target tracking asks for ceil(8 x 75 / 50) = 12, above the floor: it wins.
        e.observe("metric", t0 + 210, 75);
        expect(e.tick(t0 + 240, { desired: 8, running: 8 }).activity).to.deep.include({ policy: "api-cpu", direction: "out", newDesired: 12 });
    });

    it("a scheduled min raise and a predictive floor at the same instant: the larger capacity wins [A1, A7, P1]", () => {
        // Wednesday 08:55: the schedule raises min to 5, the forecast of 09:00 asks for 8.
        const e = engine(policy(), { schedules: [{ min: 5, at: "2026-11-04T08:55:00" }, { min: 9, at: "2026-11-04T12:55:00" }] });
        feed(e, 0, 2 * D, nineOClock);
        expect(e.tick(2 * D + 9 * H - 300, { desired: 1, running: 1 }).activity).to.deep.include({ policy: "api-forecast", oldDesired: 1, newDesired: 8 });
        expect(e.capacityBounds()).to.deep.equal({ min: 5, max: 10 });
        // 12:55: the schedule's 9 is above the forecast's 1.
        expect(e.tick(2 * D + 13 * H - 300, { desired: 5, running: 5 }).activity).to.deep.include({ policy: "api-s1", oldDesired: 5, newDesired: 9 });
    });

    it("HonorMaxCapacity holds the maximum; IncreaseMaxCapacity raises it to the forecast plus MaxCapacityBuffer percent (50, max 40, buffer 10: 55) [P2]", () => {
        const floor = { hourStartMs: 0, forecastLoad: 5000, forecastCapacity: 50 };
        const bounds = { min: 1, max: 40 };
        expect(predictiveBounds(bounds, policy(), floor)).to.deep.equal({ min: 40, max: 40 });
        expect(predictiveBounds(bounds, policy({ maxCapacityBreachBehavior: "IncreaseMaxCapacity", maxCapacityBuffer: 10 }), floor)).to.deep.equal({ min: 50, max: 55 });
        expect(predictiveBounds(bounds, policy({ maxCapacityBreachBehavior: "IncreaseMaxCapacity", maxCapacityBuffer: 0 }), floor)).to.deep.equal({ min: 50, max: 50 });
        // Through the engine: 12 tasks forecast, maximum 10.
        const honor = engine(policy());
        feed(honor, 0, D, () => 1200);
        expect(honor.tick(D, { desired: 1, running: 1 }).activity).to.deep.include({ newDesired: 10 });
        const increase = engine(policy({ maxCapacityBreachBehavior: "IncreaseMaxCapacity", maxCapacityBuffer: 10 }));
        feed(increase, 0, D, () => 1200);
        expect(increase.tick(D, { desired: 1, running: 1 }).activity).to.deep.include({ newDesired: 12 });
        expect(increase.effectiveBounds()).to.deep.equal({ min: 12, max: 14 });
    });

    it("the forecast reads at most 14 days of history [P1]", () => {
        // Data on the first day only: 14 days later it is still read, 15 days later it is not.
        const at14 = new PredictiveForecaster(policy(), EPOCH);
        feed(at14, 0, D, () => 500);
        expect(at14.floorAt(14 * D)).to.include({ forecastLoad: 500, forecastCapacity: 5 });
        const at15 = new PredictiveForecaster(policy(), EPOCH);
        feed(at15, 0, D, () => 500);
        expect(at15.floorAt(15 * D)).to.equal(undefined);
    });

    it("the forecast is hourly, covers 48 hours and is made again every 6 hours [P1]", () => {
        const f = new PredictiveForecaster(policy(), EPOCH);
        feed(f, 0, D, () => 100);
        const first = f.forecastAt(D)!;
        expect(first.size).to.equal(48);
        expect(Math.min(...first.keys()) * 3_600_000).to.equal(EPOCH + D * 1000);
        feed(f, D, D + 6 * H, () => 900);
        expect(f.forecastAt(D + 6 * H - 1)).to.equal(first);
        const next = f.forecastAt(D + 6 * H)!;
        expect(next).to.not.equal(first);
        // Wednesday 00:00 now reads Tuesday 00:00 (900, a complete hour) and Monday 00:00 (100): 500.
        expect(next.get(Math.floor(EPOCH / 3_600_000) + 48)).to.equal(500);
    });

    it("the simulator's model (U): the same hour a week before when the history holds it, else the same hour of the days before", () => {
        // Weekdays 600, weekend days 200, for 8 days from Monday: next Tuesday reads last Tuesday, not the mean of the days.
        const f = new PredictiveForecaster(policy(), EPOCH);
        const weekday = (t: number) => (Math.floor(t / D) % 7 >= 5 ? 200 : 600);
        feed(f, 0, 8 * D, weekday);
        expect(f.floorAt(8 * D + 12 * H)).to.include({ forecastLoad: 600 });
        // With 3 days of history (Friday to Sunday), Monday is the mean of those days.
        const g = new PredictiveForecaster(policy(), EPOCH + 4 * D * 1000);
        feed(g, 0, 3 * D, (t) => weekday(t + 4 * D));
        expect(g.floorAt(3 * D + 12 * H)).to.include({ forecastLoad: (600 + 200 + 200) / 3, forecastCapacity: 4 });
    });
});
