/**
 * Every setting of the queue autoscaler, declared once: its bounds, its default, its help text and
 * where it lives in the stack config's `autoscaler` section. The stack-config schema (config/schema.ts),
 * the runtime's parser (runtime/autoscaler/settings.ts), the command's flags and environment variables
 * (cli/autoscale.ts) and the task definition's environment (components/queue-autoscaler.ts) are all
 * derived from this table, so nothing the schema accepts can be refused by the autoscaler at start.
 */
import { MIN_PARTITION_SECONDS, SERVICES_STABLE_WAITER_MS, SQS_ATTRIBUTE_PROPAGATION_SECONDS } from "../aws/api-limits";
import { SQS_RETENTION_SECONDS } from "../aws/limits";

/** Where a setting sits in the stack config's `autoscaler` object (dot path), when the stack sets it. */
export type ConfigPath = string;

interface Common {
    /** Help text, without the default (added from `default`). */
    readonly help: string;
    /** The value's name in `--help` (`<seconds>`, `[bool]`). */
    readonly value: string;
    /** Dot path in the stack config's `autoscaler` section; absent for settings the stack does not set directly. */
    readonly config?: ConfigPath;
}

export interface NumberSetting extends Common {
    /** "int": whole numbers only. */
    readonly kind: "int" | "number";
    readonly min: number;
    /** True when `min` itself is not allowed (`> min`). */
    readonly minExclusive?: boolean;
    readonly max?: number;
    readonly default?: number;
}

export interface BoolSetting extends Common {
    readonly kind: "bool";
    readonly default: boolean;
}

export interface TextSetting extends Common {
    readonly kind: "text" | "sqsUrl" | "amqpUrl" | "roleArn";
}

/** A pino level name (fatal, error, warn, info, debug, trace, silent). */
export interface LogLevelSetting extends Common {
    readonly kind: "logLevel";
    readonly default: string;
}

/** How log lines are written: readable on a terminal, JSON for machines. */
export const LOG_FORMATS = ["auto", "pretty", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** One of LOG_FORMATS. */
export interface LogFormatSetting extends Common {
    readonly kind: "logFormat";
    readonly default: LogFormat;
}

export type SettingSpec = NumberSetting | BoolSetting | TextSetting | LogLevelSetting | LogFormatSetting;

/**
 * Longest failure-simulation interval, seconds (7 days). Node's timers hold at most 2^31 - 1 ms
 * (24.8 days); a longer delay fires at once (Node docs, setTimeout), which ran drains back to back.
 */
export const MAX_CHAOS_INTERVAL_SECONDS = 7 * 24 * 3600;
/** Longest cooldown, seconds (1 day): long enough for any queue, far below the timer limit. */
export const MAX_COOLDOWN_SECONDS = 86_400;

/**
 * Prefix of every tag the autoscaler keeps on the scaled service (its last actions, a drain's restore
 * count); the task role may write only tag keys with it.
 */
export const STATE_TAG_PREFIX = "ecs-autoscaling:";

/** The settings, keyed by their flag name in camelCase (`queueUrl` <-> `--queue-url` <-> `QUEUE_URL`). */
export const AUTOSCALER_SETTINGS = {
    queueUrl: { kind: "sqsUrl", value: "<url>", help: "SQS queue URL to watch" },
    rabbitmqUrl: { kind: "amqpUrl", value: "<url>", help: "amqp:// URL of the RabbitMQ broker (instead of --queue-url)" },
    rabbitmqQueue: { kind: "text", value: "<name>", help: "RabbitMQ queue to watch (with --rabbitmq-url)" },
    cluster: { kind: "text", value: "<name>", help: "ECS cluster name or ARN" },
    ecsService: { kind: "text", value: "<name>", help: "ECS service name to scale (or --stack with --service, the service's key in the stack file)" },
    services: { kind: "text", value: "<json>",
        help: "several services to scale, instead of --service and its queue: a JSON map of service name to " +
            "{queueUrl | queueUrls, min, max, scaleUpThreshold, scaleDownThreshold, scaleUpCooldown, scaleDownCooldown, scaleDownStep, " +
            "acceptableAge, processingRate, countInFlight, fallback: {failureThreshold, replicas}, paused, activation: {messages}, " +
            "forecast: {enabled, slotSeconds, weight, minDays}}; unset keys take the flags' values" },
    min: { kind: "int", min: 0, default: 0, value: "<count>", help: "fewest tasks" },
    max: { kind: "int", min: 0, value: "<count>", help: "most tasks (required)" },
    // Threshold rules are an opt-in kept for users who think in messages per task; unset, the demand
    // model (acceptable age, processing rate, arrival rate) alone decides, which needs no tuning.
    scaleUpThreshold: { kind: "number", min: 0, minExclusive: true, value: "<messages>", config: "scaleUpThreshold",
        help: "opt-in threshold rule: also scale up when messages > tasks x this (unset: no threshold rule)" },
    scaleDownThreshold: { kind: "number", min: 0, value: "<messages>", config: "scaleDownThreshold",
        help: "opt-in threshold rule: scale down only while messages < tasks x this; 0: only when the queue is empty (unset: no threshold rule)" },
    interval: { kind: "int", min: 1, max: 300, default: 5, value: "<seconds>", config: "intervalSeconds", help: "time between ticks" },
    scaleUpCooldown: { kind: "int", min: 0, max: MAX_COOLDOWN_SECONDS, default: 30, value: "<seconds>", config: "scaleUpCooldownSeconds",
        help: "after a scale-up, only larger scale-ups" },
    // 10 s, two readings at the default interval: scale-in follows the arrival rate, itself averaged over
    // 30 s (demand.ts), so the window only has to outlast one noisy reading; the control loop holds every
    // recommendation of the window, so a longer one keeps a drained burst's tasks idle for its length
    // (30 s: 1.17 x the oracle's task-minutes on the Poisson trace, 10 s: 1.10 x; npm run bench:closed-loop).
    scaleDownCooldown: { kind: "int", min: 0, max: MAX_COOLDOWN_SECONDS, default: 10, value: "<seconds>", config: "scaleDownCooldownSeconds",
        help: "scale-in stabilization window: scale in no lower than the most tasks needed within it" },
    scaleDownStep: { kind: "int", min: 1, value: "<count>", config: "scaleDownStep", help: "tasks removed per scale-down at most (unset: as many as the window allows)" },
    // 60 s: longer than a Fargate task takes to start ("30-45 seconds or longer", scaling-semantics.md
    // section 6 [E10]), so tasks started for a burst can still serve it within the age, and short enough
    // that a queue consumer's work is handled within a minute.
    acceptableAge: { kind: "number", min: 0, minExclusive: true, max: MAX_COOLDOWN_SECONDS, default: 60, value: "<seconds>", config: "acceptableAgeSeconds",
        help: "how long a message may wait; the autoscaler keeps enough tasks to handle every message within it" },
    // Unset by default: a rate measured on the running workers is more often right than one written down.
    processingRate: { kind: "number", min: 0, minExclusive: true, value: "<messages/s>", config: "processingRate",
        help: "messages one task handles per second (unset: learned from the observed drain; a configured rate the drain contradicts is reported and no longer used)" },
    countInFlight: { kind: "bool", default: true, value: "[bool]", config: "countInFlight",
        help: "count in-flight (received, not deleted) messages as work" },
    // ECS's own services-stable waiter calls a deployment stuck after 600 s (aws/api-limits.ts).
    deploymentHold: { kind: "int", min: 0, max: MAX_COOLDOWN_SECONDS, default: SERVICES_STABLE_WAITER_MS / 1000, value: "<seconds>", config: "deploymentHoldSeconds",
        help: "longest time a deployment in progress holds scale-in of its service; then scale-in goes on and a warning metric counts it" },
    oldestMessageWarning: { kind: "int", min: 1, max: SQS_RETENTION_SECONDS.max, default: 300, value: "<seconds>", config: "oldestMessageWarningSeconds",
        help: "warn when the oldest message is older" },
    healthPort: { kind: "int", min: 0, max: 65535, default: 8080, value: "<port>", config: "healthPort", help: "port of /healthz and /metrics, 0 for any" },
    dryRun: { kind: "bool", default: false, value: "[bool]", help: "decide and log, never change the service" },
    chaosAllowed: { kind: "bool", default: false, value: "[bool]", config: "failureSimulation.allowed", help: "allow failure simulation at all" },
    chaosStopTaskEnabled: { kind: "bool", default: false, value: "[bool]", config: "failureSimulation.stopTask.enabled",
        help: "stop a random worker task on a schedule" },
    chaosStopTaskInterval: { kind: "int", min: 10, max: MAX_CHAOS_INTERVAL_SECONDS, default: 600, value: "<seconds>", config: "failureSimulation.stopTask.intervalSeconds",
        help: "stop-task interval" },
    chaosDrainEnabled: { kind: "bool", default: false, value: "[bool]", config: "failureSimulation.drain.enabled",
        help: "drain the service to 0 and restore it on a schedule" },
    chaosDrainInterval: { kind: "int", min: 10, max: MAX_CHAOS_INTERVAL_SECONDS, default: 1800, value: "<seconds>", config: "failureSimulation.drain.intervalSeconds",
        help: "drain interval" },
    chaosPartitionEnabled: { kind: "bool", default: false, value: "[bool]", config: "failureSimulation.partition.enabled",
        help: "cut the workers off the SQS queue on a schedule" },
    chaosPartitionInterval: { kind: "int", min: 10, max: MAX_CHAOS_INTERVAL_SECONDS, default: 1800, value: "<seconds>", config: "failureSimulation.partition.intervalSeconds",
        help: "partition interval" },
    chaosPartitionDuration: { kind: "int", min: 1, max: 3600, default: MIN_PARTITION_SECONDS, value: "<seconds>", config: "failureSimulation.partition.durationSeconds",
        help: `how long a partition lasts (its Deny statement expires by itself after this); at least ${MIN_PARTITION_SECONDS}, because SQS may take ${SQS_ATTRIBUTE_PROPAGATION_SECONDS} s to apply a policy change` },
    workerRoleArn: { kind: "roleArn", value: "<arn>", help: "the workers' task role ARN (partition)" },
    logLevel: { kind: "logLevel", default: "info", value: "<level>", help: "fatal, error, warn, info, debug (adds stack traces), trace or silent" },
    logFormat: { kind: "logFormat", default: "auto", value: "<format>",
        help: "auto (one readable line per event on a terminal, JSON otherwise), pretty or json; NO_COLOR turns colours off" },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof AUTOSCALER_SETTINGS;

/** The spec of one setting, typed as the union (for code that handles every kind). */
export function settingSpec(key: SettingKey): SettingSpec {
    return AUTOSCALER_SETTINGS[key];
}

/** The rule of a number setting in words, as every error shows it: `must be a whole number >= 1 and <= 300`. */
export function numberRule(s: NumberSetting): string {
    const what = s.kind === "int" ? "a whole number" : "a number";
    const low = `${s.minExclusive ? ">" : ">="} ${s.min}`;
    return `must be ${what} ${low}${s.max === undefined ? "" : ` and <= ${s.max}`}`;
}

/** True when `n` satisfies the number setting's bounds. */
export function inBounds(s: NumberSetting, n: number): boolean {
    if (!Number.isFinite(n)) return false;
    if (s.kind === "int" && !Number.isInteger(n)) return false;
    if (s.minExclusive ? n <= s.min : n < s.min) return false;
    return s.max === undefined || n <= s.max;
}

/** `queueUrl` -> `--queue-url`. */
export function flagName(key: string): string {
    return `--${toKebab(key)}`;
}

/**
 * Prefix of every environment variable the autoscaler reads: a shell or a task that happens to export
 * a generic name (PORT, MAX, SERVICE, CLUSTER, INTERVAL) changes nothing.
 */
export const ENV_PREFIX = "AUTOSCALER_";

/** `queueUrl` -> `AUTOSCALER_QUEUE_URL`: the environment variable of a flag. */
export function envName(key: string): string {
    return `${ENV_PREFIX}${toKebab(key).replace(/-/g, "_").toUpperCase()}`;
}

function toKebab(key: string): string {
    return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/^-/, "");
}

/** The settings the stack config sets, with their config paths (for the schema and the task environment). */
export function configSettings(): { key: SettingKey; path: ConfigPath; spec: SettingSpec }[] {
    return (Object.keys(AUTOSCALER_SETTINGS) as SettingKey[])
        .map((key) => ({ key, spec: settingSpec(key) }))
        .filter((e): e is { key: SettingKey; spec: SettingSpec & { config: string } } => e.spec.config !== undefined)
        .map(({ key, spec }) => ({ key, path: spec.config!, spec }));
}

/** The value at a dot path of an object (`failureSimulation.drain.enabled`). */
export function valueAt(obj: unknown, path: ConfigPath): unknown {
    return path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), obj);
}
