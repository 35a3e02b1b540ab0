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
import {
    AUTOSCALER_SETTINGS, envName, flagName, inBounds, numberRule, settingSpec,
    type NumberSetting, type SettingKey,
} from "../../scaling/autoscaler-settings";
import { LOG_LEVELS } from "../aws/logger";
import type { ChaosKind, ChaosSchedule } from "./chaos/types";
import type { DecisionSettings } from "./types";

export { envName, flagName };

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
    /** --log-level (LOG_LEVEL). */
    readonly logLevel: string;
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

/** Where a value came from, as commander reports it (`getOptionValueSource`). */
export type ValueSource = "cli" | "env" | "default" | "implied" | "config" | undefined;

/** The default of every setting that has one (scaling/autoscaler-settings.ts), by key. */
export const SETTING_DEFAULTS = Object.fromEntries(
    (Object.keys(AUTOSCALER_SETTINGS) as SettingKey[])
        .map((k) => [k, (settingSpec(k) as { default?: unknown }).default])
        .filter(([, v]) => v !== undefined),
) as { readonly [K in SettingKey as (typeof AUTOSCALER_SETTINGS)[K] extends { default: unknown } ? K : never]: (typeof AUTOSCALER_SETTINGS)[K] extends { default: infer D } ? D : never };

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
    sqsUrl: z.string().trim().regex(/^https?:\/\/[^/\s]+(\/[^/\s]+)*\/[^/\s]+$/, { error: "must be an SQS queue URL (http(s)://host/<account>/<queue>)" }),
    amqpUrl: z.string().trim().regex(/^amqps?:\/\/\S+$/, { error: "must be an amqp:// or amqps:// URL" }),
    roleArn: z.string().trim().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/, { error: "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)" }),
    logLevel: z.string().trim().toLowerCase()
        .refine((s) => (LOG_LEVELS as readonly string[]).includes(s), { error: `must be one of ${LOG_LEVELS.join(", ")}` }),
} as const;

/** The rule of a number setting: its bounds from the table, in the words numberRule gives them. */
function numberOf(spec: NumberSetting): z.ZodType<number, string> {
    return z.string().trim()
        .refine((s) => s !== "" && inBounds(spec, Number(s)), { error: numberRule(spec) })
        .transform(Number);
}

/** The rule of any setting in the table. */
function ruleOf(key: SettingKey): z.ZodType<unknown, string> {
    const spec = settingSpec(key);
    switch (spec.kind) {
        case "int":
        case "number": return numberOf(spec);
        case "bool": return rules.bool;
        case "text": return rules.text;
        case "sqsUrl": return rules.sqsUrl;
        case "amqpUrl": return rules.amqpUrl;
        case "roleArn": return rules.roleArn;
        case "logLevel": return rules.logLevel;
    }
}

/** Reads flags and environment with the table's rule for each key, collecting problems. */
class Reader {
    readonly problems: string[] = [];
    private readonly flags: FlagValues;
    private readonly sources: Readonly<Record<string, ValueSource>>;

    constructor(flags: FlagValues, private readonly env: NodeJS.ProcessEnv, sources: Readonly<Record<string, ValueSource>> = {}) {
        this.flags = Object.fromEntries(Object.entries(flags).map(([k, v]) => [toCamel(k), v]));
        this.sources = Object.fromEntries(Object.entries(sources).map(([k, v]) => [toCamel(k), v]));
    }

    /** Where the key was set: `--min` or `--min (env MIN)`. */
    private where(key: string, fromEnv: boolean): string {
        return fromEnv ? `${flagName(key)} (env ${envName(key)})` : flagName(key);
    }

    /** The raw value and where it came from; a default filled in by commander, or an empty variable, counts as unset. */
    private raw(key: string): { value: string; fromEnv: boolean } | undefined {
        const flag = this.flags[key];
        const source = this.sources[key];
        if (flag !== undefined && source !== "default") {
            if (source !== "env") return { value: String(flag), fromEnv: false };
            if (String(flag).trim() !== "") return { value: String(flag), fromEnv: true };
        }
        const fromEnv = this.env[envName(key)];
        if (fromEnv !== undefined && fromEnv.trim() !== "") return { value: fromEnv, fromEnv: true };
        return undefined;
    }

    has(key: SettingKey): boolean {
        return this.raw(key) !== undefined;
    }

    /** The parsed value, the table's default when unset; undefined (and a problem) when invalid. */
    get<T>(key: SettingKey): T | undefined {
        const raw = this.raw(key);
        if (!raw) return (settingSpec(key) as { default?: T }).default;
        const parsed = ruleOf(key).safeParse(raw.value);
        if (parsed.success) return parsed.data as T;
        this.problems.push(`${this.where(key, raw.fromEnv)}: ${JSON.stringify(raw.value)} ${parsed.error.issues[0]?.message ?? "is not valid"}`);
        return undefined;
    }

    /** Like get, and a problem when unset. */
    required<T>(key: SettingKey, why = "is required"): T | undefined {
        if (!this.has(key)) {
            this.problems.push(`${flagName(key)}: (missing) ${why} (or set ${envName(key)})`);
            return undefined;
        }
        return this.get<T>(key);
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
 * (`queueUrl`; `queue-url` is accepted too); `env` is the process environment; `sources` says, per
 * key, where commander took the value from (a "default" counts as unset, "env" is named in errors).
 * Throws SettingsError listing every problem.
 */
export function parseSettings(flags: FlagValues, env: NodeJS.ProcessEnv, sources: Readonly<Record<string, ValueSource>> = {}): AutoscalerSettings {
    const r = new Reader(flags, env, sources);

    const source = readSource(r);
    const cluster = r.required<string>("cluster");
    const service = r.required<string>("service");
    const min = r.get<number>("min");
    const max = r.required<number>("max");
    const up = r.get<number>("scaleUpThreshold");
    const down = r.get<number>("scaleDownThreshold");
    const interval = r.get<number>("interval");
    const upCooldown = r.get<number>("scaleUpCooldown");
    const downCooldown = r.get<number>("scaleDownCooldown");
    const step = r.get<number>("scaleDownStep");
    const acceptableAge = r.get<number>("acceptableAge");
    const processingRate = r.get<number>("processingRate");
    const countInFlight = r.get<boolean>("countInFlight");
    const oldestWarning = r.get<number>("oldestMessageWarning");
    const healthPort = r.get<number>("healthPort");
    const dryRun = r.get<boolean>("dryRun");
    const logLevel = r.get<string>("logLevel");

    const allowed = r.get<boolean>("chaosAllowed");
    const stopTaskEnabled = r.get<boolean>("chaosStopTaskEnabled");
    const stopTaskInterval = r.get<number>("chaosStopTaskInterval");
    const drainEnabled = r.get<boolean>("chaosDrainEnabled");
    const drainInterval = r.get<number>("chaosDrainInterval");
    const partitionEnabled = r.get<boolean>("chaosPartitionEnabled");
    const partitionInterval = r.get<number>("chaosPartitionInterval");
    const partitionDuration = r.get<number>("chaosPartitionDuration");
    const workerRoleArn = r.get<string>("workerRoleArn");

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
            ...(step === undefined ? {} : { scaleDownStep: step }),
            countInFlight: countInFlight!,
            ...(acceptableAge === undefined ? {} : { acceptableAgeSeconds: acceptableAge }),
            ...(processingRate === undefined ? {} : { processingRate }),
        },
        intervalMs: interval! * 1000,
        oldestMessageWarningSeconds: oldestWarning!,
        healthPort: healthPort!,
        dryRun: dryRun!,
        logLevel: logLevel!,
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
        const queueUrl = r.get<string>("queueUrl");
        return queueUrl === undefined ? undefined : { kind: "sqs", queueUrl };
    }
    const url = r.get<string>("rabbitmqUrl");
    const queue = r.required<string>("rabbitmqQueue", "is required with --rabbitmq-url");
    return url === undefined || queue === undefined ? undefined : { kind: "rabbitmq", url, queue };
}

/**
 * Settings of `autoscale chaos <kind>`: --cluster and --service; for partition also --queue-url,
 * --worker-role-arn and --chaos-partition-duration. Refused (SettingsError) unless --chaos-allowed
 * or CHAOS_ALLOWED is true.
 */
export function parseChaosSettings(kind: ChaosKind, flags: FlagValues, env: NodeJS.ProcessEnv, sources: Readonly<Record<string, ValueSource>> = {}): ChaosRunSettings {
    const r = new Reader(flags, env, sources);
    const allowed = r.get<boolean>("chaosAllowed");
    if (allowed === false) {
        r.fail(`--chaos-allowed: failure simulation "${kind}" is refused unless --chaos-allowed is given or ${envName("chaosAllowed")}=true`);
    }
    const cluster = r.required<string>("cluster");
    const service = r.required<string>("service");
    const duration = r.get<number>("chaosPartitionDuration");
    r.get<string>("logLevel");
    let queueUrl: string | undefined;
    let workerRoleArn: string | undefined;
    if (kind === "partition") {
        queueUrl = r.required<string>("queueUrl", "is required for partition");
        workerRoleArn = r.required<string>("workerRoleArn", "is required for partition");
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
