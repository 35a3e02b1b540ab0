/**
 * Pulumi mocks for component and stack tests: every registered resource is recorded with its inputs,
 * and the mock returns the computed outputs downstream code reads (arn, arnSuffix, name, id), so
 * interpolated strings in the graph stay meaningful. No CLI, plugin or cloud is involved.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { ELB_ACCOUNT_US_EAST_1, MOCK_ACCOUNT, MOCK_REGION, invokeResult } from "../../diff/mock-cloud";

export const ACCOUNT = MOCK_ACCOUNT;
export const REGION = MOCK_REGION;
/** Elastic Load Balancing's account in REGION, which writes access logs. */
export const ELB_ACCOUNT = ELB_ACCOUNT_US_EAST_1;
/** The digest the mock reports for every docker-build image it "pushes". */
export const IMAGE_DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

export interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly inputs: any;
    readonly state: any;
}

export const recorded: Recorded[] = [];

export interface Invoked {
    readonly token: string;
    readonly inputs: any;
}

/** Every invoke (data source call) the program made, with its arguments, in call order. */
export const invoked: Invoked[] = [];

/** A stable hex id derived from a logical name. */
function hex(name: string, length: number): string {
    return crypto.createHash("sha256").update(name).digest("hex").slice(0, length);
}

function arnFor(type: string, name: string, inputs: any): string {
    const [pkg, mod] = type.split(":");
    const service = (mod ?? "x").split("/")[0];
    if (type === "aws:lb/loadBalancer:LoadBalancer") return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/${inputs.name ?? name}/0123456789abcdef`;
    // Listener and rule ARNs in the form ELB gives them, so that IAM simulation sees the resource types.
    if (type === "aws:lb/listener:Listener") return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/alb/0123456789abcdef/${hex(name, 16)}`;
    if (type === "aws:lb/listenerRule:ListenerRule") return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener-rule/app/alb/0123456789abcdef/fedcba9876543210/${hex(name, 16)}`;
    if (type === "aws:lb/targetGroup:TargetGroup") return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${inputs.name ?? name}/fedcba9876543210`;
    if (type === "aws:sqs/queue:Queue") return `arn:aws:sqs:${REGION}:${ACCOUNT}:${inputs.name ?? name}`;
    if (type === "aws:ecs/cluster:Cluster") return `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${inputs.name ?? name}`;
    if (type === "aws:ecs/service:Service") return `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${String(inputs.cluster ?? "cluster").split("/").pop()}/${inputs.name ?? name}`;
    if (type === "aws:iam/role:Role") return `arn:aws:iam::${ACCOUNT}:role/${inputs.name ?? name}`;
    if (type === "aws:sns/topic:Topic") return `arn:aws:sns:${REGION}:${ACCOUNT}:${inputs.name ?? name}`;
    if (type === "aws:cloudwatch/logGroup:LogGroup") return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${inputs.name ?? name}`;
    if (type === "aws:rds/cluster:Cluster") return `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${inputs.clusterIdentifier ?? name}`;
    if (type === "aws:rds/clusterInstance:ClusterInstance") return `arn:aws:rds:${REGION}:${ACCOUNT}:db:${inputs.identifier ?? name}`;
    if (type === "aws:lambda/function:Function") return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${inputs.name ?? name}`;
    if (type === "aws:cloudwatch/eventRule:EventRule") return `arn:aws:events:${REGION}:${ACCOUNT}:rule/${inputs.name ?? name}`;
    // AWS gives a scalable target an id of its own: `scalable-target/<id>` (Service Authorization Reference).
    if (type === "aws:appautoscaling/target:Target") return `arn:aws:application-autoscaling:${REGION}:${ACCOUNT}:scalable-target/${hex(name, 32)}`;
    if (type === "aws:appautoscaling/policy:Policy") return `arn:aws:autoscaling:${REGION}:${ACCOUNT}:scalingPolicy:${name}:resource/${inputs.serviceNamespace}/${inputs.resourceId}:policyName/${inputs.name ?? name}`;
    return `arn:aws:${pkg === "aws" ? service : pkg}:${REGION}:${ACCOUNT}:${name}`;
}

function stateFor(args: pulumi.runtime.MockResourceArgs): Record<string, any> {
    const inputs = args.inputs ?? {};
    const name = inputs.name ?? args.name;
    const arn = arnFor(args.type, args.name, inputs);
    const state: Record<string, any> = { ...inputs, arn, name };
    switch (args.type) {
        case "aws:lb/loadBalancer:LoadBalancer":
        case "aws:lb/targetGroup:TargetGroup":
            state.arnSuffix = arn.split(":").pop()!.replace(/^loadbalancer\//, "");
            state.dnsName = `${name}.${REGION}.elb.amazonaws.com`;
            break;
        case "aws:sqs/queue:Queue":
            state.url = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
            break;
        case "aws:ecs/taskDefinition:TaskDefinition":
            state.arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${inputs.family}:1`;
            break;
        case "aws:rds/cluster:Cluster":
            state.id = inputs.clusterIdentifier ?? args.name;
            state.endpoint = `${state.id}.cluster-abc.${REGION}.rds.amazonaws.com`;
            state.readerEndpoint = `${state.id}.cluster-ro-abc.${REGION}.rds.amazonaws.com`;
            // What RDS reports when it manages the master password: the secret's ARN, never the password.
            state.masterUserSecrets = inputs.manageMasterUserPassword
                ? [{ secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!cluster-0123-AbCdEf`, secretStatus: "active", kmsKeyId: "" }]
                : [];
            break;
        case "aws:ec2/vpc:Vpc":
            state.id = `vpc-${args.name}`;
            break;
        case "aws:ec2/eip:Eip":
            state.allocationId = `eipalloc-${args.name}`;
            state.publicIp = "203.0.113.10";
            break;
        case "aws:ecr/repository:Repository":
            state.repositoryUrl = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}`;
            state.arn = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
            state.registryId = ACCOUNT;
            break;
        case "docker-build:index:Image":
            // What the provider reports after a push: the manifest digest, and one tag pinned to it.
            state.digest = IMAGE_DIGEST;
            state.ref = `${(inputs.tags ?? [args.name])[0]}@${IMAGE_DIGEST}`;
            break;
    }
    return state;
}

/** Switches for the next setupMocks() runs. */
export const mockOptions = {
    /** The provider knows no ELB account for the region (regions opened after August 2022). */
    elbAccountUnknown: false,
};

export function setupMocks(project = "ecs-autoscaling", stack = "test"): void {
    recorded.length = 0;
    invoked.length = 0;
    pulumi.runtime.setMocks({
        newResource(args) {
            const state = stateFor(args);
            recorded.push({ type: args.type, name: args.name, inputs: args.inputs, state });
            return { id: state.id ?? `${args.name}-id`, state };
        },
        call(args) {
            invoked.push({ token: args.token, inputs: args.inputs });
            // The us-east-1 ELB account (ALB guide, "Enable access logs"); a region opened after August 2022
            // has none, and the provider refuses it as it does on AWS. The engine hands a provider's error
            // to the program as `details`. Every other invoke gets the mock cloud's answer.
            if (args.token === "aws:elb/getServiceAccount:getServiceAccount" && mockOptions.elbAccountUnknown) {
                const details = "invocation of aws:elb/getServiceAccount:getServiceAccount returned an error: unsupported AWS Region: ap-southeast-4";
                throw Object.assign(new Error(details), { details });
            }
            return invokeResult(args.token, args.inputs);
        },
    }, project, stack, false);
}

/** Resolves an Output's value (the SDK keeps Output.promise() private). */
export function promiseOf<T>(o: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(o).apply((v) => { resolve(v as T); return v; }));
}

export function ofType(type: string): Recorded[] {
    return recorded.filter((r) => r.type === type);
}

export function named(type: string, name: string): Recorded {
    const r = recorded.find((x) => x.type === type && x.name === name);
    if (!r) {
        throw new Error(`no ${type} named ${name}; have: ${recorded.filter((x) => x.type === type).map((x) => x.name).join(", ") || "(none)"}`);
    }
    return r;
}

/**
 * Waits until every resource registration and invoke started so far has completed, with its outputs
 * resolved: the chain of RPC keep-alives that `pulumi.runtime.disconnect` itself waits on. Children a
 * component keeps to itself are covered too, so a test needs no handle on them.
 */
export function allRegistered(): Promise<void> {
    // Exported by the SDK's runtime/settings module (3.248) but left out of its type declarations.
    const settings: { waitForRPCs(): Promise<void> } = require("@pulumi/pulumi/runtime/settings");
    return settings.waitForRPCs();
}

/** Waits until every resource registered so far has been seen by the mock monitor. */
export async function settle(...outputs: pulumi.Output<unknown>[]): Promise<void> {
    await Promise.all(outputs.map((o) => promiseOf(o)));
    await new Promise((r) => setImmediate(r));
}
