/**
 * One ECS Fargate service that scales itself: its task definition, roles, security group, optional
 * load-balancer route, and the Application Auto Scaling target, policies and step alarms built from
 * the service's scaling plan. The plan (config/load.ts) is the only source of bounds, targets, steps
 * and metric series; nothing here restates a threshold.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { CapacityProviderItem } from "../config/schema";
import { QUEUE_URL_ENV, ServiceConfig } from "../config/load";
import { targetGroupBase } from "../config/names";
import { dimensionList } from "../scaling/metric-series";
import { StepScalingPolicy, TargetTrackingPolicy, describeStepRange, relativeSteps } from "../scaling/plan";
import { parseEcrImageUri } from "./ecr-image-uri";
import { ECS_TASKS_ASSUME_ROLE_POLICY, ecrPullStatements, writeLogsStatement } from "./task-iam";

export interface ScalableServiceArgs {
    /** The validated service config, including its scaling plan, physical name and config key. */
    readonly service: ServiceConfig;
    /** Name of the ECS cluster; used in the scalable target's resource ID. */
    readonly clusterName: pulumi.Input<string>;
    /** ARN of the ECS cluster the service runs in. */
    readonly clusterArn: pulumi.Input<string>;
    /** VPC of the task security group and the target group. */
    readonly vpcId: pulumi.Input<string>;
    /** Subnets the tasks are placed in. */
    readonly subnetIds: pulumi.Input<string[]>;
    /** Whether tasks get a public IP (needed in subnets without a NAT route). */
    readonly assignPublicIp: boolean;
    /** Retention of the service's log group, in days. */
    readonly logRetentionDays: number;
    /** Cluster default strategy; service.capacityStrategy overrides it. */
    readonly capacityStrategy: readonly CapacityProviderItem[];
    /** Required when service.loadBalancer is set. */
    readonly loadBalancer?: {
        readonly listenerArn: pulumi.Input<string>;
        readonly securityGroupId: pulumi.Input<string>;
        readonly arnSuffix: pulumi.Input<string>;
    };
    /** Required when service.consumesQueue is true. */
    readonly queue?: { readonly arn: pulumi.Input<string>; readonly url: pulumi.Input<string> };
}

export { QUEUE_URL_ENV };

/** Seconds the ALB waits for in-flight requests before a deregistered task is stopped. */
const DEREGISTRATION_DELAY_SECONDS = 30;
/** Seconds ECS ignores failing ALB health checks of a new task (covers container start-up). */
const HEALTH_CHECK_GRACE_PERIOD_SECONDS = 60;

export class ScalableService extends pulumi.ComponentResource {
    public readonly serviceName: pulumi.Output<string>;
    public readonly serviceArn: pulumi.Output<string>;
    public readonly taskRoleArn: pulumi.Output<string>;
    public readonly target: aws.appautoscaling.Target;
    /** Keyed by policy name; step policies by `<name>-<direction>`. */
    public readonly policies: Record<string, aws.appautoscaling.Policy>;
    /** One alarm per step policy, keyed like `policies`. */
    public readonly alarms: Record<string, aws.cloudwatch.MetricAlarm>;
    public readonly targetGroup?: aws.lb.TargetGroup;
    public readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: ScalableServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        validate(name, args);
        super("ecs-autoscaling:ecs:ScalableService", name, {}, opts);
        const svc = args.service;
        const plan = svc.plan;
        const physicalName = svc.name;
        const route = svc.loadBalancer;
        // Defaults, in one place.
        const capacityStrategy = svc.capacityStrategy ?? args.capacityStrategy;
        const containerPort = svc.containerPort;

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/ecs/${physicalName}`,
            retentionInDays: args.logRetentionDays,
        }, { parent: this });

        // Execution role: what ECS itself needs to start the task (pull the image, ship its logs).
        const executionRole = new aws.iam.Role(`${name}-execution-role`, {
            assumeRolePolicy: ECS_TASKS_ASSUME_ROLE_POLICY,
            description: `ECS task execution role of ${physicalName}`,
        }, { parent: this });
        const ecrImage = parseEcrImageUri(svc.image);
        const executionPolicy = new aws.iam.RolePolicy(`${name}-execution-policy`, {
            role: executionRole.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    writeLogsStatement(logGroup.arn),
                    ...(ecrImage ? ecrPullStatements(ecrImage.repositoryArn) : []),
                ],
            }),
        }, { parent: this });

        // Task role: what the workload's own code may do. One per workload, nothing unless it consumes the queue.
        const taskRole = new aws.iam.Role(`${name}-task-role`, {
            assumeRolePolicy: ECS_TASKS_ASSUME_ROLE_POLICY,
            description: `ECS task role of ${physicalName}`,
        }, { parent: this });
        const queuePolicy = svc.consumesQueue ? new aws.iam.RolePolicy(`${name}-queue-policy`, {
            role: taskRole.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Sid: "ConsumeWorkQueue",
                    Effect: "Allow",
                    Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
                    Resource: args.queue!.arn,
                }],
            }),
        }, { parent: this }) : undefined;

        // The task security group has no inline rules; every rule is its own resource (mixing inline and
        // standalone rules makes them overwrite each other). The provider removes the default allow-all
        // egress when it creates the group.
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-tasks-sg`, {
            vpcId: args.vpcId,
            description: `ECS tasks of ${physicalName}`,
        }, { parent: this });
        // Outbound HTTPS only: image pulls (ECR, ECR Public, Docker Hub) and every AWS API the task uses
        // (CloudWatch Logs, SQS) are HTTPS. DNS to the VPC resolver is not subject to security groups, and
        // replies to load-balancer requests are allowed because security groups are stateful.
        new aws.vpc.SecurityGroupEgressRule(`${name}-egress-https`, {
            securityGroupId: securityGroup.id,
            description: "HTTPS to image registries and AWS APIs",
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrIpv4: "0.0.0.0/0",
        }, { parent: this });

        let targetGroup: aws.lb.TargetGroup | undefined;
        let listenerRule: aws.lb.ListenerRule | undefined;
        const routeRules: pulumi.Resource[] = [];
        if (route && args.loadBalancer && containerPort !== undefined) {
            const lb = args.loadBalancer;
            routeRules.push(
                new aws.vpc.SecurityGroupIngressRule(`${name}-ingress-from-alb`, {
                    securityGroupId: securityGroup.id,
                    description: `HTTP from the load balancer to ${physicalName}`,
                    ipProtocol: "tcp",
                    fromPort: containerPort,
                    toPort: containerPort,
                    referencedSecurityGroupId: lb.securityGroupId,
                }, { parent: this }),
                // The ALB security group has no egress of its own; each service opens the way to its tasks.
                new aws.vpc.SecurityGroupEgressRule(`${name}-alb-egress-to-tasks`, {
                    securityGroupId: lb.securityGroupId,
                    description: `HTTP from the load balancer to ${physicalName}`,
                    ipProtocol: "tcp",
                    fromPort: containerPort,
                    toPort: containerPort,
                    referencedSecurityGroupId: securityGroup.id,
                }, { parent: this }),
            );
            const protocol = "HTTP";
            const targetType = "ip";
            targetGroup = new aws.lb.TargetGroup(`${name}-tg`, {
                name: pulumi.output(args.vpcId).apply((vpcId) =>
                    targetGroupName(physicalName, { port: containerPort, protocol, targetType, vpcId })),
                targetType,
                protocol,
                port: containerPort,
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
            }, { parent: this });
            listenerRule = new aws.lb.ListenerRule(`${name}-listener-rule`, {
                listenerArn: lb.listenerArn,
                priority: route.priority,
                conditions: [{ pathPattern: { values: [...route.pathPatterns] } }],
                actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            }, { parent: this });
        }

        const region = aws.getRegionOutput({}, { parent: this }).region;
        const environment: { name: string; value: pulumi.Input<string> }[] = Object.entries(svc.environment)
            .map(([envName, value]) => ({ name: envName, value: value as pulumi.Input<string> }));
        if (svc.consumesQueue) environment.push({ name: QUEUE_URL_ENV, value: args.queue!.url });
        environment.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

        const taskDefinition = new aws.ecs.TaskDefinition(`${name}-task-definition`, {
            family: physicalName,
            networkMode: "awsvpc",
            requiresCompatibilities: ["FARGATE"],
            cpu: String(svc.cpu),
            memory: String(svc.memory),
            executionRoleArn: executionRole.arn,
            taskRoleArn: taskRole.arn,
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
            containerDefinitions: pulumi.jsonStringify([{
                name: svc.key,
                image: svc.image,
                essential: true,
                // Container-level hard limit equal to the task's memory: Fargate does not need it, but
                // moto rejects a container definition without memory or memoryReservation.
                memory: svc.memory,
                ...(containerPort !== undefined ? { portMappings: [{ containerPort, protocol: "tcp" }] } : {}),
                environment,
                logConfiguration: {
                    logDriver: "awslogs",
                    options: {
                        "awslogs-group": logGroup.name,
                        "awslogs-region": region,
                        "awslogs-stream-prefix": svc.key,
                    },
                },
            }]),
        }, { parent: this });

        const ecsService = new aws.ecs.Service(`${name}-service`, {
            name: physicalName,
            cluster: args.clusterArn,
            taskDefinition: taskDefinition.arn,
            // The initial count only; Application Auto Scaling owns it afterwards (see ignoreChanges).
            desiredCount: plan.minCapacity,
            capacityProviderStrategies: capacityStrategy.map((item) => ({
                capacityProvider: item.provider,
                base: item.base,
                weight: item.weight,
            })),
            // The provider replaces the service when its capacity provider strategy changes, unless it
            // may force a new deployment; a replacement would collide with the fixed service name.
            forceNewDeployment: true,
            networkConfiguration: {
                subnets: args.subnetIds,
                securityGroups: [securityGroup.id],
                assignPublicIp: args.assignPublicIp,
            },
            ...(targetGroup && containerPort !== undefined ? {
                loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: svc.key, containerPort }],
                healthCheckGracePeriodSeconds: HEALTH_CHECK_GRACE_PERIOD_SECONDS,
            } : {}),
            deploymentCircuitBreaker: { enable: true, rollback: true },
            deploymentMinimumHealthyPercent: 100,
            deploymentMaximumPercent: 200,
            propagateTags: "SERVICE",
            enableEcsManagedTags: true,
            waitForSteadyState: false,
        }, serviceOptions(this, [
            executionPolicy,
            ...(queuePolicy ? [queuePolicy] : []),
            ...routeRules,
            ...(listenerRule ? [listenerRule] : []),
        ]));

        const target = new aws.appautoscaling.Target(`${name}-target`, {
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
            resourceId: pulumi.interpolate`service/${args.clusterName}/${ecsService.name}`,
            minCapacity: plan.minCapacity,
            maxCapacity: plan.maxCapacity,
        }, { parent: this });

        const policies: Record<string, aws.appautoscaling.Policy> = {};
        const alarms: Record<string, aws.cloudwatch.MetricAlarm> = {};
        const onTarget = {
            resourceId: target.resourceId,
            scalableDimension: target.scalableDimension,
            serviceNamespace: target.serviceNamespace,
        };
        for (const policy of plan.policies) {
            if (policy.kind === "targetTracking") {
                policies[policy.name] = new aws.appautoscaling.Policy(`${name}-${policy.name}`, {
                    name: `${physicalName}-${policy.name}`,
                    policyType: "TargetTrackingScaling",
                    ...onTarget,
                    targetTrackingScalingPolicyConfiguration: targetTrackingConfiguration(policy, args.loadBalancer, targetGroup),
                }, { parent: this, dependsOn: [target] });
                continue;
            }
            const key = `${policy.name}-${policy.direction}`;
            const awsName = `${physicalName}-${key}`;
            const stepPolicy = new aws.appautoscaling.Policy(`${name}-${key}`, {
                name: awsName,
                policyType: "StepScaling",
                ...onTarget,
                stepScalingPolicyConfiguration: {
                    adjustmentType: "ChangeInCapacity",
                    cooldown: policy.cooldown,
                    metricAggregationType: policy.metricAggregationType,
                    stepAdjustments: relativeSteps(policy).map((s) => ({
                        ...(s.metricIntervalLowerBound !== undefined ? { metricIntervalLowerBound: String(s.metricIntervalLowerBound) } : {}),
                        ...(s.metricIntervalUpperBound !== undefined ? { metricIntervalUpperBound: String(s.metricIntervalUpperBound) } : {}),
                        scalingAdjustment: s.scalingAdjustment,
                    })),
                },
            }, { parent: this, dependsOn: [target] });
            policies[key] = stepPolicy;
            // A step policy acts only when an alarm invokes it: this alarm is its only trigger.
            alarms[key] = new aws.cloudwatch.MetricAlarm(`${name}-${key}-alarm`, {
                name: awsName,
                alarmDescription: describeStepPolicy(physicalName, policy),
                namespace: policy.series.namespace,
                metricName: policy.series.metricName,
                statistic: policy.series.statistic,
                dimensions: { ...policy.series.dimensions },
                threshold: policy.alarm.threshold,
                comparisonOperator: policy.alarm.comparisonOperator,
                period: policy.alarm.period,
                evaluationPeriods: policy.alarm.evaluationPeriods,
                datapointsToAlarm: policy.alarm.datapointsToAlarm,
                treatMissingData: policy.alarm.treatMissingData,
                alarmActions: [stepPolicy.arn],
            }, { parent: this });
        }

        this.serviceName = ecsService.name;
        this.serviceArn = ecsService.arn;
        this.taskRoleArn = taskRole.arn;
        this.target = target;
        this.policies = policies;
        this.alarms = alarms;
        this.targetGroup = targetGroup;
        this.securityGroupId = securityGroup.id;
        this.registerOutputs({
            serviceName: this.serviceName,
            serviceArn: this.serviceArn,
            taskRoleArn: this.taskRoleArn,
            target: this.target,
            policies: this.policies,
            alarms: this.alarms,
            targetGroup: this.targetGroup,
            securityGroupId: this.securityGroupId,
        });
    }
}

/**
 * Resource options of the ECS service. `desiredCount` is ignored after creation because Application
 * Auto Scaling (and the queue autoscaler) own it; without this every `pulumi up` would reset the
 * running task count to the plan's minimum.
 */
export function serviceOptions(parent: pulumi.Resource, dependsOn: pulumi.Resource[]): pulumi.CustomResourceOptions {
    return { parent, ignoreChanges: ["desiredCount"], dependsOn };
}

function validate(name: string, args: ScalableServiceArgs): void {
    const svc = args.service;
    const at = `ScalableService "${name}"`;
    const cfg = `services.${svc.key}`;
    if (svc.loadBalancer && !args.loadBalancer) {
        throw new Error(`${at}: args.loadBalancer is required because ${cfg}.loadBalancer is set ` +
            "(the listener rule, target group and security group rules need the listener ARN, the ALB security group and the ALB ARN suffix)");
    }
    if (svc.loadBalancer && svc.containerPort === undefined) {
        throw new Error(`${at}: service.containerPort is required because ${cfg}.loadBalancer is set (the target group forwards to it)`);
    }
    if (svc.consumesQueue && !args.queue) {
        throw new Error(`${at}: args.queue is required because ${cfg}.consumesQueue is true (the task role is granted that queue and no other)`);
    }
    if (svc.consumesQueue && svc.environment[QUEUE_URL_ENV] !== undefined) {
        throw new Error(`${at}: service.environment.${QUEUE_URL_ENV} must not be set for a queue consumer; ` +
            "the component sets it from args.queue.url");
    }
    for (const p of svc.plan.policies) {
        if (p.kind === "targetTracking" && p.metric.type === "predefined" && p.metric.predefinedMetricType === "ALBRequestCountPerTarget"
            && (!svc.loadBalancer || !args.loadBalancer)) {
            throw new Error(`${at}: policy "${p.name}" tracks ALBRequestCountPerTarget, which needs ${cfg}.loadBalancer and args.loadBalancer ` +
                "(its resource label names the load balancer and the target group)");
        }
    }
    if (svc.plan.minCapacity > svc.plan.maxCapacity) {
        throw new Error(`${at}: plan.minCapacity (${svc.plan.minCapacity}) should be <= plan.maxCapacity (${svc.plan.maxCapacity})`);
    }
    if ((svc.capacityStrategy ?? args.capacityStrategy).length === 0) {
        throw new Error(`${at}: capacityStrategy must list at least one capacity provider (neither ${cfg}.capacityStrategy nor args.capacityStrategy does)`);
    }
}

function targetTrackingConfiguration(
    policy: TargetTrackingPolicy,
    lb: ScalableServiceArgs["loadBalancer"],
    targetGroup: aws.lb.TargetGroup | undefined,
): aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration {
    const common = {
        targetValue: policy.targetValue,
        scaleOutCooldown: policy.cooldowns.scaleOut,
        scaleInCooldown: policy.cooldowns.scaleIn,
        disableScaleIn: policy.disableScaleIn,
    };
    const metric = policy.metric;
    if (metric.type === "predefined") {
        return {
            ...common,
            predefinedMetricSpecification: {
                predefinedMetricType: metric.predefinedMetricType,
                // `app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>`: the two ARN suffixes joined by `/`.
                ...(metric.predefinedMetricType === "ALBRequestCountPerTarget"
                    ? { resourceLabel: pulumi.interpolate`${lb!.arnSuffix}/${targetGroup!.arnSuffix}` }
                    : {}),
            },
        };
    }
    const series = metric.series;
    return {
        ...common,
        customizedMetricSpecification: {
            namespace: series.namespace,
            metricName: series.metricName,
            statistic: series.statistic,
            ...(series.unit !== undefined ? { unit: series.unit } : {}),
            // Exactly the published dimensions: AWS matches the series only on the full set.
            dimensions: dimensionList(series),
        },
    };
}

/**
 * Target group name (at most 32 characters): the base config derives from the whole physical name
 * (config/names.ts, checked unique there), and a hash of the settings whose change replaces a target
 * group. A replacement therefore gets a new name and can be created before the old group is deleted.
 */
export function targetGroupName(physicalName: string, settings: { port: number; protocol: string; targetType: string; vpcId: string }): string {
    const hash = crypto.createHash("sha256")
        .update(JSON.stringify([settings.port, settings.protocol, settings.targetType, settings.vpcId]))
        .digest("hex")
        .slice(0, 4);
    return `${targetGroupBase(physicalName)}-${hash}`;
}

/** The alarm's description: its condition and the step table, in words (CloudWatch allows 1024 characters). */
export function describeStepPolicy(physicalName: string, policy: StepScalingPolicy): string {
    const s = policy.series;
    const a = policy.alarm;
    const dims = Object.entries(s.dimensions).map(([k, v]) => `${k}=${v}`).join(", ");
    const op = a.comparisonOperator === "GreaterThanOrEqualToThreshold" ? ">=" : "<=";
    const steps = policy.steps.map((step) => `${describeStepRange(policy.direction, step)}: ${stepChange(step.change)}`).join("; ");
    const text = `Scales ${physicalName} ${policy.direction} when ${s.namespace} ${s.metricName} (${s.statistic}` +
        `${dims ? `, ${dims}` : ""}) ${op} ${a.threshold} for ${a.datapointsToAlarm} of ${a.evaluationPeriods} periods of ${a.period} s. ` +
        `Steps: ${steps}. Cooldown ${policy.cooldown} s.`;
    return text.length <= 1024 ? text : `${text.slice(0, 1021)}...`;
}

function stepChange(change: number): string {
    const n = Math.abs(change);
    return `${change > 0 ? "add" : "remove"} ${n} task${n === 1 ? "" : "s"}`;
}
