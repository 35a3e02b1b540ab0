/**
 * The `autoscaler` key: the queue-driven autoscaler service, its settings (bounds and defaults from the
 * table the autoscaler parses its own flags with), the rules that tie it to the service it scales, and
 * its result, whose bounds are that service's.
 */
import { z } from "zod";
import { rules } from "./aws-rules";
import type { CustomMetricTestInput } from "./custom-metric-test";
import { short } from "./read";
import type { ServiceInput } from "./services";
import { AUTOSCALER_SETTINGS, inBounds, numberRule, type NumberSetting } from "../scaling/autoscaler-settings";
import type { ServiceScalingPlan } from "../scaling/plan";
import { MIN_PARTITION_SECONDS, SQS_ATTRIBUTE_PROPAGATION_SECONDS } from "../aws/api-limits";
import { CONTROL_RULES, FORECAST_DEFAULTS, isSlotSeconds, isWeight, isWhole } from "../scaling/autoscaler-controls";

/** A number setting of the autoscaler, with the bounds and rule text the autoscaler itself enforces. */
function autoscalerNumber(spec: NumberSetting & { readonly default: number }) {
    return autoscalerOptionalNumber(spec).default(spec.default);
}
/** A number setting of the autoscaler without a default: unset means what the table's help says. */
function autoscalerOptionalNumber(spec: NumberSetting) {
    const rule = numberRule(spec);
    return z.number({ error: rule }).refine((v) => inBounds(spec, v), { error: rule }).optional();
}
const A = AUTOSCALER_SETTINGS;

const whole = (min: number, rule: string, max = Infinity) => z.number({ error: rule }).refine((v) => isWhole(v, min, max), { error: rule });

/**
 * KEDA's operational controls and the arrival forecast of one scaled service (scaling/autoscaler-controls.ts
 * states their defaults and rules): in `autoscaler.services.<key>`, and at the top of `autoscaler` for
 * the one-service form.
 */
function controls() {
    return {
        /** After failureThreshold ticks in a row without a queue reading, set `replicas` tasks, within min and max (KEDA's fallback). */
        fallback: z.strictObject({
            failureThreshold: whole(1, CONTROL_RULES.failureThreshold),
            replicas: whole(0, CONTROL_RULES.replicas),
        }).optional(),
        /** Freeze the desired count: readings, decisions and metrics go on, nothing is written. Default false. */
        paused: z.boolean({ error: CONTROL_RULES.paused }).optional(),
        /** A service at 0 stays at 0 while fewer than `messages` are visible (KEDA's activation threshold). Unset: one message wakes it. */
        activation: z.strictObject({ messages: whole(1, CONTROL_RULES.activationMessages) }).optional(),
        /**
         * Raise the floor ahead of the arrival pattern learned per slot of the week (daily before a week
         * of data), by the task start delay. Default off (FORECAST_DEFAULTS).
         */
        forecast: z.strictObject({
            enabled: z.boolean({ error: CONTROL_RULES.forecastEnabled }).default(FORECAST_DEFAULTS.enabled),
            slotSeconds: z.number({ error: CONTROL_RULES.slotSeconds }).refine(isSlotSeconds, { error: CONTROL_RULES.slotSeconds }).default(FORECAST_DEFAULTS.slotSeconds),
            weight: z.number({ error: CONTROL_RULES.weight }).refine(isWeight, { error: CONTROL_RULES.weight }).default(FORECAST_DEFAULTS.weight),
            minDays: whole(1, CONTROL_RULES.minDays, 7).default(FORECAST_DEFAULTS.minDays),
        }).optional(),
    };
}

/**
 * One service of `autoscaler.services`: the queues it consumes (default: its own consumesQueue) and
 * the settings it sets for itself; what it leaves out takes the autoscaler's value. Its bounds are the
 * service's own minCapacity and maxCapacity.
 */
export const scaledService = z.strictObject({
    /** Keys (under `queues`) of the queues it consumes; every one must be the service's consumesQueue. */
    queues: z.array(z.string().min(1)).min(1).optional(),
    scaleUpThreshold: autoscalerOptionalNumber(A.scaleUpThreshold),
    scaleDownThreshold: autoscalerOptionalNumber(A.scaleDownThreshold),
    scaleUpCooldownSeconds: autoscalerOptionalNumber(A.scaleUpCooldown),
    scaleDownCooldownSeconds: autoscalerOptionalNumber(A.scaleDownCooldown),
    scaleDownStep: autoscalerOptionalNumber(A.scaleDownStep),
    acceptableAgeSeconds: autoscalerOptionalNumber(A.acceptableAge),
    processingRate: autoscalerOptionalNumber(A.processingRate),
    countInFlight: z.boolean().optional(),
    ...controls(),
});
export type ScaledServiceInput = z.infer<typeof scaledService>;
/** The controls as either form gives them. */
type ServiceControlsInput = Pick<ScaledServiceInput, "fallback" | "paused" | "activation" | "forecast">;

export const autoscaler = z.strictObject({
    /** Deploy the queue-driven autoscaler service. */
    enabled: z.boolean().default(false),
    /** The configured service it scales; that service's min/max are the autoscaler's bounds. The one-service form of `services`. */
    service: z.string().default("worker"),
    /**
     * Every service it scales, by config key, each with its queue(s) and settings of its own; set, it
     * replaces `service`. One autoscaler task scales them all.
     */
    services: z.record(z.string(), scaledService).optional(),
    /** Container image; when absent the image is built from the repository's Dockerfile at deploy time. */
    image: z.string().min(1).optional(),
    // Bounds and defaults from scaling/autoscaler-settings.ts, the table the autoscaler parses its flags with.
    intervalSeconds: autoscalerNumber(A.interval),
    /** Opt-in threshold rule: also scale up when work exceeds workers x this. */
    scaleUpThreshold: autoscalerOptionalNumber(A.scaleUpThreshold),
    /** Opt-in threshold rule: scale down only while work is below workers x this; 0: only when the queue is empty. */
    scaleDownThreshold: autoscalerOptionalNumber(A.scaleDownThreshold),
    scaleUpCooldownSeconds: autoscalerNumber(A.scaleUpCooldown),
    scaleDownCooldownSeconds: autoscalerNumber(A.scaleDownCooldown),
    /** Tasks removed per scale-down action at most. */
    scaleDownStep: autoscalerOptionalNumber(A.scaleDownStep),
    /** How long a message may wait, seconds; x processingRate, the backlog one task may hold. */
    acceptableAgeSeconds: autoscalerNumber(A.acceptableAge),
    /** Messages one task handles per second; unset: learned from the observed drain. */
    processingRate: autoscalerOptionalNumber(A.processingRate),
    /** Count in-flight (received, not yet deleted) messages as work. */
    countInFlight: z.boolean().default(A.countInFlight.default),
    // The one-service form's controls (`autoscaler.services.<key>` sets them per service instead).
    ...controls(),
    /** Longest time a deployment in progress holds scale-in of its service (default: ECS's services-stable waiter, 600 s). */
    deploymentHoldSeconds: autoscalerNumber(A.deploymentHold),
    /** Log a warning when the oldest message is older than this many seconds. */
    oldestMessageWarningSeconds: autoscalerNumber(A.oldestMessageWarning),
    /** Port 0 (any free port) is for local runs: the container health check needs a known one. */
    healthPort: autoscalerNumber(A.healthPort).refine((p) => p !== 0, { error: "must be a fixed port (0 picks a random one, which the container health check cannot reach)" }),
    failureSimulation: z.strictObject({
        /** The stack allows failure simulation at all; nothing runs, and no permission is granted, unless true. */
        allowed: z.boolean().default(A.chaosAllowed.default),
        stopTask: z.strictObject({ enabled: z.boolean().default(false), intervalSeconds: autoscalerNumber(A.chaosStopTaskInterval) }).prefault({}),
        drain: z.strictObject({ enabled: z.boolean().default(false), intervalSeconds: autoscalerNumber(A.chaosDrainInterval) }).prefault({}),
        partition: z.strictObject({
            enabled: z.boolean().default(false),
            intervalSeconds: autoscalerNumber(A.chaosPartitionInterval),
            // Deployed to AWS: at least MIN_PARTITION_SECONDS, or SQS may not have applied the Deny before it
            // expires (the autoscaler's own flag allows shorter partitions for emulators, which apply at once).
            durationSeconds: autoscalerNumber(A.chaosPartitionDuration).refine((s) => s < 1 || s >= MIN_PARTITION_SECONDS, {
                error: `must be at least ${MIN_PARTITION_SECONDS}: SQS may take up to ${SQS_ATTRIBUTE_PROPAGATION_SECONDS} s to apply a queue policy change (SQS API reference, SetQueueAttributes), so a shorter partition may deny nothing`,
            }),
        }).prefault({}),
    }).prefault({}),
}).superRefine((a, ctx) => {
    if (a.scaleDownThreshold !== undefined && a.scaleUpThreshold !== undefined && a.scaleDownThreshold >= a.scaleUpThreshold) {
        ctx.addIssue({ code: "custom", path: ["scaleDownThreshold"], message: `scaleDownThreshold (${a.scaleDownThreshold}) must be < scaleUpThreshold (${a.scaleUpThreshold})` });
    }
    const fs = a.failureSimulation;
    (["stopTask", "drain", "partition"] as const).forEach((k) => {
        if (fs[k].enabled && !fs.allowed) {
            ctx.addIssue({ code: "custom", path: ["failureSimulation", k, "enabled"], message: `${k} is enabled but failureSimulation.allowed is false; the stack must allow failure simulation first` });
        }
    });
});

/** The key as a stack file sets it; unset: every default, autoscaler off. */
export const autoscalerKey = autoscaler.prefault({});

export type AutoscalerInput = z.infer<typeof autoscaler>;

/** One service the autoscaler scales, as the component hands it to the task. */
export interface ScaledServiceConfig {
    /** Its config key. */
    readonly service: string;
    /** Keys (under `queues`) of the queues it consumes. */
    readonly queues: readonly string[];
    /** Its own settings, in the names `--services` takes (`min`, `max`, cooldowns in seconds, ...). */
    readonly settings: { readonly min: number; readonly max: number; readonly [setting: string]: unknown };
}

export interface AutoscalerConfig extends Omit<AutoscalerInput, "service" | "services"> {
    /** The first scaled service's config key (the one failure simulation acts on). */
    readonly service: string;
    /** Key (under `queues`) of the queue the first scaled service consumes. */
    readonly queue: string;
    /** The first scaled service's bounds, taken from its plan (so they cannot drift apart). */
    readonly minCapacity: number;
    readonly maxCapacity: number;
    /** Every service it scales (at least one while enabled), in the order the stack lists them. */
    readonly scaled: readonly ScaledServiceConfig[];
}

/** What the rules look at besides the key: the services, ECS at all, and the custom-metric test. */
export interface AutoscalerContext {
    readonly services: Readonly<Record<string, ServiceInput>>;
    readonly paidTierResources: boolean;
    readonly customMetricTest: CustomMetricTestInput;
}

export function autoscalerProblems(as: AutoscalerInput, ctx: AutoscalerContext): string[] {
    const problems: string[] = [];
    if (as.image !== undefined && !rules.image.test(as.image)) problems.push(`autoscaler.image: ${short(as.image)} ${rules.image.says}`);
    if (as.enabled && !ctx.paidTierResources) problems.push("autoscaler.enabled: true needs ECS, which paidTierResources: false leaves out; set one of them the other way");
    if (!as.enabled) return problems;
    if (as.services !== undefined && Object.keys(as.services).length === 0) {
        problems.push("autoscaler.services: {} names no service; list the services it scales, or leave it out and set autoscaler.service");
    }
    const listed = queueAutoscalerServices(as);
    const fs = as.failureSimulation;
    if (listed.length > 1 && (fs.stopTask.enabled || fs.drain.enabled || fs.partition.enabled)) {
        problems.push(`autoscaler.failureSimulation: a failure simulation acts on one service, but autoscaler.services lists ${listed.length} (${listed.join(", ")}); ` +
            "turn the simulations off or scale one service");
    }
    for (const key of listed) {
        // "autoscaler.service" in the one-service form, "autoscaler.services.<key>" in the map.
        const at = as.services ? `autoscaler.services.${key}` : "autoscaler.service";
        const target = ctx.services[key];
        if (!target) {
            problems.push(`${at}: "${key}" is not a configured service; expected one of ${Object.keys(ctx.services).join(", ") || "(none configured)"}`);
            continue;
        }
        if (target.consumesQueue === undefined) {
            problems.push(`${at}: "${key}" consumes no queue (services.${key}.consumesQueue is not set); the autoscaler scales a queue consumer from its queue's depth`);
            continue;
        }
        for (const q of as.services?.[key]?.queues ?? []) {
            if (q !== target.consumesQueue) {
                problems.push(`${at}.queues: "${q}" is not the queue services.${key} consumes ("${target.consumesQueue}"); the autoscaler reads the queues the service consumes`);
            }
        }
        const own: ServiceControlsInput | undefined = as.services ? as.services[key] : as;
        const mine = as.services?.[key];
        const up = mine?.scaleUpThreshold ?? as.scaleUpThreshold;
        const down = mine?.scaleDownThreshold ?? as.scaleDownThreshold;
        if (mine && down !== undefined && up !== undefined && down >= up) problems.push(`${at}.scaleDownThreshold: ${down} must be < scaleUpThreshold (${up})`);
        // The one-service form's controls sit at the top of `autoscaler`.
        const c = as.services ? "" : "autoscaler";
        const path = (k: string) => (as.services ? `${at}.${k}` : `${c}.${k}`);
        if (own?.fallback && own.fallback.replicas > target.maxCapacity) {
            problems.push(`${path("fallback.replicas")}: ${own.fallback.replicas} must be <= services.${key}.maxCapacity (${target.maxCapacity})`);
        }
        if (own?.activation && target.minCapacity > 0) {
            problems.push(`${path("activation.messages")}: ${own.activation.messages} applies to a service at 0, but services.${key}.minCapacity is ${target.minCapacity}; ` +
                "set minCapacity: 0 or leave activation out");
        }
        // One owner per desired count: two writers undo each other (KEDA refuses a ScaledObject and an
        // HPA on one workload for the same reason).
        const owners: string[] = [];
        if (target.policies.length > 0) owners.push(`services.${key}.policies (${target.policies.map((p) => p.name).join(", ")})`);
        const cmt = ctx.customMetricTest;
        if (cmt.enabled && cmt.service === key) owners.push(`customMetricTest.service ("${cmt.service}", the synthetic-load policy)`);
        for (const other of owners) {
            problems.push(`${at}: "${key}" is also scaled by Application Auto Scaling through ${other}; ` +
                "a service's desired count has one owner: scale it with its policies or with the queue autoscaler (autoscaler.enabled), not both");
        }
    }
    return problems;
}

/** The keys of the services whose desired count the queue autoscaler owns; none while it is off. */
export function queueAutoscalerServices(as: AutoscalerInput): string[] {
    if (!as.enabled) return [];
    return as.services ? Object.keys(as.services) : [as.service];
}

/** A service's controls in the form `--services` takes them (runtime/autoscaler/controls-settings.ts). */
function controlSettings(c: ServiceControlsInput | undefined): Record<string, unknown> {
    if (!c) return {};
    return Object.fromEntries(Object.entries({
        fallback: c.fallback,
        paused: c.paused || undefined,
        activation: c.activation,
        // Off is the runtime's default too: only an enabled forecast is handed on.
        forecast: c.forecast?.enabled ? c.forecast : undefined,
    }).filter(([, v]) => v !== undefined));
}

/** A service's own settings in the names `--services` takes (runtime/autoscaler/services-settings.ts). */
function ownSettings(own: ScaledServiceInput | undefined): Record<string, unknown> {
    if (!own) return {};
    const out: Record<string, unknown> = {
        scaleUpThreshold: own.scaleUpThreshold,
        scaleDownThreshold: own.scaleDownThreshold,
        scaleUpCooldown: own.scaleUpCooldownSeconds,
        scaleDownCooldown: own.scaleDownCooldownSeconds,
        scaleDownStep: own.scaleDownStep,
        acceptableAge: own.acceptableAgeSeconds,
        processingRate: own.processingRate,
        countInFlight: own.countInFlight,
        ...controlSettings(own),
    };
    return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** The validated settings, with the queues and bounds of every scaled service (empty while none is configured). */
export function autoscalerConfig(as: AutoscalerInput, services: Readonly<Record<string, { readonly consumesQueue?: string; readonly plan: ServiceScalingPlan }>>): AutoscalerConfig {
    const { services: map, ...rest } = as;
    const keys = map ? Object.keys(map) : [as.service];
    const scaled: ScaledServiceConfig[] = keys.filter((k) => services[k]?.consumesQueue !== undefined).map((k) => ({
        service: k,
        queues: map?.[k]?.queues ?? [services[k]!.consumesQueue!],
        settings: { min: services[k]!.plan.minCapacity, max: services[k]!.plan.maxCapacity, ...(map ? ownSettings(map[k]) : controlSettings(as)) },
    }));
    const first = services[keys[0]!];
    return {
        ...rest,
        service: keys[0]!,
        queue: first?.consumesQueue ?? "",
        minCapacity: first?.plan.minCapacity ?? 0,
        maxCapacity: first?.plan.maxCapacity ?? 0,
        scaled: as.enabled ? scaled : [],
    };
}
