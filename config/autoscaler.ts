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

export const autoscaler = z.strictObject({
    /** Deploy the queue-driven autoscaler service. */
    enabled: z.boolean().default(false),
    /** The configured service it scales; that service's min/max are the autoscaler's bounds. */
    service: z.string().default("worker"),
    /** Container image; when absent the image is built from the repository's Dockerfile at deploy time. */
    image: z.string().min(1).optional(),
    // Bounds and defaults from scaling/autoscaler-settings.ts, the table the autoscaler parses its flags with.
    intervalSeconds: autoscalerNumber(A.interval),
    /** Scale up when work exceeds workers x this. */
    scaleUpThreshold: autoscalerNumber(A.scaleUpThreshold),
    /** Scale down when work falls below workers x this; 0: only when the queue is empty. */
    scaleDownThreshold: autoscalerNumber(A.scaleDownThreshold),
    scaleUpCooldownSeconds: autoscalerNumber(A.scaleUpCooldown),
    scaleDownCooldownSeconds: autoscalerNumber(A.scaleDownCooldown),
    /** Tasks removed per scale-down action at most. */
    scaleDownStep: autoscalerOptionalNumber(A.scaleDownStep),
    /** How long a message may wait, seconds; x processingRate, the backlog one task may hold. */
    acceptableAgeSeconds: autoscalerOptionalNumber(A.acceptableAge),
    /** Messages one task handles per second; unset: learned from the observed drain. */
    processingRate: autoscalerOptionalNumber(A.processingRate),
    /** Count in-flight (received, not yet deleted) messages as work. */
    countInFlight: z.boolean().default(A.countInFlight.default),
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
            durationSeconds: autoscalerNumber(A.chaosPartitionDuration),
        }).prefault({}),
    }).prefault({}),
}).superRefine((a, ctx) => {
    if (a.scaleDownThreshold >= a.scaleUpThreshold) {
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

export interface AutoscalerConfig extends Omit<AutoscalerInput, "service"> {
    /** The scaled service's config key. */
    readonly service: string;
    /** Key (under `queues`) of the queue the scaled service consumes: the queue the autoscaler watches. */
    readonly queue: string;
    /** Bounds, taken from the scaled service's plan (so they cannot drift apart). */
    readonly minCapacity: number;
    readonly maxCapacity: number;
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
    const target = ctx.services[as.service];
    if (!target) {
        problems.push(`autoscaler.service: "${as.service}" is not a configured service; expected one of ${Object.keys(ctx.services).join(", ") || "(none configured)"}`);
    } else if (target.consumesQueue === undefined) {
        problems.push(`autoscaler.service: "${as.service}" consumes no queue (services.${as.service}.consumesQueue is not set); the autoscaler scales a queue consumer from its queue's depth`);
    } else {
        // One owner per desired count: two writers undo each other (KEDA refuses a ScaledObject and an
        // HPA on one workload for the same reason).
        const owners: string[] = [];
        if (target.policies.length > 0) owners.push(`services.${as.service}.policies (${target.policies.map((p) => p.name).join(", ")})`);
        const cmt = ctx.customMetricTest;
        if (cmt.enabled && cmt.service === as.service) owners.push(`customMetricTest.service ("${cmt.service}", the synthetic-load policy)`);
        for (const other of owners) {
            problems.push(`autoscaler.service: "${as.service}" is also scaled by Application Auto Scaling through ${other}; ` +
                "a service's desired count has one owner: scale it with its policies or with the queue autoscaler (autoscaler.enabled), not both");
        }
    }
    return problems;
}

/** The key of the service whose desired count the queue autoscaler owns, or undefined while it is off. */
export function queueAutoscalerService(as: AutoscalerInput): string | undefined {
    return as.enabled ? as.service : undefined;
}

/** The validated settings, with the queue and bounds of the scaled service (empty and 0 when none is configured). */
export function autoscalerConfig(as: AutoscalerInput, scaled: { readonly consumesQueue?: string; readonly plan: ServiceScalingPlan } | undefined): AutoscalerConfig {
    return {
        ...as,
        queue: scaled?.consumesQueue ?? "",
        minCapacity: scaled?.plan.minCapacity ?? 0,
        maxCapacity: scaled?.plan.maxCapacity ?? 0,
    };
}
