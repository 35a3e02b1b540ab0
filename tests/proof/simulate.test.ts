import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { main } from "../../cli/autoscale";
import type { CliIo } from "../../cli/io";
import { autoscalerSettingsFromStack } from "../../proof/simulate";
import { loadStackFile, stackFileConfig } from "../../config/stack-file";

function io(): CliIo & { stdout: string; stderr: string } {
    const o = {
        env: {}, stdout: "", stderr: "",
        out: (t: string) => { o.stdout += t; },
        err: (t: string) => { o.stderr += t; },
        onStopSignal: () => () => undefined,
    };
    return o;
}

describe("autoscale simulate", function () {
    this.timeout(60_000);
    let dir: string;
    beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), "sim-")); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("staging worker on the burst trace with --compare: one table, the JSON and the chart", async () => {
        const o = io();
        const code = await main(["simulate", "--stack", "staging", "--service", "worker", "--trace", "burst", "--compare", "--out", dir], o);
        expect(code, o.stderr).to.equal(0);
        const lines = o.stdout.split("\n");
        expect(lines[0]).to.equal("staging/worker, trace burst (seed 1, tick 5 s, workers 2 msg/s, target age 60 s, task start 30 s)");
        expect(lines[1]).to.match(/^controller\s+to capacity\s+wait p50\s+wait p95\s+wait max\s+above target\s+task-min\s+changes$/);
        const controllers = ["aws-reactive", "aws-predictive+reactive", "backlog-per-task", "queue-autoscaler", "queue-autoscaler+forecast", "oracle"];
        expect(lines.slice(3, 9).map((l) => l.split(/\s+/)[0])).to.deep.equal(controllers);
        expect(lines[8]).to.match(/^oracle\s+0 s \(1\.00x\)/);
        const json = JSON.parse(readFileSync(path.join(dir, "staging-worker-burst.json"), "utf8"));
        expect(json.results.map((r: { controller: string }) => r.controller)).to.deep.equal(controllers);
        // The plan as AWS runs it: the stack's queue-depth step scale-out fires first, with the stack's own name.
        expect(json.results[0].activities[0].policy).to.equal("ecs-autoscaling-staging-worker-queue-depth-out");
        const svg = readFileSync(path.join(dir, "staging-worker-burst.svg"), "utf8");
        expect(svg.startsWith("<svg")).to.equal(true);
        expect(svg).to.contain("staging/worker: trace burst");
        expect(svg).to.contain("queue-autoscaler");
    });

    it("--compare on a service that consumes no queue runs the AWS controllers its plan can hold and the oracle", async () => {
        const o = io();
        expect(await main(["simulate", "--stack", "staging", "--service", "api", "--trace", "burst", "--compare", "--out", dir], o), o.stderr).to.equal(0);
        const lines = o.stdout.split("\n");
        expect(lines.slice(3, 7).map((l) => l.split(/\s+/)[0])).to.deep.equal(["aws-reactive", "aws-reactive+scheduled", "aws-predictive+reactive", "oracle"]);
    });

    it("reads a CSV trace", async () => {
        const csv = path.join(dir, "t.csv");
        writeFileSync(csv, "seconds,rate\n0,1\n300,6\n900,0\n");
        const o = io();
        expect(await main(["simulate", "--stack", "staging", "--service", "worker", "--trace", csv, "--out", dir], o), o.stderr).to.equal(0);
        expect(o.stdout).to.contain("staging/worker, trace t ");
    });

    const usage: [string, string[], RegExp][] = [
        ["a missing --trace", ["--stack", "staging", "--service", "worker"], /^error: --trace: \(missing\) is required\n$/],
        ["an unknown service", ["--stack", "staging", "--service", "nope", "--trace", "burst"], /^error: --service: "nope" is not a service of stack staging/],
        ["an unknown trace", ["--stack", "staging", "--service", "worker", "--trace", "nope"], /^error: --trace: "nope" is not a built-in trace/],
        ["an unknown stack", ["--stack", "nope", "--service", "worker", "--trace", "burst"], /^error: --stack: stack "nope": no /],
        ["a bad --tick", ["--stack", "staging", "--service", "worker", "--trace", "burst", "--tick", "0"], /^error: --tick: "0" must be a number of seconds > 0 and <= 60\n$/],
    ];
    for (const [what, args, message] of usage) {
        it(`refuses ${what} with one line and exit code 2`, async () => {
            const o = io();
            expect(await main(["simulate", ...args, "--out", dir], o)).to.equal(2);
            expect(o.stderr).to.match(message);
            expect(o.stderr.trim().split("\n")).to.have.length(1);
        });
    }

    it("runs the queue autoscaler with the stack's autoscaler settings, parsed as the deployed task parses them, and the simulated service's bounds", () => {
        const stack = loadStackFile("staging", { autoscaler: { ...rawAutoscaler(), acceptableAgeSeconds: 45, processingRate: 2, scaleUpThreshold: 10, scaleDownThreshold: 2 } });
        const { decision, intervalSeconds } = autoscalerSettingsFromStack(stack.autoscaler, stack.services.worker.plan);
        expect(intervalSeconds).to.equal(stack.autoscaler.intervalSeconds);
        expect(decision).to.include({
            minCapacity: stack.services.worker.plan.minCapacity, maxCapacity: stack.services.worker.plan.maxCapacity,
            scaleUpThreshold: 10, scaleDownThreshold: 2,
            scaleUpCooldownMs: stack.autoscaler.scaleUpCooldownSeconds * 1000, scaleDownCooldownMs: stack.autoscaler.scaleDownCooldownSeconds * 1000,
            countInFlight: stack.autoscaler.countInFlight, acceptableAgeSeconds: 45, processingRate: 2,
        });
    });
});

/** The staging stack file's `autoscaler` value as written. */
function rawAutoscaler(): Record<string, unknown> {
    return stackFileConfig("staging")["ecs-autoscaling:autoscaler"] as Record<string, unknown>;
}
