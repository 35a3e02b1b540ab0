/**
 * AWS limits that can be checked before any call: integer ranges, quotas, name lengths, value ranges.
 * Each cites where AWS states it. This module imports nothing of the project's, so every room may use it.
 */

/** AWS API `Integer` members (capacities, cooldowns, ScalingAdjustment, EvaluationPeriods) are 32-bit signed. */
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Application Auto Scaling TargetValue bounds (API reference, TargetTrackingScalingPolicyConfiguration). */
export const TARGET_VALUE_MIN = 8.515920e-109;
export const TARGET_VALUE_MAX = 6.646144e+54;

/** Application Auto Scaling quota: at most 20 step adjustments per step scaling policy (user guide, quotas). */
export const MAX_STEPS_PER_POLICY = 20;

/** CloudWatch: at most 30 dimensions per metric (PutMetricData / MetricStat). */
export const MAX_DIMENSIONS = 30;

/** CloudWatch Logs retention values accepted by PutRetentionPolicy (API reference, retentionInDays). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** ELBv2 listener rules: at most 5 condition values per rule, each path pattern at most 128 characters. */
export const MAX_PATH_PATTERNS = 5;

/** ELBv2: a target group name is 1-32 letters, digits and hyphens (CreateTargetGroup, Name). */
export const TARGET_GROUP_NAME_MAX_LENGTH = 32;

/** Aurora: 0 to 15 Aurora Replicas per cluster (Aurora user guide, "Amazon Aurora Auto Scaling with Aurora Replicas"). */
export const AURORA_MAX_REPLICAS = 15;

/** ECS: a task definition is at most 64 KiB (ECS service quotas, "Task definition size"). */
export const TASK_DEFINITION_MAX_BYTES = 65536;

/**
 * SQS MessageRetentionPeriod: 60 seconds to 1,209,600 seconds (14 days), default 345,600 (4 days)
 * (SQS API reference, SetQueueAttributes). No message is older than the maximum, so it also bounds any
 * oldest-message age worth watching.
 */
export const SQS_RETENTION_SECONDS = { min: 60, max: 1209600, default: 345600 } as const;

/** SQS long polling waits at most 20 s (API reference, ReceiveMessage WaitTimeSeconds). */
export const SQS_MAX_WAIT_SECONDS = 20;

/** ECS task scale-in protection expires after 1 to 2880 minutes (API reference, UpdateTaskProtection expiresInMinutes). */
export const TASK_PROTECTION_MIN_MINUTES = 1;
export const TASK_PROTECTION_MAX_MINUTES = 2880;
/** ExpiresInMinutes when a protection request names none: 120 (same guide). */
export const TASK_PROTECTION_DEFAULT_MINUTES = 120;

/**
 * CloudWatch PutMetricAlarm: Period x EvaluationPeriods is at most one day (86,400 s) for periods under
 * an hour, and at most seven days (604,800 s) for periods of an hour or more (API reference,
 * PutMetricAlarm, EvaluationPeriods).
 */
export function alarmEvaluationWindowSeconds(periodSeconds: number): number {
    return periodSeconds < 3600 ? 86400 : 604800;
}

/** SQS VisibilityTimeout: 0 to 43,200 seconds (12 hours) (API reference, SetQueueAttributes). */
export const SQS_VISIBILITY_TIMEOUT_MAX_SECONDS = 43200;

/** SQS redrive policy maxReceiveCount: 1 to 1,000 (SQS developer guide, "Using dead-letter queues"). */
export const SQS_MAX_RECEIVE_COUNT = { min: 1, max: 1000 } as const;

/** ECS capacity provider strategy item: base 0-100,000 and weight 0-1,000 (API reference, CapacityProviderStrategyItem). */
export const CAPACITY_PROVIDER_BASE_MAX = 100000;
export const CAPACITY_PROVIDER_WEIGHT_MAX = 1000;

/** RDS BackupRetentionPeriod of an Aurora cluster: 1 to 35 days (API reference, CreateDBCluster). */
export const AURORA_BACKUP_RETENTION_DAYS = { min: 1, max: 35 } as const;

/** Serverless v2 capacity: 0.5-ACU steps up to 256 ACU (RDS API, ServerlessV2ScalingConfiguration). */
export const AURORA_ACU_STEP = 0.5;
export const AURORA_MAX_ACU = 256;

/** Auto-pause after 300 to 86,400 idle seconds (RDS API, ServerlessV2ScalingConfiguration.SecondsUntilAutoPause). */
export const AURORA_AUTO_PAUSE_SECONDS = { min: 300, max: 86400 } as const;

/**
 * Application Auto Scaling quota: at most 200 scheduled actions per scalable target, not adjustable
 * (user guide, "Quotas for Application Auto Scaling").
 */
export const MAX_SCHEDULED_ACTIONS_PER_TARGET = 200;

/**
 * PutScheduledAction ScheduledActionName: 1-256 characters, no control characters, none of `:` `/` `|`,
 * no leading or trailing space (API reference, PutScheduledAction, the member's length and pattern).
 * Schedule: 1-1600 characters (same page).
 */
export const SCHEDULED_ACTION_NAME_MAX_LENGTH = 256;
export const SCHEDULE_EXPRESSION_MAX_LENGTH = 1600;

/**
 * Predictive scaling's forecast (Application Auto Scaling user guide, "How Application Auto Scaling
 * predictive scaling works"): the metric "must have at least 24 hours of data" before the first
 * forecast; it analyzes "metric data from up to the past 14 days" into "an hourly forecast of capacity
 * requirements for the next 48 hours", "updated every 6 hours".
 */
export const PREDICTIVE_MIN_HISTORY_HOURS = 24;
export const PREDICTIVE_MAX_HISTORY_DAYS = 14;
export const PREDICTIVE_FORECAST_HOURS = 48;
export const PREDICTIVE_REFRESH_HOURS = 6;

/**
 * PredictiveScalingPolicyConfiguration (Application Auto Scaling API reference and its service model):
 * SchedulingBufferTime is a whole number of seconds from 0 to 3600; MaxCapacityBuffer a whole percent
 * from 0 to 100, "required if MaxCapacityBreachBehavior is IncreaseMaxCapacity, and cannot be used
 * otherwise"; MetricSpecifications holds a single specification ("we currently only support a single
 * metric specification").
 */
export const PREDICTIVE_SCHEDULING_BUFFER_SECONDS = { min: 0, max: 3600 } as const;
export const PREDICTIVE_MAX_CAPACITY_BUFFER_PERCENT = { min: 0, max: 100 } as const;
