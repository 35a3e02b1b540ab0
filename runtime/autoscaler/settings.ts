/**
 * Settings of the autoscaler and of one-off failure simulations, from command-line flags and
 * environment variables. Every flag has an environment variable of the same name in upper case with
 * underscores and the AUTOSCALER_ prefix (`--queue-url` <-> `AUTOSCALER_QUEUE_URL`); a flag wins over its variable; an empty variable counts
 * as unset. Region and endpoint are not settings here: the AWS SDK reads AWS_REGION and
 * AWS_ENDPOINT_URL itself.
 *
 * Parsing is pure and checks everything before anything talks to AWS; all problems are reported at
 * once, each naming the flag, the value and the rule, e.g. `--min: "-1" must be a whole number >= 0`.
 */
import { isAwsRegion, regionRule } from "../../aws/regions";
import {
    AUTOSCALER_SETTINGS, envName, flagName, settingSpec,
    type LogFormat, type SettingKey,
} from "../../scaling/autoscaler-settings";
import { Reader, SettingsError, type FlagValues, type ValueSource } from "./settings-reader";
import { readServicesMap } from "./services-settings";
import type { ChaosKind, ChaosSchedule } from "./chaos/types";
import type { DecisionSettings, ScaledServiceSettings, SourceSettings } from "./types";

export { envName, flagName };

export { SettingsError };
export type { FlagValues, ValueSource } from "./settings-reader";
export type { ScaledServiceSettings, SourceSettings } from "./types";

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
    /** Every scaled service: --services, or the one of --service and --queue-url / --rabbitmq-*. */
    readonly services: readonly ScaledServiceSettings[];
    /** --cluster: ECS cluster name or ARN. */
    readonly cluster: string;
    /** --deployment-hold, ms. */
    readonly deploymentHoldMs: number;
    /** --interval, ms. */
    readonly intervalMs: number;
    /** --oldest-message-warning, seconds. */
    readonly oldestMessageWarningSeconds: number;
    /** --health-port (0: any free port). */
    readonly healthPort: number;
    /** --dry-run: decide and log, never UpdateService. */
    readonly dryRun: boolean;
    /** --log-level (AUTOSCALER_LOG_LEVEL). */
    readonly logLevel: string;
    /** --log-format (AUTOSCALER_LOG_FORMAT): auto, pretty or json. */
    readonly logFormat: LogFormat;
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


/** The default of every setting that has one (scaling/autoscaler-settings.ts), by key. */
export const SETTING_DEFAULTS = Object.fromEntries(
    (Object.keys(AUTOSCALER_SETTINGS) as SettingKey[])
        .map((k) => [k, (settingSpec(k) as { default?: unknown }).default])
        .filter(([, v]) => v !== undefined),
) as { readonly [K in SettingKey as (typeof AUTOSCALER_SETTINGS)[K] extends { default: unknown } ? K : never]: (typeof AUTOSCALER_SETTINGS)[K] extends { default: infer D } ? D : never };

export const CHAOS_TIMING_DEFAULTS: ChaosTiming = { pollIntervalMs: 5_000, recoveryTimeoutMs: 300_000, drainTimeoutMs: 300_000 };

/**
 * Settings of `autoscale autoscaler run`. `flags` are keyed by option name as commander gives them
 * (`queueUrl`; `queue-url` is accepted too); `env` is the process environment; `sources` says, per
 * key, where commander took the value from (a "default" counts as unset, "env" is named in errors).
 * Throws SettingsError listing every problem.
 */
export function parseSettings(flags: FlagValues, env: NodeJS.ProcessEnv, sources: Readonly<Record<string, ValueSource>> = {}): AutoscalerSettings {
    const r = new Reader(flags, env, sources);

    const many = r.has("services");
    const source = many ? undefined : readSource(r);
    const cluster = r.required<string>("cluster");
    const service = many ? undefined : r.required<string>("ecsService");
    const min = r.get<number>("min");
    const max = many ? r.get<number>("max") : r.required<number>("max");
    const deploymentHold = r.get<number>("deploymentHold");
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
    const logFormat = r.get<LogFormat>("logFormat");

    const allowed = r.get<boolean>("chaosAllowed");
    const stopTaskEnabled = r.get<boolean>("chaosStopTaskEnabled");
    const stopTaskInterval = r.get<number>("chaosStopTaskInterval");
    const drainEnabled = r.get<boolean>("chaosDrainEnabled");
    const drainInterval = r.get<number>("chaosDrainInterval");
    const partitionEnabled = r.get<boolean>("chaosPartitionEnabled");
    const partitionInterval = r.get<number>("chaosPartitionInterval");
    const partitionDuration = r.get<number>("chaosPartitionDuration");
    const workerRoleArn = r.get<string>("workerRoleArn");

    if (many) {
        for (const key of ["ecsService", "queueUrl", "rabbitmqUrl", "rabbitmqQueue"] as const) {
            if (r.has(key)) r.fail(`${flagName(key)}: give --services or --ecs-service with its queue, not both`);
        }
    }
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
    const base: Partial<DecisionSettings> = {
        ...(min === undefined ? {} : { minCapacity: min }),
        ...(max === undefined ? {} : { maxCapacity: max }),
        ...(up === undefined ? {} : { scaleUpThreshold: up }),
        ...(down === undefined ? {} : { scaleDownThreshold: down }),
        ...(upCooldown === undefined ? {} : { scaleUpCooldownMs: upCooldown * 1000 }),
        ...(downCooldown === undefined ? {} : { scaleDownCooldownMs: downCooldown * 1000 }),
        ...(step === undefined ? {} : { scaleDownStep: step }),
        ...(countInFlight === undefined ? {} : { countInFlight }),
        ...(acceptableAge === undefined ? {} : { acceptableAgeSeconds: acceptableAge }),
        ...(processingRate === undefined ? {} : { processingRate }),
    };
    const services = many ? readServicesMap(r, base) : undefined;
    if (enabled.length > 0 && services && services.length !== 1) {
        r.fail(`--services: failure simulation acts on one service; it is enabled (${enabled.join(", ")}) with ${services.length} services`);
    }
    if (partitionEnabled === true) {
        if (!r.has("workerRoleArn")) r.fail(`--worker-role-arn: (missing) is required with --chaos-partition-enabled (or set ${envName("workerRoleArn")})`);
        if (source?.kind === "rabbitmq" || services?.some((x) => x.sources.some((q) => q.kind === "rabbitmq"))) r.fail("--chaos-partition-enabled: the partition cuts workers off an SQS queue; it needs --queue-url, not --rabbitmq-url");
    }
    // The SDK would send a misspelt region to a host that does not exist, or to an endpoint that answers HTML.
    const region = env.AWS_REGION?.trim();
    if (region && !isAwsRegion(region)) r.fail(`AWS_REGION: ${JSON.stringify(region)} ${regionRule(region)}`);
    r.done();

    return {
        services: services ?? [{ service: service!, sources: [source!], decision: base as DecisionSettings }],
        cluster: cluster!,
        deploymentHoldMs: deploymentHold! * 1000,
        intervalMs: interval! * 1000,
        oldestMessageWarningSeconds: oldestWarning!,
        healthPort: healthPort!,
        dryRun: dryRun!,
        logLevel: logLevel!,
        logFormat: logFormat!,
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
 * or AUTOSCALER_CHAOS_ALLOWED is true.
 */
export function parseChaosSettings(kind: ChaosKind, flags: FlagValues, env: NodeJS.ProcessEnv, sources: Readonly<Record<string, ValueSource>> = {}): ChaosRunSettings {
    const r = new Reader(flags, env, sources);
    const allowed = r.get<boolean>("chaosAllowed");
    if (allowed === false) {
        r.fail(`--chaos-allowed: failure simulation "${kind}" is refused unless --chaos-allowed is given or ${envName("chaosAllowed")}=true`);
    }
    const cluster = r.required<string>("cluster");
    const service = r.required<string>("ecsService");
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
