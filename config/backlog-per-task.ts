/**
 * `kind: backlogPerTask` in `services.<key>.policies`: target tracking on the queue's backlog per running
 * task, AWS's recommended way to scale a queue consumer (Application Auto Scaling user guide, "Create a
 * target tracking scaling policy using metric math", example "Amazon SQS queue backlog per task"). The
 * target is the acceptable latency divided by the time one message takes, or an explicit value. Its
 * schema, its rules and the BacklogPerTaskPolicy it becomes; and the cluster rule it brings: the running
 * task count comes from Container Insights, so the cluster must have it on.
 */
import { z } from "zod";
import { CONTAINER_INSIGHTS_METRICS } from "../aws/metrics";
import { rules } from "./aws-rules";
import type { ResourceNames } from "./names";
import { type QueueInput, unknownQueueProblems } from "./queues";
import { cooldown, name, positiveTarget } from "./schema";
import type { ServiceFields } from "./service-input";
import { metricSeries, sqsVisibleMessagesSeries } from "../scaling/metric-series";
import type { BacklogPerTaskPolicy, Cooldowns } from "../scaling/plan";

const positiveSeconds = z.number().gt(0, { error: "must be > 0 seconds" });

export const backlogPerTaskPolicy = z.strictObject({
    kind: z.literal("backlogPerTask"),
    name: name.default("backlog"),
    /** Key of the stack queue (under `queues`) whose backlog is divided; defaults to `consumesQueue`. */
    queue: name.optional(),
    /** How long a message may wait, seconds; with secondsPerMessage, target = acceptableLatencySeconds / secondsPerMessage. */
    acceptableLatencySeconds: positiveSeconds.optional(),
    /** Seconds one task takes per message. */
    secondsPerMessage: positiveSeconds.optional(),
    /** Messages per running task to keep; instead of acceptableLatencySeconds and secondsPerMessage. */
    target: positiveTarget.optional(),
    scaleOutCooldown: cooldown.optional(),
    scaleInCooldown: cooldown.optional(),
    disableScaleIn: z.boolean().default(false),
});

export type BacklogPerTaskInput = z.infer<typeof backlogPerTaskPolicy>;

/** The target in messages per task: explicit, or acceptable latency / seconds per message. */
export function backlogTarget(p: BacklogPerTaskInput): number {
    return p.target ?? p.acceptableLatencySeconds! / p.secondsPerMessage!;
}

/** Rules of one backlogPerTask policy at `at` of the service at `path`. */
export function backlogPerTaskProblems(at: string, path: string, p: BacklogPerTaskInput, svc: ServiceFields, queues: Readonly<Record<string, QueueInput>>): string[] {
    const problems: string[] = [];
    const latency = p.acceptableLatencySeconds;
    const perMessage = p.secondsPerMessage;
    if (p.target !== undefined && (latency !== undefined || perMessage !== undefined)) {
        problems.push(`${at}.target: ${p.target} and ${at}.${latency !== undefined ? "acceptableLatencySeconds" : "secondsPerMessage"} are both set; ` +
            "set target (messages per task) or acceptableLatencySeconds with secondsPerMessage (target = their ratio), not both");
    } else if (p.target === undefined && (latency === undefined) !== (perMessage === undefined)) {
        const missing = latency === undefined ? "acceptableLatencySeconds" : "secondsPerMessage";
        problems.push(`${at}.${missing}: (missing) is required with ${at}.${latency === undefined ? "secondsPerMessage" : "acceptableLatencySeconds"}: ` +
            "the target is acceptableLatencySeconds / secondsPerMessage");
    } else if (p.target === undefined && latency === undefined) {
        problems.push(`${at}.target: (missing) set target (messages per task) or acceptableLatencySeconds with secondsPerMessage (AWS's backlog per task: acceptable latency / time per message)`);
    } else if (p.target === undefined && !rules.targetValue.test(latency! / perMessage!)) {
        problems.push(`${at}.acceptableLatencySeconds: ${latency} / secondsPerMessage ${perMessage} = ${latency! / perMessage!} ${rules.targetValue.says}`);
    }
    if (p.queue !== undefined) problems.push(...unknownQueueProblems(`${at}.queue`, p.queue, queues));
    else if (svc.consumesQueue === undefined) {
        problems.push(`${at}.queue: (missing) names the SQS queue whose backlog is divided by the running tasks; required because ${path}.consumesQueue is not set`);
    }
    return problems;
}

/** The plan's policy: m1 = the queue's visible messages (Sum), m2 = the service's running tasks (Average), as AWS's example reads them. */
export function backlogPerTaskPlan(p: BacklogPerTaskInput, svc: ServiceFields, key: string, names: ResourceNames, cooldowns: Cooldowns): BacklogPerTaskPolicy {
    return {
        kind: "backlogPerTask",
        name: p.name,
        backlog: sqsVisibleMessagesSeries(names.queues[p.queue ?? svc.consumesQueue!].queue, "Sum"),
        runningTasks: metricSeries({
            namespace: CONTAINER_INSIGHTS_METRICS.namespace,
            metricName: CONTAINER_INSIGHTS_METRICS.runningTaskCount,
            dimensions: { [CONTAINER_INSIGHTS_METRICS.clusterDimension]: names.cluster, [CONTAINER_INSIGHTS_METRICS.serviceDimension]: names.services[key] },
            statistic: "Average",
        }),
        targetValue: backlogTarget(p),
        cooldowns,
        disableScaleIn: p.disableScaleIn,
    };
}

/**
 * `containerInsights: false` with a backlogPerTask policy: m2 (ECS/ContainerInsights RunningTaskCount)
 * would have no data and the policy would never act. A plan that needs it keeps Container Insights on.
 */
export function containerInsightsProblems(containerInsights: boolean, services: Readonly<Record<string, { readonly policies: readonly { readonly kind: string }[] }>>): string[] {
    if (containerInsights) return [];
    const users = Object.entries(services).flatMap(([key, svc]) => svc.policies.flatMap((p, i) => p.kind === "backlogPerTask" ? [`services.${key}.policies[${i}]`] : []));
    if (users.length === 0) return [];
    return [`containerInsights: false cannot hold: backlogPerTask (${users.join(", ")}) divides by ${CONTAINER_INSIGHTS_METRICS.namespace} ${CONTAINER_INSIGHTS_METRICS.runningTaskCount}, ` +
        "which only a cluster with Container Insights publishes; set containerInsights true or use another policy kind"];
}
