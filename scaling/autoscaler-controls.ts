/**
 * The per-service controls of the queue autoscaler beside its number settings: KEDA's fallback, pause
 * and activation, and the arrival forecast. Their defaults and rules are stated once here: the stack
 * config's schema (config/autoscaler.ts) and the runtime's `--services` parser
 * (runtime/autoscaler/services-settings.ts) both phrase their errors with them.
 */

/**
 * Slot lengths the forecast may learn in, seconds: each divides a day, and is a multiple of 60, the
 * period GetMetricData requires for data between 3 hours and 15 days old (CloudWatch API reference,
 * GetMetricData, Period), so a restarted task can read every slot of its 14 days of history back.
 */
export const FORECAST_SLOT_SECONDS = [300, 600, 900, 1200, 1800, 3600] as const;

/**
 * Days of history a restarted task reads back: two of each slot of the week, and within the 15 days
 * CloudWatch keeps data points of a 60-second period (CloudWatch user guide, "Metrics retention").
 */
export const FORECAST_HISTORY_DAYS = 14;

/**
 * The forecast's defaults. Off by default: it pays for itself only on a load that recurs by the day or
 * the week, and it holds tasks for a forecast peak that may not come. 15-minute slots (96 a day, 672 a week)
 * follow a diurnal ramp closely enough and average out a few minutes of noise; weight 0.5 lets the
 * latest day count as much as all before it; one day of a slot is enough to forecast it.
 */
export const FORECAST_DEFAULTS = { enabled: false, slotSeconds: 900, weight: 0.5, minDays: 1 } as const;

/** The rule of each control's value, as every error shows it after `<key>: <value>`. */
export const CONTROL_RULES = {
    failureThreshold: "must be a whole number >= 1",
    replicas: "must be a whole number >= 0",
    paused: "must be true or false",
    activationMessages: "must be a whole number >= 1",
    forecastEnabled: "must be true or false",
    slotSeconds: `must be one of ${FORECAST_SLOT_SECONDS.join(", ")} (a multiple of 60 that divides a day)`,
    weight: "must be a number > 0 and <= 1",
    minDays: "must be a whole number >= 1 and <= 7",
} as const;

export const isWhole = (v: unknown, min: number, max = Infinity): v is number => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
export const isSlotSeconds = (v: unknown): v is number => (FORECAST_SLOT_SECONDS as readonly unknown[]).includes(v);
export const isWeight = (v: unknown): v is number => typeof v === "number" && v > 0 && v <= 1;
