/**
 * A stand-in for the cloud while the program runs under Pulumi mocks: every resource echoes its
 * inputs and gets the identifiers downstream code interpolates (arn, id, url, endpoints), and every
 * invoke the program makes (region, account, zones, default VPC, ELB account, registry token) gets a
 * fixed answer. The answers are the same on both sides of a diff, so what differs between two graphs
 * is what the program and the stack file made differ. No credentials, no network.
 */
import * as pulumi from "@pulumi/pulumi";

export const MOCK_ACCOUNT = "123456789012";
export const MOCK_REGION = "us-east-1";
/** Elastic Load Balancing's account in us-east-1 (ALB guide, "Enable access logs for your Application Load Balancer"). */
export const ELB_ACCOUNT_US_EAST_1 = "127311923021";
const DIGEST = `sha256:${"0".repeat(64)}`;

export interface MockedResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

function computedState(type: string, name: string, inputs: any): Record<string, unknown> {
    const physical = inputs.name ?? inputs.clusterIdentifier ?? inputs.identifier ?? name;
    const service = (type.split(":")[1] ?? "x").split("/")[0];
    const arn = `arn:aws:${service}:${MOCK_REGION}:${MOCK_ACCOUNT}:${physical}`;
    const state: Record<string, unknown> = { ...inputs, arn, name: inputs.name ?? name, id: `${name}-id` };
    switch (type) {
        case "aws:lb/loadBalancer:LoadBalancer":
        case "aws:lb/targetGroup:TargetGroup":
            state.arnSuffix = `app/${physical}/0123456789abcdef`;
            state.dnsName = `${physical}.${MOCK_REGION}.elb.amazonaws.com`;
            break;
        case "aws:sqs/queue:Queue":
            state.url = `https://sqs.${MOCK_REGION}.amazonaws.com/${MOCK_ACCOUNT}/${physical}`;
            break;
        case "aws:rds/cluster:Cluster":
            state.id = physical;
            state.endpoint = `${physical}.cluster-abc.${MOCK_REGION}.rds.amazonaws.com`;
            state.readerEndpoint = `${physical}.cluster-ro-abc.${MOCK_REGION}.rds.amazonaws.com`;
            state.masterUserSecrets = inputs.manageMasterUserPassword ? [{ secretArn: `arn:aws:secretsmanager:${MOCK_REGION}:${MOCK_ACCOUNT}:secret:rds-${physical}`, secretStatus: "active", kmsKeyId: "" }] : [];
            break;
        case "aws:ec2/eip:Eip":
            state.allocationId = `eipalloc-${name}`;
            state.publicIp = "203.0.113.10";
            break;
        case "aws:ecr/repository:Repository":
            state.repositoryUrl = `${MOCK_ACCOUNT}.dkr.ecr.${MOCK_REGION}.amazonaws.com/${physical}`;
            state.registryId = MOCK_ACCOUNT;
            break;
        case "docker-build:index:Image":
            state.digest = DIGEST;
            state.ref = `${(inputs.tags ?? [name])[0]}@${DIGEST}`;
            break;
    }
    return state;
}

/** The fixed answer to an invoke the program makes; any other token echoes its inputs. */
export function invokeResult(token: string, inputs: any): Record<string, unknown> {
    switch (token) {
        case "aws:index/getRegion:getRegion":
            return { name: MOCK_REGION, region: MOCK_REGION, id: MOCK_REGION };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/diff`, userId: "diff" };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: ["a", "b", "c"].map((z) => `${MOCK_REGION}${z}`), zoneIds: ["use1-az1", "use1-az2", "use1-az3"] };
        case "aws:ec2/getVpc:getVpc":
            return { id: "vpc-default", cidrBlock: "172.31.0.0/16", default: true };
        case "aws:ec2/getSubnets:getSubnets":
            return { ids: ["subnet-default-a", "subnet-default-b"] };
        case "aws:elb/getServiceAccount:getServiceAccount":
            return { id: ELB_ACCOUNT_US_EAST_1, arn: `arn:aws:iam::${ELB_ACCOUNT_US_EAST_1}:root`, region: MOCK_REGION };
        case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return { userName: "AWS", password: "token", proxyEndpoint: `https://${MOCK_ACCOUNT}.dkr.ecr.${MOCK_REGION}.amazonaws.com` };
        default:
            return inputs;
    }
}

/** Installs the mocks for `project`/`stack` and returns the list every registration is recorded in. */
export function installMockCloud(project: string, stack: string): MockedResource[] {
    const recorded: MockedResource[] = [];
    pulumi.runtime.setMocks({
        newResource(args) {
            const state = computedState(args.type, args.name, args.inputs ?? {});
            recorded.push({ type: args.type, name: args.name, inputs: args.inputs ?? {} });
            return { id: String(state.id), state };
        },
        call: (args) => invokeResult(args.token, args.inputs ?? {}),
    }, project, stack, false);
    return recorded;
}

/** The URN of every resource the mock monitor registered, in registration order. */
export function registeredUrns(): string[] {
    // The mock monitor keeps its registrations; the SDK's settings module exposes the monitor.
    const settings: { getMonitor(): { getRegisteredResources?(): Map<string, unknown> } | undefined } = require("@pulumi/pulumi/runtime/settings");
    return [...(settings.getMonitor()?.getRegisteredResources?.().keys() ?? [])];
}

/** Waits until every registration and invoke started so far has completed (what `disconnect` waits on). */
export function allRegistered(): Promise<void> {
    // Exported by the SDK's runtime/settings module but left out of its type declarations.
    const settings: { waitForRPCs(): Promise<void> } = require("@pulumi/pulumi/runtime/settings");
    return settings.waitForRPCs();
}
