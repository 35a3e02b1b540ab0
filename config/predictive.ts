/**
 * `kind: predictive` in `services.<key>.policies`: Application Auto Scaling predictive scaling for an ECS
 * service (PutScalingPolicy with PredictiveScalingPolicyConfiguration): a predefined metric pair or a
 * custom scaling and load metric, the target, the mode, the scheduling buffer and the max-capacity breach
 * behaviour, with AWS's allowed values. Its schema, its rules and the PredictivePolicy it becomes.
 */
import { z } from "zod";
import { PredictiveScalingMaxCapacityBreachBehavior, PredictiveScalingMode } from "@aws-sdk/client-application-auto-scaling";
import { PREDICTIVE_DEFAULTS } from "../aws/defaults";
import { PREDICTIVE_MAX_CAPACITY_BUFFER_PERCENT, PREDICTIVE_SCHEDULING_BUFFER_SECONDS } from "../aws/limits";
import { ECS_PREDICTIVE_METRIC_PAIRS } from "../aws/metrics";
import { CLOUDWATCH_UNITS } from "./aws-rules";
import { dimensions, int32, metricName, name, namespace, positiveTarget } from "./schema";
import type { ServiceFields } from "./service-input";
import { metricSeries } from "../scaling/metric-series";
import type { PredictivePolicy } from "../scaling/plan";

const PAIRS = Object.values(ECS_PREDICTIVE_METRIC_PAIRS);
const MODES = Object.values(PredictiveScalingMode);
const BREACH = Object.values(PredictiveScalingMaxCapacityBreachBehavior);

const customSeries = (statistic: "Average" | "Sum") => z.strictObject({
    namespace,
    metricName,
    dimensions,
    statistic: z.enum(["Average", "Sum", "Minimum", "Maximum", "SampleCount"]).default(statistic),
    unit: z.enum(CLOUDWATCH_UNITS, { error: `must be a CloudWatch unit: ${CLOUDWATCH_UNITS.join(", ")}` }).optional(),
});

export const predictivePolicy = z.strictObject({
    kind: z.literal("predictive"),
    name: name.default("predictive"),
    /** A predefined metric pair (scaling and load metric together); exactly one of metricPair and customMetrics. */
    metricPair: z.enum(PAIRS, { error: `must be one of ${PAIRS.join(", ")} (predictive scaling's metric pairs for an ECS service)` }).optional(),
    /** scaling: a per-task metric held at the target (as utilization); load: the total the tasks share, which AWS forecasts. */
    customMetrics: z.strictObject({ scaling: customSeries("Average"), load: customSeries("Sum") }).optional(),
    /** Target of the scaling metric (percent for the utilization pairs, requests per task for ALBRequestCount). */
    target: positiveTarget,
    mode: z.enum(MODES, { error: `must be one of ${MODES.join(", ")}` }).default(PREDICTIVE_DEFAULTS.mode),
    /** Seconds ahead of each forecast hour that its capacity is set. */
    schedulingBufferTime: int32.min(PREDICTIVE_SCHEDULING_BUFFER_SECONDS.min, { error: `must be >= ${PREDICTIVE_SCHEDULING_BUFFER_SECONDS.min} seconds` })
        .max(PREDICTIVE_SCHEDULING_BUFFER_SECONDS.max, { error: `must be <= ${PREDICTIVE_SCHEDULING_BUFFER_SECONDS.max} seconds (PredictiveScalingPolicyConfiguration SchedulingBufferTime, at most the forecast's one-hour interval)` })
        .default(PREDICTIVE_DEFAULTS.schedulingBufferTimeSeconds),
    maxCapacityBreachBehavior: z.enum(BREACH, { error: `must be one of ${BREACH.join(", ")}` }).default(PREDICTIVE_DEFAULTS.maxCapacityBreachBehavior),
    /** Percent above the forecast the maximum may grow to; only, and required, with IncreaseMaxCapacity. */
    maxCapacityBuffer: int32.min(PREDICTIVE_MAX_CAPACITY_BUFFER_PERCENT.min, { error: `must be >= ${PREDICTIVE_MAX_CAPACITY_BUFFER_PERCENT.min} (percent)` })
        .max(PREDICTIVE_MAX_CAPACITY_BUFFER_PERCENT.max, { error: `must be <= ${PREDICTIVE_MAX_CAPACITY_BUFFER_PERCENT.max} (PredictiveScalingPolicyConfiguration MaxCapacityBuffer, percent of the forecast)` })
        .optional(),
});

export type PredictiveInput = z.infer<typeof predictivePolicy>;

/** Rules of one predictive policy at `at` of the service at `path`. */
export function predictiveProblems(at: string, path: string, p: PredictiveInput, svc: ServiceFields): string[] {
    const problems: string[] = [];
    if (p.metricPair !== undefined && p.customMetrics !== undefined) {
        problems.push(`${at}.metricPair: "${p.metricPair}" and ${at}.customMetrics are both set; AWS takes a single metric specification: a metric pair or a scaling and a load metric`);
    } else if (p.metricPair === undefined && p.customMetrics === undefined) {
        problems.push(`${at}.metricPair: (missing) set metricPair (${PAIRS.join(", ")}) or customMetrics (scaling and load)`);
    }
    if (p.metricPair === ECS_PREDICTIVE_METRIC_PAIRS.albRequests && !svc.loadBalancer) {
        problems.push(`${at}.metricPair: "${p.metricPair}" needs ${path}.loadBalancer (the pair's resource label is the service's target group)`);
    }
    if ((p.metricPair === ECS_PREDICTIVE_METRIC_PAIRS.cpu || p.metricPair === ECS_PREDICTIVE_METRIC_PAIRS.memory) && p.target > 100) {
        problems.push(`${at}.target: ${p.target} must be <= 100 (${p.metricPair} is a utilization in percent)`);
    }
    for (const m of ["scaling", "load"] as const) {
        if (p.customMetrics && Object.keys(p.customMetrics[m].dimensions).length === 0) {
            problems.push(`${at}.customMetrics.${m}.dimensions: {} must name at least one dimension; the metric must be the service's own series, with exactly the dimensions it is published with`);
        }
    }
    if (p.maxCapacityBreachBehavior === "IncreaseMaxCapacity" && p.maxCapacityBuffer === undefined) {
        problems.push(`${at}.maxCapacityBuffer: (missing) is required with maxCapacityBreachBehavior IncreaseMaxCapacity (PredictiveScalingPolicyConfiguration)`);
    }
    if (p.maxCapacityBreachBehavior === "HonorMaxCapacity" && p.maxCapacityBuffer !== undefined) {
        problems.push(`${at}.maxCapacityBuffer: ${p.maxCapacityBuffer} can only be set with maxCapacityBreachBehavior IncreaseMaxCapacity (PredictiveScalingPolicyConfiguration: "cannot be used otherwise")`);
    }
    return problems;
}

export function predictivePlan(p: PredictiveInput): PredictivePolicy {
    const series = (s: NonNullable<PredictiveInput["customMetrics"]>["scaling"]) =>
        metricSeries({ namespace: s.namespace, metricName: s.metricName, dimensions: s.dimensions, statistic: s.statistic, ...(s.unit !== undefined ? { unit: s.unit } : {}) });
    return {
        kind: "predictive",
        name: p.name,
        metric: p.metricPair !== undefined
            ? { type: "pair", pair: p.metricPair }
            : { type: "custom", scaling: series(p.customMetrics!.scaling), load: series(p.customMetrics!.load) },
        targetValue: p.target,
        mode: p.mode,
        schedulingBufferTime: p.schedulingBufferTime,
        maxCapacityBreachBehavior: p.maxCapacityBreachBehavior,
        ...(p.maxCapacityBuffer !== undefined ? { maxCapacityBuffer: p.maxCapacityBuffer } : {}),
    };
}
