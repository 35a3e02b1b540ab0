/**
 * A predictive policy as the provider's PredictiveScalingPolicyConfiguration (Application Auto Scaling
 * API reference): one metric specification (AWS takes a single one) holding either a predefined metric
 * pair or a custom scaling and load metric, each one query without math, so ReturnData is left to its
 * default (API reference, MetricDataQuery.ReturnData: "If you are only retrieving metrics and not
 * performing any math expressions, do not specify anything for ReturnData").
 */
import * as pulumi from "@pulumi/pulumi";
import type * as aws from "@pulumi/aws";
import { ECS_PREDICTIVE_METRIC_PAIRS } from "../../aws/metrics";
import { PREDICTIVE_METRIC_IDS, type PredictivePolicy } from "../../scaling/plan";
import { metricStat } from "./backlog-per-task";

type Predictive = aws.types.input.appautoscaling.PolicyPredictiveScalingPolicyConfiguration;

export interface LoadBalancerLabel {
    readonly arnSuffix: pulumi.Input<string>;
    readonly targetGroupArnSuffix: pulumi.Input<string>;
}

export function predictiveConfiguration(policy: PredictivePolicy, lb: LoadBalancerLabel | undefined): Predictive {
    const m = policy.metric;
    const metric = m.type === "pair"
        ? {
            predefinedMetricPairSpecification: {
                predefinedMetricType: m.pair,
                // ALBRequestCount is labelled with the target group: `app/<lb>/<id>/targetgroup/<tg>/<id>`.
                ...(m.pair === ECS_PREDICTIVE_METRIC_PAIRS.albRequests ? { resourceLabel: pulumi.interpolate`${lb!.arnSuffix}/${lb!.targetGroupArnSuffix}` } : {}),
            },
        }
        : {
            customizedScalingMetricSpecification: { metricDataQueries: [{ id: PREDICTIVE_METRIC_IDS.scaling, metricStat: metricStat(m.scaling) }] },
            customizedLoadMetricSpecification: { metricDataQueries: [{ id: PREDICTIVE_METRIC_IDS.load, metricStat: metricStat(m.load) }] },
        };
    return {
        // The provider carries the target as a string (aws_appautoscaling_policy, target_value).
        metricSpecifications: [{ targetValue: String(policy.targetValue), ...metric }],
        mode: policy.mode,
        schedulingBufferTime: policy.schedulingBufferTime,
        maxCapacityBreachBehavior: policy.maxCapacityBreachBehavior,
        ...(policy.maxCapacityBuffer !== undefined ? { maxCapacityBuffer: policy.maxCapacityBuffer } : {}),
    };
}
