/**
 * WorkQueue under Pulumi mocks: the queue and its dead-letter queue with the configured settings, the
 * redrive in both directions, and the oldest-message alarm wired to the alerts topic.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { Alerts } from "../../components/alerts";
import { DEAD_LETTER_RETENTION_SECONDS, WorkQueue } from "../../components/work-queue";
import { StackConfig, loadStackConfig } from "../../config/load";
import { sqsVisibleMessagesSeries } from "../../scaling/metric-series";
import { ACCOUNT, REGION, allRegistered, named, ofType, promiseOf, recorded, setupMocks } from "../helpers/pulumi-mocks";
import { rawProjectConfig } from "../helpers/stack-files";

const T = {
    queue: "aws:sqs/queue:Queue",
    redriveAllow: "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
};

function stackConfig(stack: string, overrides: Record<string, unknown> = {}): StackConfig {
    return loadStackConfig(rawProjectConfig(stack, overrides), { project: "ecs-autoscaling", stack });
}

/** The queue of a stack, alarming to that stack's alerts topic, as index.ts builds it. */
async function build(config: StackConfig) {
    const alerts = new Alerts("alerts", { topicName: config.names.alertsTopic });
    const work = new WorkQueue("work", {
        queueName: config.queues.work.name,
        deadLetterQueueName: config.queues.work.deadLetterQueueName,
        settings: config.queues.work,
        alarmActions: [alerts.topicArn],
    });
    const [queueUrl, queueArn] = await promiseOf(pulumi.all([work.queueUrl, work.queueArn]));
    await allRegistered();
    return { work, queueUrl, queueArn, topicArn: await promiseOf(alerts.topicArn) };
}

const Q = "ecs-autoscaling-staging-work";
const DLQ = "ecs-autoscaling-staging-work-dlq";
const arn = (q: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${q}`;
const url = (q: string) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${q}`;

describe("WorkQueue", () => {
    beforeEach(() => setupMocks());

    describe("the staging stack file", () => {
        let out: Awaited<ReturnType<typeof build>>;
        beforeEach(async () => {
            // GIVEN staging: visibility 60 s, default retention 4 days, 5 receives, alarm at 900 s
            const config = stackConfig("staging");
            expect(config.queues.work).to.deep.include({ visibilityTimeoutSeconds: 60, messageRetentionSeconds: 345600, maxReceiveCount: 5, oldestMessageAgeAlarmSeconds: 900 });
            // WHEN
            out = await build(config);
        });

        it("keeps dead letters 14 days, encrypted", () => {
            expect(DEAD_LETTER_RETENTION_SECONDS).to.equal(1209600);
            expect(named(T.queue, "work-dlq").inputs).to.deep.equal({ name: DLQ, messageRetentionSeconds: 1209600, sqsManagedSseEnabled: true });
        });

        it("creates the queue with the configured timeouts and a redrive to the DLQ after maxReceiveCount 5", () => {
            const { redrivePolicy, ...rest } = named(T.queue, "work-queue").inputs;
            expect(rest).to.deep.equal({ name: Q, visibilityTimeoutSeconds: 60, messageRetentionSeconds: 345600, sqsManagedSseEnabled: true });
            expect(JSON.parse(redrivePolicy)).to.deep.equal({ deadLetterTargetArn: arn(DLQ), maxReceiveCount: 5 });
        });

        it("lets only this queue redrive into the DLQ", () => {
            const policies = ofType(T.redriveAllow);
            expect(policies.map((p) => p.name)).to.deep.equal(["work-dlq-redrive-allow"]);
            expect(policies[0].inputs.queueUrl).to.equal(url(DLQ));
            expect(JSON.parse(policies[0].inputs.redriveAllowPolicy)).to.deep.equal({ redrivePermission: "byQueue", sourceQueueArns: [arn(Q)] });
        });

        it("alarms to the alerts topic when the oldest message is older than 900 s for 3 of 3 minutes", () => {
            const { alarmDescription, ...alarm } = named(T.alarm, "work-oldest-message").inputs;
            expect(alarm).to.deep.equal({
                name: `${Q}-oldest-message-age`,
                namespace: "AWS/SQS",
                metricName: "ApproximateAgeOfOldestMessage",
                dimensions: { QueueName: Q },
                statistic: "Maximum",
                unit: "Seconds",
                period: 60,
                evaluationPeriods: 3,
                datapointsToAlarm: 3,
                comparisonOperator: "GreaterThanThreshold",
                threshold: 900,
                treatMissingData: "notBreaching",
                alarmActions: [out.topicArn],
                okActions: [out.topicArn],
            });
            expect(out.topicArn).to.equal(`arn:aws:sns:${REGION}:${ACCOUNT}:ecs-autoscaling-staging-alerts`);
            expect(alarmDescription).to.equal(`The oldest message in ${Q} has waited more than 900 s for 3 minutes: consumers are stuck, failing or too few.`);
        });

        it("exposes the queue, its URL, ARN, name and the depth series the step policies watch", () => {
            expect(out.queueUrl).to.equal(url(Q));
            expect(out.queueArn).to.equal(arn(Q));
            expect(out.work.queueName).to.equal(Q);
            expect(out.work.depthSeries).to.deep.equal(sqsVisibleMessagesSeries(Q));
            expect(out.work.depthSeries).to.deep.equal({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: Q }, statistic: "Maximum" });
            expect(out.work.queue).to.be.instanceOf(pulumi.CustomResource);
            expect(out.work.deadLetterQueue).to.be.instanceOf(pulumi.CustomResource);
            expect(out.work.oldestMessageAlarm).to.be.instanceOf(pulumi.CustomResource);
        });

        it("is the series the staging worker's step policies watch", () => {
            const worker = stackConfig("staging").services.worker;
            const watched = worker.plan.policies.flatMap((p) => p.kind === "step" ? [p.series] : []);
            expect(watched).to.deep.equal([out.work.depthSeries, out.work.depthSeries]);
        });

        it("alarms to the alerts topic on the first message in the dead-letter queue", () => {
            expect(named(T.alarm, "work-dead-letters").inputs).to.deep.equal({
                name: `${DLQ}-messages`,
                alarmDescription: `${DLQ} holds messages that failed 5 receives from ${Q}: inspect them, fix the consumer, then redrive.`,
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: DLQ },
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 1,
                datapointsToAlarm: 1,
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
                treatMissingData: "notBreaching",
                alarmActions: [out.topicArn],
                okActions: [out.topicArn],
            });
            expect(out.work.deadLetterAlarm).to.be.instanceOf(pulumi.CustomResource);
        });

        it("registers nothing else", () => {
            expect(recorded.map((r) => r.type).sort()).to.deep.equal([
                "ecs-autoscaling:monitoring:Alerts", "aws:sns/topic:Topic", "aws:kms/key:Key",
                "ecs-autoscaling:queue:WorkQueue", T.queue, T.queue, T.redriveAllow, T.alarm, T.alarm,
            ].sort());
        });
    });

    it("the localstack stack file: 3 receives, 30 s visibility, alarm at 300 s", async () => {
        const config = stackConfig("localstack");
        await build(config);
        const queue = named(T.queue, "work-queue").inputs;
        expect(queue.visibilityTimeoutSeconds).to.equal(30);
        expect(JSON.parse(queue.redrivePolicy).maxReceiveCount).to.equal(3);
        expect(named(T.alarm, "work-oldest-message").inputs.threshold).to.equal(300);
    });

    it("follows edited settings: maxReceiveCount 9, retention 1 day, alarm at 120 s", async () => {
        const config = stackConfig("staging", { queues: { work: { maxReceiveCount: 9, messageRetentionSeconds: 86400, oldestMessageAgeAlarmSeconds: 120 }, jobs: {}, batch: {} } });
        await build(config);
        const queue = named(T.queue, "work-queue").inputs;
        expect(queue.messageRetentionSeconds).to.equal(86400);
        expect(JSON.parse(queue.redrivePolicy)).to.deep.equal({ deadLetterTargetArn: arn(DLQ), maxReceiveCount: 9 });
        expect(named(T.alarm, "work-oldest-message").inputs.threshold).to.equal(120);
    });

    it("deletes both fixed-name queues before replacing them", async () => {
        const constructed: pulumi.ResourceTransformationArgs[] = [];
        const config = stackConfig("staging");
        new WorkQueue("work", { queueName: Q, deadLetterQueueName: DLQ, settings: config.queues.work, alarmActions: [] },
            { transformations: [(a) => { constructed.push(a); return undefined; }] });
        await allRegistered();
        const queues = constructed.filter((c) => c.type === T.queue);
        expect(queues.map((c) => [c.name, (c.opts as pulumi.CustomResourceOptions).deleteBeforeReplace])).to.deep.equal([["work-dlq", true], ["work-queue", true]]);
    });

    it("a caller naming the dead-letter queue like the queue gets an InputPropertiesError and nothing registered", () => {
        const config = stackConfig("staging");
        let error: unknown;
        try { new WorkQueue("work", { queueName: Q, deadLetterQueueName: Q, settings: config.queues.work, alarmActions: [] }); } catch (e) { error = e; }
        expect(pulumi.InputPropertiesError.isInstance(error)).to.equal(true);
        expect((error as pulumi.InputPropertiesError).errors).to.deep.equal([{ propertyPath: "deadLetterQueueName", reason: `(${Q}) must differ from queueName` }]);
        expect(recorded).to.deep.equal([]);
    });
});
