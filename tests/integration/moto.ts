/**
 * moto_server harness for integration tests and benchmarks: one moto process on a free loopback port,
 * AWS SDK v3 clients pointed at it, and the ECS + SQS fixture the autoscaler works on.
 *
 * moto is a state store (see the moto notes in shared/reference/moto.md): UpdateService sets running = desired at
 * once, services never start tasks, SQS counts are exact and live, and restarting the process loses
 * every resource, so a caller that restarts it re-creates what it needs.
 */
import { ChildProcess, spawn } from "child_process";
import * as http from "http";
import * as net from "net";
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { ECSClient } from "@aws-sdk/client-ecs";
import { CreateQueueCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { AwsClients, ClientOverrides, createAwsClients } from "../../runtime/aws/clients";

const HOST = "127.0.0.1";
/** How much of moto's stderr is kept for error messages. */
const STDERR_TAIL_CHARS = 8_000;

export interface MotoServer {
    /** `http://127.0.0.1:<port>` */
    readonly endpoint: string;
    readonly port: number;
    /** Kills moto's process group and resolves once the process has exited. */
    stop(): Promise<void>;
    /**
     * Stops moto and starts a fresh one on the same port; every resource is gone afterwards. With
     * `downtimeMs` the port stays closed that long before the new process starts (an outage).
     */
    restart(options?: { readonly downtimeMs?: number }): Promise<void>;
    /** `POST /moto-api/reset`: wipes every backend without restarting the process. */
    reset(): Promise<void>;
}

export interface MotoOptions {
    /** Port to bind; default: a free loopback port. */
    readonly port?: number;
    /** How long to wait for moto to answer HTTP; default 20 s. */
    readonly readyTimeoutMs?: number;
}

/** A port that was free a moment ago: listen on port 0 of the loopback interface and release it. */
export function freeLoopbackPort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.once("error", reject);
        server.listen(0, HOST, () => {
            const address = server.address();
            if (address === null || typeof address === "string") {
                server.close();
                reject(new Error("net.Server.address() returned no port"));
                return;
            }
            server.close((err) => (err ? reject(err) : resolve(address.port)));
        });
    });
}

interface HttpAnswer {
    readonly status: number;
    readonly body: string;
}

function httpRequest(method: "GET" | "POST", url: string, timeoutMs: number): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method, timeout: timeoutMs }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
            res.on("error", reject);
        });
        req.on("timeout", () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
        req.on("error", reject);
        req.end();
    });
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One running moto process; `exited` resolves when it ends, whoever ended it. */
interface MotoProcess {
    readonly child: ChildProcess;
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    stderrTail(): string;
}

/** Processes started here and not yet exited, killed synchronously if Node exits without stop(). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    if (child.pid === undefined) return;
    try {
        // moto_server is often a pyenv shim (bash) that execs python; killing the group reaches
        // whatever process ended up serving the port.
        process.kill(-child.pid, signal);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
}

function spawnMoto(port: number): MotoProcess {
    if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on("exit", () => {
            for (const child of live) killGroup(child, "SIGKILL");
        });
    }
    const child = spawn("moto_server", ["-H", HOST, "-p", String(port)], {
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, PYTHONUNBUFFERED: "1" },
    });
    live.add(child);
    let tail = "";
    const keep = (chunk: Buffer) => {
        tail = (tail + chunk.toString("utf8")).slice(-STDERR_TAIL_CHARS);
    };
    // Werkzeug logs every request to stderr; both pipes are drained so moto never blocks on them.
    child.stderr?.on("data", keep);
    child.stdout?.on("data", keep);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.once("exit", (code, signal) => {
            live.delete(child);
            resolve({ code, signal });
        });
        child.once("error", (err) => {
            live.delete(child);
            tail += `\nspawn error: ${err.message}`;
            resolve({ code: null, signal: null });
        });
    });
    return { child, exited, stderrTail: () => tail };
}

async function waitUntilAnswering(proc: MotoProcess, endpoint: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void proc.exited.then((e) => (exit = e));
    let lastError = "";
    while (Date.now() < deadline) {
        if (exit !== undefined) {
            throw new Error(
                `moto_server exited before answering on ${endpoint} (code ${exit.code}, signal ${exit.signal}); stderr:\n${proc.stderrTail()}`,
            );
        }
        try {
            await httpRequest("GET", `${endpoint}/moto-api/data.json`, 1_000);
            return;
        } catch (err) {
            lastError = (err as Error).message;
        }
        await delay(100);
    }
    killGroup(proc.child, "SIGKILL");
    await proc.exited;
    throw new Error(
        `moto_server did not answer GET ${endpoint}/moto-api/data.json within ${timeoutMs} ms (last error: ${lastError}); stderr:\n${proc.stderrTail()}`,
    );
}

async function stopProcess(proc: MotoProcess): Promise<void> {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    killGroup(proc.child, "SIGTERM");
    const timer = setTimeout(() => killGroup(proc.child, "SIGKILL"), 5_000);
    try {
        await proc.exited;
    } finally {
        clearTimeout(timer);
    }
    // The group may outlive the shim that was our direct child.
    killGroup(proc.child, "SIGKILL");
}

/** Starts moto_server on 127.0.0.1 and resolves once it answers HTTP. */
export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
    const port = options.port ?? (await freeLoopbackPort());
    const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
    const endpoint = `http://${HOST}:${port}`;

    const launch = async (): Promise<MotoProcess> => {
        const proc = spawnMoto(port);
        await waitUntilAnswering(proc, endpoint, readyTimeoutMs);
        return proc;
    };

    let current: MotoProcess | undefined = await launch();

    return {
        endpoint,
        port,
        async stop() {
            const proc = current;
            current = undefined;
            if (proc !== undefined) await stopProcess(proc);
        },
        async restart(restartOptions = {}) {
            const proc = current;
            current = undefined;
            if (proc !== undefined) await stopProcess(proc);
            if (restartOptions.downtimeMs !== undefined && restartOptions.downtimeMs > 0) await delay(restartOptions.downtimeMs);
            current = await launch();
        },
        async reset() {
            const answer = await httpRequest("POST", `${endpoint}/moto-api/reset`, 5_000);
            if (answer.status !== 200) throw new Error(`POST /moto-api/reset answered ${answer.status}: ${answer.body}`);
        },
    };
}

/** Client settings for moto: us-east-1, dummy credentials, one attempt so that errors surface at once. */
export function motoClientOverrides(endpoint: string): ClientOverrides {
    return {
        region: "us-east-1",
        endpoint,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 1,
    };
}

/** ECS, SQS and CloudWatch clients for moto, from the runtime's own factory (CloudWatch uncompressed). */
export function motoClients(endpoint: string): AwsClients {
    return createAwsClients(motoClientOverrides(endpoint));
}

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

/** Stops the autoscaler, then moto, and closes the clients, whatever fails first. */
export async function stopAll(parts: { autoscaler?: { stop(): Promise<void> }; moto?: MotoServer; clients?: AwsClients }): Promise<void> {
    try {
        await parts.autoscaler?.stop();
    } finally {
        await parts.moto?.stop();
        parts.clients?.ecs.destroy();
        parts.clients?.sqs.destroy();
        parts.clients?.cloudwatch.destroy();
    }
}

/** One request that reached a proxy: the AWS operation it names and when. */
export interface ProxiedRequest {
    readonly at: number;
    /** `X-Amz-Target` header (JSON protocols: `<service>.<Operation>`), or "" */
    readonly target: string;
}

export interface Proxy {
    /** `http://127.0.0.1:<port>` */
    readonly endpoint: string;
    /** Every request received, in order. */
    readonly requests: readonly ProxiedRequest[];
    /** Requests held (never answered) so far. */
    readonly held: number;
    /** Closes the listener and every open connection. */
    close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of `target` (moto). A request for which `hold` returns true is taken
 * in and never answered (its socket stays open), as from an AWS endpoint that stopped answering;
 * every other request is forwarded and its answer passed back. Without `target` every request is held.
 */
export async function startProxy(options: { readonly target?: string; readonly hold?: (request: ProxiedRequest) => boolean } = {}): Promise<Proxy> {
    const requests: ProxiedRequest[] = [];
    const sockets = new Set<net.Socket>();
    let held = 0;
    const server = http.createServer((req, res) => {
        const request: ProxiedRequest = { at: Date.now(), target: String(req.headers["x-amz-target"] ?? "") };
        requests.push(request);
        if (!options.target || options.hold?.(request)) {
            held++;
            req.resume();
            return;
        }
        const url = new URL(req.url ?? "/", options.target);
        const upstream = http.request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
        });
        upstream.on("error", (err) => {
            if (!res.headersSent) res.writeHead(502);
            res.end(err.message);
        });
        req.pipe(upstream);
    });
    server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, HOST, () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    return {
        endpoint: `http://${HOST}:${port}`,
        requests,
        get held() {
            return held;
        },
        close: () => new Promise<void>((resolve) => {
            for (const s of sockets) s.destroy();
            server.close(() => resolve());
        }),
    };
}
