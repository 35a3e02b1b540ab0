/**
 * moto_server for tests, benchmarks, scripts and the local stack: one moto process on a free loopback
 * port, and AWS SDK v3 clients pointed at it (from the runtime's own client factory).
 *
 * moto is a state store: UpdateService sets running = desired at once, services never start tasks, SQS
 * counts are exact and live, and restarting the process loses every resource, so a caller that restarts
 * it re-creates what it needs (local/moto-fixture.ts builds the ECS + SQS fixture the autoscaler works on).
 */
import { ChildProcess, spawn } from "child_process";
import { killOnStop } from "./stop-hooks";
import * as http from "http";
import * as net from "net";
import { AwsClients, ClientOverrides, createAwsClients } from "../runtime/aws/clients";

export * from "./moto-fixture";
export * from "./aws-proxy";

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
        // moto runs detached: killed with this process, also when a Ctrl-C or a kill ends it (stop-hooks.ts).
        killOnStop(() => {
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
