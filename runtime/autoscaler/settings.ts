/**
 * Settings of the autoscaler and of one-off failure simulations, from command-line flags and
 * environment variables. Every flag has an environment variable of the same name in upper case with
 * underscores (`--queue-url` <-> `QUEUE_URL`); a flag wins over its variable; an empty variable counts
 * as unset. Region and endpoint are not settings here: the AWS SDK reads AWS_REGION and
 * AWS_ENDPOINT_URL itself.
 *
 * Parsing is pure and checks everything before anything talks to AWS; all problems are reported at
 * once, each naming the flag, the value and the rule, e.g. `--min: "-1" must be a whole number >= 0`.
 */
import { z } from "zod";
import type { ChaosKind, ChaosSchedule } from "./chaos";
import type { DecisionSettings } from "./types";

export type FlagValues = Record<string, string | boolean | undefined>;

export type SourceSettings =
    | { readonly kind: "sqs"; readonly queueUrl: string }
    | { readonly kind: "rabbitmq"; readonly url: string; readonly queue: string };

/** Timing of failure-simulation runs that has no flag: defaults suit a real ECS service. */
export interface ChaosTiming {
    /** DescribeServices polling interval while draining and measuring recovery, ms (5000). */
    readonly pollIntervalMs: number;
    /** How long a run waits for running >= desired before reporting "not recovered", ms (300000). */
    readonly recoveryTimeoutMs: number;
    /** How long a drain waits for running 0 before restoring, ms (300000). */
    readonly drainTimeoutMs: number;
}

export interface ChaosSettings extends ChaosSchedule, ChaosTiming {
    /** --chaos-allowed: nothing runs unless true. */
    readonly allowed: boolean;
    /** --worker-role-arn: the workers' task role, denied the queue during a partition. */
    readonly workerRoleArn?: string;
}

export interface AutoscalerSettings {
    readonly source: SourceSettings;
    /** --cluster: ECS cluster name or ARN. */
    readonly cluster: string;
    /** --service: ECS service name. */
    readonly service: string;
    /** --min, --max, thresholds, cooldowns (ms), --scale-down-step, --count-in-flight. */
    readonly decision: DecisionSettings;
    /** --interval, ms. */
    readonly intervalMs: number;
    /** --oldest-message-warning, seconds. */
    readonly oldestMessageWarningSeconds: number;
    /** --health-port (0: any free port). */
    readonly healthPort: number;
    /** --dry-run: decide and log, never UpdateService. */
    readonly dryRun: boolean;
    readonly chaos: ChaosSettings;
}

/** Settings of one on-demand failure simulation (`autoscale chaos <kind>`). */
export interface ChaosRunSettings extends ChaosTiming {
    /** Always true once parsed: parsing refuses otherwise. */
    readonly allowed: boolean;
    readonly cluster: string;
    readonly service: string;
    /** Partition: the queue. */
    readonly queueUrl?: string;
    /** Partition: the workers' task role. */
    readonly workerRoleArn?: string;
    /** Partition: how long, ms. */
    readonly partitionDurationMs: number;
}

/** Defaults, equal to the stack config defaults of the `autoscaler` key (config/schema.ts). */
export const SETTING_DEFAULTS = {
    min: 0,
    scaleUpThreshold: 10,
    scaleDownThreshold: 2,
    interval: 5,
    scaleUpCooldown: 30,
    scaleDownCooldown: 120,
    scaleDownStep: 1,
    countInFlight: false,
    oldestMessageWarning: 300,
    healthPort: 8080,
    dryRun: false,
    chaosAllowed: false,
    chaosStopTaskEnabled: false,
    chaosStopTaskInterval: 600,
    chaosDrainEnabled: false,
    chaosDrainInterval: 1800,
    chaosPartitionEnabled: false,
    chaosPartitionInterval: 1800,
    chaosPartitionDuration: 60,
} as const;

export const CHAOS_TIMING_DEFAULTS: ChaosTiming = { pollIntervalMs: 5_000, recoveryTimeoutMs: 300_000, drainTimeoutMs: 300_000 };

/** Thrown with every problem found; the CLI prints them and exits with code 2. */
export class SettingsError extends Error {
    readonly problems: readonly string[];
    constructor(problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "SettingsError";
        this.problems = problems;
    }
}

/** `queueUrl` or `queue-url` -> `--queue-url`. */
export function flagName(key: string): string {
    return `--${toKebab(key)}`;
}

/** `queueUrl` or `queue-url` -> `QUEUE_URL`. */
export function envName(key: string): string {
    return toKebab(key).replace(/-/g, "_").toUpperCase();
}

function toKebab(key: string): string {
    return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/^-/, "");
}

function toCamel(key: string): string {
    return key.replace(/^-+/, "").replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

/** The rules, each with the exact words an error shows. */
const rules = {
    text: z.string().trim().min(1, { error: "must not be empty" }),
    bool: z.string().trim().toLowerCase()
        .refine((s) => TRUE.has(s) || FALSE.has(s), { error: "must be true or false" })
        .transform((s) => TRUE.has(s)),
    whole: (min: number, max?: number) => z.string().trim()
        .refine((s) => /^\d+$/.test(s) && Number(s) >= min && (max === undefined || Number(s) <= max),
            { error: `must be a whole number >= ${min}${max === undefined ? "" : ` and <= ${max}`}` })
        .transform(Number),
    seconds: (min: number, max: number, more: "gt" | "ge") => z.string().trim()
        .refine((s) => s !== "" && Number.isFinite(Number(s)) && (more === "gt" ? Number(s) > min : Number(s) >= min) && Number(s) <= max,
            { error: `must be a number of seconds ${more === "gt" ? ">" : ">="} ${min} and <= ${max}` })
        .transform(Number),
    positive: z.string().trim()
        .refine((s) => s !== "" && Number.isFinite(Number(s)) && Number(s) > 0, { error: "must be a number > 0" })
        .transform(Number),
    nonNegative: z.string().trim()
        .refine((s) => s !== "" && Number.isFinite(Number(s)) && Number(s) >= 0, { error: "must be a number >= 0" })
        .transform(Number),
    sqsUrl: z.string().trim().regex(/^https?:\/\/[^/\s]+(\/[^/\s]+)*\/[^/\s]+$/, { error: "must be an SQS queue URL (http(s)://host/<account>/<queue>)" }),
    amqpUrl: z.string().trim().regex(/^amqps?:\/\/\S+$/, { error: "must be an amqp:// or amqps:// URL" }),
    roleArn: z.string().trim().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/, { error: "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)" }),
} as const;

/** Reads flags and environment with one rule per key, collecting problems. */
class Reader {
    readonly problems: string[] = [];
    private readonly flags: FlagValues;

    constructor(flags: FlagValues, private readonly env: NodeJS.ProcessEnv) {
        this.flags = Object.fromEntries(Object.entries(flags).map(([k, v]) => [toCamel(k), v]));
    }

    /** Where the key was set: `--min` or `--min (env MIN)`. */
    private where(key: string, fromEnv: boolean): string {
        return fromEnv ? `${flagName(key)} (env ${envName(key)})` : flagName(key);
    }

    private raw(key: string): { value: string; fromEnv: boolean } | undefined {
        const flag = this.flags[key];
        if (flag !== undefined) return { value: String(flag), fromEnv: false };
        const fromEnv = this.env[envName(key)];
        if (fromEnv !== undefined && fromEnv.trim() !== "") return { value: fromEnv, fromEnv: true };
        return undefined;
    }

    has(key: string): boolean {
        return this.raw(key) !== undefined;
    }

    /** The parsed value, `fallback` when unset; undefined (and a problem) when invalid. */
    get<T>(key: string, rule: z.ZodType<T, string>, fallback?: T): T | undefined {
        const raw = this.raw(key);
        if (!raw) return fallback;
        const parsed = rule.safeParse(raw.value);
        if (parsed.success) return parsed.data;
        this.problems.push(`${this.where(key, raw.fromEnv)}: ${JSON.stringify(raw.value)} ${parsed.error.issues[0]?.message ?? "is not valid"}`);
        return undefined;
    }

    /** Like get, and a problem when unset. */
    required<T>(key: string, rule: z.ZodType<T, string>, why = "is required"): T | undefined {
        if (!this.has(key)) {
            this.problems.push(`${flagName(key)}: (missing) ${why} (or set ${envName(key)})`);
            return undefined;
        }
        return this.get(key, rule);
    }

    fail(message: string): void {
        this.problems.push(message);
    }

    done(): void {
        if (this.problems.length > 0) throw new SettingsError(this.problems);
    }
}

/**
 * Settings of `autoscale autoscaler run`. `flags` are keyed by option name as commander gives them
 * (`queueUrl`; `queue-url` is accepted too); `env` is the process environment.
 * Throws SettingsError listing every problem.
 */
export function parseSettings(flags: FlagValues, env: NodeJS.ProcessEnv): AutoscalerSettings {
    const r = new Reader(flags, env);
    const d = SETTING_DEFAULTS;

    const source = readSource(r);
    const cluster = r.required("cluster", rules.text);
    const service = r.required("service", rules.text);
    const min = r.get("min", rules.whole(0), d.min);
    const max = r.required("max", rules.whole(0));
    const up = r.get("scaleUpThreshold", rules.positive, d.scaleUpThreshold);
    const down = r.get("scaleDownThreshold", rules.nonNegative, d.scaleDownThreshold);
    const interval = r.get("interval", rules.seconds(0, 3600, "gt"), d.interval);
    const upCooldown = r.get("scaleUpCooldown", rules.seconds(0, 86400, "ge"), d.scaleUpCooldown);
    const downCooldown = r.get("scaleDownCooldown", rules.seconds(0, 86400, "ge"), d.scaleDownCooldown);
    const step = r.get("scaleDownStep", rules.whole(1), d.scaleDownStep);
    const countInFlight = r.get("countInFlight", rules.bool, d.countInFlight);
    const oldestWarning = r.get("oldestMessageWarning", rules.positive, d.oldestMessageWarning);
    const healthPort = r.get("healthPort", rules.whole(0, 65535), d.healthPort);
    const dryRun = r.get("dryRun", rules.bool, d.dryRun);

    const allowed = r.get("chaosAllowed", rules.bool, d.chaosAllowed);
    const stopTaskEnabled = r.get("chaosStopTaskEnabled", rules.bool, d.chaosStopTaskEnabled);
    const stopTaskInterval = r.get("chaosStopTaskInterval", rules.whole(10), d.chaosStopTaskInterval);
    const drainEnabled = r.get("chaosDrainEnabled", rules.bool, d.chaosDrainEnabled);
    const drainInterval = r.get("chaosDrainInterval", rules.whole(10), d.chaosDrainInterval);
    const partitionEnabled = r.get("chaosPartitionEnabled", rules.bool, d.chaosPartitionEnabled);
    const partitionInterval = r.get("chaosPartitionInterval", rules.whole(10), d.chaosPartitionInterval);
    const partitionDuration = r.get("chaosPartitionDuration", rules.whole(1, 3600), d.chaosPartitionDuration);
    const workerRoleArn = r.get("workerRoleArn", rules.roleArn);

    if (min !== undefined && max !== undefined && min > max) {
        r.fail(`--min (${min}) must be <= --max (${max})`);
    }
    if (up !== undefined && down !== undefined && down >= up) {
        r.fail(`--scale-down-threshold (${down}) must be < --scale-up-threshold (${up})`);
    }
    const enabled = ([["stop-task", stopTaskEnabled], ["drain", drainEnabled], ["partition", partitionEnabled]] as const)
        .filter(([, on]) => on === true).map(([kind]) => kind);
    if (enabled.length > 0 && allowed === false) {
        for (const kind of enabled) r.fail(`--chaos-${kind}-enabled: failure simulation "${kind}" is enabled but --chaos-allowed is not true; allow failure simulation first`);
    }
    if (partitionEnabled === true) {
        if (!r.has("workerRoleArn")) r.fail(`--worker-role-arn: (missing) is required with --chaos-partition-enabled (or set ${envName("workerRoleArn")})`);
        if (source?.kind === "rabbitmq") r.fail("--chaos-partition-enabled: the partition cuts workers off an SQS queue; it needs --queue-url, not --rabbitmq-url");
    }
    r.done();

    return {
        source: source!,
        cluster: cluster!,
        service: service!,
        decision: {
            minCapacity: min!,
            maxCapacity: max!,
            scaleUpThreshold: up!,
            scaleDownThreshold: down!,
            scaleUpCooldownMs: upCooldown! * 1000,
            scaleDownCooldownMs: downCooldown! * 1000,
            scaleDownStep: step!,
            countInFlight: countInFlight!,
        },
        intervalMs: interval! * 1000,
        oldestMessageWarningSeconds: oldestWarning!,
        healthPort: healthPort!,
        dryRun: dryRun!,
        chaos: {
            allowed: allowed!,
            ...(workerRoleArn === undefined ? {} : { workerRoleArn }),
            stopTask: { enabled: stopTaskEnabled!, intervalMs: stopTaskInterval! * 1000 },
            drain: { enabled: drainEnabled!, intervalMs: drainInterval! * 1000 },
            partition: { enabled: partitionEnabled!, intervalMs: partitionInterval! * 1000, durationMs: partitionDuration! * 1000 },
            ...CHAOS_TIMING_DEFAULTS,
        },
    };
}

function readSource(r: Reader): SourceSettings | undefined {
    const hasSqs = r.has("queueUrl");
    const hasRabbit = r.has("rabbitmqUrl");
    if (hasSqs === hasRabbit) {
        r.fail(hasSqs
            ? "--queue-url and --rabbitmq-url: give exactly one of them, not both"
            : `--queue-url or --rabbitmq-url: (missing) exactly one is required (or set ${envName("queueUrl")} / ${envName("rabbitmqUrl")})`);
        if (!hasRabbit && r.has("rabbitmqQueue")) r.fail("--rabbitmq-queue: only applies with --rabbitmq-url");
        return undefined;
    }
    if (hasSqs) {
        if (r.has("rabbitmqQueue")) r.fail("--rabbitmq-queue: only applies with --rabbitmq-url");
        const queueUrl = r.get("queueUrl", rules.sqsUrl);
        return queueUrl === undefined ? undefined : { kind: "sqs", queueUrl };
    }
    const url = r.get("rabbitmqUrl", rules.amqpUrl);
    const queue = r.required("rabbitmqQueue", rules.text, "is required with --rabbitmq-url");
    return url === undefined || queue === undefined ? undefined : { kind: "rabbitmq", url, queue };
}

/**
 * Settings of `autoscale chaos <kind>`: --cluster and --service; for partition also --queue-url,
 * --worker-role-arn and --chaos-partition-duration. Refused (SettingsError) unless --chaos-allowed
 * or CHAOS_ALLOWED is true.
 */
export function parseChaosSettings(kind: ChaosKind, flags: FlagValues, env: NodeJS.ProcessEnv): ChaosRunSettings {
    const r = new Reader(flags, env);
    const allowed = r.get("chaosAllowed", rules.bool, false);
    if (allowed === false) {
        r.fail(`--chaos-allowed: failure simulation "${kind}" is refused unless --chaos-allowed is given or ${envName("chaosAllowed")}=true`);
    }
    const cluster = r.required("cluster", rules.text);
    const service = r.required("service", rules.text);
    const duration = r.get("chaosPartitionDuration", rules.whole(1, 3600), SETTING_DEFAULTS.chaosPartitionDuration);
    let queueUrl: string | undefined;
    let workerRoleArn: string | undefined;
    if (kind === "partition") {
        queueUrl = r.required("queueUrl", rules.sqsUrl, "is required for partition");
        workerRoleArn = r.required("workerRoleArn", rules.roleArn, "is required for partition");
    }
    r.done();
    return {
        allowed: true,
        cluster: cluster!,
        service: service!,
        ...(queueUrl === undefined ? {} : { queueUrl }),
        ...(workerRoleArn === undefined ? {} : { workerRoleArn }),
        partitionDurationMs: duration! * 1000,
        ...CHAOS_TIMING_DEFAULTS,
    };
}
