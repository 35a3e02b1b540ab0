/**
 * The ECS + SQS fixture the autoscaler works on, built on a moto_server (local/moto-server.ts), and the
 * probes callers use on it: desired count, message bursts, UpdateService calls as they are sent, polling.
 */
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { ECSClient } from "@aws-sdk/client-ecs";
import { CreateQueueCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { AwsClients } from "../runtime/aws/clients";

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface FixtureOptions {
    readonly cluster: string;
    readonly service: string;
    readonly queue: string;
    /** desiredCount the service is created with. */
    readonly desiredCount: number;
    /**
     * Create the service with desiredCount 0 and then set `desiredCount` with UpdateService, so that it
     * has running = desired and a COMPLETED deployment. moto freezes the deployment of a service created
     * with desired > 0 at IN_PROGRESS forever (its running count starts at 0), which an autoscaler that
     * holds scale-in during deployments would read as a deployment that never ends. Default false.
     */
    readonly settled?: boolean;
}

export interface Fixture {
    readonly cluster: string;
    readonly service: string;
    readonly queue: string;
    readonly queueUrl: string;
    readonly taskDefinitionArn: string;
}

/**
 * Cluster, FARGATE task definition (container-level memory, which moto's RunTask needs), service and
 * SQS queue. Idempotent on a fresh moto, so it also rebuilds the fixture after a restart; the queue URL
 * depends only on the endpoint and name, so a URL handed out before a restart stays valid.
 */
export async function createFixture(clients: Pick<AwsClients, "ecs" | "sqs">, o: FixtureOptions): Promise<Fixture> {
    await clients.ecs.send(new CreateClusterCommand({ clusterName: o.cluster }));
    const td = await clients.ecs.send(
        new RegisterTaskDefinitionCommand({
            family: `${o.service}-worker`,
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            cpu: "256",
            memory: "512",
            containerDefinitions: [{ name: "worker", image: "public.ecr.aws/docker/library/busybox:latest", memory: 512, essential: true }],
        }),
    );
    const taskDefinitionArn = td.taskDefinition?.taskDefinitionArn;
    if (taskDefinitionArn === undefined) throw new Error("RegisterTaskDefinition returned no taskDefinitionArn");
    await clients.ecs.send(
        new CreateServiceCommand({
            cluster: o.cluster,
            serviceName: o.service,
            taskDefinition: taskDefinitionArn,
            desiredCount: o.settled ? 0 : o.desiredCount,
            launchType: "FARGATE",
        }),
    );
    if (o.settled && o.desiredCount > 0) {
        await clients.ecs.send(new UpdateServiceCommand({ cluster: o.cluster, service: o.service, desiredCount: o.desiredCount }));
    }
    const q = await clients.sqs.send(new CreateQueueCommand({ QueueName: o.queue, Attributes: { VisibilityTimeout: "30" } }));
    if (q.QueueUrl === undefined) throw new Error("CreateQueue returned no QueueUrl");
    return { cluster: o.cluster, service: o.service, queue: o.queue, queueUrl: q.QueueUrl, taskDefinitionArn };
}

/** The service's desiredCount as DescribeServices reports it. */
export async function describeDesired(ecs: ECSClient, cluster: string, service: string): Promise<number> {
    const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    const svc = out.services?.[0];
    if (svc === undefined || svc.desiredCount === undefined) {
        throw new Error(`DescribeServices ${cluster}/${service}: not found (${JSON.stringify(out.failures ?? [])})`);
    }
    return svc.desiredCount;
}

/** Sends `count` messages in SendMessageBatch calls of at most 10, failing on any per-entry failure. */
export async function sendBurst(sqs: SQSClient, queueUrl: string, count: number, tag = "burst"): Promise<void> {
    for (let sent = 0; sent < count; sent += 10) {
        const n = Math.min(10, count - sent);
        const out = await sqs.send(
            new SendMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: Array.from({ length: n }, (_, i) => ({ Id: `m${sent + i}`, MessageBody: `${tag}-${sent + i}` })),
            }),
        );
        if ((out.Failed ?? []).length > 0) throw new Error(`SendMessageBatch failed entries: ${JSON.stringify(out.Failed)}`);
    }
}

/** One UpdateService request as the client sent it. */
export interface UpdateServiceCall {
    /** Epoch ms when the command entered the client's middleware stack (before signing and sending). */
    readonly at: number;
    readonly cluster?: string;
    readonly service?: string;
    readonly desiredCount?: number;
}

/**
 * Calls `listener` for every UpdateServiceCommand `ecs` sends, at the moment it is sent, through an
 * initialize-step middleware; the request itself goes on unchanged.
 */
export function onUpdateService(ecs: ECSClient, listener: (call: UpdateServiceCall) => void): void {
    ecs.middlewareStack.add(
        (next, context) => async (args) => {
            if (context.commandName === "UpdateServiceCommand") {
                const input = args.input as { cluster?: string; service?: string; desiredCount?: number };
                listener({ at: Date.now(), cluster: input.cluster, service: input.service, desiredCount: input.desiredCount });
            }
            return next(args);
        },
        { step: "initialize", name: "recordUpdateService", override: true },
    );
}

/** Polls `probe` every `everyMs` until `done` holds for its value or `timeoutMs` passes; returns the last value. */
export async function pollUntil<T>(
    probe: () => Promise<T>,
    done: (value: T) => boolean,
    o: { timeoutMs: number; everyMs: number; what: string },
): Promise<{ value: T; elapsedMs: number }> {
    const start = Date.now();
    let value = await probe();
    while (!done(value)) {
        if (Date.now() - start > o.timeoutMs) {
            throw new Error(`${o.what}: not reached within ${o.timeoutMs} ms (last value ${JSON.stringify(value)})`);
        }
        await delay(o.everyMs);
        value = await probe();
    }
    return { value, elapsedMs: Date.now() - start };
}
