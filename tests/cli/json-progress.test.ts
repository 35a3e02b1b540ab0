/**
 * `--json` on the commands that print a result: stdout is one JSON document with exactly the keys
 * documented, and nothing else; progress of a long run goes to stderr, a line every few seconds.
 */
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/autoscale";
import { progressLines, type CliIo } from "../../cli/io";
import { watchCounts } from "../../proof/scale-measure";

/** An io whose clock moves `stepMs` at each reading, and whose stop signal fires after `stopAfterMs` (if given). */
function testIo(o: { env?: NodeJS.ProcessEnv; stepMs?: number; stopAfterMs?: number } = {}) {
    const out: string[] = [];
    const err: string[] = [];
    let t = 0;
    const io: CliIo = {
        env: { AUTOSCALER_LOG_LEVEL: "silent", LOG_LEVEL: "silent", ...o.env },
        out: (s) => out.push(s),
        err: (s) => err.push(s),
        now: () => (t += o.stepMs ?? 0),
        onStopSignal: (onStop) => {
            const timer = o.stopAfterMs === undefined ? undefined : setTimeout(() => onStop("SIGINT"), o.stopAfterMs);
            return () => clearTimeout(timer);
        },
    };
    return { io, out: () => out.join(""), err: () => err.join("") };
}

describe("--json results and progress lines", () => {
    let ecs: AwsClientStub<ECSClient>;
    let aas: AwsClientStub<ApplicationAutoScalingClient>;
    let cw: AwsClientStub<CloudWatchClient>;
    let dir: string;
    before(() => {
        ecs = mockClient(ECSClient);
        aas = mockClient(ApplicationAutoScalingClient);
        cw = mockClient(CloudWatchClient);
        dir = mkdtempSync(path.join(os.tmpdir(), "json-"));
    });
    afterEach(() => {
        for (const m of [ecs, aas, cw]) m.reset();
    });
    after(() => {
        for (const m of [ecs, aas, cw]) m.restore();
        rmSync(dir, { recursive: true, force: true });
    });

    it("simulate --json: the run's figures per controller and the files; progress on stderr every few seconds", async () => {
        // Each reading of the clock moves 1 s: a line every 5 readings.
        const t = testIo({ stepMs: 1_000 });
        expect(await main(["simulate", "--stack", "staging", "--service", "worker", "--trace", "burst", "--json", "--out", path.join(dir, "sim")], t.io)).to.equal(0);
        const result = JSON.parse(t.out());
        expect(Object.keys(result)).to.deep.equal(["stack", "service", "trace", "seed", "tickSeconds", "controllers", "files"]);
        expect([result.stack, result.service, result.trace]).to.deep.equal(["staging", "worker", "burst"]);
        expect(result.files).to.deep.equal([path.join(dir, "sim", "staging-worker-burst.json"), path.join(dir, "sim", "staging-worker-burst.svg")]);
        expect(Object.keys(result.controllers[0])).to.deep.equal(["controller", "metrics"]);
        const lines = t.err().trim().split("\n");
        expect(lines.length).to.be.greaterThan(1);
        for (const line of lines) expect(line).to.match(/^simulating staging\/worker on burst: \d+ % \(\d+ of \d+ ticks\)$/);
    });

    it("writes a progress line at most once every 5 s of the clock", () => {
        const t = testIo({ stepMs: 1_000 });
        const progress = progressLines(t.io);
        for (let i = 0; i < 12; i++) progress(() => `line ${i}`);
        expect(t.err()).to.equal("line 4\nline 9\n");
    });

    it("chaos stop-task --json: the report with its keys", async () => {
        ecs.on(ListTasksCommand).resolves({ taskArns: [] });
        ecs.on(DescribeTasksCommand).resolves({ tasks: [] });
        const t = testIo();
        expect(await main(["chaos", "stop-task", "--chaos-allowed", "--log-level", "silent", "--cluster", "c", "--ecs-service", "s", "--json"], t.io)).to.equal(0);
        const report = JSON.parse(t.out());
        expect(Object.keys(report)).to.have.members(["kind", "outcome", "action", "startedAt", "durationMs", "details"]);
        expect([report.kind, report.outcome]).to.deep.equal(["stop-task", "nothing_to_do"]);
    });

    it("evidence --json: cluster, service, window, verdicts and the files written", async () => {
        // An endpoint that holds nothing: every item FAILs, and the result is still one JSON document.
        for (const m of [ecs, aas, cw] as AwsClientStub<ECSClient>[]) m.onAnyCommand().resolves({});
        const t = testIo();
        const code = await main(["evidence", "--cluster", "c", "--ecs-service", "s", "--json", "--out", path.join(dir, "evidence")], t.io);
        expect(code).to.equal(1);
        const result = JSON.parse(t.out());
        expect(Object.keys(result)).to.deep.equal(["cluster", "service", "window", "verdicts", "files"]);
        expect([result.cluster, result.service]).to.deep.equal(["c", "s"]);
        expect(Object.keys(result.verdicts[0])).to.include.members(["item", "status", "detail"]);
    });

    it("emulate --json: the summary when stopped", async () => {
        aas.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [{ ResourceId: "service/c/s", ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 1, MaxCapacity: 2, ServiceNamespace: "ecs", RoleARN: "r", CreationTime: new Date() }] });
        aas.on(DescribeScalingPoliciesCommand).resolves({ ScalingPolicies: [] });
        ecs.onAnyCommand().resolves({});
        cw.onAnyCommand().resolves({});
        const saved = process.env.AWS_ENDPOINT_URL;
        process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:1";
        try {
            const t = testIo({ env: { AWS_ENDPOINT_URL: "http://127.0.0.1:1" }, stopAfterMs: 200 });
            expect(await main(["emulate", "--cluster", "c", "--json", "--activities", path.join(dir, "a.jsonl")], t.io)).to.equal(0);
            expect(JSON.parse(t.out())).to.deep.equal({ targets: ["service/c/s"], activities: 0, alarmChanges: 0, skipped: [] });
        } finally {
            if (saved === undefined) delete process.env.AWS_ENDPOINT_URL; else process.env.AWS_ENDPOINT_URL = saved;
        }
    });

    it("validate --json: one object per stack", async function () {
        this.timeout(120_000);
        const t = testIo();
        expect(await main(["validate", "--stack", "localstack", "--json"], t.io)).to.equal(0);
        const result = JSON.parse(t.out());
        expect(Object.keys(result)).to.deep.equal(["stacks"]);
        expect(Object.keys(result.stacks[0])).to.include.members(["valid", "problems", "services"]);
    });

    it("scale-test phases print a line per reading of the service", async () => {
        let now = 0;
        let desired = 1;
        const lines: string[] = [];
        const fakeEcs = { send: async () => ({ services: [{ serviceName: "s", desiredCount: desired, runningCount: Math.max(1, desired - 1) }] }) } as never;
        await watchCounts({ cluster: "c", service: "s", goal: 3, direction: "up", start: 0, pollMs: 5_000, timeoutMs: 60_000, initialDesired: 1 }, {
            ecs: fakeEcs, clock: () => now, signal: undefined,
            sleep: async (ms) => {
                now += ms;
                desired = Math.min(4, desired + 1);
            },
            progress: (line) => lines.push(line),
        });
        expect(lines).to.deep.equal([
            "scale-up: 0 s: desired 1, running 1 of goal 3",
            "scale-up: 5 s: desired 2, running 1 of goal 3",
            "scale-up: 10 s: desired 3, running 2 of goal 3",
            "scale-up: 15 s: desired 4, running 3 of goal 3",
        ]);
    });
});
