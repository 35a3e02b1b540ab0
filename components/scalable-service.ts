/**
 * A configured service (one key under `services`): a FargateService built from its validated config,
 * with ServiceScaling attached from its scaling plan. It only maps config to the two components' args;
 * the resources are theirs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ServiceConfig } from "../config/load";
import { QUEUE_URL_ENV } from "../config/load";
import { CapacityProviderStrategyItem, FargateService, FargateServiceArgs } from "./fargate-service";
import { ProjectImageRef } from "./project-image";
import { throwIfAny } from "./input-errors";
import { ServiceScaling } from "./service-scaling";

export { describeStepPolicy } from "./service-scaling";
export { targetGroupName } from "./fargate-service";

export interface ScalableServiceArgs extends Pick<FargateServiceArgs, "cluster" | "vpcId" | "subnetIds" | "assignPublicIp" | "logRetentionDays"> {
    /** The validated service config, including its scaling plan, physical name and config key. Required. */
    readonly service: ServiceConfig;
    /** Cluster default strategy; service.capacityStrategy overrides it. Required. */
    readonly capacityStrategy: readonly CapacityProviderStrategyItem[];
    /** The listener services attach their rules to, the ALB's security group and ARN suffix. Required when service.loadBalancer is set. */
    readonly loadBalancer?: {
        readonly listenerArn: pulumi.Input<string>;
        readonly securityGroupId: pulumi.Input<string>;
        readonly arnSuffix: pulumi.Input<string>;
    };
    /** The queue the service consumes. Required when service.consumesQueue is set. */
    readonly queue?: { readonly arn: pulumi.Input<string>; readonly url: pulumi.Input<string> };
    /** The stack's project image (components/project-image.ts). Required when service.workload is set. */
    readonly projectImage?: ProjectImageRef;
}

export { QUEUE_URL_ENV };

export class ScalableService extends pulumi.ComponentResource {
    readonly fargate: FargateService;
    readonly scaling: ServiceScaling;
    readonly serviceName: pulumi.Output<string>;
    readonly serviceArn: pulumi.Output<string>;
    readonly taskRoleArn: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly targetGroup?: aws.lb.TargetGroup;

    constructor(name: string, args: ScalableServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        checkArgs(args);
        super("ecs-autoscaling:ecs:ScalableService", name, {}, opts);
        const svc = args.service;
        const lb = svc.loadBalancer && args.loadBalancer;
        const queue = svc.consumesQueue ? args.queue : undefined;
        // A built-in workload runs the project image with its `autoscale` subcommand, pulled from the project repository only.
        const builtin = svc.workload !== undefined ? args.projectImage : undefined;
        const statements: pulumi.Input<object>[] = queue ? [{
            Sid: "ConsumeWorkQueue",
            Effect: "Allow",
            Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
            Resource: queue.arn,
        }] : [];
        if (svc.workload === "worker") {
            // The worker protects its task from scale-in while it holds a message (runtime/worker/task-protection.ts);
            // the ECS agent endpoint calls these with the task role, on the tasks of this cluster.
            const partition = aws.getPartitionOutput({}, { parent: this }).partition;
            const region = aws.getRegionOutput({}, { parent: this }).region;
            const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
            statements.push({
                Sid: "ProtectOwnTasks",
                Effect: "Allow",
                Action: ["ecs:GetTaskProtection", "ecs:UpdateTaskProtection"],
                Resource: pulumi.interpolate`arn:${partition}:ecs:${region}:${account}:task/${args.cluster.clusterName}/*`,
            });
        }

        this.fargate = new FargateService(`${name}-fargate`, {
            serviceName: svc.name,
            cluster: args.cluster,
            cpu: svc.cpu,
            memory: svc.memory,
            container: {
                name: svc.key,
                ...(builtin ? { image: builtin.image, ecrRepositoryArn: builtin.ecrRepositoryArn, command: svc.command } : { image: svc.image! }),
                port: svc.containerPort,
                environment: queue ? { ...svc.environment, [QUEUE_URL_ENV]: queue.url } : svc.environment,
                secrets: svc.secrets,
                secretsKmsKeyArn: svc.secretsKmsKeyArn,
                user: svc.user,
                readonlyRootFilesystem: svc.readonlyRootFilesystem,
            },
            vpcId: args.vpcId,
            subnetIds: args.subnetIds,
            assignPublicIp: args.assignPublicIp,
            logRetentionDays: args.logRetentionDays,
            capacityStrategy: svc.capacityStrategy ?? args.capacityStrategy,
            // The initial count only; Application Auto Scaling owns it afterwards.
            desiredCount: svc.plan.minCapacity,
            taskPolicyStatements: statements,
            loadBalancer: svc.loadBalancer && lb ? {
                listenerArn: lb.listenerArn,
                securityGroupId: lb.securityGroupId,
                pathPatterns: svc.loadBalancer.pathPatterns,
                priority: svc.loadBalancer.priority,
                healthCheckPath: svc.loadBalancer.healthCheckPath,
            } : undefined,
        }, { parent: this });

        const targetGroup = this.fargate.targetGroup;
        this.scaling = new ServiceScaling(`${name}-scaling`, {
            service: this.fargate,
            physicalName: svc.name,
            plan: svc.plan,
            loadBalancer: lb && targetGroup ? { arnSuffix: lb.arnSuffix, targetGroupArnSuffix: targetGroup.arnSuffix } : undefined,
        }, { parent: this });

        this.serviceName = this.fargate.serviceName;
        this.serviceArn = this.fargate.serviceArn;
        this.taskRoleArn = this.fargate.taskRoleArn;
        this.securityGroupId = this.fargate.securityGroupId;
        this.targetGroup = targetGroup;
        this.registerOutputs({
            serviceName: this.serviceName,
            serviceArn: this.serviceArn,
            taskRoleArn: this.taskRoleArn,
            securityGroupId: this.securityGroupId,
        });
    }
}

/** The caller's wiring: the resources config names but cannot create (config/ checked everything else). */
function checkArgs(args: ScalableServiceArgs): void {
    const svc = args.service;
    const errors: pulumi.InputPropertyErrorDetails[] = [];
    if (svc.loadBalancer && !args.loadBalancer) {
        errors.push({ propertyPath: "loadBalancer", reason: `is required because services.${svc.key}.loadBalancer is set (the listener rule, target group and security group rules need the listener ARN, the ALB security group and the ALB ARN suffix)` });
    }
    if (svc.consumesQueue && !args.queue) {
        errors.push({ propertyPath: "queue", reason: `is required because services.${svc.key}.consumesQueue is set (the task role is granted that queue and no other)` });
    }
    if (svc.workload !== undefined && !args.projectImage) {
        errors.push({ propertyPath: "projectImage", reason: `is required because services.${svc.key}.workload is set (the workload runs the project image)` });
    }
    throwIfAny(`ScalableService ${svc.key}`, errors);
}
