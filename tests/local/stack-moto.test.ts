/**
 * `autoscale up` (npm start) end to end, as a user runs it, against one moto_server the test starts
 * (AWS_ENDPOINT_URL), so that what is left in the endpoint afterwards can be checked:
 * - the resources created are exactly the mocked graph's resources of the supported types, and each is
 *   in the endpoint;
 * - pressing the page's burst button (headless Chromium) scales the worker out in the endpoint and on
 *   its chart, and it comes back in once the queue is empty, with no console error on the page;
 * - `autoscale down`, and Ctrl-C (SIGINT), leave no process and nothing in the endpoint.
 * CloudWatch time runs at 60x, tasks start after 1 s, and the queue autoscaler's cooldowns are 2 s.
 */
import { spawn, type ChildProcess } from "child_process";
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { expect } from "chai";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { chromium, type Browser } from "playwright-core";
import { APPLIERS, isSupported } from "../../local/graph/appliers";
import { applyContext, closeClients } from "../../local/graph/context";
import type { StackState } from "../../local/graph/state";
import { groupAlive } from "../../local/processes";
import { configOverrides } from "../../local/config-overrides";
import { runProgram } from "../helpers/program";
import { recorded } from "../helpers/pulumi-mocks";
import { pollUntil, startMoto, type MotoServer } from "../../local/moto-server";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "autoscale.js");
const STACK = "localstack";
const STATE = path.join(ROOT, ".autoscale", STACK, "state.json");
const LOCK = path.join(ROOT, ".autoscale", STACK, "lock.json");
const CONFIG = ["autoscaler.scaleDownCooldownSeconds=2", "autoscaler.scaleUpCooldownSeconds=2", 'services.worker.environment.PROCESSING_MS="200"'];

interface Run {
    readonly child: ChildProcess;
    readonly out: string[];
    readonly exited: Promise<number | null>;
}

function autoscale(args: readonly string[], env: NodeJS.ProcessEnv): Run {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: string[] = [];
    const keep = (c: Buffer) => out.push(...c.toString("utf8").split("\n").filter((l) => l !== ""));
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, out, exited };
}

async function line(run: Run, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const { value } = await pollUntil(async () => run.out.map((l) => pattern.exec(l)).find((m) => m), (m) => m !== undefined || run.child.exitCode !== null,
        { timeoutMs, everyMs: 100, what: `a line matching ${pattern} (got: ${run.out.join(" | ")})` });
    if (!value) throw new Error(`autoscale up exited ${run.child.exitCode}: ${run.out.map((l) => (l.length > 400 ? `...${l.slice(-400)}` : l)).join("\n")}`);
    return value;
}

/** Supported resource types -> sorted logical names. */
function byType(items: readonly { type: string; name: string }[]): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const i of items) if (isSupported(i.type)) (out[i.type] ??= []).push(i.name);
    for (const names of Object.values(out)) names.sort();
    return out;
}

async function existing(endpoint: string, state: StackState): Promise<string[]> {
    const ctx = applyContext(endpoint, state.region, STACK);
    try {
        const left: string[] = [];
        for (const e of state.entries) if (await APPLIERS[e.type].exists(ctx, e.id, { ...e.inputs, ...e.outputs })) left.push(e.key);
        return left;
    } finally {
        closeClients(ctx.clients);
    }
}

async function workerDesired(endpoint: string, state: StackState): Promise<number> {
    const ctx = applyContext(endpoint, state.region, STACK);
    try {
        const names = state.outputs.serviceNames as Record<string, string>;
        const r = await ctx.clients.ecs.send(new DescribeServicesCommand({ cluster: String(state.outputs.clusterName), services: [names.worker] }));
        return r.services?.[0]?.desiredCount ?? -1;
    } finally {
        closeClients(ctx.clients);
    }
}

describe("autoscale up: the local stack on moto_server", function () {
    this.timeout(180_000);
    let moto: MotoServer;
    let env: NodeJS.ProcessEnv;
    let browser: Browser | undefined;
    const runs: Run[] = [];

    before(async () => {
        moto = await startMoto();
        env = { ...process.env, AWS_ENDPOINT_URL: moto.endpoint };
        if (existsSync(LOCK)) throw new Error(`${LOCK} exists: a local stack runs from this checkout; stop it (npx autoscale down) before this test`);
    });

    after(async () => {
        await browser?.close();
        for (const r of runs) if (r.child.exitCode === null) r.child.kill("SIGKILL");
        await moto?.stop();
    });

    it("creates the graph's supported resources, scales the worker on the page's burst and back in, and `down` deletes everything", async () => {
        const up = autoscale(["up", "--no-demo", "--speed", "60", "--start-delay", "1", "--port", "0", ...CONFIG.flatMap((c) => ["-c", c])], env);
        runs.push(up);
        const pageUrl = (await line(up, /^page: (http:\/\/127\.0\.0\.1:\d+)/, 90_000))[1];
        const state = JSON.parse(readFileSync(STATE, "utf8")) as StackState;

        // Exactly the mocked graph's resources of the supported types: same count per type, same names.
        await runProgram(STACK, configOverrides(ROOT, STACK, CONFIG));
        expect(byType(state.entries)).to.deep.equal(byType(recorded));
        expect(state.entries.length).to.equal(recorded.filter((r) => isSupported(r.type)).length);
        expect(await existing(moto.endpoint, state)).to.have.length(state.entries.length);

        // A second start of the same stack is refused, naming the fix.
        const second = autoscale(["up", "--port", "0"], env);
        expect(await second.exited).to.equal(2);
        expect(second.out).to.deep.equal([`error: stack ${STACK} is already running (process ${up.child.pid}, page ${pageUrl}): open its page, or stop it with \`npx autoscale down --stack ${STACK}\``]);

        browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
        const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
        const errors: string[] = [];
        page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(pageUrl);
        const worker = page.locator(`.card.service[data-service="${(state.outputs.serviceNames as Record<string, string>).worker}"]`);
        await worker.locator("svg").waitFor({ timeout: 20_000 });
        expect(await worker.locator('[data-n="desired"]').textContent()).to.equal("0");
        const chartBefore = await worker.locator(".chart").innerHTML();
        expect(await workerDesired(moto.endpoint, state)).to.equal(0);

        await page.fill("#count", "60");
        await page.click("#burst");
        const out = await pollUntil(() => workerDesired(moto.endpoint, state), (d) => d > 0, { timeoutMs: 20_000, everyMs: 200, what: "worker desired > 0 in the endpoint" });
        expect(out.value).to.be.within(1, 3);
        await pollUntil(async () => Number(await worker.locator('[data-n="desired"]').textContent()), (d) => d > 0, { timeoutMs: 10_000, everyMs: 200, what: "worker desired > 0 on the page" });
        expect(await worker.locator(".chart").innerHTML()).to.not.equal(chartBefore);
        expect((await page.locator("#activities tr").allTextContents()).some((row) => /worker0 → [1-3]queue autoscaler/.test(row))).to.equal(true);
        await pollUntil(() => workerDesired(moto.endpoint, state), (d) => d === 0, { timeoutMs: 60_000, everyMs: 250, what: "worker desired back to 0 in the endpoint" });
        expect(errors).to.deep.equal([]);
        await page.close();

        const groups = (JSON.parse(readFileSync(STATE, "utf8")) as StackState).processGroups;
        expect(groups.length).to.be.greaterThan(1);
        const down = autoscale(["down"], env);
        expect(await down.exited).to.equal(0);
        expect(down.out.at(-1)).to.equal(`${STACK}: stopped (process ${up.child.pid}) and deleted`);
        expect(await up.exited).to.equal(0);
        expect(groups.filter(groupAlive)).to.deep.equal([]);
        expect(await existing(moto.endpoint, state)).to.deep.equal([]);
        expect(existsSync(STATE)).to.equal(false);
        expect(existsSync(LOCK)).to.equal(false);
    });

    it("Ctrl-C (SIGINT) stops every process and deletes everything from the endpoint", async () => {
        const up = autoscale(["up", "--no-demo", "--start-delay", "0", "--port", "0"], env);
        runs.push(up);
        await line(up, /^page: /, 90_000);
        const state = JSON.parse(readFileSync(STATE, "utf8")) as StackState;
        // The api, the queue autoscaler and the emulator run as processes of their own.
        const { value: groups } = await pollUntil(async () => (JSON.parse(readFileSync(STATE, "utf8")) as StackState).processGroups, (g) => g.length >= 3,
            { timeoutMs: 15_000, everyMs: 250, what: "three process groups recorded" });
        expect(groups.filter(groupAlive)).to.deep.equal(groups);
        up.child.kill("SIGINT");
        expect(await up.exited).to.equal(0);
        expect(up.out.at(-1)).to.equal(`${STACK}: down`);
        expect(groups.filter(groupAlive)).to.deep.equal([]);
        expect(await existing(moto.endpoint, state)).to.deep.equal([]);
        expect(existsSync(STATE)).to.equal(false);
    });
});
