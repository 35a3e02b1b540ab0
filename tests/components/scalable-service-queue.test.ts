/**
 * The staging worker as a ScalableService under Pulumi mocks: a queue consumer with step scaling, its
 * policies, alarms, queue permissions and the queue URL it is told.
 */
import { expect } from "chai";
import { QUEUE_URL_ENV } from "../../config/load";
import { ACCOUNT, REGION, named, ofType, promiseOf } from "../helpers/pulumi-mocks";
import {
    CLUSTER, QUEUE, QUEUE_NAME, T, Built, buildStagingServices,
} from "../helpers/scalable-service";


describe("ScalableService: staging queue consumer", () => {
    let worker: Built;

    before(async () => {
        ({ worker } = await buildStagingServices());
    });

    describe("worker (queue consumer, step scaling)", () => {
        it("registers the scalable target 1-10", () => {
            const t = named(T.target, "worker-scaling-target").inputs;
            expect([t.resourceId, t.minCapacity, t.maxCapacity]).to.deep.equal([`service/${CLUSTER}/ecs-autoscaling-staging-worker`, 1, 10]);
        });

        it("keys policies and alarms by name and direction", () => {
            expect(Object.keys(worker.component.scaling.policies)).to.deep.equal(["cpu", "memory", "queue-depth-out", "queue-depth-in"]);
            expect(Object.keys(worker.component.scaling.alarms)).to.deep.equal(["queue-depth-out", "queue-depth-in"]);
        });

        it("scales out +1/+2/+3 from 50 visible messages, steps relative to the threshold", () => {
            const p = named(T.policy, "worker-scaling-queue-depth-out").inputs;
            expect(p.name).to.equal("ecs-autoscaling-staging-worker-queue-depth-out");
            expect(p.policyType).to.equal("StepScaling");
            expect(p.resourceId).to.equal(`service/${CLUSTER}/ecs-autoscaling-staging-worker`);
            expect(p.targetTrackingScalingPolicyConfiguration).to.equal(undefined);
            expect(p.stepScalingPolicyConfiguration).to.deep.equal({
                adjustmentType: "ChangeInCapacity",
                cooldown: 60,
                metricAggregationType: "Maximum",
                stepAdjustments: [
                    { metricIntervalLowerBound: "0", metricIntervalUpperBound: "50", scalingAdjustment: 1 },
                    { metricIntervalLowerBound: "50", metricIntervalUpperBound: "150", scalingAdjustment: 2 },
                    { metricIntervalLowerBound: "150", scalingAdjustment: 3 },
                ],
            });
        });

        it("alarms for scale-out at >= 50 messages in 1 period of 60 s", () => {
            const a = named(T.alarm, "worker-scaling-queue-depth-out-alarm").inputs;
            expect({ ...a, alarmActions: undefined }).to.deep.equal({
                name: "ecs-autoscaling-staging-worker-queue-depth-out",
                alarmDescription: "Scales ecs-autoscaling-staging-worker out when AWS/SQS ApproximateNumberOfMessagesVisible " +
                    "(Maximum, QueueName=ecs-autoscaling-staging-work) >= 50 for 1 of 1 periods of 60 s. " +
                    "Steps: 50 to under 100: add 1 task; 100 to under 200: add 2 tasks; 200 and over: add 3 tasks. Cooldown 60 s.",
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                statistic: "Maximum",
                dimensions: { QueueName: QUEUE_NAME },
                threshold: 50,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                period: 60,
                evaluationPeriods: 1,
                datapointsToAlarm: 1,
                treatMissingData: "notBreaching",
                alarmActions: undefined,
            });
        });

        it("scales in by 1 at 10 messages and under for 5 of 5 periods of 60 s, cooldown 300", () => {
            expect(named(T.policy, "worker-scaling-queue-depth-in").inputs.stepScalingPolicyConfiguration).to.deep.equal({
                adjustmentType: "ChangeInCapacity",
                cooldown: 300,
                metricAggregationType: "Maximum",
                stepAdjustments: [{ metricIntervalUpperBound: "0", scalingAdjustment: -1 }],
            });
            const a = named(T.alarm, "worker-scaling-queue-depth-in-alarm").inputs;
            expect([a.namespace, a.metricName, a.statistic, a.dimensions]).to.deep.equal(
                ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", { QueueName: QUEUE_NAME }]);
            expect([a.threshold, a.comparisonOperator, a.period, a.evaluationPeriods, a.datapointsToAlarm, a.treatMissingData])
                .to.deep.equal([10, "LessThanOrEqualToThreshold", 60, 5, 5, "breaching"]);
            expect(a.alarmDescription).to.equal("Scales ecs-autoscaling-staging-worker in when AWS/SQS ApproximateNumberOfMessagesVisible " +
                "(Maximum, QueueName=ecs-autoscaling-staging-work) <= 10 for 5 of 5 periods of 60 s. Steps: 10 and under: remove 1 task. Cooldown 300 s.");
        });

        it("points each alarm at exactly its own policy", async () => {
            for (const key of ["queue-depth-out", "queue-depth-in"]) {
                const policyArn = await promiseOf(worker.component.scaling.policies[key].arn);
                const actions = await promiseOf(worker.component.scaling.alarms[key].alarmActions);
                expect(actions, key).to.deep.equal([policyArn]);
                expect(named(T.alarm, `worker-scaling-${key}-alarm`).inputs.alarmActions, key).to.deep.equal([policyArn]);
                expect(policyArn).to.contain(`policyName/ecs-autoscaling-staging-worker-${key}`);
            }
        });

        it("grants the task role the four consumer actions on the queue ARN and nothing else", () => {
            const roleId = "worker-fargate-task-role-id"; // the mock's id for the resource named worker-fargate-task-role
            const policies = ofType(T.rolePolicy).filter((r) => r.inputs.role === roleId);
            expect(policies.map((p) => p.name)).to.deep.equal(["worker-fargate-task-policy"]);
            const doc = JSON.parse(policies[0].inputs.policy);
            expect(doc.Statement).to.deep.equal([{
                Sid: "ConsumeWorkQueue",
                Effect: "Allow",
                Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
                Resource: QUEUE.arn,
            }, {
                Sid: "ProtectOwnTasks",
                Effect: "Allow",
                Action: ["ecs:GetTaskProtection", "ecs:UpdateTaskProtection"],
                Resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/ecs-autoscaling-staging/*`,
            }]);
            for (const key of ["api", "gateway"]) {
                expect(ofType(T.rolePolicy).filter((r) => r.inputs.role === `${key}-fargate-task-role-id`), key).to.deep.equal([]);
            }
        });

        it("tells the container the queue URL", () => {
            const [container] = JSON.parse(named(T.taskDefinition, "worker-fargate-task-definition").inputs.containerDefinitions);
            expect(container.environment).to.deep.equal([{ name: "PROCESSING_MS", value: "1000" }, { name: QUEUE_URL_ENV, value: QUEUE.url }]);
        });

        it("has no ingress rule, no target group and no load balancer", async () => {
            const sgId = await promiseOf(worker.component.securityGroupId);
            expect(ofType(T.ingress).filter((r) => r.inputs.securityGroupId === sgId)).to.deep.equal([]);
            expect(worker.component.targetGroup).to.equal(undefined);
            const s = named(T.service, "worker-fargate-service").inputs;
            expect([s.loadBalancers, s.healthCheckGracePeriodSeconds]).to.deep.equal([undefined, undefined]);
            expect(s.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
            expect(s.desiredCount).to.equal(1);
        });
    });
});
