/**
 * ECS (cluster, capacity providers, task definitions, services) and Application Auto Scaling (targets,
 * policies, scheduled actions) in the endpoint, through the SDK clients the runtime uses.
 */
import {
    DeleteScalingPolicyCommand, DeleteScheduledActionCommand, DeregisterScalableTargetCommand, DescribeScalableTargetsCommand,
    DescribeScalingPoliciesCommand, DescribeScheduledActionsCommand, PutScalingPolicyCommand, PutScheduledActionCommand,
    RegisterScalableTargetCommand, type ServiceNamespace,
} from "@aws-sdk/client-application-auto-scaling";
import {
    CreateClusterCommand, CreateServiceCommand, DeleteClusterCommand, DeleteServiceCommand, DeregisterTaskDefinitionCommand,
    DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, PutClusterCapacityProvidersCommand,
    RegisterTaskDefinitionCommand, UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { found, ignoreMissing, type Applier } from "./applier";

const lastSegment = (s: string) => String(s).split("/").pop()!;

const cluster: Applier = {
    async create(ctx, name, inputs) {
        const clusterName = inputs.name ?? ctx.autoName(name);
        const r = await ctx.clients.ecs.send(new CreateClusterCommand({ clusterName, settings: inputs.settings }));
        const arn = r.cluster?.clusterArn ?? "";
        return { id: arn, outputs: { arn, name: clusterName } };
    },
    exists: (ctx, id) => found(async () => (await ctx.clients.ecs.send(new DescribeClustersCommand({ clusters: [id] }))).clusters?.some((c) => c.status === "ACTIVE") ?? false),
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.ecs.send(new DeleteClusterCommand({ cluster: id }))),
};

const capacityProviders: Applier = {
    async create(ctx, _name, inputs) {
        await ctx.clients.ecs.send(new PutClusterCapacityProvidersCommand({
            cluster: inputs.clusterName, capacityProviders: inputs.capacityProviders,
            defaultCapacityProviderStrategy: (inputs.defaultCapacityProviderStrategies ?? []).map((s: any) => ({ capacityProvider: s.capacityProvider, weight: s.weight, base: s.base })),
        }));
        return { id: inputs.clusterName, outputs: {} };
    },
    exists: (ctx, id) => found(async () => ((await ctx.clients.ecs.send(new DescribeClustersCommand({ clusters: [id] }))).clusters ?? [])
        .some((c) => c.status === "ACTIVE" && (c.capacityProviders ?? []).length > 0)),
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: id, capacityProviders: [], defaultCapacityProviderStrategy: [] }))),
};

const taskDefinition: Applier = {
    async create(ctx, _name, inputs) {
        const r = await ctx.clients.ecs.send(new RegisterTaskDefinitionCommand({
            family: inputs.family, cpu: inputs.cpu, memory: inputs.memory, networkMode: inputs.networkMode,
            requiresCompatibilities: inputs.requiresCompatibilities, executionRoleArn: inputs.executionRoleArn, taskRoleArn: inputs.taskRoleArn,
            containerDefinitions: JSON.parse(inputs.containerDefinitions),
            ...(inputs.runtimePlatform ? { runtimePlatform: inputs.runtimePlatform } : {}),
        }));
        const arn = r.taskDefinition?.taskDefinitionArn ?? "";
        return { id: inputs.family, outputs: { arn, arnWithoutRevision: arn.replace(/:\d+$/, ""), revision: r.taskDefinition?.revision } };
    },
    exists: (ctx, _id, o) => found(async () => (await ctx.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: o.arn }))).taskDefinition?.status === "ACTIVE"),
    remove: (ctx, _id, o) => ignoreMissing(() => ctx.clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: o.arn }))),
};

const service: Applier = {
    async create(ctx, name, inputs) {
        const serviceName = inputs.name ?? ctx.autoName(name);
        const net = inputs.networkConfiguration;
        const r = await ctx.clients.ecs.send(new CreateServiceCommand({
            cluster: inputs.cluster, serviceName, taskDefinition: inputs.taskDefinition, desiredCount: inputs.desiredCount ?? 0,
            ...(inputs.capacityProviderStrategies ? { capacityProviderStrategy: inputs.capacityProviderStrategies.map((s: any) => ({ capacityProvider: s.capacityProvider, weight: s.weight, base: s.base })) } : { launchType: inputs.launchType ?? "FARGATE" }),
            ...(net ? { networkConfiguration: { awsvpcConfiguration: { subnets: net.subnets, securityGroups: net.securityGroups, assignPublicIp: net.assignPublicIp ? "ENABLED" : "DISABLED" } } } : {}),
            ...(inputs.loadBalancers ? { loadBalancers: inputs.loadBalancers } : {}),
            ...(inputs.healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: inputs.healthCheckGracePeriodSeconds } : {}),
            ...(inputs.deploymentCircuitBreaker ? { deploymentConfiguration: { deploymentCircuitBreaker: inputs.deploymentCircuitBreaker, maximumPercent: inputs.deploymentMaximumPercent, minimumHealthyPercent: inputs.deploymentMinimumHealthyPercent } } : {}),
            enableECSManagedTags: inputs.enableEcsManagedTags, propagateTags: inputs.propagateTags,
        }));
        const arn = r.service?.serviceArn ?? "";
        return { id: arn, outputs: { arn, name: serviceName, cluster: inputs.cluster } };
    },
    exists: (ctx, id, o) => found(async () => ((await ctx.clients.ecs.send(new DescribeServicesCommand({ cluster: o.cluster, services: [id] }))).services ?? [])
        .some((s) => s.status === "ACTIVE")),
    async remove(ctx, id, o) {
        await ignoreMissing(() => ctx.clients.ecs.send(new UpdateServiceCommand({ cluster: o.cluster, service: id, desiredCount: 0 })));
        await ignoreMissing(() => ctx.clients.ecs.send(new DeleteServiceCommand({ cluster: o.cluster, service: id, force: true })));
    },
};

const scalableTarget: Applier = {
    upsert: true,
    async create(ctx, _name, inputs) {
        const r = await ctx.clients.autoscaling.send(new RegisterScalableTargetCommand({
            ServiceNamespace: inputs.serviceNamespace, ResourceId: inputs.resourceId, ScalableDimension: inputs.scalableDimension,
            MinCapacity: inputs.minCapacity, MaxCapacity: inputs.maxCapacity,
        }));
        return { id: inputs.resourceId, outputs: { arn: r.ScalableTargetARN ?? `arn:aws:application-autoscaling:${ctx.region}:${ctx.account}:scalable-target/${lastSegment(inputs.resourceId)}` } };
    },
    exists: (ctx, _id, o) => found(async () => ((await ctx.clients.autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: o.serviceNamespace, ResourceIds: [o.resourceId] }))).ScalableTargets ?? [])
        .some((t) => t.ResourceId === o.resourceId && t.ScalableDimension === o.scalableDimension)),
    remove: (ctx, _id, o) => ignoreMissing(() => ctx.clients.autoscaling.send(new DeregisterScalableTargetCommand({ ServiceNamespace: o.serviceNamespace, ResourceId: o.resourceId, ScalableDimension: o.scalableDimension }))),
};

/** The provider's policy inputs (camelCase, step bounds as strings) in the API's shape. */
const dims = (list: { name: string; value: string }[] | undefined) => (list ?? []).map((d) => ({ Name: d.name, Value: d.value }));

function policyConfig(inputs: any) {
    const st = inputs.stepScalingPolicyConfiguration;
    const tt = inputs.targetTrackingScalingPolicyConfiguration;
    const num = (v: unknown) => (v === undefined || v === "" ? undefined : Number(v));
    return {
        ...(st ? {
            StepScalingPolicyConfiguration: {
                AdjustmentType: st.adjustmentType, Cooldown: st.cooldown, MetricAggregationType: st.metricAggregationType, MinAdjustmentMagnitude: st.minAdjustmentMagnitude,
                StepAdjustments: (st.stepAdjustments ?? []).map((s: any) => ({
                    MetricIntervalLowerBound: num(s.metricIntervalLowerBound), MetricIntervalUpperBound: num(s.metricIntervalUpperBound), ScalingAdjustment: s.scalingAdjustment,
                })),
            },
        } : {}),
        ...(tt ? {
            TargetTrackingScalingPolicyConfiguration: {
                TargetValue: tt.targetValue, DisableScaleIn: tt.disableScaleIn, ScaleInCooldown: tt.scaleInCooldown, ScaleOutCooldown: tt.scaleOutCooldown,
                ...(tt.predefinedMetricSpecification ? { PredefinedMetricSpecification: { PredefinedMetricType: tt.predefinedMetricSpecification.predefinedMetricType, ResourceLabel: tt.predefinedMetricSpecification.resourceLabel } } : {}),
                ...(tt.customizedMetricSpecification?.metrics ? {
                    // Metric math (backlog per task): the queries as they are, ids, expressions and ReturnData included.
                    CustomizedMetricSpecification: {
                        Metrics: tt.customizedMetricSpecification.metrics.map((m: any) => ({
                            Id: m.id, Label: m.label, Expression: m.expression, ReturnData: m.returnData,
                            ...(m.metricStat ? {
                                MetricStat: {
                                    Metric: { Namespace: m.metricStat.metric.namespace, MetricName: m.metricStat.metric.metricName, Dimensions: dims(m.metricStat.metric.dimensions) },
                                    Stat: m.metricStat.stat, Unit: m.metricStat.unit,
                                },
                            } : {}),
                        })),
                    },
                } : tt.customizedMetricSpecification ? {
                    CustomizedMetricSpecification: {
                        Namespace: tt.customizedMetricSpecification.namespace, MetricName: tt.customizedMetricSpecification.metricName,
                        Statistic: tt.customizedMetricSpecification.statistic, Unit: tt.customizedMetricSpecification.unit,
                        Dimensions: dims(tt.customizedMetricSpecification.dimensions),
                    },
                } : {}),
            },
        } : {}),
    };
}

const scalingPolicy: Applier = {
    upsert: true,
    async create(ctx, name, inputs) {
        const policyName = inputs.name ?? ctx.autoName(name);
        const r = await ctx.clients.autoscaling.send(new PutScalingPolicyCommand({
            PolicyName: policyName, ServiceNamespace: inputs.serviceNamespace, ResourceId: inputs.resourceId, ScalableDimension: inputs.scalableDimension,
            PolicyType: inputs.policyType, ...policyConfig(inputs),
        }));
        return { id: policyName, outputs: { arn: r.PolicyARN, name: policyName, alarmArns: (r.Alarms ?? []).map((a) => a.AlarmARN) } };
    },
    exists: (ctx, id, o) => found(async () => ((await ctx.clients.autoscaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: o.serviceNamespace, ResourceId: o.resourceId }))).ScalingPolicies ?? [])
        .some((p) => p.PolicyName === id && p.ResourceId === o.resourceId)),
    remove: (ctx, id, o) => ignoreMissing(() => ctx.clients.autoscaling.send(new DeleteScalingPolicyCommand({ PolicyName: id, ServiceNamespace: o.serviceNamespace, ResourceId: o.resourceId, ScalableDimension: o.scalableDimension }))),
};

const scheduledAction: Applier = {
    async create(ctx, name, inputs) {
        const actionName = inputs.name ?? ctx.autoName(name);
        await ctx.clients.autoscaling.send(new PutScheduledActionCommand({
            ScheduledActionName: actionName, ServiceNamespace: inputs.serviceNamespace as ServiceNamespace, ResourceId: inputs.resourceId, ScalableDimension: inputs.scalableDimension,
            Schedule: inputs.schedule, Timezone: inputs.timezone,
            ...(inputs.startTime ? { StartTime: new Date(inputs.startTime) } : {}),
            ...(inputs.endTime ? { EndTime: new Date(inputs.endTime) } : {}),
            ScalableTargetAction: { MinCapacity: inputs.scalableTargetAction?.minCapacity, MaxCapacity: inputs.scalableTargetAction?.maxCapacity },
        }));
        return { id: actionName, outputs: { name: actionName, arn: `arn:aws:autoscaling:${ctx.region}:${ctx.account}:scheduledAction:${actionName}` } };
    },
    exists: (ctx, id, o) => found(async () => ((await ctx.clients.autoscaling.send(new DescribeScheduledActionsCommand({ ServiceNamespace: o.serviceNamespace, ResourceId: o.resourceId, ScheduledActionNames: [id] }))).ScheduledActions ?? []).length > 0),
    remove: (ctx, id, o) => ignoreMissing(() => ctx.clients.autoscaling.send(new DeleteScheduledActionCommand({ ScheduledActionName: id, ServiceNamespace: o.serviceNamespace, ResourceId: o.resourceId, ScalableDimension: o.scalableDimension }))),
};

export const ECS_APPLIERS: Record<string, Applier> = {
    "aws:ecs/cluster:Cluster": cluster,
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": capacityProviders,
    "aws:ecs/taskDefinition:TaskDefinition": taskDefinition,
    "aws:ecs/service:Service": service,
    "aws:appautoscaling/target:Target": scalableTarget,
    "aws:appautoscaling/policy:Policy": scalingPolicy,
    "aws:appautoscaling/scheduledAction:ScheduledAction": scheduledAction,
};
