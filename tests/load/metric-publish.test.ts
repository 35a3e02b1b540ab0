import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { main } from "../../cli/autoscale";
import type { CliIo } from "../../cli/io";
import { publishPlan, type PhaseProgress } from "../../load/metric-publish";
import { buildPublishPlan, parsePhase, putMetricDataInput, seriesFromStackOutputs, type PublishPlan } from "../../load/publish-plan";
import { loadStackFile } from "../../config/stack-file";
import { syntheticLoadSeries } from "../../scaling/metric-series";

function testIo() {
    const out: string[] = [];
    const err: string[] = [];
    let stop: ((reason: string) => void) | undefined;
    const io: CliIo = {
        env: { LOG_LEVEL: "silent" },
        out: (s) => out.push(s),
        err: (s) => err.push(s),
        onStopSignal(onStop) {
            stop = onStop;
            return () => undefined;
        },
    };
    return { io, out: () => out.join(""), err: () => err.join(""), stop: (r: string) => stop?.(r) };
}

/** A clock that only moves when the publisher sleeps. */
function fakeTime(start: number) {
    let now = start;
    return {
        clock: () => now,
        sleep: async (ms: number) => {
            now += ms;
        },
    };
}

const SERIES = syntheticLoadSeries("t1", "proof", "proof-api");
const START = Date.UTC(2026, 10, 23, 20, 0, 0);

describe("autoscale metric publish", () => {
    // Installed when this suite runs (not when the file loads), so other files' clients stay real.
    const mockCw = () => mockClient(CloudWatchClient);
    let cw: ReturnType<typeof mockCw>;
    before(() => {
        cw = mockCw();
    });
    afterEach(() => cw.reset());
    after(() => cw.restore());

    const bars: string[] = [];
    const progress = (label: string, total: number): PhaseProgress => {
        bars.push(`${label} 0/${total}`);
        return { update: (n) => bars.push(`${label} ${n}/${total}`), stop: () => bars.push(`${label} stop`) };
    };

    it("sends each phase's value once per period with the series' exact namespace, name and dimensions", async () => {
        cw.on(PutMetricDataCommand).resolves({});
        bars.length = 0;
        const plan = buildPublishPlan(SERIES, [parsePhase("200:3m"), parsePhase("0:2m")], 60_000);
        const t = fakeTime(START);
        const summary = await publishPlan(plan, { cloudwatch: new CloudWatchClient({ region: "us-east-1" }), ...t, progress });
        const inputs = cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
        const expected = [[0, 200], [60, 200], [120, 200], [180, 0], [240, 0]].map(([s, v]) => ({
            Namespace: "Test/Autoscaling",
            MetricData: [{
                MetricName: "SyntheticLoad",
                Dimensions: [{ Name: "TestId", Value: "t1" }, { Name: "Cluster", Value: "proof" }, { Name: "Service", Value: "proof-api" }],
                Timestamp: new Date(START + s * 1_000),
                Value: v,
            }],
        }));
        expect(inputs).to.deep.equal(expected);
        expect(summary).to.deep.equal({
            series: "Test/Autoscaling/SyntheticLoad{Cluster=proof,Service=proof-api,TestId=t1}",
            sent: 5, planned: 5,
            phases: [{ value: 200, planned: 3, sent: 3 }, { value: 0, planned: 2, sent: 2 }],
        });
        expect(bars).to.deep.equal([
            "phase 1/2 value 200 0/3", "phase 1/2 value 200 1/3", "phase 1/2 value 200 2/3", "phase 1/2 value 200 3/3", "phase 1/2 value 200 stop",
            "phase 2/2 value 0 0/2", "phase 2/2 value 0 1/2", "phase 2/2 value 0 2/2", "phase 2/2 value 0 stop",
        ]);
    });

    it("seed 000's schedule (200 for 10 min, 0 for 15 min, every 60 s) is 10 + 15 datapoints", () => {
        const plan = buildPublishPlan(SERIES, [parsePhase("200:10m"), parsePhase("0:15m")], 60_000);
        expect(plan.phases.map((p) => p.points)).to.deep.equal([10, 15]);
        expect(plan.totalPoints).to.equal(25);
    });

    it("stops between datapoints when interrupted and reports what it sent", async () => {
        cw.on(PutMetricDataCommand).resolves({});
        const abort = new AbortController();
        const t = fakeTime(START);
        let calls = 0;
        cw.on(PutMetricDataCommand).callsFake(() => {
            if (++calls === 2) abort.abort("SIGINT");
            return {};
        });
        const plan = buildPublishPlan(SERIES, [parsePhase("200:10m")], 60_000);
        const summary = await publishPlan(plan, { cloudwatch: new CloudWatchClient({ region: "us-east-1" }), ...t, progress, signal: abort.signal });
        expect(summary.sent).to.equal(2);
        expect(summary.interrupted).to.equal("SIGINT");
        expect(cw.commandCalls(PutMetricDataCommand)).to.have.length(2);
    });

    it("reads the series from `pulumi stack output --json`: the customMetricSeries the stack's policy was built from", () => {
        const stack = loadStackFile("staging", { customMetricTest: { enabled: true, service: "api", testId: "seed000" } });
        const outputs = JSON.stringify({ clusterName: "x", customMetricSeries: stack.customMetricTest.series });
        const series = seriesFromStackOutputs(outputs, "outputs.json");
        expect(series).to.deep.equal({
            namespace: "Test/Autoscaling", metricName: "SyntheticLoad",
            dimensions: { TestId: "seed000", Cluster: "ecs-autoscaling-staging", Service: "ecs-autoscaling-staging-api" },
            statistic: "Average",
        });
        const policy = stack.services.api.plan.policies.find((p) => p.name === "synthetic-load");
        expect(policy?.kind === "targetTracking" && policy.metric.type === "custom" ? policy.metric.series : undefined).to.deep.equal(series);
    });

    describe("usage errors: exit 2, one line, no AWS call", () => {
        const cases: [string, string[], string][] = [
            ["a series with no dimensions", ["--namespace", "Test/Autoscaling", "--metric", "SyntheticLoad", "--phase", "200:1m"],
                "error: series Test/Autoscaling/SyntheticLoad{}: no dimensions; a scaling policy watches one series with exactly the dimensions it is published with, so publish with --dimension Name=Value\n"],
            ["a non-numeric value", ["--namespace", "N", "--metric", "M", "--dimension", "A=b", "--phase", "high:1m"],
                'error: --phase: value "high" in "high:1m" is not a number\n'],
            ["a period under 1 s", ["--namespace", "N", "--metric", "M", "--dimension", "A=b", "--phase", "1:1m", "--every", "500ms"],
                "error: --every: 500 ms is under 1 s; CloudWatch keeps at most one datapoint per second (high resolution)\n"],
            ["no phase", ["--namespace", "N", "--metric", "M", "--dimension", "A=b"],
                "error: --phase: at least one is required, e.g. --phase 200:10m --phase 0:15m\n"],
            ["a malformed dimension", ["--namespace", "N", "--metric", "M", "--dimension", "A", "--phase", "1:1m"],
                'error: --dimension: "A" must be Name=Value\n'],
            ["no series at all", ["--phase", "1:1m"],
                "error: --stack-outputs <file|-> or both --namespace and --metric (with --dimension Name=Value) are required\n"],
            ["a run longer than 6 h", ["--namespace", "N", "--metric", "M", "--dimension", "A=b", "--phase", "1:7h"],
                "error: --phase: the phases last 420 min in all; at most 360 min per run\n"],
        ];
        for (const [what, args, message] of cases) {
            it(`refuses ${what}`, async () => {
                const t = testIo();
                expect(await main(["metric", "publish", ...args], t.io)).to.equal(2);
                expect(t.err()).to.equal(message);
                expect(cw.calls()).to.have.length(0);
            });
        }

        it("refuses stack outputs without customMetricSeries", async () => {
            const dir = mkdtempSync(path.join(tmpdir(), "publish-"));
            const file = path.join(dir, "outputs.json");
            writeFileSync(file, JSON.stringify({ clusterName: "c" }));
            const t = testIo();
            expect(await main(["metric", "publish", "--stack-outputs", file, "--phase", "1:1m"], t.io)).to.equal(2);
            expect(t.err()).to.equal(`error: --stack-outputs: ${file} has no customMetricSeries (set customMetricTest.enabled: true in the stack and run pulumi up)\n`);
        });
    });

    it("--dry-run prints the exact requests and sends none", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "publish-"));
        const file = path.join(dir, "outputs.json");
        writeFileSync(file, JSON.stringify({ customMetricSeries: SERIES }));
        const t = testIo();
        expect(await main(["metric", "publish", "--stack-outputs", file, "--phase", "200:2m", "--phase", "0:1m", "--every", "60s", "--dry-run"], t.io)).to.equal(0);
        const lines = t.out().trim().split("\n").map((l) => JSON.parse(l) as { offsetSeconds: number; phase: number; input: { MetricData: { Value: number; Dimensions: unknown }[] } });
        expect(lines.map((l) => [l.offsetSeconds, l.phase, l.input.MetricData[0].Value])).to.deep.equal([[0, 1, 200], [60, 1, 200], [120, 2, 0]]);
        expect(lines[0].input.MetricData[0].Dimensions).to.deep.equal([{ Name: "TestId", Value: "t1" }, { Name: "Cluster", Value: "proof" }, { Name: "Service", Value: "proof-api" }]);
        expect(cw.calls()).to.have.length(0);
    });
});

const putMetricDataInputFor = (plan: PublishPlan, at: Date) => putMetricDataInput(plan.series, plan.phases[0].value, at, plan.everyMs);

describe("metric publish: resolution", () => {
    it("sends datapoints less than a minute apart as high-resolution (StorageResolution 1), minute ones as standard", () => {
        const plan = buildPublishPlan(SERIES, [parsePhase("5:10s")], 5_000);
        const t = new Date(START);
        expect(putMetricDataInputFor(plan, t).MetricData?.[0].StorageResolution).to.equal(1);
        expect(putMetricDataInputFor(buildPublishPlan(SERIES, [parsePhase("5:10m")], 60_000), t).MetricData?.[0].StorageResolution).to.equal(undefined);
    });
});
