/**
 * Application Auto Scaling of one ECS service, in the shape of aws-cdk's ScalableTaskCount: the scalable
 * target, the target-tracking, backlog-per-task (metric math), predictive and step policies of the service's scaling plan, one alarm per step
 * policy (its only trigger), and the plan's scheduled actions. This is the one place scaling attaches to a service. The plan
 * (config/load.ts) is the only source of bounds, targets, steps and metric series; nothing here restates
 * a threshold.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ECS_PREDEFINED_METRICS, ECS_PREDICTIVE_METRIC_PAIRS } from "../aws/metrics";
import { ECS_DESIRED_COUNT, ECS_NAMESPACE, ecsResourceId } from "../aws/scaling-ids";
import { dimensionList } from "../scaling/metric-series";
import { ServiceScalingPlan, StepScalingPolicy, TargetTrackingPolicy, describeStepRange, relativeSteps } from "../scaling/plan";
import { throwIfAny } from "./input-errors";
import { backlogPerTaskConfiguration } from "./policies/backlog-per-task";
import { predictiveConfiguration } from "./policies/predictive";

export interface ServiceScalingArgs {
    /**
     * The scaled service: its cluster and service names (the target's resource ID, so the target is
     * registered after the service exists) and its physical name, the prefix of every policy and alarm
     * name. FargateService provides the first two. Required.
     */
    readonly service: {
        readonly clusterName: pulumi.Input<string>;
        readonly serviceName: pulumi.Input<string>;
    };
    /** Physical service name: policy and alarm names are `<physicalName>-<policy>[-<direction>]`. Required. */
    readonly physicalName: string;
    /** The validated scaling plan: bounds and policies. Required. */
    readonly plan: ServiceScalingPlan;
    /**
     * ARN suffixes of the load balancer and the service's target group: the resource label of an
     * ALBRequestCountPerTarget policy. Required when the plan has one; defaults to none.
     */
    readonly loadBalancer?: {
        readonly arnSuffix: pulumi.Input<string>;
        readonly targetGroupArnSuffix: pulumi.Input<string>;
    };
}

export class ServiceScaling extends pulumi.ComponentResource {
    readonly target: aws.appautoscaling.Target;
    /** Keyed by policy name; step policies by `<name>-<direction>`. */
    readonly policies: Record<string, aws.appautoscaling.Policy>;
    /** One alarm per step policy, keyed like `policies`. */
    readonly alarms: Record<string, aws.cloudwatch.MetricAlarm>;
    /** Keyed by the scheduled action's name in the plan. */
    readonly scheduledActions: Record<string, aws.appautoscaling.ScheduledAction>;

    constructor(name: string, args: ServiceScalingArgs, opts?: pulumi.ComponentResourceOptions) {
        checkArgs(args);
        super("ecs-autoscaling:ecs:ServiceScaling", name, {}, opts);
        const plan = args.plan;
        const physicalName = args.physicalName;

        this.target = new aws.appautoscaling.Target(`${name}-target`, {
            serviceNamespace: ECS_NAMESPACE,
            scalableDimension: ECS_DESIRED_COUNT,
            resourceId: pulumi.all([args.service.clusterName, args.service.serviceName]).apply(([cluster, service]) => ecsResourceId(cluster, service)),
            minCapacity: plan.minCapacity,
            maxCapacity: plan.maxCapacity,
        }, { parent: this });

        this.policies = {};
        this.alarms = {};
        const onTarget = {
            resourceId: this.target.resourceId,
            scalableDimension: this.target.scalableDimension,
            serviceNamespace: this.target.serviceNamespace,
        };
        // Policy names are fixed and a policy is replaced when its target changes: delete the old one first.
        const policyOptions = { parent: this, dependsOn: [this.target], deleteBeforeReplace: true };
        // Every policy of the service: named `<physical name>-<key>`, on the scalable target.
        const newPolicy = (key: string, kind: Omit<aws.appautoscaling.PolicyArgs, "name" | keyof typeof onTarget>) =>
            new aws.appautoscaling.Policy(`${name}-${key}`, { name: `${physicalName}-${key}`, ...kind, ...onTarget }, policyOptions);
        for (const policy of plan.policies) {
            if (policy.kind === "targetTracking") {
                this.policies[policy.name] = newPolicy(policy.name, {
                    policyType: "TargetTrackingScaling",
                    targetTrackingScalingPolicyConfiguration: targetTrackingConfiguration(policy, args.loadBalancer),
                });
                continue;
            }
            if (policy.kind === "backlogPerTask") {
                this.policies[policy.name] = newPolicy(policy.name, {
                    policyType: "TargetTrackingScaling",
                    targetTrackingScalingPolicyConfiguration: backlogPerTaskConfiguration(policy),
                });
                continue;
            }
            if (policy.kind === "predictive") {
                this.policies[policy.name] = newPolicy(policy.name, {
                    policyType: "PredictiveScaling",
                    predictiveScalingPolicyConfiguration: predictiveConfiguration(policy, args.loadBalancer),
                });
                continue;
            }
            const key = `${policy.name}-${policy.direction}`;
            const awsName = `${physicalName}-${key}`;
            const stepPolicy = newPolicy(key, {
                policyType: "StepScaling",
                stepScalingPolicyConfiguration: {
                    adjustmentType: "ChangeInCapacity",
                    cooldown: policy.cooldown,
                    metricAggregationType: policy.metricAggregationType,
                    stepAdjustments: relativeSteps(policy).map((s) => ({
                        ...(s.metricIntervalLowerBound !== undefined ? { metricIntervalLowerBound: String(s.metricIntervalLowerBound) } : {}),
                        ...(s.metricIntervalUpperBound !== undefined ? { metricIntervalUpperBound: String(s.metricIntervalUpperBound) } : {}),
                        scalingAdjustment: s.scalingAdjustment,
                    })),
                },
            });
            this.policies[key] = stepPolicy;
            // A step policy acts only when an alarm invokes it: this alarm is its only trigger.
            this.alarms[key] = new aws.cloudwatch.MetricAlarm(`${name}-${key}-alarm`, {
                name: awsName,
                alarmDescription: describeStepPolicy(physicalName, policy),
                namespace: policy.series.namespace,
                metricName: policy.series.metricName,
                statistic: policy.series.statistic,
                dimensions: { ...policy.series.dimensions },
                threshold: policy.alarm.threshold,
                comparisonOperator: policy.alarm.comparisonOperator,
                period: policy.alarm.period,
                evaluationPeriods: policy.alarm.evaluationPeriods,
                datapointsToAlarm: policy.alarm.datapointsToAlarm,
                treatMissingData: policy.alarm.treatMissingData,
                alarmActions: [stepPolicy.arn],
            }, { parent: this });
        }

        this.scheduledActions = {};
        // Each action waits for the one before: Application Auto Scaling refuses concurrent changes to
        // one target's scheduled actions (ConcurrentUpdateException).
        let previous: pulumi.Resource = this.target;
        for (const action of plan.scheduledActions ?? []) {
            previous = this.scheduledActions[action.name] = new aws.appautoscaling.ScheduledAction(`${name}-${action.name}`, {
                name: `${physicalName}-${action.name}`,
                ...onTarget,
                schedule: action.schedule,
                timezone: action.timezone,
                scalableTargetAction: {
                    ...(action.minCapacity !== undefined ? { minCapacity: action.minCapacity } : {}),
                    ...(action.maxCapacity !== undefined ? { maxCapacity: action.maxCapacity } : {}),
                },
                ...(action.startTime !== undefined ? { startTime: action.startTime } : {}),
                ...(action.endTime !== undefined ? { endTime: action.endTime } : {}),
            }, { parent: this, dependsOn: [previous], deleteBeforeReplace: true });
        }

        this.registerOutputs({ target: this.target, policies: this.policies, alarms: this.alarms, scheduledActions: this.scheduledActions });
    }
}

/** The one wiring a caller can miss: the load balancer an ALBRequestCountPerTarget policy is labelled with. */
function checkArgs(args: ServiceScalingArgs): void {
    const needsLoadBalancer = args.plan.policies.filter((p) => (p.kind === "targetTracking" && p.metric.type === "predefined"
        && p.metric.predefinedMetricType === ECS_PREDEFINED_METRICS.albRequestsPerTarget)
        || (p.kind === "predictive" && p.metric.type === "pair" && p.metric.pair === ECS_PREDICTIVE_METRIC_PAIRS.albRequests));
    const first = needsLoadBalancer[0];
    throwIfAny(`ServiceScaling ${args.physicalName}`, first && !args.loadBalancer ? [{
        propertyPath: "loadBalancer",
        reason: `is required because policy "${first.name}" ${first.kind === "predictive" ? "forecasts ALBRequestCount" : "tracks ALBRequestCountPerTarget"} (its resource label names the load balancer and the target group)`,
    }] : []);
}

/**
 * The one conversion of a plan's target-tracking policy into the provider's configuration, for every
 * scalable target (ECS services here, the Aurora reader count in aurora-cluster.ts).
 */
export function targetTrackingConfiguration(
    policy: TargetTrackingPolicy,
    lb: ServiceScalingArgs["loadBalancer"],
): aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration {
    const common = {
        targetValue: policy.targetValue,
        scaleOutCooldown: policy.cooldowns.scaleOut,
        scaleInCooldown: policy.cooldowns.scaleIn,
        disableScaleIn: policy.disableScaleIn,
    };
    const metric = policy.metric;
    if (metric.type === "predefined") {
        return {
            ...common,
            predefinedMetricSpecification: {
                predefinedMetricType: metric.predefinedMetricType,
                // `app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>`: the two ARN suffixes joined by `/`.
                ...(metric.predefinedMetricType === ECS_PREDEFINED_METRICS.albRequestsPerTarget
                    ? { resourceLabel: pulumi.interpolate`${lb!.arnSuffix}/${lb!.targetGroupArnSuffix}` }
                    : {}),
            },
        };
    }
    const series = metric.series;
    return {
        ...common,
        customizedMetricSpecification: {
            namespace: series.namespace,
            metricName: series.metricName,
            statistic: series.statistic,
            ...(series.unit !== undefined ? { unit: series.unit } : {}),
            // Exactly the published dimensions: AWS matches the series only on the full set.
            dimensions: dimensionList(series),
        },
    };
}

/** The alarm's description: its condition and the step table, in words (CloudWatch allows 1024 characters). */
export function describeStepPolicy(physicalName: string, policy: StepScalingPolicy): string {
    const s = policy.series;
    const a = policy.alarm;
    const dims = Object.entries(s.dimensions).map(([k, v]) => `${k}=${v}`).join(", ");
    const op = a.comparisonOperator === "GreaterThanOrEqualToThreshold" ? ">=" : "<=";
    const steps = policy.steps.map((step) => `${describeStepRange(policy.direction, step)}: ${stepChange(step.change)}`).join("; ");
    const text = `Scales ${physicalName} ${policy.direction} when ${s.namespace} ${s.metricName} (${s.statistic}` +
        `${dims ? `, ${dims}` : ""}) ${op} ${a.threshold} for ${a.datapointsToAlarm} of ${a.evaluationPeriods} periods of ${a.period} s. ` +
        `Steps: ${steps}. Cooldown ${policy.cooldown} s.`;
    return text.length <= 1024 ? text : `${text.slice(0, 1021)}...`;
}

function stepChange(change: number): string {
    const n = Math.abs(change);
    return `${change > 0 ? "add" : "remove"} ${n} task${n === 1 ? "" : "s"}`;
}
