/**
 * ScalableService built from the real staging stack file under Pulumi mocks: the wiring index.ts gives
 * each configured service (with a test cluster, network, load balancer, queue and image), the args the
 * program maps from it (program/component-args.ts), and each component with every resource constructed
 * under it and its options (seen through a transformation on the component, which the SDK applies to
 * each child while constructing it).
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT, REGION, promiseOf, recorded, setupMocks } from "./pulumi-mocks";
import { TestCluster, testCluster } from "./cluster";
import { rawProjectConfig, stackFileConfig } from "./stack-files";
import { StackConfig, loadStackConfig } from "../../config/load";
import { StepScalingPolicy } from "../../scaling/plan";
import { ScalableService, ScalableServiceArgs } from "../../components/scalable-service";
import { ServiceWiring, scalableServiceArgs } from "../../program/component-args";

export const PROJECT = "ecs-autoscaling";
export const STACK = "staging";
export const CLUSTER = "ecs-autoscaling-staging";
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
export const VPC = "vpc-0staging";
export const SUBNETS = ["subnet-0private-a", "subnet-0private-b"];
export const LB_NAME = "ecs-autoscaling-staging";
export const LB = {
    listenerArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/${LB_NAME}/0123456789abcdef/0a1b2c3d4e5f6789`,
    securityGroupId: "sg-0alb0000000000001",
    arnSuffix: `app/${LB_NAME}/0123456789abcdef`,
};
export const QUEUE_NAME = "ecs-autoscaling-staging-work";
export const QUEUE = {
    arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${QUEUE_NAME}`,
    url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${QUEUE_NAME}`,
};
/** The stack's project image as index.ts passes it to the built-in workloads. */
export const PROJECT_IMAGE = { image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecs-autoscaling-staging-autoscale@sha256:" + "b".repeat(64), ecrRepositoryArn: "arn:aws:ecr:us-east-1:123456789012:repository/ecs-autoscaling-staging-autoscale" };

/** Resource types the tests look up. */
export const T = {
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

export function stagingConfig(overrides: Record<string, unknown> = {}): StackConfig {
    return loadStackConfig(rawProjectConfig(STACK, overrides), { project: PROJECT, stack: STACK });
}

/** The staging `services` value, deep-copied so a test can edit it and pass it back as an override. */
export function stagingServices(): any {
    return JSON.parse(JSON.stringify(stackFileConfig(STACK)[`${PROJECT}:services`]));
}

/** The wiring index.ts gives a configured service, with the test's cluster, network, load balancer, queue and image. */
export function wiringFor(config: StackConfig, key: string, cluster: TestCluster): ServiceWiring {
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
export function argsFor(config: StackConfig, key: string, cluster: TestCluster): ScalableServiceArgs {
    return scalableServiceArgs(config.services[key], wiringFor(config, key, cluster));
}

export interface Built {
    readonly component: ScalableService;
    /** Every resource constructed under the component (and the component itself), with its options. */
    readonly constructed: pulumi.ResourceTransformationArgs[];
}

export function build(name: string, args: ScalableServiceArgs): Built {
    const constructed: pulumi.ResourceTransformationArgs[] = [];
    const component = new ScalableService(name, args, {
        transformations: [(a) => { constructed.push(a); return undefined; }],
    });
    return { component, constructed };
}

/** Waits until every resource built has been registered with the mock monitor. */
export async function registered(...built: Built[]): Promise<void> {
    await Promise.all(built.flatMap((b) => b.constructed.map((c) => promiseOf(c.resource.urn))));
    await new Promise((r) => setImmediate(r));
}

export function stepPolicy(config: StackConfig, key: string, name: string, direction: "out" | "in"): StepScalingPolicy {
    const p = config.services[key].plan.policies.find((x) => x.kind === "step" && x.name === name && x.direction === direction);
    if (!p || p.kind !== "step") throw new Error(`no step policy ${name}-${direction} in ${key}`);
    return p;
}

/** The staging services api, worker and gateway, built side by side under fresh mocks. */
export interface StagingServices {
    readonly config: StackConfig;
    readonly cluster: TestCluster;
    readonly api: Built;
    readonly worker: Built;
    readonly gateway: Built;
}

/** Builds api, worker and gateway from the staging stack file (optionally edited) and waits until every resource is registered. */
export async function buildStagingServices(overrides: Record<string, unknown> = {}): Promise<StagingServices> {
    setupMocks(PROJECT, STACK);
    const cluster = testCluster(CLUSTER);
    const config = stagingConfig(overrides);
    const [api, worker, gateway] = ["api", "worker", "gateway"].map((key) => build(key, argsFor(config, key, cluster)));
    await registered(api, worker, gateway);
    return { config, cluster, api, worker, gateway };
}

/** Expects `build` to throw an InputPropertiesError with exactly these property paths, and nothing to be registered. */
export function expectRejected(build: () => unknown, paths: string[], message: RegExp): void {
    const before = recorded.length;
    let error: unknown;
    try { build(); } catch (e) { error = e; }
    expect(pulumi.InputPropertiesError.isInstance(error), String(error)).to.equal(true);
    const e = error as pulumi.InputPropertiesError;
    expect(e.errors.map((x) => x.propertyPath)).to.deep.equal(paths);
    expect(e.message).to.match(message);
    expect(recorded.length, "nothing is registered").to.equal(before);
}
