/**
 * One scaled ECS service: a FargateService with ServiceScaling attached from its scaling plan, the task
 * role granted the queue it consumes and, for a worker that protects its tasks, the task-protection
 * calls. Its args are its own; the program maps each configured service to them (program/component-args.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ServiceScalingPlan } from "../scaling/plan";
import { FargateRoute, FargateService, FargateServiceArgs } from "./fargate-service";
import { ServiceScaling } from "./service-scaling";

export { describeStepPolicy } from "./service-scaling";
export { targetGroupName } from "./fargate-service";

/** The load balancer a service is routed from: the listener rule's settings, and the ALB's ARN suffix. */
export interface ScalableServiceRoute extends FargateRoute {
    /** The load balancer's ARN suffix: with the target group's, the resource label of an ALBRequestCountPerTarget policy. Required. */
    readonly arnSuffix: pulumi.Input<string>;
}

/** A queue the service consumes. */
export interface ConsumedQueue {
    /** The queue's ARN: the task role may receive, delete and change the visibility of its messages, and read its attributes. Required. */
    readonly arn: pulumi.Input<string>;
    /** The queue's URL, set in the container's environment under `urlVariable`. Required. */
    readonly url: pulumi.Input<string>;
    /** Name of the environment variable the workload reads the URL from. Required. */
    readonly urlVariable: string;
}

export interface ScalableServiceArgs extends Pick<FargateServiceArgs,
    "serviceName" | "cluster" | "cpu" | "memory" | "container" | "vpcId" | "subnetIds" | "assignPublicIp" | "logRetentionDays" | "capacityStrategy"> {
    /**
     * Bounds and policies (scaling/plan.ts): ServiceScaling registers them, and the service starts with
     * `plan.minCapacity` tasks (Application Auto Scaling owns the count afterwards). Required.
     */
    readonly plan: ServiceScalingPlan;
    /**
     * Route from the load balancer to the container port: target group, listener rule, ingress from the
     * load balancer's security group.
     * @default none (no target group, no ingress)
     */
    readonly loadBalancer?: ScalableServiceRoute;
    /**
     * The queue the workload consumes: the task role is granted that queue and no other, and the
     * container is told its URL.
     * @default none (no queue permission)
     */
    readonly queue?: ConsumedQueue;
    /**
     * Let the task protect itself from scale-in (ecs:GetTaskProtection and ecs:UpdateTaskProtection on
     * the tasks of `cluster`), as the built-in worker does while it holds a message.
     * @default false
     */
    readonly protectsTasks?: boolean;
}

export class ScalableService extends pulumi.ComponentResource {
    readonly fargate: FargateService;
    readonly scaling: ServiceScaling;
    readonly serviceName: pulumi.Output<string>;
    readonly serviceArn: pulumi.Output<string>;
    readonly taskRoleArn: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly targetGroup?: aws.lb.TargetGroup;

    constructor(name: string, args: ScalableServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:ecs:ScalableService", name, {}, opts);
        const lb = args.loadBalancer;
        const queue = args.queue;
        const statements: pulumi.Input<object>[] = queue ? [{
            Sid: "ConsumeWorkQueue",
            Effect: "Allow",
            Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
            Resource: queue.arn,
        }] : [];
        if (args.protectsTasks ?? false) {
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
        const environment = queue
            ? pulumi.all([pulumi.output(args.container.environment ?? {}), queue.url]).apply(([env, url]) => ({ ...env, [queue.urlVariable]: url }))
            : args.container.environment;

        this.fargate = new FargateService(`${name}-fargate`, {
            serviceName: args.serviceName,
            cluster: args.cluster,
            cpu: args.cpu,
            memory: args.memory,
            container: { ...args.container, environment },
            vpcId: args.vpcId,
            subnetIds: args.subnetIds,
            assignPublicIp: args.assignPublicIp,
            logRetentionDays: args.logRetentionDays,
            capacityStrategy: args.capacityStrategy,
            // The initial count only; Application Auto Scaling owns it afterwards.
            desiredCount: args.plan.minCapacity,
            taskPolicyStatements: statements,
            loadBalancer: lb,
        }, { parent: this });

        const targetGroup = this.fargate.targetGroup;
        this.scaling = new ServiceScaling(`${name}-scaling`, {
            service: this.fargate,
            physicalName: args.serviceName,
            plan: args.plan,
            loadBalancer: lb && targetGroup ? { arnSuffix: lb.arnSuffix, targetGroupArnSuffix: targetGroup.arnSuffix } : undefined,
        }, { parent: this });

        this.serviceName = this.fargate.serviceName;
        this.serviceArn = this.fargate.serviceArn;
        this.taskRoleArn = this.fargate.taskRoleArn;
        this.securityGroupId = this.fargate.securityGroupId;
        this.targetGroup = targetGroup;
        this.registerOutputs({ serviceName: this.serviceName, serviceArn: this.serviceArn, taskRoleArn: this.taskRoleArn, securityGroupId: this.securityGroupId });
    }
}
