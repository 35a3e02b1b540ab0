/**
 * SIGTERM ends the autoscaler process within 10 s in every state it can be in, measured on the bundle
 * the autoscaler task runs (dist/autoscaler/index.js) against moto_server: idle between ticks, in the middle of a call that never returns,
 * in the middle of a drain whose restore cannot get through, and during a partition. What it can
 * restore it restores; what it cannot heals by itself (a drain's restore tag read by the next
 * autoscaler, a partition statement that lapses). ECS gives a task 30 s before SIGKILL.
 *
 * The four processes run side by side (each on its own service and queue, the last three behind a
 * proxy of their own), so the file takes as long as its slowest case.
 */
import { spawn, type ChildProcess } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { ListTagsForResourceCommand } from "@aws-sdk/client-ecs";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { expect } from "chai";
import { build } from "esbuild";
import { AUTOSCALER_TASK_OPTIONS, ROOT } from "../../../bundle/esbuild";
import type { AwsClients } from "../../../runtime/aws/clients";
import { createFixture, describeDesired, motoClients, pollUntil, startMoto, startProxy, type Fixture, type MotoServer, type Proxy } from "../../../local/moto-server";

const ROLE = "arn:aws:iam::123456789012:role/sigterm-worker-task";
/** What the issue asks: well inside the 30 s ECS waits before SIGKILL. */
const EXIT_BOUND_MS = 10_000;

interface Run {
    readonly child: ChildProcess;
    readonly logs: Record<string, any>[];
    readonly exited: Promise<{ code: number | null; at: number }>;
}

describe("integration: SIGTERM ends the autoscaler within 10 s in every state", function () {
    this.timeout(90_000);

    let moto: MotoServer | undefined;
    let clients: AwsClients;
    let dir: string;
    let bundle: string;
    const children: ChildProcess[] = [];
    const proxies: Proxy[] = [];

    function launch(f: Fixture, endpoint: string, extra: readonly string[]): Run {
        const child = spawn(process.execPath, [bundle, "autoscaler", "run", "--queue-url", f.queueUrl, "--cluster", f.cluster, "--ecs-service", f.service,
            "--health-port", "0", "--max", "5", "--min", "1", ...extra], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
            // No AWS_MAX_ATTEMPTS: the SDK's own retries (3 attempts) are what a deployed task has.
            env: { ...process.env, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_ENDPOINT_URL: endpoint, LOG_LEVEL: "info" },
        });
        children.push(child);
        const logs: Record<string, any>[] = [];
        let buffer = "";
        child.stdout!.on("data", (chunk: Buffer) => {
            buffer += chunk.toString("utf8");
            let nl: number;
            while ((nl = buffer.indexOf("\n")) >= 0) {
                try {
                    logs.push(JSON.parse(buffer.slice(0, nl)));
                } catch {
                    // not a log line
                }
                buffer = buffer.slice(nl + 1);
            }
        });
        child.stderr!.resume();
        const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once("exit", (code) => resolve({ code, at: Date.now() })));
        return { child, logs, exited };
    }

    const started = (l: Record<string, any>) => typeof l.msg === "string" && l.msg.startsWith("autoscaler started");
    const logged = (run: Run, match: (l: Record<string, any>) => boolean, what: string, timeoutMs = 20_000) =>
        pollUntil(async () => run.logs.some(match), (found) => found, { timeoutMs, everyMs: 50, what });

    async function sigterm(run: Run): Promise<{ ms: number; code: number | null }> {
        const sent = Date.now();
        run.child.kill("SIGTERM");
        const exit = await run.exited;
        return { ms: exit.at - sent, code: exit.code };
    }

    async function policyOf(queueUrl: string): Promise<string | undefined> {
        return (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["Policy"] }))).Attributes?.Policy;
    }

    before(async () => {
        dir = mkdtempSync(path.join(os.tmpdir(), "autoscale-sigterm-"));
        bundle = path.join(dir, "index.js");
        await build({ ...AUTOSCALER_TASK_OPTIONS, outfile: bundle, metafile: false, logLevel: "silent" });
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
    });

    after(async () => {
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
        for (const p of proxies) await p.close();
        clients?.ecs.destroy();
        clients?.sqs.destroy();
        clients?.cloudwatch.destroy();
        await moto?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("idle, mid-call, draining and partitioned: each exits 0 in under 10 s", async function () {
        const fixture = (name: string, desiredCount: number) =>
            createFixture(clients, { cluster: "sigterm", service: `sigterm-${name}`, queue: `sigterm-${name}`, desiredCount, settled: true });
        const idleF = await fixture("idle", 1);
        const callF = await fixture("call", 1);
        const drainF = await fixture("drain", 3);
        const partF = await fixture("partition", 1);

        // Mid-call: every request after the start is taken in and never answered.
        let silent = false;
        const callProxy = await startProxy({ target: moto!.endpoint, hold: () => silent });
        // Draining: everything until the drain's UpdateService to 0 goes through, then nothing is answered.
        let cut = false;
        const drainProxy = await startProxy({
            target: moto!.endpoint,
            hold: (r) => {
                if (cut) return true;
                if (r.target.endsWith(".UpdateService")) cut = true;
                return false;
            },
        });
        proxies.push(callProxy, drainProxy);

        const idle = launch(idleF, moto!.endpoint, ["--interval", "60"]);
        const call = launch(callF, callProxy.endpoint, ["--interval", "1"]);
        const drain = launch(drainF, drainProxy.endpoint, ["--interval", "1", "--chaos-allowed", "--chaos-drain-enabled", "--chaos-drain-interval", "10"]);
        const part = launch(partF, moto!.endpoint, ["--interval", "1", "--chaos-allowed", "--chaos-partition-enabled", "--chaos-partition-interval", "10",
            "--chaos-partition-duration", "60", "--worker-role-arn", ROLE]);

        const states = await Promise.all([
            (async () => {
                await logged(idle, (l) => l.msg === "tick", "idle: a first tick");
                return sigterm(idle);
            })(),
            (async () => {
                await logged(call, started, "mid-call: the start", 30_000);
                silent = true;
                const held = callProxy.held;
                await pollUntil(async () => callProxy.held, (h) => h > held, { timeoutMs: 5_000, everyMs: 10, what: "mid-call: a call held" });
                return sigterm(call);
            })(),
            (async () => {
                await logged(drain, started, "draining: the start", 30_000);
                await pollUntil(() => describeDesired(clients.ecs, drainF.cluster, drainF.service), (d) => d === 0, { timeoutMs: 20_000, everyMs: 50, what: "draining: desired 0" });
                await pollUntil(async () => drainProxy.held, (h) => h > 0, { timeoutMs: 5_000, everyMs: 10, what: "draining: waiting on a held call" });
                return sigterm(drain);
            })(),
            (async () => {
                await logged(part, started, "partitioned: the start", 30_000);
                await pollUntil(() => policyOf(partF.queueUrl), (p) => p?.includes("ecs-autoscaling-partition") === true,
                    { timeoutMs: 20_000, everyMs: 50, what: "partitioned: the Deny statement" });
                return sigterm(part);
            })(),
        ]);
        const [idleExit, callExit, drainExit, partExit] = states;
        this.test!.title += ` (SIGTERM to exit: idle ${idleExit.ms} ms, mid-call ${callExit.ms} ms, draining ${drainExit.ms} ms, partitioned ${partExit.ms} ms)`;
        for (const [state, exit] of [["idle", idleExit], ["mid-call", callExit], ["draining", drainExit], ["partitioned", partExit]] as const) {
            expect(exit.code, state).to.equal(0);
            expect(exit.ms, state).to.be.below(EXIT_BOUND_MS);
        }

        // The partition was restored before the exit: the queue has no policy again.
        expect(await policyOf(partF.queueUrl)).to.equal(undefined);
        // The drain could not restore (nothing answered): desired stays 0, and its restore tag stays for
        // the next autoscaler to act on; the process said so.
        expect(await describeDesired(clients.ecs, drainF.cluster, drainF.service)).to.equal(0);
        const arn = `arn:aws:ecs:us-east-1:123456789012:service/${drainF.cluster}/${drainF.service}`;
        const tags = (await clients.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? [];
        expect(tags.find((t) => t.key === "ecs-autoscaling:drain-restore")?.value).to.match(/^3\/\d+$/);
        expect(drain.logs.some((l) => typeof l.msg === "string" && l.msg.endsWith("the next autoscaler to start restores desired 3"))).to.equal(true);
    });
});
