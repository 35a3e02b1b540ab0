/**
 * One ECS service on Fargate, in the shape of aws-cdk's FargateService: its task definition (a
 * FargateTaskDefinition: log group, execution and task roles, one container), its security group, the
 * service itself and, when it is behind the load balancer, its target group and listener rule. Nothing here scales it: scaling attaches
 * in one place, ServiceScaling (service-scaling.ts). The configured services (scalable-service.ts) and
 * the queue autoscaler (queue-autoscaler.ts) are both built on it.
 */
import * as crypto from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TARGET_GROUP_SUFFIX_LENGTH, targetGroupBase } from "../aws/names";
import { FargateContainerArgs, FargateTaskDefinition } from "./fargate-task-definition";
import { throwIfAny } from "./input-errors";

export type { ContainerHealthCheck, FargateContainerArgs } from "./fargate-task-definition";

/** One entry of a capacity provider strategy, as ECS takes it. */
export interface CapacityProviderStrategyItem {
    readonly provider: "FARGATE" | "FARGATE_SPOT";
    /** Tasks always placed on this provider before weights apply (ECS: 0-100000). */
    readonly base: number;
    /** Share of the tasks beyond base (ECS: 0-1000). */
    readonly weight: number;
}

/** The cluster a service runs in. EcsCluster satisfies it. */
export interface ClusterRef {
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    /**
     * The cluster's capacity-provider association. A service that names FARGATE or FARGATE_SPOT in its
     * strategy is created after it and deleted before it: otherwise `pulumi up` may create the service
     * first (InvalidParameterException) and `pulumi destroy` may remove the association while the
     * service still uses it (aws-cdk issue 19275).
     */
    readonly capacityProviders: pulumi.Resource;
}

export interface FargateRoute {
    /** Listener the rule is added to (the HTTPS listener when there is one). Required. */
    readonly listenerArn: pulumi.Input<string>;
    /** The load balancer's security group; the service opens its container port from it. Required. */
    readonly securityGroupId: pulumi.Input<string>;
    /** Listener rule path patterns. Required. */
    readonly pathPatterns: readonly string[];
    /** Listener rule priority, unique per listener. Required. */
    readonly priority: number;
    /** Path the target group health check requests. Required. */
    readonly healthCheckPath: string;
}

export interface FargateServiceArgs {
    /** Physical ECS service name; also the task family and the `/ecs/<serviceName>` log group. Required. */
    readonly serviceName: string;
    /** The cluster, with its capacity-provider association. Required. */
    readonly cluster: ClusterRef;
    /** Fargate CPU units and memory (MiB) of the task: a pair Fargate offers. Required. */
    readonly cpu: number;
    readonly memory: number;
    /** The task's one container. Required. */
    readonly container: FargateContainerArgs;
    /** VPC of the task security group (and the target group). Required. */
    readonly vpcId: pulumi.Input<string>;
    /** Subnets the tasks are placed in. Required. */
    readonly subnetIds: pulumi.Input<string[]>;
    /** Whether tasks get a public IP (needed in subnets without a NAT route). Required. */
    readonly assignPublicIp: boolean;
    /** Retention of the log group, in days (a value CloudWatch Logs accepts). Required. */
    readonly logRetentionDays: number;
    /** Capacity provider strategy of the service. Required; an empty list means the cluster's default strategy. */
    readonly capacityStrategy: readonly CapacityProviderStrategyItem[];
    /** Tasks started when the service is created. Required. */
    readonly desiredCount: number;
    /**
     * Whether something other than the stack (Application Auto Scaling, the queue autoscaler) owns the
     * desired count after creation; then `pulumi up` never resets it. Defaults to true.
     */
    readonly desiredCountOwnedElsewhere?: boolean;
    /** Percent of desired tasks kept running, and allowed running, during a deployment. Defaults to 100 and 200. */
    readonly deployment?: { readonly minimumHealthyPercent: number; readonly maximumPercent: number };
    /** Statements of the task role's policy: what the workload's own code may call. Defaults to none (no policy). */
    readonly taskPolicyStatements?: pulumi.Input<object>[];
    /** Route from the load balancer to the container port. Defaults to none (no target group, no ingress). */
    readonly loadBalancer?: FargateRoute;
}

/** Seconds the ALB waits for in-flight requests before a deregistered task is stopped. */
const DEREGISTRATION_DELAY_SECONDS = 30;
/** Seconds ECS ignores failing ALB health checks of a new task (covers container start-up). */
const HEALTH_CHECK_GRACE_PERIOD_SECONDS = 60;

export class FargateService extends pulumi.ComponentResource {
    readonly task: FargateTaskDefinition;
    readonly service: aws.ecs.Service;
    readonly serviceName: pulumi.Output<string>;
    readonly serviceArn: pulumi.Output<string>;
    /** Cluster name, as the scalable target's resource ID needs it. */
    readonly clusterName: pulumi.Output<string>;
    readonly taskRoleArn: pulumi.Output<string>;
    readonly executionRoleArn: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly targetGroup?: aws.lb.TargetGroup;
    readonly listenerRule?: aws.lb.ListenerRule;

    constructor(name: string, args: FargateServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        checkArgs(args);
        super("ecs-autoscaling:ecs:FargateService", name, {}, opts);
        const parent = { parent: this };
        const c = args.container;
        const route = args.loadBalancer;
        const port = c.port;
        // Defaults, in one place (the task definition applies its own).
        const desiredCountOwnedElsewhere = args.desiredCountOwnedElsewhere ?? true;
        const deployment = args.deployment ?? { minimumHealthyPercent: 100, maximumPercent: 200 };

        // Named as the service (awsx's convention): its children keep the names they had here.
        this.task = new FargateTaskDefinition(name, {
            family: args.serviceName,
            cpu: args.cpu,
            memory: args.memory,
            container: c,
            logRetentionDays: args.logRetentionDays,
            taskPolicyStatements: args.taskPolicyStatements,
        }, parent);

        // The task security group has no inline rules; every rule is its own resource (mixing inline and
        // standalone rules makes them overwrite each other). The provider removes the default allow-all
        // egress when it creates the group.
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-tasks-sg`, {
            vpcId: args.vpcId,
            description: `ECS tasks of ${args.serviceName}`,
        }, parent);
        // Outbound HTTPS only: image pulls (ECR, ECR Public, Docker Hub) and every AWS API the task uses
        // are HTTPS. DNS to the VPC resolver is not subject to security groups, and replies to
        // load-balancer requests are allowed because security groups are stateful.
        new aws.vpc.SecurityGroupEgressRule(`${name}-egress-https`, {
            securityGroupId: securityGroup.id,
            description: "HTTPS to image registries and AWS APIs",
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrIpv4: "0.0.0.0/0",
        }, parent);

        const routeResources: pulumi.Resource[] = [];
        if (route && port !== undefined) {
            routeResources.push(
                new aws.vpc.SecurityGroupIngressRule(`${name}-ingress-from-alb`, {
                    securityGroupId: securityGroup.id,
                    description: `HTTP from the load balancer to ${args.serviceName}`,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    referencedSecurityGroupId: route.securityGroupId,
                }, parent),
                // The ALB security group has no egress of its own; each service opens the way to its tasks.
                new aws.vpc.SecurityGroupEgressRule(`${name}-alb-egress-to-tasks`, {
                    securityGroupId: route.securityGroupId,
                    description: `HTTP from the load balancer to ${args.serviceName}`,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    referencedSecurityGroupId: securityGroup.id,
                }, parent),
            );
            const protocol = "HTTP";
            const targetType = "ip";
            this.targetGroup = new aws.lb.TargetGroup(`${name}-tg`, {
                name: pulumi.output(args.vpcId).apply((vpcId) =>
                    targetGroupName(args.serviceName, { port, protocol, targetType, vpcId })),
                targetType,
                protocol,
                port,
                vpcId: args.vpcId,
                deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
                healthCheck: {
                    enabled: true,
                    path: route.healthCheckPath,
                    protocol,
                    port: "traffic-port",
                    matcher: "200-399",
                    // Two 15 s checks put a new task into service in about 30 s instead of the default
                    // 5 x 30 s, so scale-out capacity starts taking load sooner.
                    interval: 15,
                    timeout: 5,
                    healthyThreshold: 2,
                    unhealthyThreshold: 3,
                },
            }, parent);
            this.listenerRule = new aws.lb.ListenerRule(`${name}-listener-rule`, {
                listenerArn: route.listenerArn,
                priority: route.priority,
                conditions: [{ pathPattern: { values: [...route.pathPatterns] } }],
                actions: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
            }, parent);
            routeResources.push(this.listenerRule);
        }

        this.service = new aws.ecs.Service(`${name}-service`, {
            name: args.serviceName,
            cluster: args.cluster.clusterArn,
            taskDefinition: this.task.taskDefinitionArn,
            desiredCount: args.desiredCount,
            capacityProviderStrategies: args.capacityStrategy.map((item) => ({
                capacityProvider: item.provider,
                base: item.base,
                weight: item.weight,
            })),
            // The provider replaces the service when its capacity provider strategy changes, unless it
            // may force a new deployment.
            forceNewDeployment: true,
            networkConfiguration: {
                subnets: args.subnetIds,
                securityGroups: [securityGroup.id],
                assignPublicIp: args.assignPublicIp,
            },
            ...(this.targetGroup && port !== undefined ? {
                loadBalancers: [{ targetGroupArn: this.targetGroup.arn, containerName: c.name, containerPort: port }],
                healthCheckGracePeriodSeconds: HEALTH_CHECK_GRACE_PERIOD_SECONDS,
            } : {}),
            deploymentCircuitBreaker: { enable: true, rollback: true },
            deploymentMinimumHealthyPercent: deployment.minimumHealthyPercent,
            deploymentMaximumPercent: deployment.maximumPercent,
            propagateTags: "SERVICE",
            enableEcsManagedTags: true,
            waitForSteadyState: false,
        }, {
            parent: this,
            // The service name is fixed, so a replacement must delete the old service first.
            deleteBeforeReplace: true,
            // Application Auto Scaling or the queue autoscaler owns the count; without this every
            // `pulumi up` would reset the running task count.
            ...(desiredCountOwnedElsewhere ? { ignoreChanges: ["desiredCount"] } : {}),
            dependsOn: [
                args.cluster.capacityProviders,
                ...this.task.policies,
                ...routeResources,
            ],
        });

        this.serviceName = this.service.name;
        this.serviceArn = this.service.arn;
        this.clusterName = pulumi.output(args.cluster.clusterName);
        this.taskRoleArn = this.task.taskRoleArn;
        this.executionRoleArn = this.task.executionRoleArn;
        this.securityGroupId = securityGroup.id;
        this.registerOutputs({
            serviceName: this.serviceName,
            serviceArn: this.serviceArn,
            taskRoleArn: this.taskRoleArn,
            executionRoleArn: this.executionRoleArn,
            securityGroupId: this.securityGroupId,
            targetGroupArn: this.targetGroup?.arn,
        });
    }
}

/**
 * The one argument combination a caller that bypasses config/ can get wrong here (config/ requires
 * containerPort with loadBalancer for the configured services). Reported before anything is registered.
 */
function checkArgs(args: FargateServiceArgs): void {
    const errors: pulumi.InputPropertyErrorDetails[] = [];
    if (args.loadBalancer && args.container.port === undefined) {
        errors.push({ propertyPath: "container.port", reason: "is required when loadBalancer is set (the target group forwards to it)" });
    }
    throwIfAny(`FargateService ${args.serviceName}`, errors);
}


/**
 * Target group name: the base config derives from the whole physical name
 * (config/names.ts, checked unique there), and a hash of the settings whose change replaces a target
 * group. A replacement therefore gets a new name and can be created before the old group is deleted.
 */
export function targetGroupName(physicalName: string, settings: { port: number; protocol: string; targetType: string; vpcId: string }): string {
    const hash = crypto.createHash("sha256")
        .update(JSON.stringify([settings.port, settings.protocol, settings.targetType, settings.vpcId]))
        .digest("hex")
        .slice(0, TARGET_GROUP_SUFFIX_LENGTH - 1);
    return `${targetGroupBase(physicalName)}-${hash}`;
}
