/**
 * The instance-class scaler of a provisioned Aurora cluster: a Lambda function that moves the writer
 * between a small and a large instance class by failover, fed by the write-rate alarm through an SNS
 * topic only that alarm may publish to, and by a one-minute schedule that carries an operation forward
 * while AWS works. Its role may touch that cluster and its instances only. AuroraCluster
 * (aurora-cluster.ts) builds it when the class scaler is configured; the handler is runtime/aurora/.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_NODE_RUNTIME } from "../aws/lambda";
import { LAMBDA_ENTRIES } from "../bundle/esbuild";
import { CLASS_SCALER_ENV } from "../scaling/aurora";
import { classScalerStatements } from "./aurora-scaler-iam";
import { lambdaArchive } from "./lambda-code";

/** Seconds one scaler invocation may run: a few Describe calls and at most four writing calls. */
const SCALER_TIMEOUT_SECONDS = 60;

/**
 * How often the schedule invokes the scaler: an operation waits minutes for an instance to become
 * available or a failover to finish, and the function never sleeps through that; it returns and the
 * next tick resumes from the tag. It also notices an OK alarm that has been held long enough, which no
 * SNS notification announces.
 */
export const SCALER_SCHEDULE = "rate(1 minute)";

export interface AuroraClassScalerArgs {
    /** The cluster identifier; its instances are the ones named `<clusterIdentifier>-*`. Required. */
    readonly clusterIdentifier: string;
    /** The cluster's ARN, the one cluster the role may describe and fail over. Required. */
    readonly clusterArn: pulumi.Input<string>;
    /** The cluster's DB subnet group: a replacement writer is created in it. Required. */
    readonly subnetGroupName: string;
    /** The cluster's engine and version: a replacement writer is created with them. Required. */
    readonly engine: string;
    readonly engineVersion: string;
    /** Name of the write-rate alarm: the only publisher to the topic, and what the function reads. Required. */
    readonly writeAlarmName: string;
    /** Physical name of the function (its log group is `/aws/lambda/<functionName>`). Required. */
    readonly functionName: string;
    /** Physical name of the topic the alarm notifies. Required. */
    readonly topicName: string;
    /** KMS key the topic is encrypted with; CloudWatch must be allowed to use it. Defaults to no encryption. */
    readonly topicKmsKeyArn?: pulumi.Input<string>;
    /** The writer's instance class while writes are low, and while the alarm fires. Required. */
    readonly smallClass: string;
    readonly largeClass: string;
    /** Seconds the alarm must stay OK before the writer moves back to smallClass. Required. */
    readonly okSecondsBeforeScaleDown: number;
    /** Seconds after a class change before the next one. Required. */
    readonly cooldownSeconds: number;
    /** Decide and log, change nothing. Required. */
    readonly dryRun: boolean;
    /**
     * Reserve concurrency 1, so an SNS notification and a schedule tick never run at once (without it,
     * the claim tag on the cluster lets only one of them act: runtime/aurora/operation.ts). Defaults to
     * false: reserved concurrency needs the account's Lambda concurrency quota above the 100 Lambda keeps
     * unreserved (Lambda developer guide, "Configuring reserved concurrency"); a new account's is not.
     */
    readonly reservedConcurrency?: boolean;
    /** Retention of the function's log group, in days. Required. */
    readonly logRetentionDays: number;
    /** The function's code. Defaults to the scaler entry bundled at deploy time; tests pass a small stand-in. */
    readonly code?: pulumi.Input<pulumi.asset.Archive>;
}

export class AuroraClassScaler extends pulumi.ComponentResource {
    readonly function: aws.lambda.Function;
    /** The topic the write-rate alarm notifies on ALARM and OK. */
    readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: AuroraClassScalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:rds:AuroraClassScaler", name, {}, opts);
        // These resources were children of the AuroraCluster itself before this component existed: the
        // alias keeps their URNs, so a stack deployed then keeps them instead of replacing them.
        const parent = { parent: this, aliases: [{ parent: opts?.parent ?? pulumi.rootStackResource }] };
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const alarmArn = pulumi.interpolate`arn:${partition}:cloudwatch:${region}:${account}:alarm:${args.writeAlarmName}`;

        const topic = new aws.sns.Topic(`${name}-topic`, {
            name: args.topicName,
            ...(args.topicKmsKeyArn !== undefined ? { kmsMasterKeyId: args.topicKmsKeyArn } : {}),
        }, parent);
        // Only this alarm, in this account, may publish: nobody else can trigger a class change.
        new aws.sns.TopicPolicy(`${name}-topic-policy`, {
            arn: topic.arn,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Sid: "WriteRateAlarmOnly",
                    Effect: "Allow",
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: "sns:Publish",
                    Resource: topic.arn,
                    Condition: { ArnEquals: { "aws:SourceArn": alarmArn }, StringEquals: { "aws:SourceAccount": account } },
                }],
            }),
        }, parent);

        const functionArn = pulumi.interpolate`arn:${partition}:lambda:${region}:${account}:function:${args.functionName}`;
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/aws/lambda/${args.functionName}`,
            retentionInDays: args.logRetentionDays,
        }, parent);
        const role = new aws.iam.Role(`${name}-role`, {
            description: `Instance-class scaler of Aurora cluster ${args.clusterIdentifier}`,
            // Lambda sets aws:SourceAccount and aws:SourceArn when it assumes the execution role
            // (cross-service confused-deputy prevention): only this function of this account.
            assumeRolePolicy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Service: "lambda.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": functionArn } },
                }],
            }),
        }, parent);
        const policy = new aws.iam.RolePolicy(`${name}-policy`, {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: classScalerStatements({
                    partition, region, account, clusterArn: args.clusterArn, cluster: args.clusterIdentifier, subnetGroup: args.subnetGroupName,
                    engine: args.engine, engineVersion: args.engineVersion, alarmArn, logGroupArn: logGroup.arn,
                }),
            }),
        }, parent);
        this.function = new aws.lambda.Function(name, {
            name: args.functionName,
            description: `Moves the writer of ${args.clusterIdentifier} between ${args.smallClass} and ${args.largeClass} by failover`,
            runtime: LAMBDA_NODE_RUNTIME,
            handler: "index.handler",
            code: args.code ?? lambdaArchive(LAMBDA_ENTRIES.auroraScaler),
            role: role.arn,
            timeout: SCALER_TIMEOUT_SECONDS,
            memorySize: 256,
            // Opt-in (aurora.classScaler.reservedConcurrency): one invocation at a time.
            ...((args.reservedConcurrency ?? false) ? { reservedConcurrentExecutions: 1 } : {}),
            environment: {
                variables: {
                    [CLASS_SCALER_ENV.clusterIdentifier]: args.clusterIdentifier,
                    [CLASS_SCALER_ENV.alarmName]: args.writeAlarmName,
                    [CLASS_SCALER_ENV.smallClass]: args.smallClass,
                    [CLASS_SCALER_ENV.largeClass]: args.largeClass,
                    [CLASS_SCALER_ENV.okSecondsBeforeScaleDown]: String(args.okSecondsBeforeScaleDown),
                    [CLASS_SCALER_ENV.cooldownSeconds]: String(args.cooldownSeconds),
                    [CLASS_SCALER_ENV.dryRun]: String(args.dryRun),
                },
            },
        }, { ...parent, dependsOn: [policy, logGroup] });

        new aws.lambda.Permission(`${name}-from-sns`, {
            function: this.function.name,
            action: "lambda:InvokeFunction",
            principal: "sns.amazonaws.com",
            sourceArn: topic.arn,
        }, parent);
        new aws.sns.TopicSubscription(`${name}-subscription`, {
            topic: topic.arn,
            protocol: "lambda",
            endpoint: this.function.arn,
        }, parent);
        const schedule = new aws.cloudwatch.EventRule(`${name}-schedule`, {
            name: `${args.functionName}-tick`,
            description: `Carries class changes of ${args.clusterIdentifier} forward while AWS works`,
            scheduleExpression: SCALER_SCHEDULE,
        }, parent);
        new aws.lambda.Permission(`${name}-from-schedule`, {
            function: this.function.name,
            action: "lambda:InvokeFunction",
            principal: "events.amazonaws.com",
            sourceArn: schedule.arn,
        }, parent);
        new aws.cloudwatch.EventTarget(`${name}-tick`, {
            rule: schedule.name,
            arn: this.function.arn,
        }, parent);

        this.topicArn = topic.arn;
        this.registerOutputs({ functionArn: this.function.arn, topicArn: this.topicArn });
    }
}
