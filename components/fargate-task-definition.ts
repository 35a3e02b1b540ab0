/**
 * The task definition of one Fargate service, in the shape of awsx's FargateTaskDefinition: its log
 * group, the execution role (what ECS needs to start the task) and the task role (what the workload's
 * code may do), each with its policy, and the task definition with its one container.
 * FargateService (fargate-service.ts) builds one per service.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseEcrImageUri } from "./ecr-image-uri";
import { ecrPullStatements, ecsTasksAssumeRolePolicy, readSecretsStatements, writeLogsStatement } from "./task-iam";

/** Container-level health check, as in an ECS container definition (seconds). */
export interface ContainerHealthCheck {
    readonly command: readonly string[];
    readonly interval: number;
    readonly timeout: number;
    readonly retries: number;
    readonly startPeriod: number;
}

export interface FargateContainerArgs {
    /** Container name in the task definition, also the awslogs stream prefix and the target group's container. Required. */
    readonly name: string;
    /** Image reference. Required. */
    readonly image: pulumi.Input<string>;
    /**
     * ECR repository the execution role may pull from. Defaults to the repository of `image` when `image`
     * is a private ECR reference given as a plain string; otherwise nothing may be pulled from ECR.
     */
    readonly ecrRepositoryArn?: pulumi.Input<string>;
    /** Container entry point, replacing the image's ENTRYPOINT. Defaults to the image's own. */
    readonly entryPoint?: readonly string[];
    /** Container command, the arguments to the image's entrypoint. Defaults to the image's own CMD. */
    readonly command?: readonly string[];
    /** Port the container listens on. Required when `loadBalancer` is set; defaults to none. */
    readonly port?: number;
    /** Plain environment variables, passed sorted by name. Defaults to none. Never a secret: see `secrets`. */
    readonly environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Environment variable name -> Secrets Manager secret or SSM parameter ARN. ECS reads each when it
     * starts the task and sets it in the container; the execution role may read exactly these. Defaults to none.
     */
    readonly secrets?: Readonly<Record<string, string>>;
    /** Customer managed KMS key the secrets are encrypted with; the execution role gets kms:Decrypt on it. Defaults to none (AWS managed keys need no grant). */
    readonly secretsKmsKeyArn?: string;
    /** User the container runs as (`uid`, `uid:gid`, `user` or `user:group`). Defaults to the image's own USER. */
    readonly user?: string;
    /** Mount the container's root filesystem read-only. Defaults to true. */
    readonly readonlyRootFilesystem?: boolean;
    /** Health check ECS runs inside the container. Defaults to none. */
    readonly healthCheck?: ContainerHealthCheck;
}

export interface FargateTaskDefinitionArgs {
    /** Task family; also the `/ecs/<family>` log group and the roles' descriptions. Required. */
    readonly family: string;
    /** Fargate CPU units and memory (MiB) of the task: a pair Fargate offers. Required. */
    readonly cpu: number;
    readonly memory: number;
    /** The task's one container. Required. */
    readonly container: FargateContainerArgs;
    /** Retention of the log group, in days (a value CloudWatch Logs accepts). Required. */
    readonly logRetentionDays: number;
    /** Statements of the task role's policy: what the workload's own code may call. Defaults to none (no policy). */
    readonly taskPolicyStatements?: pulumi.Input<object>[];
}

export class FargateTaskDefinition extends pulumi.ComponentResource {
    readonly taskDefinition: aws.ecs.TaskDefinition;
    readonly taskDefinitionArn: pulumi.Output<string>;
    readonly taskRoleArn: pulumi.Output<string>;
    readonly executionRoleArn: pulumi.Output<string>;
    /** The role policies: a service starts only once they exist. */
    readonly policies: pulumi.Resource[];

    constructor(name: string, args: FargateTaskDefinitionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:ecs:FargateTaskDefinition", name, {}, opts);
        // These resources were children of the FargateService itself before this component existed:
        // the alias keeps their URNs, so a stack deployed then keeps them instead of replacing them.
        const parent = { parent: this, aliases: [{ parent: opts?.parent ?? pulumi.rootStackResource }] };
        const c = args.container;
        // Defaults, in one place.
        const environment = c.environment ?? {};
        const secrets = c.secrets ?? {};
        const readonlyRootFilesystem = c.readonlyRootFilesystem ?? true;
        const taskPolicyStatements = args.taskPolicyStatements ?? [];
        const ecrRepositoryArn = c.ecrRepositoryArn
            ?? (typeof c.image === "string" ? parseEcrImageUri(c.image)?.repositoryArn : undefined);

        const scope = {
            partition: aws.getPartitionOutput({}, { parent: this }).partition,
            region: aws.getRegionOutput({}, { parent: this }).region,
            accountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
        };

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/ecs/${args.family}`,
            retentionInDays: args.logRetentionDays,
        }, { ...parent, deleteBeforeReplace: true });

        // Execution role: what ECS itself needs to start the task (pull the image, ship its logs, read its secrets).
        const executionRole = new aws.iam.Role(`${name}-execution-role`, {
            assumeRolePolicy: ecsTasksAssumeRolePolicy(scope),
            description: `ECS task execution role of ${args.family}`,
        }, parent);
        const executionPolicy = new aws.iam.RolePolicy(`${name}-execution-policy`, {
            role: executionRole.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    writeLogsStatement(logGroup.arn),
                    ...(ecrRepositoryArn !== undefined ? ecrPullStatements(ecrRepositoryArn, scope.region) : []),
                    ...readSecretsStatements(Object.values(secrets), c.secretsKmsKeyArn),
                ],
            }),
        }, parent);

        // Task role: what the workload's own code may do. One per workload; no policy unless it needs one.
        const taskRole = new aws.iam.Role(`${name}-task-role`, {
            assumeRolePolicy: ecsTasksAssumeRolePolicy(scope),
            description: `ECS task role of ${args.family}`,
        }, parent);
        const taskPolicy = taskPolicyStatements.length > 0 ? new aws.iam.RolePolicy(`${name}-task-policy`, {
            role: taskRole.id,
            policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: taskPolicyStatements }),
        }, parent) : undefined;

        const environmentList = pulumi.output(environment).apply((env) =>
            Object.keys(env).sort().map((envName) => ({ name: envName, value: env[envName] })));
        const secretList = Object.keys(secrets).sort().map((envName) => ({ name: envName, valueFrom: secrets[envName] }));

        this.taskDefinition = new aws.ecs.TaskDefinition(`${name}-task-definition`, {
            family: args.family,
            networkMode: "awsvpc",
            requiresCompatibilities: ["FARGATE"],
            cpu: String(args.cpu),
            memory: String(args.memory),
            executionRoleArn: executionRole.arn,
            taskRoleArn: taskRole.arn,
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
            containerDefinitions: pulumi.jsonStringify([{
                name: c.name,
                image: c.image,
                ...(c.entryPoint !== undefined ? { entryPoint: [...c.entryPoint] } : {}),
                ...(c.command !== undefined ? { command: [...c.command] } : {}),
                essential: true,
                // Container-level hard limit equal to the task's memory: Fargate does not need it, but
                // moto rejects a container definition without memory or memoryReservation.
                memory: args.memory,
                ...(c.user !== undefined ? { user: c.user } : {}),
                readonlyRootFilesystem,
                ...(c.port !== undefined ? { portMappings: [{ containerPort: c.port, protocol: "tcp" }] } : {}),
                environment: environmentList,
                ...(secretList.length > 0 ? { secrets: secretList } : {}),
                ...(c.healthCheck ? { healthCheck: c.healthCheck } : {}),
                logConfiguration: {
                    logDriver: "awslogs",
                    options: {
                        "awslogs-group": logGroup.name,
                        "awslogs-region": scope.region,
                        "awslogs-stream-prefix": c.name,
                    },
                },
            }]),
        }, parent);

        this.taskDefinitionArn = this.taskDefinition.arn;
        this.taskRoleArn = taskRole.arn;
        this.executionRoleArn = executionRole.arn;
        this.policies = [executionPolicy, ...(taskPolicy ? [taskPolicy] : [])];
        this.registerOutputs({
            taskDefinitionArn: this.taskDefinitionArn,
            taskRoleArn: this.taskRoleArn,
            executionRoleArn: this.executionRoleArn,
        });
    }
}
