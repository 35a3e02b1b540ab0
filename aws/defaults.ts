/**
 * What AWS uses when a request leaves a value out. Each cites where AWS states it. Imports nothing of
 * the project's.
 */

/**
 * The cooldown Application Auto Scaling applies when a policy leaves it out, seconds: step scaling
 * ("If not specified, the default value is 300", API reference, StepScalingPolicyConfiguration.Cooldown)
 * and target tracking on ECS services (TargetTrackingScalingPolicyConfiguration, ScaleOutCooldown and
 * ScaleInCooldown: "the default value is 300" for ECS services). Aurora's target tracking defaults are
 * the same 300 seconds.
 */
export const DEFAULT_COOLDOWN_SECONDS = 300;

/**
 * Seconds ahead of each forecast hour that predictive scaling applies its capacity when a policy leaves
 * SchedulingBufferTime out ("Defaults to 300 seconds if not specified", API reference,
 * PredictiveScalingPolicyConfiguration).
 */
export const DEFAULT_SCHEDULING_BUFFER_SECONDS = 300;

/**
 * Predictive scaling's other defaults (same page): Mode "Defaults to ForecastOnly",
 * MaxCapacityBreachBehavior "Defaults to HonorMaxCapacity".
 */
export const PREDICTIVE_DEFAULTS = {
    mode: "ForecastOnly",
    schedulingBufferTimeSeconds: DEFAULT_SCHEDULING_BUFFER_SECONDS,
    maxCapacityBreachBehavior: "HonorMaxCapacity",
} as const;
