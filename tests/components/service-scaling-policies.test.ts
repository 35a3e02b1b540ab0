/**
 * ServiceScaling's backlog-per-task and predictive policies under Pulumi mocks, with exactly the
 * PutScalingPolicy inputs AWS documents: backlog per task as target tracking on metric math (m1 the
 * queue's ApproximateNumberOfMessagesVisible, m2 Container Insights' RunningTaskCount, e1 = "m1 / m2",
 * ReturnData true on e1 only; Application Auto Scaling user guide, "Create a target tracking scaling
 * policy using metric math"), predictive as a PredictiveScaling policy with one metric specification
 * (PredictiveScalingPolicyConfiguration): a predefined pair, labelled with the target group for
 * ALBRequestCount only, or a custom scaling and load metric.
 */
import { expect } from "chai";
import { allRegistered, named, setupMocks } from "../helpers/pulumi-mocks";
import { rawProjectConfig } from "../helpers/stack-files";
import { loadStackConfig } from "../../config/load";
import { ServiceScaling } from "../../components/service-scaling";
import { plannedService } from "../../proof/plan-aws";
import { metricSeries } from "../../scaling/metric-series";
import type { PredictivePolicy, ServiceScalingPlan } from "../../scaling/plan";

const POLICY = "aws:appautoscaling/policy:Policy";
const CLUSTER = "ecs-autoscaling-staging";
const onTarget = (service: string) => ({ serviceNamespace: "ecs", scalableDimension: "ecs:service:DesiredCount", resourceId: `service/${CLUSTER}/${service}` });
const LB = { arnSuffix: "app/ecs-autoscaling-staging/0123456789abcdef", targetGroupArnSuffix: "targetgroup/ecs-autoscaling-staging-api/fedcba9876543210" };

describe("ServiceScaling: backlog per task and predictive policies", () => {
    const config = () => loadStackConfig(rawProjectConfig("staging"), { project: "ecs-autoscaling", stack: "staging" });
    const custom: ServiceScalingPlan = {
        service: "shop", minCapacity: 2, maxCapacity: 40,
        policies: [{
            kind: "predictive", name: "checkout",
            metric: {
                type: "custom",
                scaling: metricSeries({ namespace: "Shop/Checkout", metricName: "CpuPerTask", dimensions: { Service: "shop" }, statistic: "Average" }),
                load: metricSeries({ namespace: "Shop/Checkout", metricName: "Checkouts", dimensions: { Service: "shop" }, statistic: "Sum", unit: "Count" }),
            },
            targetValue: 40, mode: "ForecastOnly", schedulingBufferTime: 0, maxCapacityBreachBehavior: "IncreaseMaxCapacity", maxCapacityBuffer: 10,
        }],
    };

    before(async () => {
        setupMocks("ecs-autoscaling", "staging");
        const c = config();
        const { api, batch, gateway } = c.services;
        new ServiceScaling("batch-scaling", { service: { clusterName: CLUSTER, serviceName: batch.name }, physicalName: batch.name, plan: batch.plan });
        new ServiceScaling("gateway-scaling", { service: { clusterName: CLUSTER, serviceName: gateway.name }, physicalName: gateway.name, plan: gateway.plan });
        new ServiceScaling("api-scaling", {
            service: { clusterName: CLUSTER, serviceName: api.name }, physicalName: api.name, loadBalancer: LB,
            plan: { ...api.plan, policies: [{ ...gateway.plan.policies[2], name: "requests", metric: { type: "pair", pair: "ALBRequestCount" }, targetValue: 1000 } as PredictivePolicy] },
        });
        new ServiceScaling("shop-scaling", { service: { clusterName: CLUSTER, serviceName: "ecs-autoscaling-staging-shop" }, physicalName: "ecs-autoscaling-staging-shop", plan: custom });
        await allRegistered();
    });

    const BATCH_CONFIGURATION = {
        targetValue: 60, scaleOutCooldown: 60, scaleInCooldown: 300, disableScaleIn: false,
        customizedMetricSpecification: {
            metrics: [
                {
                    id: "m1", label: "Visible messages in the queue", returnData: false,
                    metricStat: {
                        metric: { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: [{ name: "QueueName", value: "ecs-autoscaling-staging-batch" }] },
                        stat: "Sum",
                    },
                },
                {
                    id: "m2", label: "Running tasks of the service", returnData: false,
                    metricStat: {
                        metric: {
                            namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount",
                            dimensions: [{ name: "ClusterName", value: CLUSTER }, { name: "ServiceName", value: "ecs-autoscaling-staging-batch" }],
                        },
                        stat: "Average",
                    },
                },
                { id: "e1", label: "Backlog per task", expression: "m1 / m2", returnData: true },
            ],
        },
    };

    it("staging's batch: target tracking on e1 = m1 / m2 at 60 messages per task, with the exact metric math", () => {
        expect(named(POLICY, "batch-scaling-backlog").inputs).to.deep.equal({
            name: "ecs-autoscaling-staging-batch-backlog", policyType: "TargetTrackingScaling", ...onTarget("ecs-autoscaling-staging-batch"),
            targetTrackingScalingPolicyConfiguration: BATCH_CONFIGURATION,
        });
    });

    it("ReturnData is true on exactly one query, the expression, and the expression names only the other ids", () => {
        const metrics = named(POLICY, "batch-scaling-backlog").inputs.targetTrackingScalingPolicyConfiguration.customizedMetricSpecification.metrics as
            { id: string; returnData: boolean; expression?: string }[];
        expect(metrics.filter((m) => m.returnData).map((m) => m.id)).to.deep.equal(["e1"]);
        const ids = metrics.map((m) => m.id);
        expect(new Set(ids).size).to.equal(ids.length);
        expect(metrics.find((m) => m.expression)!.expression!.match(/[a-z]\w*/g)).to.deep.equal(["m1", "m2"]);
        // AWS's id rule: letters, digits and underscores, starting with a lower-case letter (TargetTrackingMetricDataQuery.Id).
        for (const id of ids) expect(id).to.match(/^[a-z][A-Za-z0-9_]*$/);
    });

    it("staging's gateway: a PredictiveScaling policy on the ECSServiceCPUUtilization pair at 70, without a resource label", () => {
        expect(named(POLICY, "gateway-scaling-predictive").inputs).to.deep.equal({
            name: "ecs-autoscaling-staging-gateway-predictive", policyType: "PredictiveScaling", ...onTarget("ecs-autoscaling-staging-gateway"),
            predictiveScalingPolicyConfiguration: {
                metricSpecifications: [{ targetValue: "70", predefinedMetricPairSpecification: { predefinedMetricType: "ECSServiceCPUUtilization" } }],
                mode: "ForecastAndScale", schedulingBufferTime: 300, maxCapacityBreachBehavior: "HonorMaxCapacity",
            },
        });
    });

    it("the ALBRequestCount pair is labelled with the load balancer and the target group", () => {
        expect(named(POLICY, "api-scaling-requests").inputs).to.deep.equal({
            name: "ecs-autoscaling-staging-api-requests", policyType: "PredictiveScaling", ...onTarget("ecs-autoscaling-staging-api"),
            predictiveScalingPolicyConfiguration: {
                metricSpecifications: [{
                    targetValue: "1000",
                    predefinedMetricPairSpecification: { predefinedMetricType: "ALBRequestCount", resourceLabel: `${LB.arnSuffix}/${LB.targetGroupArnSuffix}` },
                }],
                mode: "ForecastAndScale", schedulingBufferTime: 300, maxCapacityBreachBehavior: "HonorMaxCapacity",
            },
        });
    });

    it("custom metrics: one scaling and one load query, each a plain MetricStat without ReturnData; IncreaseMaxCapacity carries its buffer", () => {
        expect(named(POLICY, "shop-scaling-checkout").inputs).to.deep.equal({
            name: "ecs-autoscaling-staging-shop-checkout", policyType: "PredictiveScaling", ...onTarget("ecs-autoscaling-staging-shop"),
            predictiveScalingPolicyConfiguration: {
                metricSpecifications: [{
                    targetValue: "40",
                    customizedScalingMetricSpecification: {
                        metricDataQueries: [{ id: "scaling", metricStat: { metric: { namespace: "Shop/Checkout", metricName: "CpuPerTask", dimensions: [{ name: "Service", value: "shop" }] }, stat: "Average" } }],
                    },
                    customizedLoadMetricSpecification: {
                        metricDataQueries: [{ id: "load", metricStat: { metric: { namespace: "Shop/Checkout", metricName: "Checkouts", dimensions: [{ name: "Service", value: "shop" }] }, stat: "Sum", unit: "Count" } }],
                    },
                }],
                mode: "ForecastOnly", schedulingBufferTime: 0, maxCapacityBreachBehavior: "IncreaseMaxCapacity", maxCapacityBuffer: 10,
            },
        });
    });

    it("the same policies in API terms (plan-aws, what scale-test verify compares with what is live)", () => {
        const c = config();
        const batch = plannedService(c.services.batch.plan, CLUSTER, c.services.batch.name).policies[0];
        expect(batch.input).to.deep.equal({
            ServiceNamespace: "ecs", ResourceId: `service/${CLUSTER}/ecs-autoscaling-staging-batch`, ScalableDimension: "ecs:service:DesiredCount",
            PolicyName: "ecs-autoscaling-staging-batch-backlog", PolicyType: "TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration: {
                TargetValue: 60, ScaleOutCooldown: 60, ScaleInCooldown: 300, DisableScaleIn: false,
                CustomizedMetricSpecification: {
                    Metrics: [
                        { Id: "m1", Label: "Visible messages in the queue", MetricStat: { Metric: { Namespace: "AWS/SQS", MetricName: "ApproximateNumberOfMessagesVisible", Dimensions: [{ Name: "QueueName", Value: "ecs-autoscaling-staging-batch" }] }, Stat: "Sum" }, ReturnData: false },
                        {
                            Id: "m2", Label: "Running tasks of the service", ReturnData: false,
                            MetricStat: { Metric: { Namespace: "ECS/ContainerInsights", MetricName: "RunningTaskCount", Dimensions: [{ Name: "ClusterName", Value: CLUSTER }, { Name: "ServiceName", Value: "ecs-autoscaling-staging-batch" }] }, Stat: "Average" },
                        },
                        { Id: "e1", Label: "Backlog per task", Expression: "m1 / m2", ReturnData: true },
                    ],
                },
            },
        });
        const gateway = plannedService(c.services.gateway.plan, CLUSTER, c.services.gateway.name).policies[2];
        expect(gateway.input).to.deep.equal({
            ServiceNamespace: "ecs", ResourceId: `service/${CLUSTER}/ecs-autoscaling-staging-gateway`, ScalableDimension: "ecs:service:DesiredCount",
            PolicyName: "ecs-autoscaling-staging-gateway-predictive", PolicyType: "PredictiveScaling",
            PredictiveScalingPolicyConfiguration: {
                MetricSpecifications: [{ TargetValue: 70, PredefinedMetricPairSpecification: { PredefinedMetricType: "ECSServiceCPUUtilization" } }],
                Mode: "ForecastAndScale", SchedulingBufferTime: 300, MaxCapacityBreachBehavior: "HonorMaxCapacity",
            },
        });
    });

    it("a predictive ALBRequestCount pair without args.loadBalancer names the property and the policy", () => {
        const plan = config().services.gateway.plan;
        const requests: PredictivePolicy = { ...(plan.policies[2] as PredictivePolicy), name: "requests", metric: { type: "pair", pair: "ALBRequestCount" } };
        expect(() => new ServiceScaling("no-lb", { service: { clusterName: CLUSTER, serviceName: "x" }, physicalName: "x", plan: { ...plan, policies: [requests] } }))
            .to.throw('ServiceScaling x: loadBalancer is required because policy "requests" forecasts ALBRequestCount (its resource label names the load balancer and the target group)');
    });
});
