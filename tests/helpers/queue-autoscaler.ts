/**
 * QueueAutoscaler from the staging stack file under Pulumi mocks: the scaled worker, the args the
 * program maps from the autoscaler section (program/component-args.ts), and the registered task,
 * roles and statements the tests read.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { QueueAutoscaler, type ScaledWorkerRef } from "../../components/queue-autoscaler";
import { AutoscalerConfig, StackConfig, loadStackConfig } from "../../config/load";
import { autoscalerSettings } from "../../program/component-args";
import { ACCOUNT, REGION, Recorded, ofType, recorded, settle, setupMocks } from "./pulumi-mocks";
import { rawProjectConfig, stackFileConfig } from "./stack-files";
import { testCluster } from "./cluster";

export const CLUSTER_NAME = "ecs-autoscaling-staging";
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER_NAME}`;
/** Staging's `jobs` consumer: the service the queue autoscaler scales there. */
export const WORKER_SERVICE = "ecs-autoscaling-staging-jobs";
export const WORKER_SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER_NAME}/${WORKER_SERVICE}`;
export const WORKER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/worker-task`;
export const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:ecs-autoscaling-staging-jobs`;
export const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/ecs-autoscaling-staging-jobs`;
export const AUTOSCALER_SERVICE = "ecs-autoscaling-staging-queue-autoscaler";
/** How the Pulumi SDK marks a secret value in the inputs a mock sees. */
export const SECRET_SIG = pulumi.runtime.specialSigKey;
export const SECRET_VALUE = pulumi.runtime.specialSecretSig;

export interface Statement {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string>>;
}

export const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resources = (s: Statement): string[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

/** The staging stack's config, with overrides given as whole top-level keys. */
export function stagingConfig(overrides: Record<string, unknown> = {}): StackConfig {
    return loadStackConfig(rawProjectConfig("staging", overrides), { project: "ecs-autoscaling", stack: "staging" });
}

export const stagingAutoscaler = () => stackFileConfig("staging")["ecs-autoscaling:autoscaler"] as Record<string, unknown>;
export const stagingServices = () => structuredClone(stackFileConfig("staging")["ecs-autoscaling:services"]) as Record<string, Record<string, unknown>>;

/** Waits (a bounded number of event-loop turns) until the mock has recorded what `done` looks for. */
export async function until(done: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setImmediate(r));
    expect(done(), "expected registrations never arrived").to.equal(true);
}

/** The staging worker as the one service scaled, with its own queue and bounds. */
export const STAGING_WORKER: ScaledWorkerRef = {
    serviceName: WORKER_SERVICE, serviceArn: WORKER_SERVICE_ARN, taskRoleArn: WORKER_ROLE_ARN, queues: [{ url: QUEUE_URL, arn: QUEUE_ARN }],
    settings: { min: 1, max: 10 },
};

export async function deploy(settings: AutoscalerConfig, scaled: readonly ScaledWorkerRef[] = [{ ...STAGING_WORKER, settings: { min: settings.minCapacity, max: settings.maxCapacity } }]): Promise<QueueAutoscaler> {
    setupMocks("ecs-autoscaling", "staging");
    const c = new QueueAutoscaler("queue-autoscaler", {
        settings: autoscalerSettings(settings),
        image: settings.image,
        serviceName: AUTOSCALER_SERVICE,
        cluster: testCluster(CLUSTER_NAME),
        scaled,
        vpcId: "vpc-staging",
        subnetIds: ["subnet-private-a", "subnet-private-b"],
        assignPublicIp: false,
        logRetentionDays: 30,
    });
    await settle(c.serviceArn, c.taskRoleArn, c.image);
    // Resources that nothing else waits for (the ECR lifecycle policy) register a few turns later.
    await until(() => settings.image !== undefined || ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy").length === 1);
    return c;
}

export function one(type: string): Recorded {
    const found = ofType(type);
    expect(found.map((r) => r.name), type).to.have.length(1);
    return found[0];
}

export function roleNamed(name: string): Recorded {
    const role = recorded.find((r) => r.type === "aws:iam/role:Role" && r.name === name);
    expect(role, `role ${name}`).to.not.equal(undefined);
    return role!;
}

/** Every statement of every inline policy attached to the role. */
export function statementsOf(roleName: string): Statement[] {
    const role = roleNamed(roleName);
    expect(ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment"), "no managed policies").to.have.length(0);
    return ofType("aws:iam/rolePolicy:RolePolicy")
        .filter((p) => p.inputs.role === `${role.name}-id`)
        .flatMap((p) => JSON.parse(p.inputs.policy).Statement as Statement[]);
}

export const taskStatements = () => statementsOf("queue-autoscaler-fargate-task-role");
export const executionStatements = () => statementsOf("queue-autoscaler-fargate-execution-role");

export function withAction(statements: Statement[], action: string): Statement[] {
    return statements.filter((s) => actions(s).includes(action));
}

export function container(): any {
    const defs = JSON.parse(one("aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions);
    expect(defs).to.have.length(1);
    return defs[0];
}

export function environment(): Record<string, string> {
    return Object.fromEntries((container().environment as { name: string; value: string }[]).map((e) => [e.name, e.value]));
}
