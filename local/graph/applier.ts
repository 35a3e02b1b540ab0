/**
 * What one resource type needs to live in a local endpoint: create it from the inputs the program
 * registered (returning the id and attributes the real provider would report), tell whether it still
 * exists, and delete it. One small applier per type; the registry lives in appliers.ts.
 */
import type { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { RDSClient } from "@aws-sdk/client-rds";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Endpoint } from "../aws/signed-request";

export interface EndpointClients {
    readonly ecs: ECSClient;
    readonly sqs: SQSClient;
    readonly cloudwatch: CloudWatchClient;
    readonly logs: CloudWatchLogsClient;
    readonly autoscaling: ApplicationAutoScalingClient;
    readonly elbv2: ElasticLoadBalancingV2Client;
    readonly rds: RDSClient;
}

export interface ApplyContext {
    readonly endpoint: Endpoint;
    readonly clients: EndpointClients;
    /** The endpoint's account (moto: 123456789012). */
    readonly account: string;
    readonly region: string;
    /** A physical name for a resource the program left unnamed (as Pulumi's auto-naming does). */
    autoName(logicalName: string, maxLength?: number): string;
}

/** What the provider reports after a create: the id and the attributes the program reads. */
export interface Created {
    readonly id: string;
    readonly outputs: Record<string, unknown>;
}

export interface Applier {
    create(ctx: ApplyContext, name: string, inputs: any): Promise<Created>;
    /**
     * True when create is an upsert of the same resource (PutMetricAlarm, PutScalingPolicy,
     * RegisterScalableTarget, PutDashboard): changed inputs then update it in place, as the provider
     * does; otherwise a change replaces the resource.
     */
    readonly upsert?: boolean;
    exists(ctx: ApplyContext, id: string, outputs: any): Promise<boolean>;
    remove(ctx: ApplyContext, id: string, outputs: any): Promise<void>;
}

/** True for the "not found" errors endpoints answer for a missing resource. */
export function isNotFound(error: unknown): boolean {
    const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
    const code = String(e?.code ?? e?.name ?? "");
    return /NotFound|NoSuch|DoesNotExist|ResourceNotFound|NonExistent|InvalidGroup\.NotFound|\.NotFound/i.test(code) || e?.$metadata?.httpStatusCode === 404;
}

/** Runs a delete; a resource already gone counts as deleted. */
export async function ignoreMissing(run: () => Promise<unknown>): Promise<void> {
    try {
        await run();
    } catch (error) {
        if (!isNotFound(error)) throw error;
    }
}

/** Runs a describe; false when the endpoint says the resource is missing. */
export async function found(run: () => Promise<boolean>): Promise<boolean> {
    try {
        return await run();
    } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
    }
}
