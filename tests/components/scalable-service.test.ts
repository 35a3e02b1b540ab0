/**
 * ScalableService under Pulumi mocks, built from the real staging stack file: every registered resource
 * and its exact inputs, and the resource options of the ECS service (seen through a transformation on
 * the component, which the SDK applies to each child while constructing it).
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT, REGION, named, ofType, promiseOf, recorded, setupMocks } from "../helpers/pulumi-mocks";
import { ECS_TASKS_TRUST_STATEMENT, TestCluster, testCluster } from "../helpers/cluster";
import { rawProjectConfig, stackFileConfig } from "../helpers/stack-files";
import { StackConfig, loadStackConfig } from "../../config/load";
import { dimensionList } from "../../scaling/metric-series";
import { StepScalingPolicy } from "../../scaling/plan";
import { ServiceScaling } from "../../components/service-scaling";
import { QUEUE_URL_ENV } from "../../config/load";
import { ScalableService, ScalableServiceArgs, describeStepPolicy, targetGroupName } from "../../components/scalable-service";
import { ServiceWiring, scalableServiceArgs } from "../../program/component-args";

const PROJECT = "ecs-autoscaling";
const STACK = "staging";
const CLUSTER = "ecs-autoscaling-staging";
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
const VPC = "vpc-0staging";
const SUBNETS = ["subnet-0private-a", "subnet-0private-b"];
const LB_NAME = "ecs-autoscaling-staging";
const LB = {
    listenerArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/${LB_NAME}/0123456789abcdef/0a1b2c3d4e5f6789`,
    securityGroupId: "sg-0alb0000000000001",
    arnSuffix: `app/${LB_NAME}/0123456789abcdef`,
};
const QUEUE_NAME = "ecs-autoscaling-staging-work";
const QUEUE = {
    arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${QUEUE_NAME}`,
    url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${QUEUE_NAME}`,
};
const T = {
    service: "aws:ecs/service:Service",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    target: "aws:appautoscaling/target:Target",
    policy: "aws:appautoscaling/policy:Policy",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
};

function stagingConfig(overrides: Record<string, unknown> = {}): StackConfig {
    return loadStackConfig(rawProjectConfig(STACK, overrides), { project: PROJECT, stack: STACK });
}

/** The staging `services` value, deep-copied so a test can edit it and pass it back as an override. */
function stagingServices(): any {
    return JSON.parse(JSON.stringify(stackFileConfig(STACK)[`${PROJECT}:services`]));
}

let cluster: TestCluster;

/** The wiring index.ts gives a configured service, with the test's cluster, network, load balancer, queue and image. */
function wiringFor(config: StackConfig, key: string): ServiceWiring {
    const service = config.services[key];
    return {
        cluster,
        vpcId: VPC,
        subnetIds: SUBNETS,
        assignPublicIp: false,
        logRetentionDays: config.logRetentionDays,
        capacityStrategy: config.capacityStrategy,
        loadBalancer: service.loadBalancer ? LB : undefined,
        queue: service.consumesQueue ? QUEUE : undefined,
        projectImage: service.workload ? PROJECT_IMAGE : undefined,
    };
}

/** The args the program builds for a configured service (program/component-args.ts). */
function argsFor(config: StackConfig, key: string): ScalableServiceArgs {
    return scalableServiceArgs(config.services[key], wiringFor(config, key));
}

/** The stack's project image as index.ts passes it to the built-in workloads. */
const PROJECT_IMAGE = { image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecs-autoscaling-staging-autoscale@sha256:" + "b".repeat(64), ecrRepositoryArn: "arn:aws:ecr:us-east-1:123456789012:repository/ecs-autoscaling-staging-autoscale" };

interface Built {
    readonly component: ScalableService;
    /** Every resource constructed under the component (and the component itself), with its options. */
    readonly constructed: pulumi.ResourceTransformationArgs[];
}

function build(name: string, args: ScalableServiceArgs): Built {
    const constructed: pulumi.ResourceTransformationArgs[] = [];
    const component = new ScalableService(name, args, {
        transformations: [(a) => { constructed.push(a); return undefined; }],
    });
    return { component, constructed };
}

/** Waits until every resource built has been registered with the mock monitor. */
async function registered(...built: Built[]): Promise<void> {
    await Promise.all(built.flatMap((b) => b.constructed.map((c) => promiseOf(c.resource.urn))));
    await new Promise((r) => setImmediate(r));
}

function stepPolicy(config: StackConfig, key: string, name: string, direction: "out" | "in"): StepScalingPolicy {
    const p = config.services[key].plan.policies.find((x) => x.kind === "step" && x.name === name && x.direction === direction);
    if (!p || p.kind !== "step") throw new Error(`no step policy ${name}-${direction} in ${key}`);
    return p;
}

describe("ScalableService: staging services", () => {
    let config: StackConfig;
    let api: Built;
    let worker: Built;
    let gateway: Built;

    before(async () => {
        setupMocks(PROJECT, STACK);
        cluster = testCluster(CLUSTER);
        config = stagingConfig();
        api = build("api", argsFor(config, "api"));
        worker = build("worker", argsFor(config, "worker"));
        gateway = build("gateway", argsFor(config, "gateway"));
        await registered(api, worker, gateway);
    });

    describe("api (load-balanced, target tracking)", () => {
        it("registers the scalable target with the plan's bounds on the service's resource ID", () => {
            expect(named(T.target, "api-scaling-target").inputs).to.deep.equal({
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: `service/${CLUSTER}/ecs-autoscaling-staging-api`,
                minCapacity: 2,
                maxCapacity: 10,
            });
        });

        it("creates exactly the three target-tracking policies: CPU 70, memory 80, ALB requests 1000, cooldowns 60/300", async () => {
            expect(Object.keys(api.component.scaling.policies)).to.deep.equal(["cpu", "memory", "alb-requests"]);
            expect(api.component.scaling.alarms).to.deep.equal({});
            const common = { scaleOutCooldown: 60, scaleInCooldown: 300, disableScaleIn: false };
            const tgName = "ecs-autoscaling-staging-api-824e";
            const expected: Record<string, any> = {
                cpu: { targetValue: 70, ...common, predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" } },
                memory: { targetValue: 80, ...common, predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageMemoryUtilization" } },
                "alb-requests": {
                    targetValue: 1000,
                    ...common,
                    predefinedMetricSpecification: {
                        predefinedMetricType: "ALBRequestCountPerTarget",
                        resourceLabel: `app/${LB_NAME}/0123456789abcdef/targetgroup/${tgName}/fedcba9876543210`,
                    },
                },
            };
            for (const [key, configuration] of Object.entries(expected)) {
                const inputs = named(T.policy, `api-scaling-${key}`).inputs;
                expect(inputs.name, key).to.equal(`ecs-autoscaling-staging-api-${key}`);
                expect(inputs.policyType, key).to.equal("TargetTrackingScaling");
                expect(inputs.resourceId, key).to.equal(`service/${CLUSTER}/ecs-autoscaling-staging-api`);
                expect(inputs.scalableDimension, key).to.equal("ecs:service:DesiredCount");
                expect(inputs.serviceNamespace, key).to.equal("ecs");
                expect(inputs.targetTrackingScalingPolicyConfiguration, key).to.deep.equal(configuration);
                expect(inputs.stepScalingPolicyConfiguration, key).to.equal(undefined);
            }
            expect(await promiseOf(api.component.scaling.policies["alb-requests"].name)).to.equal("ecs-autoscaling-staging-api-alb-requests");
        });

        it("routes the configured paths to an IP target group on the container port", async () => {
            const tg = named(T.targetGroup, "api-fargate-tg").inputs;
            expect(tg).to.deep.equal({
                name: "ecs-autoscaling-staging-api-824e",
                targetType: "ip",
                protocol: "HTTP",
                port: 80,
                vpcId: VPC,
                deregistrationDelay: 30,
                healthCheck: {
                    enabled: true, path: "/", protocol: "HTTP", port: "traffic-port", matcher: "200-399",
                    interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3,
                },
            });
            const tgArn = await promiseOf(api.component.targetGroup!.arn);
            expect(named(T.listenerRule, "api-fargate-listener-rule").inputs).to.deep.equal({
                listenerArn: LB.listenerArn,
                priority: 100,
                conditions: [{ pathPattern: { values: ["/*"] } }],
                actions: [{ type: "forward", targetGroupArn: tgArn }],
            });
        });

        it("runs the service behind the target group with circuit breaker, the staging capacity strategy and minCapacity tasks", async () => {
            const inputs = named(T.service, "api-fargate-service").inputs;
            const taskDefArn = await promiseOf(named(T.taskDefinition, "api-fargate-task-definition").state.arn);
            expect(inputs).to.deep.equal({
                name: "ecs-autoscaling-staging-api",
                cluster: CLUSTER_ARN,
                taskDefinition: taskDefArn,
                desiredCount: 2,
                capacityProviderStrategies: [
                    { capacityProvider: "FARGATE", base: 1, weight: 1 },
                    { capacityProvider: "FARGATE_SPOT", base: 0, weight: 3 },
                ],
                forceNewDeployment: true,
                networkConfiguration: {
                    subnets: SUBNETS,
                    securityGroups: [await promiseOf(api.component.securityGroupId)],
                    assignPublicIp: false,
                },
                loadBalancers: [{ targetGroupArn: await promiseOf(api.component.targetGroup!.arn), containerName: "api", containerPort: 80 }],
                healthCheckGracePeriodSeconds: 60,
                deploymentCircuitBreaker: { enable: true, rollback: true },
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                waitForSteadyState: false,
            });
            expect(await promiseOf(api.component.serviceName)).to.equal("ecs-autoscaling-staging-api");
            expect(await promiseOf(api.component.serviceArn)).to.equal(`arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/ecs-autoscaling-staging-api`);
        });

        it("creates the service after its listener rule and security group rules", () => {
            const service = api.constructed.find((c) => c.type === T.service)!;
            const dependsOn = service.opts.dependsOn as pulumi.Resource[];
            const rule = api.constructed.find((c) => c.type === T.listenerRule)!.resource;
            expect(dependsOn).to.include(rule);
            const ingress = api.constructed.find((c) => c.type === T.ingress)!.resource;
            expect(dependsOn).to.include(ingress);
        });

        it("admits only the load balancer's security group, on the container port", async () => {
            const sgId = await promiseOf(api.component.securityGroupId);
            const sg = named(T.securityGroup, "api-fargate-tasks-sg").inputs;
            expect(sg).to.deep.equal({ vpcId: VPC, description: "ECS tasks of ecs-autoscaling-staging-api" });
            const ingress = ofType(T.ingress).filter((r) => r.inputs.securityGroupId === sgId);
            expect(ingress.map((r) => r.inputs)).to.deep.equal([{
                securityGroupId: sgId,
                description: "HTTP from the load balancer to ecs-autoscaling-staging-api",
                ipProtocol: "tcp",
                fromPort: 80,
                toPort: 80,
                referencedSecurityGroupId: LB.securityGroupId,
            }]);
            const albEgress = ofType(T.egress).filter((r) => r.inputs.securityGroupId === LB.securityGroupId);
            expect(albEgress.map((r) => r.inputs)).to.deep.equal([{
                securityGroupId: LB.securityGroupId,
                description: "HTTP from the load balancer to ecs-autoscaling-staging-api",
                ipProtocol: "tcp",
                fromPort: 80,
                toPort: 80,
                referencedSecurityGroupId: sgId,
            }]);
        });

        it("gives the container the port mapping and the awslogs configuration", () => {
            const td = named(T.taskDefinition, "api-fargate-task-definition").inputs;
            const [container] = JSON.parse(td.containerDefinitions);
            expect(container.portMappings).to.deep.equal([{ containerPort: 80, protocol: "tcp" }]);
            expect(container.memory).to.equal(1024);
            expect(container.environment).to.deep.equal([]);
            expect(td.cpu).to.equal("512");
            expect(td.memory).to.equal("1024");
        });
    });

    describe("every service", () => {
        it("ignores desiredCount changes on the ECS service (Application Auto Scaling owns it) and deletes it before replacing it (fixed name)", () => {
            for (const b of [api, worker, gateway]) {
                const services = b.constructed.filter((c) => c.type === T.service);
                expect(services).to.have.length(1);
                expect(services[0].opts.ignoreChanges).to.deep.equal(["desiredCount"]);
                expect((services[0].opts as pulumi.CustomResourceOptions).deleteBeforeReplace).to.equal(true);
                expect(services[0].opts.parent).to.equal(b.component.fargate);
            }
        });

        it("creates every ECS service after, and deletes it before, the cluster's capacity-provider association", () => {
            for (const b of [api, worker, gateway]) {
                const service = b.constructed.find((c) => c.type === T.service)!;
                expect((service.opts.dependsOn as pulumi.Resource[])[0]).to.equal(cluster.capacityProviders);
            }
        });

        it("builds a FargateService (with its FargateTaskDefinition) and a ServiceScaling under the component, every child named after it", () => {
            const taskParts = new Set([T.logGroup, T.role, T.rolePolicy, T.taskDefinition]);
            for (const [name, b] of [["api", api], ["worker", worker], ["gateway", gateway]] as const) {
                const components = b.constructed.filter((c) => !c.type.startsWith("aws:"));
                expect(components.map((c) => `${c.type} ${c.name}`)).to.deep.equal([
                    `ecs-autoscaling:ecs:ScalableService ${name}`,
                    `ecs-autoscaling:ecs:FargateService ${name}-fargate`,
                    `ecs-autoscaling:ecs:FargateTaskDefinition ${name}-fargate`,
                    `ecs-autoscaling:ecs:ServiceScaling ${name}-scaling`,
                ]);
                const children = b.constructed.filter((c) => c.type.startsWith("aws:"));
                expect(children.length).to.be.greaterThan(8);
                for (const c of children) {
                    const owner = c.type.startsWith("aws:appautoscaling/") || c.type === T.alarm ? b.component.scaling
                        : taskParts.has(c.type) ? b.component.fargate.task : b.component.fargate;
                    expect(c.opts.parent, `${c.type} ${c.name}`).to.equal(owner);
                    expect(c.name.startsWith(owner === b.component.scaling ? `${name}-scaling-` : `${name}-fargate-`), c.name).to.equal(true);
                }
            }
        });

        it("runs worker and gateway as the non-root default user 1000:1000 on a read-only root filesystem, api (nginx) as its stack file says", () => {
            const expected: Record<string, [string, boolean]> = { api: ["root", false], worker: ["1000:1000", true], gateway: ["1000:1000", true] };
            for (const [key, userAndReadonly] of Object.entries(expected)) {
                const [container] = JSON.parse(named(T.taskDefinition, `${key}-fargate-task-definition`).inputs.containerDefinitions);
                expect([container.user, container.readonlyRootFilesystem], key).to.deep.equal(userAndReadonly);
            }
        });

        it("keeps task egress to HTTPS only", async () => {
            for (const b of [api, worker, gateway]) {
                const sgId = await promiseOf(b.component.securityGroupId);
                expect(ofType(T.egress).filter((r) => r.inputs.securityGroupId === sgId).map((r) => r.inputs)).to.deep.equal([{
                    securityGroupId: sgId,
                    description: "HTTPS to image registries and AWS APIs",
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrIpv4: "0.0.0.0/0",
                }]);
            }
        });

        it("lets the execution role write only its own log group, and pull nothing from ECR for public images", async () => {
            for (const key of ["api"]) {
                const logGroup = named(T.logGroup, `${key}-fargate-logs`);
                expect(logGroup.inputs).to.deep.equal({ name: `/ecs/ecs-autoscaling-staging-${key}`, retentionInDays: 30 });
                const policy = JSON.parse(named(T.rolePolicy, `${key}-fargate-execution-policy`).inputs.policy);
                expect(policy.Statement).to.deep.equal([{
                    Sid: "WriteOwnLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/ecs-autoscaling-staging-${key}:*`,
                }]);
                expect(named(T.rolePolicy, `${key}-fargate-execution-policy`).inputs.role).to.equal(`${key}-fargate-execution-role-id`);
                const assume = JSON.parse(named(T.role, `${key}-fargate-execution-role`).inputs.assumeRolePolicy);
                expect(assume.Statement).to.deep.equal([ECS_TASKS_TRUST_STATEMENT]);
            }
        });

        it("uses one task role per workload, trusted by ECS tasks of this account and region only", async () => {
            const arns = await Promise.all([api, worker, gateway].map((b) => promiseOf(b.component.taskRoleArn)));
            expect(new Set(arns).size).to.equal(3);
            for (const key of ["api", "worker", "gateway"]) {
                const assume = JSON.parse(named(T.role, `${key}-fargate-task-role`).inputs.assumeRolePolicy);
                expect(assume.Statement).to.deep.equal([ECS_TASKS_TRUST_STATEMENT]);
            }
        });
    });

    describe("worker (queue consumer, step scaling)", () => {
        it("registers the scalable target 1-10", () => {
            const t = named(T.target, "worker-scaling-target").inputs;
            expect([t.resourceId, t.minCapacity, t.maxCapacity]).to.deep.equal([`service/${CLUSTER}/ecs-autoscaling-staging-worker`, 1, 10]);
        });

        it("keys policies and alarms by name and direction", () => {
            expect(Object.keys(worker.component.scaling.policies)).to.deep.equal(["cpu", "memory", "queue-depth-out", "queue-depth-in"]);
            expect(Object.keys(worker.component.scaling.alarms)).to.deep.equal(["queue-depth-out", "queue-depth-in"]);
        });

        it("scales out +1/+2/+3 from 50 visible messages, steps relative to the threshold", () => {
            const p = named(T.policy, "worker-scaling-queue-depth-out").inputs;
            expect(p.name).to.equal("ecs-autoscaling-staging-worker-queue-depth-out");
            expect(p.policyType).to.equal("StepScaling");
            expect(p.resourceId).to.equal(`service/${CLUSTER}/ecs-autoscaling-staging-worker`);
            expect(p.targetTrackingScalingPolicyConfiguration).to.equal(undefined);
            expect(p.stepScalingPolicyConfiguration).to.deep.equal({
                adjustmentType: "ChangeInCapacity",
                cooldown: 60,
                metricAggregationType: "Maximum",
                stepAdjustments: [
                    { metricIntervalLowerBound: "0", metricIntervalUpperBound: "50", scalingAdjustment: 1 },
                    { metricIntervalLowerBound: "50", metricIntervalUpperBound: "150", scalingAdjustment: 2 },
                    { metricIntervalLowerBound: "150", scalingAdjustment: 3 },
                ],
            });
        });

        it("alarms for scale-out at >= 50 messages in 1 period of 60 s", () => {
            const a = named(T.alarm, "worker-scaling-queue-depth-out-alarm").inputs;
            expect({ ...a, alarmActions: undefined }).to.deep.equal({
                name: "ecs-autoscaling-staging-worker-queue-depth-out",
                alarmDescription: "Scales ecs-autoscaling-staging-worker out when AWS/SQS ApproximateNumberOfMessagesVisible " +
                    "(Maximum, QueueName=ecs-autoscaling-staging-work) >= 50 for 1 of 1 periods of 60 s. " +
                    "Steps: 50 to under 100: add 1 task; 100 to under 200: add 2 tasks; 200 and over: add 3 tasks. Cooldown 60 s.",
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                statistic: "Maximum",
                dimensions: { QueueName: QUEUE_NAME },
                threshold: 50,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                period: 60,
                evaluationPeriods: 1,
                datapointsToAlarm: 1,
                treatMissingData: "notBreaching",
                alarmActions: undefined,
            });
        });

        it("scales in by 1 at 10 messages and under for 5 of 5 periods of 60 s, cooldown 300", () => {
            expect(named(T.policy, "worker-scaling-queue-depth-in").inputs.stepScalingPolicyConfiguration).to.deep.equal({
                adjustmentType: "ChangeInCapacity",
                cooldown: 300,
                metricAggregationType: "Maximum",
                stepAdjustments: [{ metricIntervalUpperBound: "0", scalingAdjustment: -1 }],
            });
            const a = named(T.alarm, "worker-scaling-queue-depth-in-alarm").inputs;
            expect([a.namespace, a.metricName, a.statistic, a.dimensions]).to.deep.equal(
                ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", { QueueName: QUEUE_NAME }]);
            expect([a.threshold, a.comparisonOperator, a.period, a.evaluationPeriods, a.datapointsToAlarm, a.treatMissingData])
                .to.deep.equal([10, "LessThanOrEqualToThreshold", 60, 5, 5, "breaching"]);
            expect(a.alarmDescription).to.equal("Scales ecs-autoscaling-staging-worker in when AWS/SQS ApproximateNumberOfMessagesVisible " +
                "(Maximum, QueueName=ecs-autoscaling-staging-work) <= 10 for 5 of 5 periods of 60 s. Steps: 10 and under: remove 1 task. Cooldown 300 s.");
        });

        it("points each alarm at exactly its own policy", async () => {
            for (const key of ["queue-depth-out", "queue-depth-in"]) {
                const policyArn = await promiseOf(worker.component.scaling.policies[key].arn);
                const actions = await promiseOf(worker.component.scaling.alarms[key].alarmActions);
                expect(actions, key).to.deep.equal([policyArn]);
                expect(named(T.alarm, `worker-scaling-${key}-alarm`).inputs.alarmActions, key).to.deep.equal([policyArn]);
                expect(policyArn).to.contain(`policyName/ecs-autoscaling-staging-worker-${key}`);
            }
        });

        it("grants the task role the four consumer actions on the queue ARN and nothing else", () => {
            const roleId = "worker-fargate-task-role-id"; // the mock's id for the resource named worker-fargate-task-role
            const policies = ofType(T.rolePolicy).filter((r) => r.inputs.role === roleId);
            expect(policies.map((p) => p.name)).to.deep.equal(["worker-fargate-task-policy"]);
            const doc = JSON.parse(policies[0].inputs.policy);
            expect(doc.Statement).to.deep.equal([{
                Sid: "ConsumeWorkQueue",
                Effect: "Allow",
                Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
                Resource: QUEUE.arn,
            }, {
                Sid: "ProtectOwnTasks",
                Effect: "Allow",
                Action: ["ecs:GetTaskProtection", "ecs:UpdateTaskProtection"],
                Resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/ecs-autoscaling-staging/*`,
            }]);
            for (const key of ["api", "gateway"]) {
                expect(ofType(T.rolePolicy).filter((r) => r.inputs.role === `${key}-fargate-task-role-id`), key).to.deep.equal([]);
            }
        });

        it("tells the container the queue URL", () => {
            const [container] = JSON.parse(named(T.taskDefinition, "worker-fargate-task-definition").inputs.containerDefinitions);
            expect(container.environment).to.deep.equal([{ name: "PROCESSING_MS", value: "1000" }, { name: QUEUE_URL_ENV, value: QUEUE.url }]);
        });

        it("has no ingress rule, no target group and no load balancer", async () => {
            const sgId = await promiseOf(worker.component.securityGroupId);
            expect(ofType(T.ingress).filter((r) => r.inputs.securityGroupId === sgId)).to.deep.equal([]);
            expect(worker.component.targetGroup).to.equal(undefined);
            const s = named(T.service, "worker-fargate-service").inputs;
            expect([s.loadBalancers, s.healthCheckGracePeriodSeconds]).to.deep.equal([undefined, undefined]);
            expect(s.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
            expect(s.desiredCount).to.equal(1);
        });
    });

    describe("gateway (no load balancer, no queue)", () => {
        it("registers the scalable target 1-4 with CPU and memory policies only", () => {
            const t = named(T.target, "gateway-scaling-target").inputs;
            expect([t.resourceId, t.minCapacity, t.maxCapacity]).to.deep.equal([`service/${CLUSTER}/ecs-autoscaling-staging-gateway`, 1, 4]);
            expect(Object.keys(gateway.component.scaling.policies)).to.deep.equal(["cpu", "memory"]);
        });

        it("passes exactly the configured environment to its one essential container", () => {
            const td = named(T.taskDefinition, "gateway-fargate-task-definition").inputs;
            expect({ ...td, containerDefinitions: undefined, executionRoleArn: undefined, taskRoleArn: undefined }).to.deep.equal({
                family: "ecs-autoscaling-staging-gateway",
                networkMode: "awsvpc",
                requiresCompatibilities: ["FARGATE"],
                cpu: "256",
                memory: "512",
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
                containerDefinitions: undefined,
                executionRoleArn: undefined,
                taskRoleArn: undefined,
            });
            expect(td.executionRoleArn).to.equal(`arn:aws:iam::${ACCOUNT}:role/gateway-fargate-execution-role`);
            expect(td.taskRoleArn).to.equal(`arn:aws:iam::${ACCOUNT}:role/gateway-fargate-task-role`);
            expect(JSON.parse(td.containerDefinitions)).to.deep.equal([{
                name: "gateway",
                image: PROJECT_IMAGE.image,
                command: ["gateway", "run"],
                essential: true,
                memory: 512,
                user: "1000:1000",
                readonlyRootFilesystem: true,
                environment: [{ name: "SHARDS_PER_TASK", value: "25" }],
                logConfiguration: {
                    logDriver: "awslogs",
                    options: {
                        "awslogs-group": "/ecs/ecs-autoscaling-staging-gateway",
                        "awslogs-region": REGION,
                        "awslogs-stream-prefix": "gateway",
                    },
                },
            }]);
        });

        it("uses the cluster's capacity strategy when the service sets none", () => {
            expect(named(T.service, "gateway-fargate-service").inputs.capacityProviderStrategies).to.deep.equal([
                { capacityProvider: "FARGATE", base: 1, weight: 1 },
                { capacityProvider: "FARGATE_SPOT", base: 0, weight: 3 },
            ]);
        });
    });
});

describe("ScalableService: config edits reach the registered inputs", () => {
    let config: StackConfig;

    before(async () => {
        setupMocks(PROJECT, STACK);
        cluster = testCluster(CLUSTER);
        const services = stagingServices();
        services.worker.maxCapacity = 7;
        services.worker.policies[2].scaleOut.steps[0].lower = 40;
        services.worker.policies[2].scaleOut.evaluationPeriods = 3;
        services.worker.policies[2].scaleOut.datapointsToAlarm = 2;
        services.gateway.capacityStrategy = [{ provider: "FARGATE_SPOT", weight: 1 }];
        delete services.gateway.workload;
        services.gateway.image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/gateway:2.1.0";
        services.gateway.environment = { ZONE: "b", SHARDS_PER_TASK: "50", ALPHA: "1" };
        config = stagingConfig({ services, customMetricTest: { enabled: true, service: "api" } });
        await registered(
            build("worker", argsFor(config, "worker")),
            build("gateway", argsFor(config, "gateway")),
            build("api", argsFor(config, "api")),
        );
    });

    it("worker maxCapacity 7 and a scale-out threshold of 40 shift the target, the alarm and the relative steps", () => {
        expect(named(T.target, "worker-scaling-target").inputs.maxCapacity).to.equal(7);
        const a = named(T.alarm, "worker-scaling-queue-depth-out-alarm").inputs;
        expect([a.threshold, a.evaluationPeriods, a.datapointsToAlarm]).to.deep.equal([40, 3, 2]);
        expect(named(T.policy, "worker-scaling-queue-depth-out").inputs.stepScalingPolicyConfiguration.stepAdjustments).to.deep.equal([
            { metricIntervalLowerBound: "0", metricIntervalUpperBound: "60", scalingAdjustment: 1 },
            { metricIntervalLowerBound: "60", metricIntervalUpperBound: "160", scalingAdjustment: 2 },
            { metricIntervalLowerBound: "160", scalingAdjustment: 3 },
        ]);
        expect(a.alarmDescription).to.equal(describeStepPolicy("ecs-autoscaling-staging-worker", stepPolicy(config, "worker", "queue-depth", "out")));
        expect(a.alarmDescription).to.contain(">= 40 for 2 of 3 periods of 60 s. Steps: 40 to under 100: add 1 task;");
    });

    it("a service's own capacity strategy overrides the cluster's", () => {
        expect(named(T.service, "gateway-fargate-service").inputs.capacityProviderStrategies).to.deep.equal([
            { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
        ]);
    });

    it("a private ECR image lets the execution role pull from that repository only", () => {
        const doc = JSON.parse(named(T.rolePolicy, "gateway-fargate-execution-policy").inputs.policy);
        expect(doc.Statement.slice(1)).to.deep.equal([
            {
                Sid: "PullOwnImage",
                Effect: "Allow",
                Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team/gateway`,
            },
            { Sid: "GetRegistryToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } },
        ]);
    });

    it("sorts the container environment by name", () => {
        const [container] = JSON.parse(named(T.taskDefinition, "gateway-fargate-task-definition").inputs.containerDefinitions);
        expect(container.environment).to.deep.equal([
            { name: "ALPHA", value: "1" },
            { name: "SHARDS_PER_TASK", value: "50" },
            { name: "ZONE", value: "b" },
        ]);
    });

    it("customMetricTest puts the synthetic-load policy on api, watching exactly the published dimensions", () => {
        const t = named(T.target, "api-scaling-target").inputs;
        expect([t.minCapacity, t.maxCapacity]).to.deep.equal([2, 4]);
        const plan = config.services.api.plan.policies.find((p) => p.name === "synthetic-load");
        if (!plan || plan.kind !== "targetTracking" || plan.metric.type !== "custom") throw new Error("no synthetic-load policy in the plan");
        const p = named(T.policy, "api-scaling-synthetic-load").inputs;
        expect(p.name).to.equal("ecs-autoscaling-staging-api-synthetic-load");
        expect(p.targetTrackingScalingPolicyConfiguration).to.deep.equal({
            targetValue: 100,
            scaleOutCooldown: 60,
            scaleInCooldown: 60,
            disableScaleIn: false,
            customizedMetricSpecification: {
                namespace: "Test/Autoscaling",
                metricName: "SyntheticLoad",
                statistic: "Average",
                dimensions: dimensionList(plan.metric.series),
            },
        });
        expect(p.targetTrackingScalingPolicyConfiguration.customizedMetricSpecification.dimensions).to.deep.equal([
            { name: "TestId", value: "staging" },
            { name: "Cluster", value: CLUSTER },
            { name: "Service", value: "ecs-autoscaling-staging-api" },
        ]);
    });
});

describe("ScalableService: wiring config cannot check", () => {
    let config: StackConfig;

    before(() => {
        setupMocks(PROJECT, STACK);
        cluster = testCluster(CLUSTER);
        config = stagingConfig();
    });

    /** Expects an InputPropertiesError with exactly these property paths and nothing registered. */
    function expectRejected(build: () => unknown, paths: string[], message: RegExp): void {
        const before = recorded.length;
        let error: unknown;
        try { build(); } catch (e) { error = e; }
        expect(pulumi.InputPropertiesError.isInstance(error), String(error)).to.equal(true);
        const e = error as pulumi.InputPropertiesError;
        expect(e.errors.map((x) => x.propertyPath)).to.deep.equal(paths);
        expect(e.message).to.match(message);
        expect(recorded.length, "nothing is registered").to.equal(before);
    }

    it("a load-balanced service wired without a load balancer names the property and the config key", () => {
        expectRejected(() => scalableServiceArgs(config.services.api, { ...wiringFor(config, "api"), loadBalancer: undefined }), ["loadBalancer"],
            /^ScalableService api: loadBalancer is required because services\.api\.loadBalancer is set/);
    });

    it("a queue consumer wired without its queue names the property and the config key", () => {
        expectRejected(() => scalableServiceArgs(config.services.worker, { ...wiringFor(config, "worker"), queue: undefined, projectImage: undefined }), ["queue", "projectImage"],
            /^ScalableService worker: queue is required because services\.worker\.consumesQueue is set/);
    });

    it("ServiceScaling with an ALBRequestCountPerTarget policy and no load balancer names the policy", () => {
        expectRejected(() => new ServiceScaling("rejected", {
            service: { clusterName: CLUSTER, serviceName: "ecs-autoscaling-staging-api" },
            physicalName: "ecs-autoscaling-staging-api",
            plan: config.services.api.plan,
        }), ["loadBalancer"], /^ServiceScaling ecs-autoscaling-staging-api: loadBalancer is required because policy "alb-requests" tracks ALBRequestCountPerTarget/);
    });
});

describe("targetGroupName", () => {
    const settings = { port: 80, protocol: "HTTP", targetType: "ip", vpcId: VPC };

    it("fits 32 characters, keeps a physical name of up to 27 whole, and tells long names apart by a hash of the whole name", () => {
        expect(targetGroupName("ecs-autoscaling-staging-api", settings)).to.equal("ecs-autoscaling-staging-api-824e");
        const long = targetGroupName("a-very-long-name-prefix-1234-service-with-a-long-key", settings);
        expect(long).to.equal("a-very-long-name-pref-2db99-824e");
        expect(long).to.have.length(32);
        // Names that share their first 27 characters no longer share a target group name.
        expect(["ecs-autoscaling-localstack-api", "ecs-autoscaling-localstack-api2"].map((n) => targetGroupName(n, settings)))
            .to.deep.equal(["ecs-autoscaling-local-0523d-824e", "ecs-autoscaling-local-7a55a-824e"]);
        // A cut that ends in a dash drops it, so the name never holds "--".
        expect(targetGroupName("abcdefghijklmnopqrst-uvwxyz-more", settings)).to.equal("abcdefghijklmnopqrst-3eef0-824e");
    });

    it("changes with every setting that replaces a target group, and only then", () => {
        expect(targetGroupName("svc", settings)).to.equal("svc-824e");
        expect(targetGroupName("svc", { ...settings })).to.equal("svc-824e");
        const changes = [{ port: 8080 }, { protocol: "HTTPS" }, { targetType: "instance" }, { vpcId: "vpc-other" }];
        expect(changes.map((changed) => targetGroupName("svc", { ...settings, ...changed })))
            .to.deep.equal(["svc-0175", "svc-fee2", "svc-4739", "svc-5a5d"]);
    });
});
