/**
 * A service's scaling plan as the Application Auto Scaling and CloudWatch APIs describe it: the
 * scalable target, each policy's PutScalingPolicy input and, for a step policy, its alarm's
 * PutMetricAlarm input. The names and fields are those components/service-scaling.ts gives the
 * resources (`<service>-<policy>`, step policies `<service>-<policy>-<out|in>`, alarm named like its
 * policy), so `scale-test verify` can compare what is live with what the plan says; the stacks test
 * plan-aws-matches-graph checks the two field by field for every stack file. Pure.
 */
import type { PutScalingPolicyCommandInput } from "@aws-sdk/client-application-auto-scaling";
import type { PutMetricAlarmCommandInput } from "@aws-sdk/client-cloudwatch";
import { cloudWatchDimensions } from "../runtime/aws/cloudwatch";
import { ECS_DESIRED_COUNT, ECS_NAMESPACE, ecsResourceId } from "../aws/scaling-ids";
import type { MetricSeries } from "../scaling/metric-series";
import {
    backlogPerTaskQueries, PREDICTIVE_METRIC_IDS, relativeSteps,
    type BacklogPerTaskPolicy, type PredictivePolicy, type ServiceScalingPlan, type StepScalingPolicy, type TargetTrackingPolicy,
} from "../scaling/plan";

export interface PlannedPolicy {
    /** The AWS policy name. */
    readonly name: string;
    readonly input: PutScalingPolicyCommandInput;
    /** Step policies only: the alarm that invokes it (its AlarmActions get the policy ARN). */
    readonly alarm?: Omit<PutMetricAlarmCommandInput, "AlarmActions">;
}

export interface PlannedService {
    readonly resourceId: string;
    readonly minCapacity: number;
    readonly maxCapacity: number;
    readonly policies: readonly PlannedPolicy[];
}

function targetTracking(p: TargetTrackingPolicy): NonNullable<PutScalingPolicyCommandInput["TargetTrackingScalingPolicyConfiguration"]> {
    const common = {
        TargetValue: p.targetValue,
        ScaleOutCooldown: p.cooldowns.scaleOut,
        ScaleInCooldown: p.cooldowns.scaleIn,
        DisableScaleIn: p.disableScaleIn,
    };
    if (p.metric.type === "predefined") return { ...common, PredefinedMetricSpecification: { PredefinedMetricType: p.metric.predefinedMetricType } };
    const s = p.metric.series;
    return {
        ...common,
        CustomizedMetricSpecification: {
            Namespace: s.namespace,
            MetricName: s.metricName,
            Statistic: s.statistic,
            Dimensions: cloudWatchDimensions(s),
            ...(s.unit !== undefined ? { Unit: s.unit } : {}),
        },
    };
}

function metricStat(s: MetricSeries) {
    return {
        Metric: { Namespace: s.namespace, MetricName: s.metricName, Dimensions: cloudWatchDimensions(s) },
        Stat: s.statistic,
        ...(s.unit !== undefined ? { Unit: s.unit } : {}),
    };
}

/** Metric math as the AWS user guide's backlog-per-task example: m1, m2 read, e1 = m1 / m2 returned. */
function backlogPerTask(p: BacklogPerTaskPolicy): NonNullable<PutScalingPolicyCommandInput["TargetTrackingScalingPolicyConfiguration"]> {
    return {
        TargetValue: p.targetValue,
        ScaleOutCooldown: p.cooldowns.scaleOut,
        ScaleInCooldown: p.cooldowns.scaleIn,
        DisableScaleIn: p.disableScaleIn,
        CustomizedMetricSpecification: {
            Metrics: backlogPerTaskQueries(p).map((q) => ({
                Id: q.id, Label: q.label, ...(q.series ? { MetricStat: metricStat(q.series) } : { Expression: q.expression }), ReturnData: q.returnData,
            })),
        },
    };
}

function predictive(p: PredictivePolicy): NonNullable<PutScalingPolicyCommandInput["PredictiveScalingPolicyConfiguration"]> {
    const m = p.metric;
    return {
        MetricSpecifications: [{
            TargetValue: p.targetValue,
            ...(m.type === "pair"
                ? { PredefinedMetricPairSpecification: { PredefinedMetricType: m.pair } }
                : {
                    CustomizedScalingMetricSpecification: { MetricDataQueries: [{ Id: PREDICTIVE_METRIC_IDS.scaling, MetricStat: metricStat(m.scaling) }] },
                    CustomizedLoadMetricSpecification: { MetricDataQueries: [{ Id: PREDICTIVE_METRIC_IDS.load, MetricStat: metricStat(m.load) }] },
                }),
        }],
        Mode: p.mode,
        SchedulingBufferTime: p.schedulingBufferTime,
        MaxCapacityBreachBehavior: p.maxCapacityBreachBehavior,
        ...(p.maxCapacityBuffer !== undefined ? { MaxCapacityBuffer: p.maxCapacityBuffer } : {}),
    };
}

function step(p: StepScalingPolicy): NonNullable<PutScalingPolicyCommandInput["StepScalingPolicyConfiguration"]> {
    return {
        AdjustmentType: "ChangeInCapacity",
        Cooldown: p.cooldown,
        MetricAggregationType: p.metricAggregationType,
        StepAdjustments: relativeSteps(p).map((s) => ({
            ...(s.metricIntervalLowerBound !== undefined ? { MetricIntervalLowerBound: s.metricIntervalLowerBound } : {}),
            ...(s.metricIntervalUpperBound !== undefined ? { MetricIntervalUpperBound: s.metricIntervalUpperBound } : {}),
            ScalingAdjustment: s.scalingAdjustment,
        })),
    };
}

/** The plan of the ECS service `physicalName` in `cluster`, in API terms. */
export function plannedService(plan: ServiceScalingPlan, cluster: string, physicalName: string): PlannedService {
    const resourceId = ecsResourceId(cluster, physicalName);
    const on = { ServiceNamespace: ECS_NAMESPACE, ResourceId: resourceId, ScalableDimension: ECS_DESIRED_COUNT };
    const policies: PlannedPolicy[] = plan.policies.map((p) => {
        if (p.kind === "targetTracking") {
            const name = `${physicalName}-${p.name}`;
            return { name, input: { ...on, PolicyName: name, PolicyType: "TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration: targetTracking(p) } };
        }
        if (p.kind === "backlogPerTask") {
            const name = `${physicalName}-${p.name}`;
            return { name, input: { ...on, PolicyName: name, PolicyType: "TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration: backlogPerTask(p) } };
        }
        if (p.kind === "predictive") {
            const name = `${physicalName}-${p.name}`;
            return { name, input: { ...on, PolicyName: name, PolicyType: "PredictiveScaling", PredictiveScalingPolicyConfiguration: predictive(p) } };
        }
        const name = `${physicalName}-${p.name}-${p.direction}`;
        return {
            name,
            input: { ...on, PolicyName: name, PolicyType: "StepScaling", StepScalingPolicyConfiguration: step(p) },
            alarm: {
                AlarmName: name,
                Namespace: p.series.namespace,
                MetricName: p.series.metricName,
                Statistic: p.series.statistic,
                Dimensions: cloudWatchDimensions(p.series),
                Threshold: p.alarm.threshold,
                ComparisonOperator: p.alarm.comparisonOperator,
                Period: p.alarm.period,
                EvaluationPeriods: p.alarm.evaluationPeriods,
                DatapointsToAlarm: p.alarm.datapointsToAlarm,
                TreatMissingData: p.alarm.treatMissingData,
            },
        };
    });
    return { resourceId, minCapacity: plan.minCapacity, maxCapacity: plan.maxCapacity, policies };
}
