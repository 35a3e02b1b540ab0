/**
 * A service's scaling policies (`services.<key>.policies`): target tracking on CPU, memory, ALB requests
 * or a custom series, step scaling on an SQS queue, a RabbitMQ queue or a custom series, backlog per task
 * (config/backlog-per-task.ts) and predictive scaling (config/predictive.ts). Their schema, the rules
 * between a policy and its service, and the ScalingPolicy values they become.
 */
import { z } from "zod";
import { alarmEvaluationWindowSeconds } from "../aws/limits";
import { ECS_PREDEFINED_METRICS } from "../aws/metrics";
import { CLOUDWATCH_UNITS } from "./aws-rules";
import { backlogPerTaskPlan, backlogPerTaskPolicy, backlogPerTaskProblems } from "./backlog-per-task";
import type { ResourceNames } from "./names";
import { predictivePlan, predictivePolicy, predictiveProblems } from "./predictive";
import { type QueueInput, unknownQueueProblems } from "./queues";
import { cooldown, dimensions, int32, metricName, name, namespace, percentTarget, positiveInt, positiveTarget } from "./schema";
import type { ServiceFields } from "./service-input";
import { metricSeries, rabbitmqQueueDepthSeries, sqsVisibleMessagesSeries } from "../scaling/metric-series";
import {
    ScalingPolicy, StepInterval, StepScalingPolicy, bandOverlapProblem, stepComparisonOperator, stepListProblems, stepThreshold,
} from "../scaling/plan";

const stepInterval = z.strictObject({
    lower: z.number().optional(),
    upper: z.number().optional(),
    change: z.number({ error: "every step needs a change (tasks to add or remove)" }),
});

const stepDirection = z.strictObject({
    steps: z.array(stepInterval),
    /** Alarm periods evaluated (1-minute periods by default). */
    evaluationPeriods: positiveInt.default(1),
    /** Breaching periods needed; defaults to evaluationPeriods (consecutive). */
    datapointsToAlarm: positiveInt.optional(),
    /** Seconds; defaults to the service's cooldown for this direction. */
    cooldown: cooldown.optional(),
});

const stepMetric = z.discriminatedUnion("source", [
    /**
     * AWS/SQS ApproximateNumberOfMessagesVisible of one of the stack's `queues`; defaults to the queue
     * the service consumes (`consumesQueue`).
     */
    z.strictObject({ source: z.literal("sqs"), queue: name.optional() }),
    /** A RabbitMQ queue whose depth the autoscaler publishes to CloudWatch. */
    z.strictObject({ source: z.literal("rabbitmq"), queue: z.string().min(1) }),
    z.strictObject({
        source: z.literal("custom"),
        namespace,
        metricName,
        dimensions,
    }),
]);

const statistic = z.enum(["Average", "Sum", "Minimum", "Maximum", "SampleCount"]);

export const policy = z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("cpu"), name: name.default("cpu"), target: percentTarget, scaleOutCooldown: cooldown.optional(), scaleInCooldown: cooldown.optional(), disableScaleIn: z.boolean().default(false) }),
    z.strictObject({ kind: z.literal("memory"), name: name.default("memory"), target: percentTarget, scaleOutCooldown: cooldown.optional(), scaleInCooldown: cooldown.optional(), disableScaleIn: z.boolean().default(false) }),
    z.strictObject({ kind: z.literal("albRequestsPerTarget"), name: name.default("alb-requests"), target: positiveTarget, scaleOutCooldown: cooldown.optional(), scaleInCooldown: cooldown.optional(), disableScaleIn: z.boolean().default(false) }),
    z.strictObject({
        kind: z.literal("customMetric"),
        name: name.default("custom"),
        namespace,
        metricName,
        dimensions,
        statistic: statistic.default("Average"),
        unit: z.enum(CLOUDWATCH_UNITS, { error: `must be a CloudWatch unit: ${CLOUDWATCH_UNITS.join(", ")}` }).optional(),
        target: positiveTarget,
        scaleOutCooldown: cooldown.optional(),
        scaleInCooldown: cooldown.optional(),
        disableScaleIn: z.boolean().default(false),
    }),
    z.strictObject({
        kind: z.literal("stepScaling"),
        name: name.default("steps"),
        metric: stepMetric.default({ source: "sqs" }),
        /** Statistic the alarms read and the policy aggregates with. */
        statistic: z.enum(["Average", "Minimum", "Maximum"]).default("Maximum"),
        /** Alarm period in seconds: 10, 20, 30 or a multiple of 60 (CloudWatch PutMetricAlarm). */
        period: int32.refine((p) => [10, 20, 30].includes(p) || (p > 0 && p % 60 === 0), { error: "must be 10, 20, 30 or a multiple of 60 seconds" }).default(60),
        scaleOut: stepDirection.optional(),
        scaleIn: stepDirection.optional(),
    }),
    backlogPerTaskPolicy,
    predictivePolicy,
], { error: (issue) => issue.code === "invalid_union" ? "unknown policy kind; expected one of cpu, memory, albRequestsPerTarget, customMetric, stepScaling, backlogPerTask, predictive" : undefined });

export type PolicyInput = z.infer<typeof policy>;
/** A service as its policies' rules see it. */
type PolicyService = ServiceFields & { readonly policies: readonly PolicyInput[] };

/** Rules between a service's policies and the rest of the service: unique names, steps and alarm windows, bands that do not meet. */
export function policyProblems(path: string, svc: PolicyService): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    // Valid step thresholds per watched metric, to refuse scale-out and scale-in bands that meet.
    const thresholds = new Map<string, { out: { at: string; value: number }[]; in: { at: string; value: number }[] }>();
    svc.policies.forEach((p, i) => {
        const at = `${path}.policies[${i}]`;
        if (seen.has(p.name)) problems.push(`${at}.name: "${p.name}" is used twice in ${path}; policy names must be unique per service`);
        seen.add(p.name);
        if (p.kind === "albRequestsPerTarget" && !svc.loadBalancer) {
            problems.push(`${at}.kind: albRequestsPerTarget needs ${path}.loadBalancer (the policy's resource label is built from the target group)`);
        }
        if (p.kind === "customMetric" && Object.keys(p.dimensions).length === 0) {
            problems.push(`${at}.dimensions: {} must name at least one dimension; a custom-metric policy must watch one series, with exactly the dimensions it is published with`);
        }
        if (p.kind === "predictive") problems.push(...predictiveProblems(at, path, p, svc));
        if (p.kind !== "stepScaling") return;
        if (!p.scaleOut && !p.scaleIn) problems.push(`${at}.scaleOut: (missing) a stepScaling policy needs scaleOut, scaleIn or both`);
        if (p.metric.source === "custom" && Object.keys(p.metric.dimensions).length === 0) {
            problems.push(`${at}.metric.dimensions: {} must name at least one dimension`);
        }
        for (const dir of ["scaleOut", "scaleIn"] as const) {
            const d = p[dir];
            if (!d) continue;
            const direction = dir === "scaleOut" ? "out" : "in";
            const listProblems = stepListProblems(direction, d.steps as StepInterval[]);
            for (const msg of listProblems) problems.push(`${at}.${dir}.${msg}`);
            if (listProblems.length === 0) {
                const metricKey = JSON.stringify(p.metric.source === "sqs" ? { ...p.metric, queue: p.metric.queue ?? svc.consumesQueue } : p.metric);
                const entry = thresholds.get(metricKey) ?? { out: [], in: [] };
                const steps = d.steps as StepInterval[];
                entry[direction].push({ at: `${at}.${dir}.steps[${direction === "out" ? 0 : steps.length - 1}].${direction === "out" ? "lower" : "upper"}`, value: stepThreshold(direction, steps) });
                thresholds.set(metricKey, entry);
            }
            if (d.datapointsToAlarm !== undefined && d.datapointsToAlarm > d.evaluationPeriods) {
                problems.push(`${at}.${dir}.datapointsToAlarm: ${d.datapointsToAlarm} must be <= evaluationPeriods (${d.evaluationPeriods})`);
            }
            const window = alarmEvaluationWindowSeconds(p.period);
            if (p.period * d.evaluationPeriods > window) {
                problems.push(`${at}.${dir}.evaluationPeriods: ${d.evaluationPeriods} x period ${p.period} s exceeds CloudWatch's ${window} s evaluation window for ${p.period < 3600 ? "periods under an hour" : "periods of an hour or more"}`);
            }
        }
    });
    for (const { out, in: inn } of thresholds.values()) {
        for (const o of out) {
            for (const n of inn) {
                const overlap = bandOverlapProblem(o.value, n.value, o.at);
                if (overlap) problems.push(`${n.at}: ${n.value} ${overlap}`);
            }
        }
    }
    return problems;
}

/** Rules of what the step and backlog-per-task policies watch: a series this stack publishes, at a period it is published with, of a queue it has. */
export function stepSourceProblems(path: string, svc: PolicyService, queues: Readonly<Record<string, QueueInput>>): string[] {
    const problems: string[] = [];
    svc.policies.forEach((p, i) => {
        const at = `${path}.policies[${i}]`;
        if (p.kind === "backlogPerTask") problems.push(...backlogPerTaskProblems(at, path, p, svc, queues));
        if (p.kind !== "stepScaling") return;
        if (p.metric.source === "rabbitmq") {
            problems.push(`${at}.metric.source: "rabbitmq" cannot work in this stack: nothing it deploys publishes the RabbitMQ depth series ` +
                "(the queue autoscaler watches an SQS queue) and no task may reach AMQP (task egress is HTTPS only), so the alarms would sit on missing data");
        }
        if (p.metric.source !== "custom" && p.period < 60) {
            problems.push(`${at}.period: ${p.period} must be a multiple of 60 for a ${p.metric.source === "sqs" ? "AWS/SQS" : "RabbitMQ depth"} metric: ` +
                "it is published once a minute, and an alarm with a 10, 20 or 30 s period on a one-minute metric lapses into INSUFFICIENT_DATA (CloudWatch)");
        }
        if (p.metric.source !== "sqs") return;
        if (p.metric.queue !== undefined) problems.push(...unknownQueueProblems(`${at}.metric.queue`, p.metric.queue, queues));
        else if (svc.consumesQueue === undefined) {
            problems.push(`${at}.metric.queue: (missing) names the SQS queue whose depth the steps watch; required because ${path}.consumesQueue is not set`);
        }
    });
    return problems;
}

/** The ScalingPolicy values of one configured policy (a step policy gives one per direction). */
export function scalingPolicies(p: PolicyInput, svc: PolicyService, key: string, names: ResourceNames): ScalingPolicy[] {
    const queues = names.queues;
    const cooldowns = (o?: number, i?: number) => ({ scaleOut: o ?? svc.scaleOutCooldown, scaleIn: i ?? svc.scaleInCooldown });
    switch (p.kind) {
        case "cpu":
        case "memory":
        case "albRequestsPerTarget":
            return [{
                kind: "targetTracking",
                name: p.name,
                metric: {
                    type: "predefined",
                    predefinedMetricType: p.kind === "cpu" ? ECS_PREDEFINED_METRICS.cpu
                        : p.kind === "memory" ? ECS_PREDEFINED_METRICS.memory : ECS_PREDEFINED_METRICS.albRequestsPerTarget,
                },
                targetValue: p.target,
                cooldowns: cooldowns(p.scaleOutCooldown, p.scaleInCooldown),
                disableScaleIn: p.disableScaleIn,
            }];
        case "customMetric":
            return [{
                kind: "targetTracking",
                name: p.name,
                metric: {
                    type: "custom",
                    series: metricSeries({ namespace: p.namespace, metricName: p.metricName, dimensions: p.dimensions, statistic: p.statistic, unit: p.unit }),
                },
                targetValue: p.target,
                cooldowns: cooldowns(p.scaleOutCooldown, p.scaleInCooldown),
                disableScaleIn: p.disableScaleIn,
            }];
        case "stepScaling": {
            const series = p.metric.source === "sqs" ? sqsVisibleMessagesSeries(queues[p.metric.queue ?? svc.consumesQueue!].queue, p.statistic)
                : p.metric.source === "rabbitmq" ? rabbitmqQueueDepthSeries(p.metric.queue, p.statistic)
                    : metricSeries({ namespace: p.metric.namespace, metricName: p.metric.metricName, dimensions: p.metric.dimensions, statistic: p.statistic });
            const out: StepScalingPolicy[] = [];
            for (const dir of ["scaleOut", "scaleIn"] as const) {
                const d = p[dir];
                if (!d) continue;
                const direction = dir === "scaleOut" ? "out" : "in";
                const steps = d.steps as StepInterval[];
                out.push({
                    kind: "step",
                    name: p.name,
                    direction,
                    series,
                    steps,
                    alarm: {
                        threshold: stepThreshold(direction, steps),
                        comparisonOperator: stepComparisonOperator(direction),
                        period: p.period,
                        evaluationPeriods: d.evaluationPeriods,
                        datapointsToAlarm: d.datapointsToAlarm ?? d.evaluationPeriods,
                        // SQS stops publishing for an idle queue (SQS developer guide: metrics only while
                        // "active"), so no data means an empty queue: never a reason to add tasks, and
                        // a reason to remove them.
                        treatMissingData: direction === "out" ? "notBreaching" : "breaching",
                    },
                    cooldown: d.cooldown ?? (direction === "out" ? svc.scaleOutCooldown : svc.scaleInCooldown),
                    metricAggregationType: p.statistic,
                });
            }
            return out;
        }
        case "backlogPerTask":
            return [backlogPerTaskPlan(p, svc, key, names, cooldowns(p.scaleOutCooldown, p.scaleInCooldown))];
        case "predictive":
            return [predictivePlan(p)];
    }
}
