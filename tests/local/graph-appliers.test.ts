/**
 * The local stack's scaling-policy applier and what it leaves out: a backlog-per-task policy reaches the
 * endpoint with its metric math as the program built it (ids, expression, ReturnData on e1 only), and a
 * predictive policy, which moto's PutScalingPolicy refuses, is not created and is listed with why.
 */
import { expect } from "chai";
import type { PutScalingPolicyCommand, PutScheduledActionCommand } from "@aws-sdk/client-application-auto-scaling";
import { ECS_APPLIERS } from "../../local/graph/appliers-ecs";
import { notHeldReason } from "../../local/graph/appliers";
import type { ApplyContext } from "../../local/graph/applier";

const POLICY = "aws:appautoscaling/policy:Policy";
const onTarget = { serviceNamespace: "ecs", resourceId: "service/c/c-batch", scalableDimension: "ecs:service:DesiredCount" };

describe("local stack: scaling policies the endpoint holds, and the one it cannot", () => {
    it("a backlog-per-task policy is put with its metric math: m1 and m2 read, e1 = m1 / m2 the only one returning data", async () => {
        const sent: PutScalingPolicyCommand["input"][] = [];
        const ctx = {
            autoName: (n: string) => n,
            clients: { autoscaling: { send: async (c: PutScalingPolicyCommand) => { sent.push(c.input); return { PolicyARN: "arn:policy", Alarms: [] }; } } },
        } as unknown as ApplyContext;
        const stat = (namespace: string, metricName: string, dimensions: { name: string; value: string }[], stat: string) => ({ metric: { namespace, metricName, dimensions }, stat });
        await ECS_APPLIERS[POLICY].create(ctx, "batch-scaling-backlog", {
            name: "c-batch-backlog", policyType: "TargetTrackingScaling", ...onTarget,
            targetTrackingScalingPolicyConfiguration: {
                targetValue: 60, scaleOutCooldown: 60, scaleInCooldown: 300, disableScaleIn: false,
                customizedMetricSpecification: {
                    metrics: [
                        { id: "m1", label: "queue", returnData: false, metricStat: stat("AWS/SQS", "ApproximateNumberOfMessagesVisible", [{ name: "QueueName", value: "q" }], "Sum") },
                        { id: "m2", label: "tasks", returnData: false, metricStat: stat("ECS/ContainerInsights", "RunningTaskCount", [{ name: "ClusterName", value: "c" }, { name: "ServiceName", value: "c-batch" }], "Average") },
                        { id: "e1", label: "per task", expression: "m1 / m2", returnData: true },
                    ],
                },
            },
        });
        expect(JSON.parse(JSON.stringify(sent))).to.deep.equal([{
            PolicyName: "c-batch-backlog", ServiceNamespace: "ecs", ResourceId: "service/c/c-batch", ScalableDimension: "ecs:service:DesiredCount",
            PolicyType: "TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration: {
                TargetValue: 60, DisableScaleIn: false, ScaleInCooldown: 300, ScaleOutCooldown: 60,
                CustomizedMetricSpecification: {
                    Metrics: [
                        { Id: "m1", Label: "queue", ReturnData: false, MetricStat: { Metric: { Namespace: "AWS/SQS", MetricName: "ApproximateNumberOfMessagesVisible", Dimensions: [{ Name: "QueueName", Value: "q" }] }, Stat: "Sum" } },
                        {
                            Id: "m2", Label: "tasks", ReturnData: false,
                            MetricStat: { Metric: { Namespace: "ECS/ContainerInsights", MetricName: "RunningTaskCount", Dimensions: [{ Name: "ClusterName", Value: "c" }, { Name: "ServiceName", Value: "c-batch" }] }, Stat: "Average" },
                        },
                        { Id: "e1", Label: "per task", Expression: "m1 / m2", ReturnData: true },
                    ],
                },
            },
        }]);
    });

    it("a predictive policy is not created, with the reason; other policies and held types have none", () => {
        expect(notHeldReason(POLICY, { policyType: "PredictiveScaling" })).to.equal(
            "a predictive scaling policy: the local endpoint (moto) refuses PutScalingPolicy with PolicyType PredictiveScaling and makes no forecast; `autoscale simulate --compare` runs it");
        expect(notHeldReason(POLICY, { policyType: "TargetTrackingScaling" })).to.equal(undefined);
        expect(notHeldReason("aws:ecs/service:Service", {})).to.equal(undefined);
        expect(notHeldReason("aws:s3/bucket:Bucket", {})).to.match(/^the ALB's access-log bucket/);
        expect(notHeldReason("aws:x/y:Z", {})).to.equal("no applier for aws:x/y:Z");
    });

    it("a scheduled action is put with its schedule, time zone, bounds and its StartTime and EndTime window", async () => {
        const sent: PutScheduledActionCommand["input"][] = [];
        const ctx = {
            autoName: (n: string) => n, region: "us-east-1", account: "123456789012",
            clients: { autoscaling: { send: async (c: PutScheduledActionCommand) => { sent.push(c.input); return {}; } } },
        } as unknown as ApplyContext;
        await ECS_APPLIERS["aws:appautoscaling/scheduledAction:ScheduledAction"].create(ctx, "api-office-hours", {
            name: "c-api-office-hours", ...onTarget, schedule: "cron(0 8 ? * MON-FRI *)", timezone: "Europe/London",
            startTime: "2026-12-07T00:00:00Z", endTime: "2027-01-01T00:00:00Z", scalableTargetAction: { minCapacity: 6 },
        });
        expect(JSON.parse(JSON.stringify(sent))).to.deep.equal([{
            ScheduledActionName: "c-api-office-hours", ServiceNamespace: "ecs", ResourceId: "service/c/c-batch", ScalableDimension: "ecs:service:DesiredCount",
            Schedule: "cron(0 8 ? * MON-FRI *)", Timezone: "Europe/London",
            StartTime: "2026-12-07T00:00:00.000Z", EndTime: "2027-01-01T00:00:00.000Z",
            ScalableTargetAction: { MinCapacity: 6 },
        }]);
    });
});
