/**
 * A backlog-per-task policy as the provider's target-tracking configuration: metric math with the ids
 * and return data of the Application Auto Scaling user guide ("Create a target tracking scaling policy
 * using metric math"): m1 the queue's visible messages, m2 the service's running tasks, e1 = m1 / m2,
 * and ReturnData true on e1 only (AWS tracks the one query that returns data).
 */
import type * as aws from "@pulumi/aws";
import { dimensionList, type MetricSeries } from "../../scaling/metric-series";
import { backlogPerTaskQueries, type BacklogPerTaskPolicy } from "../../scaling/plan";

type TargetTracking = aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration;

/** One series as a metric-math query's MetricStat (the full dimension set, as the series is published). */
export function metricStat(series: MetricSeries) {
    return {
        metric: { namespace: series.namespace, metricName: series.metricName, dimensions: dimensionList(series) },
        stat: series.statistic,
        ...(series.unit !== undefined ? { unit: series.unit } : {}),
    };
}

export function backlogPerTaskConfiguration(policy: BacklogPerTaskPolicy): TargetTracking {
    return {
        targetValue: policy.targetValue,
        scaleOutCooldown: policy.cooldowns.scaleOut,
        scaleInCooldown: policy.cooldowns.scaleIn,
        disableScaleIn: policy.disableScaleIn,
        customizedMetricSpecification: {
            metrics: backlogPerTaskQueries(policy).map((q) => ({
                id: q.id, label: q.label, ...(q.series ? { metricStat: metricStat(q.series) } : { expression: q.expression }), returnData: q.returnData,
            })),
        },
    };
}
