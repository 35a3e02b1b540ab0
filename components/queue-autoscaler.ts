/**
 * The queue-driven autoscaler as an ECS Fargate service of its own: one task that polls the work queue
 * every few seconds and sets the worker service's desired count (runtime/autoscaler, entry
 * cli/autoscale.ts). Its task role may touch exactly the worker service, the queue and the project's
 * metric namespace; the failure simulations get their extra permissions only when the stack allows them.
 */
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { AutoscalerConfig } from "../config/load";
import { PROJECT_NAMESPACE } from "../scaling/metric-series";
import { parseEcrImageUri } from "./ecr-image-uri";
import { ECS_TASKS_ASSUME_ROLE_POLICY, ecrPullStatements, writeLogsStatement } from "./task-iam";

/** The repository root: the Docker build context, holding the Dockerfile that packages the runtime. */
export const BUILD_CONTEXT = path.resolve(__dirname, "..");

/** Container name inside the task definition. */
export const CONTAINER_NAME = "autoscaler";

/** Fargate size of the autoscaler task: it polls one queue and calls a few AWS APIs. */
export const TASK_CPU = 256;
export const TASK_MEMORY = 512;

/**
 * The container health check. It runs inside the task, so the security group needs no ingress; it uses
 * the fetch built into Node 20, because the slim image has no curl or wget.
 */
export const HEALTH_CHECK_COMMAND = [
    "CMD-SHELL",
    "node -e \"fetch('http://127.0.0.1:'+process.env.HEALTH_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))\"",
];

export interface QueueAutoscalerArgs {
    /** The validated `autoscaler` config, with the scaled service's bounds (config/load.ts). */
    readonly settings: AutoscalerConfig;
    /** Physical name of the autoscaler's own ECS service (`names.autoscalerService`); also the task family and log group suffix. */
    readonly serviceName: string;
    /** Name of the cluster both the worker and the autoscaler run in. */
    readonly clusterName: pulumi.Input<string>;
    /** ARN of that cluster; the task-level permissions are conditioned on it. */
    readonly clusterArn: pulumi.Input<string>;
    /** The service the autoscaler scales, and the task role its tasks run with (the partition simulation denies that role the queue). */
    readonly worker: { readonly serviceName: pulumi.Input<string>; readonly serviceArn: pulumi.Input<string>; readonly taskRoleArn: pulumi.Input<string> };
    /** The work queue whose depth drives the scaling. */
    readonly queue: { readonly url: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
    /** VPC of the task's security group. */
    readonly vpcId: pulumi.Input<string>;
    /** Subnets of the task; they need a route to the AWS APIs (NAT gateway, or public IP). */
    readonly subnetIds: pulumi.Input<string[]>;
    /** Give the task a public IP (subnets without a NAT route). */
    readonly assignPublicIp: boolean;
    /** Retention of the `/ecs/<serviceName>` log group, in days. */
    readonly logRetentionDays: number;
}

/** What the task definition's environment is built from, besides the settings. */
export interface AutoscalerEnvironmentRefs {
    readonly clusterName: string;
    readonly workerServiceName: string;
    readonly workerRoleArn: string;
    readonly queueUrl: string;
    readonly region: string;
}

/**
 * The container's environment, in the names cli/autoscale.ts reads: every value a string, sorted by
 * name so that the task definition does not change when nothing did.
 */
export function autoscalerEnvironment(s: AutoscalerConfig, refs: AutoscalerEnvironmentRefs): { name: string; value: string }[] {
    const fs = s.failureSimulation;
    const env: Record<string, string | number | boolean> = {
        AWS_REGION: refs.region,
        CHAOS_ALLOWED: fs.allowed,
        CHAOS_DRAIN_ENABLED: fs.drain.enabled,
        CHAOS_DRAIN_INTERVAL: fs.drain.intervalSeconds,
        CHAOS_PARTITION_DURATION: fs.partition.durationSeconds,
        CHAOS_PARTITION_ENABLED: fs.partition.enabled,
        CHAOS_PARTITION_INTERVAL: fs.partition.intervalSeconds,
        CHAOS_STOP_TASK_ENABLED: fs.stopTask.enabled,
        CHAOS_STOP_TASK_INTERVAL: fs.stopTask.intervalSeconds,
        CLUSTER: refs.clusterName,
        COUNT_IN_FLIGHT: s.countInFlight,
        HEALTH_PORT: s.healthPort,
        INTERVAL: s.intervalSeconds,
        MAX: s.maxCapacity,
        MIN: s.minCapacity,
        OLDEST_MESSAGE_WARNING: s.oldestMessageWarningSeconds,
        QUEUE_URL: refs.queueUrl,
        SCALE_DOWN_COOLDOWN: s.scaleDownCooldownSeconds,
        SCALE_DOWN_STEP: s.scaleDownStep,
        SCALE_DOWN_THRESHOLD: s.scaleDownThreshold,
        SCALE_UP_COOLDOWN: s.scaleUpCooldownSeconds,
        SCALE_UP_THRESHOLD: s.scaleUpThreshold,
        SERVICE: refs.workerServiceName,
        WORKER_ROLE_ARN: refs.workerRoleArn,
    };
    return Object.keys(env).sort().map((name) => ({ name, value: String(env[name]) }));
}

export class QueueAutoscaler extends pulumi.ComponentResource {
    /** Physical name of the autoscaler's ECS service. */
    public readonly serviceName: pulumi.Output<string>;
    public readonly serviceArn: pulumi.Output<string>;
    /** The role the autoscaler's task calls AWS with. */
    public readonly taskRoleArn: pulumi.Output<string>;
    /** The image the task runs: `settings.image`, or `<repository>@<digest>` of the image built at deploy time. */
    public readonly image: pulumi.Output<string>;

    constructor(name: string, args: QueueAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validated before anything is registered, so invalid arguments leave no half-built component.
        validate(args);
        super("ecs-autoscaling:ecs:QueueAutoscaler", name, {}, opts);
        const s = args.settings;
        const fs = s.failureSimulation;
        const parent = { parent: this };

        const partition = aws.getPartitionOutput({}, parent).partition;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const region = aws.getRegionOutput({}, parent).region;

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/ecs/${args.serviceName}`,
            retentionInDays: args.logRetentionDays,
        }, parent);

        // The image: a prebuilt one from config, or the repository's Dockerfile built and pushed now.
        let image: pulumi.Output<string>;
        let pullStatements: pulumi.Input<object>[];
        if (s.image !== undefined) {
            image = pulumi.output(s.image);
            // A private ECR image needs pull rights on its repository; public registries need none.
            const ecr = parseEcrImageUri(s.image);
            pullStatements = ecr === undefined ? [] : ecrPullStatements(ecr.repositoryArn);
        } else {
            // Tags are MUTABLE because every build pushes the same `latest` tag; what runs is pinned by
            // digest below, so a moved tag never changes a running or future task. An immutable tag
            // would have to be unique per build, and the repository would keep every build's tag forever.
            const repository = new aws.ecr.Repository(`${name}-images`, {
                name: args.serviceName,
                imageTagMutability: "MUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                // The repository holds only this stack's builds; destroying the stack removes them.
                forceDelete: true,
            }, parent);
            new aws.ecr.LifecyclePolicy(`${name}-images-expiry`, {
                repository: repository.name,
                policy: JSON.stringify({
                    rules: [{
                        rulePriority: 1,
                        description: "Keep the 10 most recent untagged images (earlier builds, for rollback)",
                        selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 10 },
                        action: { type: "expire" },
                    }],
                }),
            }, parent);
            const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, parent);
            const built = new dockerBuild.Image(`${name}-image`, {
                context: { location: BUILD_CONTEXT },
                dockerfile: { location: path.join(BUILD_CONTEXT, "Dockerfile") },
                // Fargate tasks run on X86_64 (runtimePlatform below), whatever machine runs `pulumi up`.
                platforms: ["linux/amd64"],
                push: true,
                tags: [pulumi.interpolate`${repository.repositoryUrl}:latest`],
                registries: [{
                    address: repository.repositoryUrl.apply((url) => url.split("/")[0]),
                    username: token.userName,
                    password: pulumi.secret(token.password),
                }],
            }, parent);
            image = pulumi.interpolate`${repository.repositoryUrl}@${built.digest}`;
            pullStatements = ecrPullStatements(repository.arn);
        }

        // Execution role: what the ECS agent needs to start the task (pull the image, write the logs).
        const executionRole = new aws.iam.Role(`${name}-execution`, {
            assumeRolePolicy: ECS_TASKS_ASSUME_ROLE_POLICY,
        }, parent);
        const executionPolicy = new aws.iam.RolePolicy(`${name}-execution`, {
            role: executionRole.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    writeLogsStatement(logGroup.arn),
                    ...pullStatements,
                ],
            }),
        }, parent);

        // Task role: what the autoscaler itself calls.
        const taskRole = new aws.iam.Role(`${name}-task`, {
            assumeRolePolicy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Service: "ecs-tasks.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    // Only ECS tasks of this account may assume it (confused-deputy guard).
                    Condition: {
                        ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:ecs:${region}:${account}:*` },
                        StringEquals: { "aws:SourceAccount": account },
                    },
                }],
            }),
        }, parent);
        const onCluster = { ArnEquals: { "ecs:cluster": args.clusterArn } };
        const statements: pulumi.Input<object>[] = [
            { Sid: "ScaleWorker", Effect: "Allow", Action: ["ecs:DescribeServices", "ecs:UpdateService"], Resource: args.worker.serviceArn },
            { Sid: "ReadQueue", Effect: "Allow", Action: "sqs:GetQueueAttributes", Resource: args.queue.arn },
            // GetMetricData has no resource-level permissions (AWS authorises it only on "*"); it is read-only.
            { Sid: "ReadMetrics", Effect: "Allow", Action: "cloudwatch:GetMetricData", Resource: "*" },
            // PutMetricData takes only "*"; the namespace condition keeps it to the project's own metrics.
            {
                Sid: "PublishMetrics",
                Effect: "Allow",
                Action: "cloudwatch:PutMetricData",
                Resource: "*",
                Condition: { StringEquals: { "cloudwatch:namespace": PROJECT_NAMESPACE } },
            },
        ];
        if (fs.allowed) {
            statements.push(
                // stop-task picks a worker task: ListTasks is authorised on container instances, the others on tasks.
                {
                    Sid: "ChaosListTasks",
                    Effect: "Allow",
                    Action: "ecs:ListTasks",
                    Resource: pulumi.interpolate`arn:${partition}:ecs:${region}:${account}:container-instance/${args.clusterName}/*`,
                    Condition: onCluster,
                },
                {
                    Sid: "ChaosStopTasks",
                    Effect: "Allow",
                    Action: ["ecs:DescribeTasks", "ecs:StopTask"],
                    Resource: pulumi.interpolate`arn:${partition}:ecs:${region}:${account}:task/${args.clusterName}/*`,
                    Condition: onCluster,
                },
                // partition rewrites the queue policy to deny the worker role, then restores it.
                { Sid: "ChaosPartitionQueue", Effect: "Allow", Action: "sqs:SetQueueAttributes", Resource: args.queue.arn },
            );
        }
        const taskPolicy = new aws.iam.RolePolicy(`${name}-task`, {
            role: taskRole.id,
            policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }),
        }, parent);

        // No ingress at all: the health check runs inside the task. Egress: HTTPS to the AWS APIs.
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: `${args.serviceName}: no ingress; HTTPS egress to AWS APIs`,
            ingress: [],
            egress: [{ description: "AWS APIs", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
        }, parent);

        const environment = pulumi.all([args.clusterName, args.worker.serviceName, args.worker.taskRoleArn, args.queue.url, region])
            .apply(([clusterName, workerServiceName, workerRoleArn, queueUrl, r]) =>
                autoscalerEnvironment(s, { clusterName, workerServiceName, workerRoleArn, queueUrl, region: r }));

        const taskDefinition = new aws.ecs.TaskDefinition(`${name}-task`, {
            family: args.serviceName,
            cpu: String(TASK_CPU),
            memory: String(TASK_MEMORY),
            networkMode: "awsvpc",
            requiresCompatibilities: ["FARGATE"],
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
            executionRoleArn: executionRole.arn,
            taskRoleArn: taskRole.arn,
            containerDefinitions: pulumi.jsonStringify([{
                name: CONTAINER_NAME,
                image,
                essential: true,
                memory: TASK_MEMORY,
                readonlyRootFilesystem: true,
                environment,
                healthCheck: { command: HEALTH_CHECK_COMMAND, interval: 15, timeout: 5, retries: 3, startPeriod: 30 },
                logConfiguration: {
                    logDriver: "awslogs",
                    options: { "awslogs-group": logGroup.name, "awslogs-region": region, "awslogs-stream-prefix": CONTAINER_NAME },
                },
            }]),
        }, parent);

        const service = new aws.ecs.Service(`${name}-service`, {
            name: args.serviceName,
            cluster: args.clusterArn,
            taskDefinition: taskDefinition.arn,
            // Exactly one scaler. Not autoscaled, so unlike the scaled services desiredCount is not ignored:
            // `pulumi up --refresh` puts a drifted count back to 1.
            desiredCount: 1,
            // On-demand Fargate: a Spot interruption would stop the scaler when it is needed most.
            capacityProviderStrategies: [{ capacityProvider: "FARGATE", base: 1, weight: 1 }],
            networkConfiguration: {
                subnets: args.subnetIds,
                securityGroups: [securityGroup.id],
                assignPublicIp: args.assignPublicIp,
            },
            // 0 % / 100 %: a deployment stops the old task before it starts the new one, so two scalers
            // never run at once and never fight over the worker's desired count.
            deploymentMinimumHealthyPercent: 0,
            deploymentMaximumPercent: 100,
            deploymentCircuitBreaker: { enable: true, rollback: true },
            propagateTags: "SERVICE",
        }, { parent: this, dependsOn: [executionPolicy, taskPolicy] });

        this.serviceName = service.name;
        this.serviceArn = service.arn;
        this.taskRoleArn = taskRole.arn;
        this.image = image;
        this.registerOutputs({
            serviceName: this.serviceName,
            serviceArn: this.serviceArn,
            taskRoleArn: this.taskRoleArn,
            image: this.image,
        });
    }
}

function validate(args: QueueAutoscalerArgs): void {
    const s = args.settings;
    if (args.serviceName.trim() === "") {
        throw new Error("serviceName must not be empty (it names the ECS service, the task family and the log group)");
    }
    if (s.minCapacity > s.maxCapacity) {
        throw new Error(`settings.minCapacity (${s.minCapacity}) should be lower than settings.maxCapacity (${s.maxCapacity})`);
    }
    if (s.scaleDownThreshold >= s.scaleUpThreshold) {
        throw new Error(`settings.scaleDownThreshold (${s.scaleDownThreshold}) should be lower than settings.scaleUpThreshold (${s.scaleUpThreshold})`);
    }
    if (s.image !== undefined && s.image.trim() === "") {
        throw new Error("settings.image must not be empty; leave it unset to build the image from the Dockerfile");
    }
    for (const k of ["stopTask", "drain", "partition"] as const) {
        if (s.failureSimulation[k].enabled && !s.failureSimulation.allowed) {
            throw new Error(`settings.failureSimulation.${k}.enabled is true but settings.failureSimulation.allowed is false; the stack must allow failure simulation first`);
        }
    }
}
