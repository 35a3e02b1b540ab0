/**
 * The queue-driven autoscaler as an ECS Fargate service of its own: one task that polls the work queue
 * every few seconds and sets the worker service's desired count (runtime/autoscaler, entry
 * runtime/autoscaler/main.ts). Its task role may touch exactly the worker service, the queue and the
 * project's metric namespace; the failure simulations get their extra permissions only when the stack allows them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DESIRED_COUNT_ONLY } from "../aws/ecs-iam";
import { AUTOSCALER_TASK_BUNDLE } from "../bundle/esbuild";
import { envName, STATE_TAG_PREFIX, type SettingKey } from "../scaling/autoscaler-settings";
import { ClusterRef, FargateService } from "./fargate-service";
import { ProjectImage, ProjectImageRef } from "./project-image";
import { inRegion } from "./task-iam";

/** Container name inside the task definition. */
export const CONTAINER_NAME = "autoscaler";

/**
 * What the container runs: the autoscaler task's own bundle in the project image (runtime/autoscaler/main.ts,
 * bundle/esbuild.ts), not the image's `autoscale` command with every tool, so the task loads only the
 * autoscaler. The command is written out rather than left to the image's CMD: replacing the entry
 * point drops the image's CMD.
 */
export const CONTAINER_ENTRY_POINT = ["node", AUTOSCALER_TASK_BUNDLE] as const;
export const CONTAINER_COMMAND = ["autoscaler", "run"] as const;

/** The container's user: the unprivileged `node` user of the node:22-slim image the Dockerfile builds on. */
export const CONTAINER_USER = "node";

/** Fargate size of the autoscaler task: it polls one queue and calls a few AWS APIs. */
export const TASK_CPU = 256;
export const TASK_MEMORY = 512;

/**
 * The container health check. It runs inside the task, so the security group needs no ingress; it uses
 * the fetch built into Node 20, because the slim image has no curl or wget.
 */
export const HEALTH_CHECK_COMMAND = [
    "CMD-SHELL",
    `node -e "fetch('http://127.0.0.1:'+process.env.${envName("healthPort")}+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"`,
];

/**
 * The autoscaler's settings by their key in the settings table (scaling/autoscaler-settings.ts); the task
 * gets each one set as its environment variable (`envName(key)`). A setting left out, or undefined, takes
 * the autoscaler's own default.
 */
export type AutoscalerSettingValues = Readonly<Partial<Record<SettingKey, string | number | boolean | undefined>>>;

export interface QueueAutoscalerArgs {
    /**
     * Settings for every scaled service (thresholds, cooldowns, interval, health port, failure
     * simulation). The failure simulations' permissions are granted exactly when `chaosAllowed` is true.
     * The per-service bounds and settings go in `scaled`, the cluster, region and names are filled in here.
     * @default {} (every setting at the autoscaler's own default)
     */
    readonly settings?: AutoscalerSettingValues;
    /**
     * The image the task runs: the stack's project image (components/project-image.ts), shared with the
     * built-in workloads, or a prebuilt image reference to run as given.
     * @default the repository's Dockerfile, built into an ECR repository named `serviceName`
     */
    readonly image?: ProjectImageRef | string;
    /** Physical name of the autoscaler's own ECS service; also the task family and log group suffix. Required. */
    readonly serviceName: string;
    /** The cluster both the worker and the autoscaler run in; the task-level permissions are conditioned on its ARN. Required. */
    readonly cluster: ClusterRef;
    /**
     * The services the autoscaler scales, each with the queues whose depth drives it and its own
     * settings (at least one). Its IAM reaches exactly these services and queues. Failure simulation
     * acts on the first. Required.
     */
    readonly scaled: readonly ScaledWorkerRef[];
    /** VPC of the task's security group. Required. */
    readonly vpcId: pulumi.Input<string>;
    /** Subnets of the task; they need a route to the AWS APIs (NAT gateway, or public IP). Required. */
    readonly subnetIds: pulumi.Input<string[]>;
    /** Give the task a public IP (subnets without a NAT route). Required. */
    readonly assignPublicIp: boolean;
    /** Retention of the `/ecs/<serviceName>` log group, in days (a value CloudWatch Logs accepts). Required. */
    readonly logRetentionDays: number;
}

/**
 * A service's own settings in the form `--services` (SERVICES) takes them: its bounds, and whatever the
 * stack sets for it alone (thresholds, cooldowns in seconds, acceptable age, processing rate, fallback).
 */
export interface ScaledServiceSettings {
    readonly min: number;
    readonly max: number;
    readonly [setting: string]: unknown;
}

/** One service the autoscaler scales. */
export interface ScaledWorkerRef {
    readonly serviceName: pulumi.Input<string>;
    readonly serviceArn: pulumi.Input<string>;
    /** The task role its tasks run with (the partition simulation denies that role the queue). */
    readonly taskRoleArn: pulumi.Input<string>;
    /** The queues it consumes (their depths are summed). */
    readonly queues: readonly { readonly url: pulumi.Input<string>; readonly arn: pulumi.Input<string> }[];
    readonly settings: ScaledServiceSettings;
}

/** A scaled service with its names resolved. */
export interface ResolvedScaledService {
    readonly serviceName: string;
    readonly queueUrls: readonly string[];
    readonly settings: ScaledServiceSettings;
}

/** What the task definition's environment is built from, besides the settings. */
export interface AutoscalerEnvironmentRefs {
    readonly clusterName: string;
    readonly region: string;
    readonly services: readonly ResolvedScaledService[];
    /** The first service's task role (failure simulation). */
    readonly workerRoleArn: string;
}

/**
 * The container's environment, in the names cli/autoscale.ts reads: every value a string, sorted by
 * name so that the task definition does not change when nothing did. One service with one queue and
 * nothing of its own beyond its bounds keeps the one-service form (AUTOSCALER_ECS_SERVICE, AUTOSCALER_QUEUE_URL, AUTOSCALER_MIN, AUTOSCALER_MAX);
 * anything else is SERVICES, a JSON map of service name to its queue URLs and settings.
 */
export function autoscalerEnvironment(settings: AutoscalerSettingValues, refs: AutoscalerEnvironmentRefs): { name: string; value: string }[] {
    // Every setting given, under the variable the autoscaler reads it from (one table).
    const given = Object.fromEntries(Object.entries(settings).map(([key, value]) => [envName(key), value]));
    const [first] = refs.services;
    const shorthand = refs.services.length === 1 && first!.queueUrls.length === 1 && Object.keys(first!.settings).every((k) => k === "min" || k === "max");
    const env: Record<string, unknown> = {
        ...given,
        AWS_REGION: refs.region,
        [envName("cluster")]: refs.clusterName,
        [envName("workerRoleArn")]: refs.workerRoleArn,
        ...(shorthand
            ? {
                [envName("ecsService")]: first!.serviceName,
                [envName("queueUrl")]: first!.queueUrls[0],
                [envName("min")]: first!.settings.min,
                [envName("max")]: first!.settings.max,
            }
            : {
                [envName("services")]: JSON.stringify(Object.fromEntries(refs.services.map((x) => [x.serviceName, { queueUrls: x.queueUrls, ...x.settings }]))),
            }),
    };
    // A setting the stack leaves unset (one without a default) is left out, not passed as "undefined".
    return Object.keys(env).filter((name) => env[name] !== undefined).sort().map((name) => ({ name, value: String(env[name]) }));
}

export class QueueAutoscaler extends pulumi.ComponentResource {
    /** Physical name of the autoscaler's ECS service. */
    public readonly serviceName: pulumi.Output<string>;
    public readonly serviceArn: pulumi.Output<string>;
    /** The role the autoscaler's task calls AWS with. */
    public readonly taskRoleArn: pulumi.Output<string>;
    /** The image the task runs: the one given, or `<repository>@<digest>` of the image built at deploy time. */
    public readonly image: pulumi.Output<string>;
    /** The task, its roles, security group and service. */
    public readonly fargate: FargateService;

    constructor(name: string, args: QueueAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:ecs:QueueAutoscaler", name, {}, opts);
        const settings = args.settings ?? {};
        const parent = { parent: this };
        const clusterName = args.cluster.clusterName;

        const partition = aws.getPartitionOutput({}, parent).partition;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const region = aws.getRegionOutput({}, parent).region;

        // The stack's shared project image, or one of its own (a stack without built-in workloads).
        const projectImage = args.image === undefined || typeof args.image === "string"
            ? new ProjectImage(`${name}-project-image`, { image: args.image, repositoryName: args.serviceName }, parent)
            : args.image;
        const image = pulumi.output(projectImage.image);
        const ecrRepositoryArn = projectImage.ecrRepositoryArn;

        // Task role: what the autoscaler itself calls.
        const onCluster = { ArnEquals: { "ecs:cluster": args.cluster.clusterArn } };
        if (args.scaled.length === 0) throw new Error("scaled: the queue autoscaler needs at least one service to scale");
        const worker = args.scaled[0]!;
        // Exactly the scaled services and their queues.
        // Each ARN once (two services may consume one queue); a lone one as a string, as IAM writes it.
        const distinct = (arns: pulumi.Input<string>[]) => pulumi.all(arns).apply((a) => {
            const unique = [...new Set(a)];
            return unique.length === 1 ? unique[0]! : unique;
        });
        const serviceArns = distinct(args.scaled.map((w) => w.serviceArn));
        const queueArns = distinct(args.scaled.flatMap((w) => w.queues.map((q) => q.arn)));
        const statements: pulumi.Input<object>[] = [
            { Sid: "ReadWorker", Effect: "Allow", Action: ["ecs:DescribeServices", "ecs:ListTagsForResource"], Resource: serviceArns },
            // The desired count only: a request that sets any other parameter (a task definition, network,
            // capacity provider, size, execute-command...) is refused (aws/ecs-iam.ts).
            { Sid: "ScaleWorker", Effect: "Allow", Action: "ecs:UpdateService", Resource: serviceArns, Condition: DESIRED_COUNT_ONLY },
            // What the autoscaler last did (and a drain's restore count) is kept in tags on the worker
            // service, so a restarted autoscaler finds it; only tag keys of its own prefix, and at least one.
            {
                Sid: "KeepStateOnWorker",
                Effect: "Allow",
                Action: ["ecs:TagResource", "ecs:UntagResource"],
                Resource: serviceArns,
                Condition: { "ForAllValues:StringLike": { "aws:TagKeys": [`${STATE_TAG_PREFIX}*`] }, Null: { "aws:TagKeys": "false" } },
            },
            { Sid: "ReadQueue", Effect: "Allow", Action: "sqs:GetQueueAttributes", Resource: queueArns },
            // GetMetricData has no resource-level permissions (AWS authorises it only on "*"); it is read-only.
            // (No PutMetricData: the stack's autoscaler watches an SQS queue, whose depth SQS publishes itself;
            // only a RabbitMQ source publishes, and the stack deploys none.)
            { Sid: "ReadMetrics", Effect: "Allow", Action: "cloudwatch:GetMetricData", Resource: "*", Condition: inRegion(region) },
        ];
        if (settings.chaosAllowed === true) {
            statements.push(
                // stop-task picks a worker task. ListTasks without a container instance (every Fargate
                // task) is authorised on "*", so it is granted on "*" for this cluster only (the form
                // aws-cdk grants since aws-cdk#3199).
                { Sid: "ChaosListTasks", Effect: "Allow", Action: "ecs:ListTasks", Resource: "*", Condition: onCluster },
                // DescribeTasks and StopTask on the cluster's tasks, in the form the ECS developer guide's
                // identity-based policy examples use (task ARNs of the cluster, ecs:cluster condition). The
                // code stops only tasks whose group is the worker service's (runtime/autoscaler/chaos/stop-task.ts).
                {
                    Sid: "ChaosStopWorkerTasks",
                    Effect: "Allow",
                    Action: ["ecs:DescribeTasks", "ecs:StopTask"],
                    Resource: pulumi.interpolate`arn:${partition}:ecs:${region}:${account}:task/${clusterName}/*`,
                    Condition: onCluster,
                },
                // partition adds an expiring Deny for the worker role to the worker queue's policy, then
                // removes it. IAM has no condition key for which attribute SetQueueAttributes changes, so
                // this is the whole queue's attributes, of this queue only; the statement's own expiry
                // bounds the harm.
                { Sid: "ChaosPartitionQueue", Effect: "Allow", Action: "sqs:SetQueueAttributes", Resource: worker.queues[0]!.arn },
            );
        }

        const resolved = pulumi.all(args.scaled.map((w) => pulumi.all([w.serviceName, pulumi.all(w.queues.map((q) => q.url))])
            .apply(([serviceName, queueUrls]): ResolvedScaledService => ({ serviceName, queueUrls, settings: w.settings }))));
        const environment = pulumi.all([clusterName, worker.taskRoleArn, region, resolved])
            .apply(([cluster, workerRoleArn, r, services]) =>
                Object.fromEntries(autoscalerEnvironment(settings, { clusterName: cluster, workerRoleArn, region: r, services })
                    .map((e) => [e.name, e.value])));

        this.fargate = new FargateService(`${name}-fargate`, {
            serviceName: args.serviceName,
            cluster: args.cluster,
            cpu: TASK_CPU,
            memory: TASK_MEMORY,
            container: {
                name: CONTAINER_NAME,
                image,
                ecrRepositoryArn,
                entryPoint: CONTAINER_ENTRY_POINT,
                command: CONTAINER_COMMAND,
                environment,
                // The image's own unprivileged user (Dockerfile: USER node); the bundle writes nothing to disk.
                user: CONTAINER_USER,
                readonlyRootFilesystem: true,
                healthCheck: { command: HEALTH_CHECK_COMMAND, interval: 15, timeout: 5, retries: 3, startPeriod: 30 },
            },
            vpcId: args.vpcId,
            subnetIds: args.subnetIds,
            assignPublicIp: args.assignPublicIp,
            logRetentionDays: args.logRetentionDays,
            // On-demand Fargate: a Spot interruption would stop the scaler when it is needed most.
            capacityStrategy: [{ provider: "FARGATE", base: 1, weight: 1 }],
            // Exactly one scaler. Not autoscaled, so the stack owns the count: `pulumi up --refresh` puts a
            // drifted count back to 1.
            desiredCount: 1,
            desiredCountOwnedElsewhere: false,
            // 0 % / 100 %: a deployment stops the old task before it starts the new one, so two scalers
            // never run at once and never fight over the worker's desired count.
            deployment: { minimumHealthyPercent: 0, maximumPercent: 100 },
            taskPolicyStatements: statements,
        }, parent);

        this.serviceName = this.fargate.serviceName;
        this.serviceArn = this.fargate.serviceArn;
        this.taskRoleArn = this.fargate.taskRoleArn;
        this.image = image;
        this.registerOutputs({
            serviceName: this.serviceName,
            serviceArn: this.serviceArn,
            taskRoleArn: this.taskRoleArn,
            image: this.image,
        });
    }
}
