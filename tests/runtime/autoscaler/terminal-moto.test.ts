/**
 * The autoscaler's log lines as a person and as a machine get them, against moto_server: under a
 * pseudo-terminal (util-linux `script`) each tick is one readable line naming the service, its queue,
 * its tasks, the decision and why, with no JSON and no embedded-metric record; piped, every line is
 * JSON (the tick and its metric record), as CloudWatch Logs and scripts read it.
 */
import { spawn, type ChildProcess } from "child_process";
import { expect } from "chai";
import * as path from "path";
import { createFixture, motoClients, pollUntil, startMoto, type Fixture, type MotoServer } from "../../../local/moto-server";
import type { AwsClients } from "../../../runtime/aws/clients";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const BIN = path.join(ROOT, "bin", "autoscale.js");

describe("integration: the autoscaler's log lines on a terminal and in a pipe", function () {
    this.timeout(120_000);
    let moto: MotoServer;
    let clients: AwsClients;
    let fixture: Fixture;
    const children: ChildProcess[] = [];

    before(async () => {
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
        fixture = await createFixture(clients, { cluster: "tty-cluster", service: "tty-worker", queue: "tty-jobs", desiredCount: 1, settled: true });
    });
    after(async () => {
        for (const c of children) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, "SIGKILL");
        clients.ecs.destroy();
        clients.sqs.destroy();
        await moto.stop();
    });

    const args = () => ["autoscaler", "run", "--queue-url", fixture.queueUrl, "--cluster", fixture.cluster, "--ecs-service", fixture.service,
        "--max", "4", "--interval", "1", "--health-port", "0", "--dry-run"];
    const env = (): NodeJS.ProcessEnv => ({
        ...process.env, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_ENDPOINT_URL: moto.endpoint,
        NO_COLOR: "1", TERM: "dumb",
    });

    /** Runs a command in its own process group until `enough` holds for its output, then stops it with SIGTERM. */
    async function runUntil(command: string, argv: readonly string[], enough: (out: string) => boolean): Promise<{ out: string; code: number | null }> {
        const child = spawn(command, [...argv], { cwd: ROOT, env: env(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
        children.push(child);
        let out = "";
        child.stdout!.on("data", (c: Buffer) => (out += c.toString("utf8")));
        child.stderr!.on("data", (c: Buffer) => (out += c.toString("utf8")));
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        await pollUntil(async () => enough(out), (ok) => ok, { timeoutMs: 60_000, everyMs: 200, what: `output of ${argv.join(" ")}` });
        process.kill(-child.pid!, "SIGTERM");
        return { out, code: await exited };
    }

    it("prints one readable line per tick under a pseudo-terminal", async () => {
        const tick = /^\d\d:\d\d:\d\d\] INFO: tty-worker: tty-jobs 0 visible, 0 in flight; 1 running of 1 desired; stay at 1: .+ \((dry_run|unchanged)\)$/;
        const command = [process.execPath, BIN, ...args()].map((a) => `'${a}'`).join(" ");
        const { out } = await runUntil("script", ["-qefc", command, "/dev/null"], (o) => o.split(/\r?\n/).filter((l) => l.includes("INFO: tty-worker:")).length >= 2);
        const lines = out.split(/\r?\n/).map((l) => l.replace(/^\[/, "")).filter((l) => l !== "");
        const ticks = lines.filter((l) => l.includes("INFO: tty-worker:"));
        expect(ticks.length).to.be.at.least(2);
        for (const l of ticks) expect(l).to.match(tick);
        expect(lines.filter((l) => l.trimStart().startsWith("{"))).to.deep.equal([]);
        expect(out).to.not.include("_aws");
    });

    it("prints JSON when stdout is a pipe: the tick with its fields, and its metric record", async () => {
        const { out, code } = await runUntil(process.execPath, [BIN, ...args()], (o) => (o.match(/"msg":"tick"/g) ?? []).length >= 2);
        expect(code).to.equal(0);
        const lines = out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
        const ticks = lines.filter((l) => l.msg === "tick");
        expect(ticks[0]).to.include({ service: fixture.service, queue: "tty-jobs", visible: 0, desired: 1, direction: "none", to: 1 });
        expect(lines.some((l) => l._aws !== undefined)).to.equal(true);
    });
});
