/**
 * A work queue of the stack: an SQS queue with a dead-letter queue that only it may redrive into, and
 * alarms to the alerts topic when its oldest message waits too long and when a message reaches the
 * dead-letter queue.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SQS_RETENTION_SECONDS } from "../aws/limits";
import { throwIfAny } from "./input-errors";
import { MetricSeries, sqsOldestMessageAgeSeries, sqsVisibleMessagesSeries } from "../scaling/metric-series";

/** Dead-letter messages are kept for the SQS maximum (14 days) to leave time to inspect and redrive them. */
export const DEAD_LETTER_RETENTION_SECONDS = SQS_RETENTION_SECONDS.max;

/**
 * Minutes in a row the oldest message must be too old before the alarm fires. A single slow or retried
 * message makes the age jump for a minute or two before the consumers catch up, which is no reason to
 * page anyone; a backlog that stays old for three minutes is, and waiting for it delays a real alert by
 * only two minutes against thresholds of several minutes.
 */
export const OLDEST_MESSAGE_BREACHING_MINUTES = 3;

export interface WorkQueueSettings {
    /** Seconds a received message stays invisible to other consumers (SQS: 0-43200). Required. */
    readonly visibilityTimeoutSeconds: number;
    /** Seconds SQS keeps a message (aws/limits.ts SQS_RETENTION_SECONDS). Required. */
    readonly messageRetentionSeconds: number;
    /** Receives before a message moves to the dead-letter queue (SQS redrive: 1-1000). Required. */
    readonly maxReceiveCount: number;
    /** The oldest-message alarm fires when the oldest message is older than this, seconds. Required. */
    readonly oldestMessageAgeAlarmSeconds: number;
}

export interface WorkQueueArgs {
    /** Physical name of the queue (`names.queue`); its metrics carry it as the QueueName dimension. Required. */
    readonly queueName: string;
    /** Physical name of the dead-letter queue (`names.deadLetterQueue`). Required; must differ from queueName. */
    readonly deadLetterQueueName: string;
    /** Visibility timeout, retention, redrive and alarm age. Required. */
    readonly settings: WorkQueueSettings;
    /** Notified when either alarm goes to ALARM and back to OK (the alerts topic). Required; may be empty. */
    readonly alarmActions: pulumi.Input<string>[];
}

export class WorkQueue extends pulumi.ComponentResource {
    readonly queue: aws.sqs.Queue;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly queueUrl: pulumi.Output<string>;
    readonly queueArn: pulumi.Output<string>;
    /** The physical queue name, known before deployment (metric dimensions, dashboards). */
    readonly queueName: string;
    readonly oldestMessageAlarm: aws.cloudwatch.MetricAlarm;
    /** Fires on the first message in the dead-letter queue. */
    readonly deadLetterAlarm: aws.cloudwatch.MetricAlarm;
    /** The queue's visible-message count: the series the worker's step-scaling policies watch. */
    readonly depthSeries: MetricSeries;

    constructor(name: string, args: WorkQueueArgs, opts?: pulumi.ComponentResourceOptions) {
        // config/ derives distinct names; only a caller that names the queues itself can get this wrong.
        throwIfAny(`WorkQueue ${args.queueName}`, args.deadLetterQueueName === args.queueName
            ? [{ propertyPath: "deadLetterQueueName", reason: `(${args.deadLetterQueueName}) must differ from queueName` }] : []);
        super("ecs-autoscaling:queue:WorkQueue", name, {}, opts);
        const s = args.settings;
        const parent = { parent: this };

        this.deadLetterQueue = new aws.sqs.Queue(`${name}-dlq`, {
            name: args.deadLetterQueueName,
            messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
            sqsManagedSseEnabled: true,
        // Queue names are fixed: a replacement (a FIFO change, for one) must delete the old queue first.
        }, { parent: this, deleteBeforeReplace: true });

        this.queue = new aws.sqs.Queue(`${name}-queue`, {
            name: args.queueName,
            visibilityTimeoutSeconds: s.visibilityTimeoutSeconds,
            messageRetentionSeconds: s.messageRetentionSeconds,
            sqsManagedSseEnabled: true,
            redrivePolicy: pulumi.jsonStringify({
                deadLetterTargetArn: this.deadLetterQueue.arn,
                maxReceiveCount: s.maxReceiveCount,
            }),
        }, { parent: this, deleteBeforeReplace: true });

        new aws.sqs.RedriveAllowPolicy(`${name}-dlq-redrive-allow`, {
            queueUrl: this.deadLetterQueue.url,
            redriveAllowPolicy: pulumi.jsonStringify({
                redrivePermission: "byQueue",
                sourceQueueArns: [this.queue.arn],
            }),
        }, parent);

        const age = sqsOldestMessageAgeSeries(args.queueName);
        this.oldestMessageAlarm = new aws.cloudwatch.MetricAlarm(`${name}-oldest-message`, {
            name: `${args.queueName}-oldest-message-age`,
            alarmDescription: `The oldest message in ${args.queueName} has waited more than ${s.oldestMessageAgeAlarmSeconds} s for ${OLDEST_MESSAGE_BREACHING_MINUTES} minutes: consumers are stuck, failing or too few.`,
            namespace: age.namespace,
            metricName: age.metricName,
            dimensions: { ...age.dimensions },
            statistic: age.statistic,
            ...(age.unit !== undefined ? { unit: age.unit } : {}),
            // 3 of 3 one-minute periods (OLDEST_MESSAGE_BREACHING_MINUTES): sustained age, not a blip.
            period: 60,
            evaluationPeriods: OLDEST_MESSAGE_BREACHING_MINUTES,
            datapointsToAlarm: OLDEST_MESSAGE_BREACHING_MINUTES,
            comparisonOperator: "GreaterThanThreshold",
            threshold: s.oldestMessageAgeAlarmSeconds,
            // SQS publishes nothing for an idle queue, and an idle queue has no old message.
            treatMissingData: "notBreaching",
            alarmActions: args.alarmActions,
            okActions: args.alarmActions,
        }, parent);

        // A message lands in the dead-letter queue only after maxReceiveCount failed receives: every one
        // is a message the consumers could not process, so one is enough to tell a person.
        const dead = sqsVisibleMessagesSeries(args.deadLetterQueueName, "Maximum");
        this.deadLetterAlarm = new aws.cloudwatch.MetricAlarm(`${name}-dead-letters`, {
            name: `${args.deadLetterQueueName}-messages`,
            alarmDescription: `${args.deadLetterQueueName} holds messages that failed ${s.maxReceiveCount} receives from ${args.queueName}: inspect them, fix the consumer, then redrive.`,
            namespace: dead.namespace,
            metricName: dead.metricName,
            dimensions: { ...dead.dimensions },
            statistic: dead.statistic,
            period: 60,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            // SQS publishes nothing for an idle queue, and an idle dead-letter queue is an empty one.
            treatMissingData: "notBreaching",
            alarmActions: args.alarmActions,
            okActions: args.alarmActions,
        }, parent);

        this.queueUrl = this.queue.url;
        this.queueArn = this.queue.arn;
        this.queueName = args.queueName;
        this.depthSeries = sqsVisibleMessagesSeries(args.queueName);

        this.registerOutputs({
            queueUrl: this.queueUrl,
            queueArn: this.queueArn,
            queueName: this.queueName,
            deadLetterQueueArn: this.deadLetterQueue.arn,
            oldestMessageAlarmArn: this.oldestMessageAlarm.arn,
            deadLetterAlarmArn: this.deadLetterAlarm.arn,
        });
    }
}
