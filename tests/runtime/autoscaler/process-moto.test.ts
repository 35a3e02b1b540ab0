/**
 * The autoscaler as the processes a user starts, against moto_server: the esbuild bundle the image runs
 * (built here into a temporary directory, as `npm run build` builds it) and the README's
 * `npx autoscale autoscaler run ...`. Each process runs in a process group of its own, so "no process
 * left" is checked on the whole group, and anything left at the end is killed.
 *
 * moto evaluates no IAM or queue policy, so "a partition lifted by its expiry" is shown by the statement
 * itself: its `DateLessThan aws:CurrentTime` condition ends the Deny at the partition's end whoever
 * removes it (IAM policy evaluation, aws:CurrentTime).
 */
import { spawn, type ChildProcess } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { ListTagsForResourceCommand } from "@aws-sdk/client-ecs";
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { expect } from "chai";
import { build } from "esbuild";
import { OPTIONS, ROOT } from "../../../scripts/build";
import type { AwsClients } from "../../../runtime/aws/clients";
import { REQUEST_TIMEOUT_MS } from "../../../runtime/aws/clients";
import { createLogger } from "../../../runtime/aws/logger";
import { runChaosOnce, startAutoscaler, type RunningAutoscaler } from "../../../runtime/autoscaler/service";
import { parseChaosSettings, parseSettings } from "../../../runtime/autoscaler/settings";
import { STOP_DEADLINE_MS } from "../../../cli/commands/autoscaler";
import {
    createFixture, describeDesired, motoClients, onUpdateService, pollUntil, sendBurst, startMoto, startProxy,
    type Fixture, type MotoServer, type Proxy, type UpdateServiceCall,
} from "../../../local/moto-server";

const ROLE = "arn:aws:iam::123456789012:role/it-worker-task";
/** The AWS SDK's Node end-of-support notice names the Node line it leaves ("... no longer support Node.js 20.x"). */
const END_OF_SUPPORT = /no longer support(s)? Node\.js|end-of-support|NodeVersionSupport/i;

interface Exit {
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly at: number;
}

interface Launched {
    readonly child: ChildProcess;
    /** stdout lines parsed as JSON (the logs); other lines are dropped. */
    readonly logs: Record<string, any>[];
    stderr(): string;
    readonly exited: Promise<Exit>;
    /** Resolves with the first log line `match` accepts, at the time it arrived. */
    waitForLog(match: (line: Record<string, any>) => boolean, timeoutMs: number, what: string): Promise<{ line: Record<string, any>; at: number }>;
}

/** True while any process of the group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
    try {
        process.kill(-pgid, 0);
        return true;
    } catch {
        return false;
    }
}

describe("integration: the autoscale process (bundle and npx) against moto_server", function () {
    this.timeout(180_000);

    let moto: MotoServer | undefined;
    let clients: AwsClients;
    let bundleDir: string;
    let bundle: string;
    const launched: ChildProcess[] = [];
    const proxies: Proxy[] = [];

    const env = (endpoint: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
        ...process.env,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_ENDPOINT_URL: endpoint,
        // One attempt per call, so that a tick against an endpoint that never answers fails after one timeout.
        AWS_MAX_ATTEMPTS: "1",
        LOG_LEVEL: "info",
        ...extra,
    });

    function launch(command: string, args: readonly string[], processEnv: NodeJS.ProcessEnv): Launched {
        const child = spawn(command, [...args], { cwd: ROOT, env: processEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
        launched.push(child);
        const logs: Record<string, any>[] = [];
        const waiters: { match: (l: Record<string, any>) => boolean; resolve: (v: { line: Record<string, any>; at: number }) => void }[] = [];
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (chunk: Buffer) => {
            stdout += chunk.toString("utf8");
            let nl: number;
            while ((nl = stdout.indexOf("\n")) >= 0) {
                const text = stdout.slice(0, nl);
                stdout = stdout.slice(nl + 1);
                let line: Record<string, any>;
                try {
                    line = JSON.parse(text);
                } catch {
                    continue;
                }
                logs.push(line);
                for (const w of [...waiters]) {
                    if (w.match(line)) {
                        waiters.splice(waiters.indexOf(w), 1);
                        w.resolve({ line, at: Date.now() });
                    }
                }
            }
        });
        child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        const exited = new Promise<Exit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() })));
        return {
            child,
            logs,
            stderr: () => stderr,
            exited,
            waitForLog(match, timeoutMs, what) {
                const found = logs.find(match);
                if (found) return Promise.resolve({ line: found, at: Date.now() });
                return new Promise((resolve, reject) => {
                    const timer = setTimeout(() => reject(new Error(`${what}: no such log line within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}; last logs: ${JSON.stringify(logs.slice(-5))}`)), timeoutMs);
                    waiters.push({ match, resolve: (v) => (clearTimeout(timer), resolve(v)) });
                    void exited.then((e) => {
                        clearTimeout(timer);
                        reject(new Error(`${what}: the process exited (${e.code ?? e.signal}) first; stderr: ${stderr.slice(-2000)}`));
                    });
                });
            },
        };
    }

    const runBundle = (args: readonly string[], processEnv: NodeJS.ProcessEnv) => launch(process.execPath, [bundle, ...args], processEnv);

    const runFlags = (f: Fixture, extra: readonly string[] = []) => [
        "autoscaler", "run", "--queue-url", f.queueUrl, "--cluster", f.cluster, "--ecs-service", f.service, "--health-port", "0", ...extra,
    ];

    async function policyOf(queueUrl: string): Promise<string | undefined> {
        const out = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["Policy"] }));
        return out.Attributes?.Policy;
    }

    before(async function () {
        bundleDir = mkdtempSync(path.join(os.tmpdir(), "autoscale-bundle-"));
        bundle = path.join(bundleDir, "index.js");
        await build({ ...OPTIONS, outfile: bundle, metafile: false, logLevel: "silent" });
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
    });

    afterEach(function () {
        for (const child of launched.splice(0)) {
            if (child.pid !== undefined && groupAlive(child.pid)) process.kill(-child.pid, "SIGKILL");
        }
    });

    after(async () => {
        for (const p of proxies) await p.close();
        clients?.ecs.destroy();
        clients?.sqs.destroy();
        clients?.cloudwatch.destroy();
        await moto?.stop();
        if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
    });

    it("a missing cluster exits 2 at start, naming it, with no scaling and no Node end-of-support warning", async function () {
        const f = await createFixture(clients, { cluster: "proc-cluster", service: "proc-missing", queue: "proc-missing", desiredCount: 1, settled: true });
        const run = runBundle(runFlags({ ...f, cluster: "no-such-cluster" }, ["--max", "3"]), env(moto!.endpoint));
        const exit = await run.exited;
        expect([exit.code, exit.signal]).to.deep.equal([2, null]);
        const lines = run.stderr().trim().split("\n");
        expect(lines).to.have.length(1);
        expect(lines[0]).to.match(/^error: --cluster: cluster "no-such-cluster" cannot be read: DescribeServices: ClusterNotFoundException: /);
        expect(run.stderr()).to.not.match(END_OF_SUPPORT);
        expect(await describeDesired(clients.ecs, f.cluster, f.service)).to.equal(1);
    });

    it("0 visible and 5 in flight with 1 worker and min 0 keeps the worker (in-flight counted or not); once deleted, it goes to 0", async function () {
        const f = await createFixture(clients, { cluster: "proc-cluster", service: "proc-inflight", queue: "proc-inflight", desiredCount: 1, settled: true });
        await sendBurst(clients.sqs, f.queueUrl, 5, "inflight");
        const received = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 120 }));
        expect(received.Messages).to.have.length(5);
        const counts = await clients.sqs.send(new GetQueueAttributesCommand({
            QueueUrl: f.queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }));
        expect([counts.Attributes?.ApproximateNumberOfMessages, counts.Attributes?.ApproximateNumberOfMessagesNotVisible]).to.deep.equal(["0", "5"]);

        const updates: UpdateServiceCall[] = [];
        const watched = motoClients(moto!.endpoint);
        onUpdateService(watched.ecs, (u) => updates.push(u));
        const ticks: Record<string, any>[] = [];
        const logger = createLogger({ level: "info", destination: { write: (l: string) => void ticks.push(JSON.parse(l)) } });
        let running: RunningAutoscaler | undefined;
        try {
            for (const countInFlight of ["true", "false"]) {
                const settings = parseSettings({
                    queueUrl: f.queueUrl, cluster: f.cluster, ecsService: f.service, min: "0", max: "5", interval: "1",
                    // A 1 s window: scale-in is not held back by stabilization, only by the work in flight.
                    scaleDownCooldown: "1", healthPort: "0", countInFlight,
                }, {});
                running = await startAutoscaler(settings, { ...watched, logger });
                await new Promise((r) => setTimeout(r, 3_000));
                await running.stop();
                running = undefined;
                expect(await describeDesired(clients.ecs, f.cluster, f.service), `countInFlight ${countInFlight}`).to.equal(1);
            }
            expect(updates).to.deep.equal([]);
            const decided = ticks.filter((l) => l.msg === "tick");
            expect(decided.length).to.be.at.least(4);
            expect(decided.every((l) => l.inFlight === 5 && l.visible === 0 && l.to === 1)).to.equal(true);

            // The same autoscaler scales the worker away once the work is done.
            for (const m of received.Messages!) await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: f.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
            running = await startAutoscaler(parseSettings({
                queueUrl: f.queueUrl, cluster: f.cluster, ecsService: f.service, min: "0", max: "5", interval: "1", scaleDownCooldown: "1", healthPort: "0",
            }, {}), { ...watched, logger });
            await pollUntil(() => describeDesired(clients.ecs, f.cluster, f.service), (d) => d === 0, { timeoutMs: 6_000, everyMs: 200, what: "desired 0 once nothing is in flight" });
            expect(updates.map((u) => u.desiredCount)).to.deep.equal([0]);
        } finally {
            await running?.stop();
            watched.ecs.destroy();
            watched.sqs.destroy();
            watched.cloudwatch.destroy();
        }
    });

    it("a partition killed with SIGKILL is lifted by its expiry and cleared by the next run", async function () {
        const f = await createFixture(clients, { cluster: "proc-cluster", service: "proc-partition", queue: "proc-partition", desiredCount: 1, settled: true });
        const DURATION_S = 3;
        const run = runBundle(["chaos", "partition", "--chaos-allowed", "--cluster", f.cluster, "--ecs-service", f.service, "--queue-url", f.queueUrl,
            "--worker-role-arn", ROLE, "--chaos-partition-duration", String(DURATION_S)], env(moto!.endpoint));
        const started = Date.now();
        const { value: policy } = await pollUntil(() => policyOf(f.queueUrl), (p) => p !== undefined && p.includes("ecs-autoscaling-partition"),
            { timeoutMs: 10_000, everyMs: 50, what: "the partition statement in the queue policy" });
        process.kill(-run.child.pid!, "SIGKILL");
        const killed = (await run.exited).at;
        expect((await run.exited).signal).to.equal("SIGKILL");

        // Nobody removed it, but it ends by itself: the Deny holds only while aws:CurrentTime < its expiry.
        const left = await policyOf(f.queueUrl);
        expect(left).to.equal(policy);
        const statement = JSON.parse(left!).Statement.find((s: { Sid: string }) => s.Sid.startsWith("ecs-autoscaling-partition"));
        const expiry = Date.parse(statement.Condition.DateLessThan["aws:CurrentTime"]);
        expect([statement.Effect, statement.Principal.AWS, statement.Sid]).to.deep.equal(["Deny", ROLE, `ecs-autoscaling-partition-${Math.ceil(expiry / 1000)}`]);
        expect(expiry, "the Deny lapses at the partition's end").to.be.within(started, killed + DURATION_S * 1000);
        this.test!.title += ` (killed ${killed - started} ms after start; the Deny lapses ${expiry - killed} ms after the kill)`;

        // The next run, after the expiry, clears the leftover and leaves the queue as it was (no policy).
        await new Promise((r) => setTimeout(r, Math.max(0, expiry - Date.now() + 100)));
        const report = await runChaosOnce("partition", parseChaosSettings("partition", {
            chaosAllowed: true, cluster: f.cluster, ecsService: f.service, queueUrl: f.queueUrl, workerRoleArn: ROLE, chaosPartitionDuration: "1",
        }, {}), { ecs: clients.ecs, sqs: clients.sqs, logger: createLogger({ level: "silent" }) });
        expect(report.outcome).to.equal("done");
        expect(await policyOf(f.queueUrl)).to.equal(undefined);
        expect(run.stderr()).to.not.match(END_OF_SUPPORT);
    });

    it("a drain killed with SIGKILL is restored to the previous count by a restarted autoscaler", async function () {
        const f = await createFixture(clients, { cluster: "proc-cluster", service: "proc-drain", queue: "proc-drain", desiredCount: 3, settled: true });
        // Forward everything until the drain's UpdateService to 0 has gone through, then answer nothing:
        // the drain can neither see running 0 nor restore, and is killed while it waits.
        let cut = false;
        const proxy = await startProxy({
            target: moto!.endpoint,
            hold: (r) => {
                if (cut) return true;
                if (r.target.endsWith(".UpdateService")) cut = true;
                return false;
            },
        });
        proxies.push(proxy);
        const drain = runBundle(["chaos", "drain", "--chaos-allowed", "--cluster", f.cluster, "--ecs-service", f.service], env(proxy.endpoint));
        await pollUntil(() => describeDesired(clients.ecs, f.cluster, f.service), (d) => d === 0, { timeoutMs: 10_000, everyMs: 50, what: "the drain's desired 0" });
        await pollUntil(async () => proxy.held, (h) => h > 0, { timeoutMs: 5_000, everyMs: 20, what: "the drain waiting on a held call" });
        process.kill(-drain.child.pid!, "SIGKILL");
        expect((await drain.exited).signal).to.equal("SIGKILL");

        const arn = `arn:aws:ecs:us-east-1:123456789012:service/${f.cluster}/${f.service}`;
        const tags = async () => (await clients.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? [];
        expect(await describeDesired(clients.ecs, f.cluster, f.service)).to.equal(0);
        expect((await tags()).map((t) => t.key)).to.include("ecs-autoscaling:drain-restore");
        expect((await tags()).find((t) => t.key === "ecs-autoscaling:drain-restore")!.value).to.match(/^3\/\d+$/);

        // A restarted autoscaler (min 0, so min is not what brings it back) restores 3 before its first tick.
        const restarted = runBundle(runFlags(f, ["--min", "0", "--max", "5", "--interval", "1", "--scale-down-cooldown", "60"]), env(moto!.endpoint));
        const healed = await restarted.waitForLog((l) => l.chaos === "drain" && typeof l.healed === "string", 20_000, "the drain healed at start");
        expect(healed.line.healed).to.match(/^restored desired 3 of proc-drain, left at 0 by a drain started at .* that did not finish$/);
        expect(await describeDesired(clients.ecs, f.cluster, f.service)).to.equal(3);
        expect((await tags()).map((t) => t.key)).to.not.include("ecs-autoscaling:drain-restore");
        await restarted.waitForLog((l) => l.msg === "tick", 10_000, "a first tick");
        process.kill(restarted.child.pid!, "SIGTERM");
        expect((await restarted.exited).code).to.equal(0);
        expect(restarted.stderr()).to.not.match(END_OF_SUPPORT);
    });

    it("behind a proxy that never answers, a tick fails within the request timeout and SIGTERM during a tick ends the process, exit 0", async function () {
        const f = await createFixture(clients, { cluster: "proc-cluster", service: "proc-silent", queue: "proc-silent", desiredCount: 1, settled: true });
        // Answers the start-up check, then nothing: every tick's calls go unanswered.
        let silent = false;
        const proxy = await startProxy({ target: moto!.endpoint, hold: () => silent });
        proxies.push(proxy);
        const run = runBundle(runFlags(f, ["--max", "3", "--interval", "1"]), env(proxy.endpoint));
        await run.waitForLog((l) => typeof l.msg === "string" && l.msg.startsWith("autoscaler started"), 20_000, "the start");
        silent = true;
        const failed = await run.waitForLog((l) => l.msg?.startsWith("tick failed"), 2 * REQUEST_TIMEOUT_MS + 5_000, "a failed tick");
        expect(failed.line.code).to.equal("TimeoutError");
        expect(failed.line.tickMs).to.be.within(REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS + 1_500);
        // The next tick's first request reaches the proxy: SIGTERM while that tick waits for its answer.
        const seen = proxy.requests.length;
        await pollUntil(async () => proxy.requests.length, (n) => n > seen, { timeoutMs: 10_000, everyMs: 10, what: "the next tick's request" });
        const sent = Date.now();
        process.kill(run.child.pid!, "SIGTERM");
        const exit = await run.exited;
        const stopMs = exit.at - sent;
        this.test!.title += ` (tick failed after ${failed.line.tickMs} ms; SIGTERM to exit ${stopMs} ms)`;
        expect([exit.code, exit.signal]).to.deep.equal([0, null]);
        expect(stopMs).to.be.below(STOP_DEADLINE_MS);
        expect(run.logs.map((l) => l.msg)).to.include.members(["stopping (SIGTERM): aborting the calls in flight", "autoscaler stopped"]);
        expect(groupAlive(run.child.pid!)).to.equal(false);
        // Error lines carry the operation and the AWS error code, and no stack at the info level.
        // A tick reads the queue and the service in parallel: the failed call is one of the two.
        expect(["GetQueueAttributes", "DescribeServices"]).to.include(failed.line.operation);
        expect(failed.line.err).to.not.have.property("stack");
    });

    it("the README's command, npx autoscale autoscaler run ...: SIGTERM to that process alone exits 0 and leaves no process", async function () {
        const f = await createFixture(clients, { cluster: "proc-cluster", service: "proc-npx", queue: "proc-npx", desiredCount: 1, settled: true });
        const run = launch("npx", ["autoscale", ...runFlags(f, ["--min", "1", "--max", "3"])], env(moto!.endpoint));
        await run.waitForLog((l) => l.msg === "tick", 60_000, "a first tick");
        const sent = Date.now();
        process.kill(run.child.pid!, "SIGTERM");
        const exit = await run.exited;
        this.test!.title += ` (SIGTERM to exit ${exit.at - sent} ms)`;
        expect([exit.code, exit.signal]).to.deep.equal([0, null]);
        await pollUntil(async () => groupAlive(run.child.pid!), (alive) => !alive, { timeoutMs: 3_000, everyMs: 50, what: "every process of the group gone" });
        expect(run.logs.map((l) => l.msg)).to.include("stopping (SIGTERM): aborting the calls in flight");
        expect(run.stderr()).to.not.match(END_OF_SUPPORT);
    });
});
