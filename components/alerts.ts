/**
 * The stack's alerts topic: alarms that need a person (a queue whose oldest message is too old, a
 * message in a dead-letter queue) publish here, and an email address can be subscribed to it. The topic
 * is encrypted at rest with a customer managed KMS key that CloudWatch alarms may use.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AlertsArgs {
    /** Physical topic name (`names.alertsTopic`). Required. */
    readonly topicName: string;
    /**
     * Address subscribed to the topic. AWS mails it a confirmation link; nothing is delivered until the
     * link is followed. Defaults to no subscription.
     */
    readonly email?: string;
    /**
     * ARN of a customer managed KMS key to encrypt the topic with; its key policy must let
     * cloudwatch.amazonaws.com call kms:GenerateDataKey* and kms:Decrypt. Defaults to a key of the
     * component's own with exactly that policy.
     */
    readonly kmsKeyArn?: string;
}

export class Alerts extends pulumi.ComponentResource {
    readonly topic: aws.sns.Topic;
    /** Where alarms send their ALARM and OK notifications. */
    readonly topicArn: pulumi.Output<string>;
    /** The key the topic is encrypted with. */
    readonly kmsKeyArn: pulumi.Output<string>;

    constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:monitoring:Alerts", name, {}, opts);
        const email = args.email ?? "";
        const parent = { parent: this };

        // Not the AWS managed key alias/aws/sns: its key policy cannot be changed to admit CloudWatch, so
        // alarm actions on a topic encrypted with it fail ("CloudWatch Alarms does not have authorization to
        // access the SNS topic encryption key"; AWS re:Post knowledge center, cloudwatch-configure-alarm-sns).
        this.kmsKeyArn = args.kmsKeyArn !== undefined ? pulumi.output(args.kmsKeyArn) : alertsKey(name, args.topicName, this).arn;

        this.topic = new aws.sns.Topic(`${name}-topic`, {
            name: args.topicName,
            kmsMasterKeyId: this.kmsKeyArn,
        // The name is fixed: a replacement (a FIFO change, for one) must delete the old topic first.
        }, { parent: this, deleteBeforeReplace: true });
        if (email !== "") {
            new aws.sns.TopicSubscription(`${name}-email`, {
                topic: this.topic.arn,
                protocol: "email",
                endpoint: email,
            }, parent);
        }

        this.topicArn = this.topic.arn;
        this.registerOutputs({ topicArn: this.topicArn, kmsKeyArn: this.kmsKeyArn });
    }
}

/**
 * The topic's own key: the account administers it through IAM, and CloudWatch may use it to publish
 * alarm notifications for this account only (the statement the SNS and CloudWatch guides give for
 * encrypted topics, with the confused-deputy condition). Rotated yearly.
 */
function alertsKey(name: string, topicName: string, parent: pulumi.Resource): aws.kms.Key {
    const opts = { parent };
    const partition = aws.getPartitionOutput({}, opts).partition;
    const account = aws.getCallerIdentityOutput({}, opts).accountId;
    return new aws.kms.Key(`${name}-key`, {
        description: `Encrypts the SNS topic ${topicName}`,
        enableKeyRotation: true,
        // The shortest wait KMS allows: the key holds no data of its own, only the topic's messages in transit.
        deletionWindowInDays: 7,
        policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AccountAdministersKey",
                    Effect: "Allow",
                    Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` },
                    Action: "kms:*",
                    Resource: "*",
                },
                {
                    Sid: "CloudWatchAlarmsPublish",
                    Effect: "Allow",
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                    Resource: "*",
                    Condition: { StringEquals: { "aws:SourceAccount": account } },
                },
            ],
        }),
    }, opts);
}
