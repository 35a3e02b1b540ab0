/**
 * The stack's alerts topic: alarms that need a person (a queue whose oldest message is too old, for
 * instance) publish here, and an email address can be subscribed to it.
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
}

export class Alerts extends pulumi.ComponentResource {
    readonly topic: aws.sns.Topic;
    /** Where alarms send their ALARM and OK notifications. */
    readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:monitoring:Alerts", name, {}, opts);
        const email = args.email ?? "";

        this.topic = new aws.sns.Topic(`${name}-topic`, { name: args.topicName }, { parent: this });
        if (email !== "") {
            new aws.sns.TopicSubscription(`${name}-email`, {
                topic: this.topic.arn,
                protocol: "email",
                endpoint: email,
            }, { parent: this });
        }

        this.topicArn = this.topic.arn;
        this.registerOutputs({ topicArn: this.topicArn });
    }
}
