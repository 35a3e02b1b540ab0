/**
 * `autoscale diff` end to end on scratch repositories made of this tree's files: a commit that moves
 * the worker's scale-out threshold in Pulumi.staging.yaml from 50 to 80 shows exactly the changed
 * alarm and policy inputs and the simulated before/after table; a stack whose file changed but whose
 * graph did not prints "no change"; bad input exits 2 with every problem marked base or head.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/autoscale";
import type { CliIo } from "../../cli/io";
import { scratchRepo, type ScratchRepo } from "./scratch-repo";

const WORKER = ["config", "ecs-autoscaling:services", "worker"];

/** The path of the worker's first scale-out step's lower bound (its alarm threshold), checked to be 50. */
function workerThreshold(repo: ScratchRepo): (string | number)[] {
    let at: (string | number)[] = [];
    repo.editYaml("Pulumi.staging.yaml", (doc) => {
        const policies = (doc.getIn([...WORKER, "policies"]) as any).toJSON() as { kind: string }[];
        at = [...WORKER, "policies", policies.findIndex((p) => p.kind === "stepScaling"), "scaleOut", "steps", 0, "lower"];
        expect(doc.getIn(at)).to.equal(50);
    });
    return at;
}

async function diffIn(repo: ScratchRepo, args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { env: {}, out: (s) => out.push(s), err: (s) => err.push(s), onStopSignal: () => () => undefined };
    const cwd = process.cwd();
    process.chdir(repo.dir);
    try {
        const code = await main(["diff", ...args], io);
        return { code, out: out.join(""), err: err.join("") };
    } finally {
        process.chdir(cwd);
    }
}

const URN = "urn:pulumi:staging::ecs-autoscaling::ecs-autoscaling:ecs:ServiceScaling$";

describe("autoscale diff", function () {
    // Each side is a Node process running the whole program; on a busy machine that takes minutes.
    this.timeout(300_000);

    describe("on a commit that moves the worker's step threshold from 50 to 80 (and a comment in Pulumi.localstack.yaml)", () => {
        let repo: ScratchRepo;
        let out: string;
        let charts: string;
        before(async () => {
            repo = scratchRepo();
            const threshold = workerThreshold(repo);
            repo.editYaml("Pulumi.staging.yaml", (doc) => doc.setIn(threshold, 80));
            // A change to the file that changes nothing the program reads.
            repo.write("Pulumi.localstack.yaml", `${repo.read("Pulumi.localstack.yaml")}# reviewed\n`);
            repo.commit("worker scales out from 80 messages");
            charts = mkdtempSync(path.join(os.tmpdir(), "autoscale-diff-charts-"));
            const md = await diffIn(repo, ["--base", "HEAD~1", "--out", charts]);
            expect(md.err).to.equal(`wrote ${path.join(charts, "staging-worker.svg")}\n`);
            expect(md.code).to.equal(0);
            out = md.out;
        });
        after(() => {
            repo?.remove();
            if (charts) rmSync(charts, { recursive: true, force: true });
        });

        it("prints exactly the changed alarm and policy inputs (and the dashboard's threshold line)", () => {
            const resources = out.slice(out.indexOf("### `staging`"), out.indexOf("#### Behaviour"));
            expect(resources).to.equal([
                "### `staging`: changed (3 changed)",
                "",
                `**Changed** \`${URN}aws:appautoscaling/policy:Policy::worker-scaling-queue-depth-out\``,
                "",
                "| input | before | after |",
                "| --- | --- | --- |",
                "| `stepScalingPolicyConfiguration.stepAdjustments[0].metricIntervalUpperBound` | `50` | `20` |",
                "| `stepScalingPolicyConfiguration.stepAdjustments[1].metricIntervalLowerBound` | `50` | `20` |",
                "| `stepScalingPolicyConfiguration.stepAdjustments[1].metricIntervalUpperBound` | `150` | `120` |",
                "| `stepScalingPolicyConfiguration.stepAdjustments[2].metricIntervalLowerBound` | `150` | `120` |",
                "",
                `**Changed** \`${URN}aws:cloudwatch/metricAlarm:MetricAlarm::worker-scaling-queue-depth-out-alarm\``,
                "",
                "| input | before | after |",
                "| --- | --- | --- |",
                "| `alarmDescription` | `...isible (Maximum, QueueName=ecs-autoscaling-staging-work) >= 50 for 1 of 1 periods of 60 s. Steps: 50 to under 100: add 1 task; 100 to under 200: add 2 tasks; 20...` " +
                "| `...isible (Maximum, QueueName=ecs-autoscaling-staging-work) >= 80 for 1 of 1 periods of 60 s. Steps: 80 to under 100: add 1 task; 100 to under 200: add 2 tasks; 20...` |",
                "| `threshold` | `50` | `80` |",
                "",
                "**Changed** `urn:pulumi:staging::ecs-autoscaling::ecs-autoscaling:monitoring:AutoscalingDashboard$aws:cloudwatch/dashboard:Dashboard::dashboard-dashboard`",
                "",
                "| input | before | after |",
                "| --- | --- | --- |",
                "| `dashboardBody.widgets[12].properties.annotations.horizontal[0].label` | `scale out +1 (>= 50)` | `scale out +1 (>= 80)` |",
                "| `dashboardBody.widgets[12].properties.annotations.horizontal[0].value` | `50` | `80` |",
                "",
                "",
            ].join("\n"));
        });

        it("prints the worker's simulated figures before and after on the standard traces", () => {
            expect(out.slice(out.indexOf("#### Behaviour"))).to.equal([
                "#### Behaviour of `worker`",
                "",
                "Application Auto Scaling as the simulator runs it (queue workers of 2 messages/s, acceptable message age 60 s, 5-s ticks), before → after (change). Chart: `staging-worker.svg`.",
                "",
                "| trace | task-minutes | wait p95 | wait max | time above target | scaling changes | time to needed capacity |",
                "| --- | --- | --- | --- | --- | --- | --- |",
                "| burst | 169 → 169 (0) | 132 s → 132 s (0) | 151.3 s → 151.3 s (0) | 115 s → 115 s (0) | 6 → 6 (0) | 115 s → 115 s (0) |",
                "| ramp | 213 → 210 (−3) | 101 s → 118 s (+17) | 129.5 s → 154.5 s (+25) | 270 s → 315 s (+45) | 13 → 13 (0) | 265 s → 270 s (+5) |",
                "| sawtooth | 270 → 270 (0) | 133 s → 133 s (0) | 150.1 s → 150.1 s (0) | 305 s → 305 s (0) | 9 → 9 (0) | 270 s → 270 s (0) |",
                "| mixed | 184 → 184 (0) | 73 s → 73 s (0) | 151.3 s → 151.3 s (0) | 115 s → 115 s (0) | 6 → 6 (0) | 115 s → 115 s (0) |",
                "",
            ].join("\n"));
        });

        it("runs both sides of a stack whose file changed and prints \"no change\" when the graphs are equal", () => {
            // Not "no change (neither Pulumi.localstack.yaml nor the program changed)": both programs ran.
            expect(out).to.include("\n### `localstack`: no change\n\n### `staging`");
        });

        it("writes the chart of the changed service: desired tasks before and after on each trace", () => {
            const svg = readFileSync(path.join(charts, "staging-worker.svg"), "utf8");
            expect(svg).to.match(/^<svg /);
            for (const text of ["staging/worker: desired tasks before and after", "burst", "ramp", "sawtooth", "mixed", "before", "after"]) {
                expect(svg).to.include(`>${text}</text>`);
            }
        });
    });

    describe("bad input", () => {
        let repo: ScratchRepo;
        before(() => {
            repo = scratchRepo();
        });
        after(() => repo?.remove());

        it("an unknown git ref exits 2 naming the ref", async () => {
            const r = await diffIn(repo, ["--base", "no-such-branch"]);
            expect(r).to.deep.equal({
                code: 2, out: "",
                err: `error: --base: "no-such-branch" names no commit in ${repo.dir} (git rev-parse --verify found nothing; fetch it first, e.g. git fetch origin no-such-branch)\n`,
            });
        });

        it("an unknown stack exits 2 naming the known ones", async () => {
            const r = await diffIn(repo, ["--base", "HEAD", "--stack", "prod"]);
            expect(r).to.deep.equal({ code: 2, out: "", err: "error: --stack: \"prod\" has no Pulumi.prod.yaml in the working tree or in HEAD; known stacks are localstack, staging\n" });
        });

        it("a missing --base exits 2", async () => {
            const r = await diffIn(repo, []);
            expect(r.code).to.equal(2);
            expect(r.err).to.equal("error: --base: (missing) is required: the git ref to compare with, e.g. --base origin/main\n");
        });

        it("a stack file with errors on both sides exits 2 with each side's validation messages, marked base or head", async () => {
            const min = repo.read("Pulumi.staging.yaml");
            repo.editYaml("Pulumi.staging.yaml", (doc) => doc.setIn([...WORKER, "minCapacity"], 12));
            repo.commit("worker bounds out of order");
            repo.write("Pulumi.staging.yaml", min);
            repo.editYaml("Pulumi.staging.yaml", (doc) => doc.setIn([...WORKER, "cpu"], 300));
            const commit = repo.git("rev-parse", "HEAD").trim().slice(0, 12);
            const r = await diffIn(repo, ["--base", "HEAD", "--stack", "staging"]);
            expect(r.code).to.equal(2);
            expect(r.out).to.equal("");
            const lines = r.err.trimEnd().split("\n");
            expect(lines[0]).to.equal(`error: base (HEAD, ${commit}): Pulumi.staging.yaml: services.worker.minCapacity: 12 must be <= services.worker.maxCapacity (10)`);
            expect(lines.slice(1)).to.have.length.greaterThan(0);
            for (const line of lines.slice(1)) expect(line).to.match(/^error: head \(working tree\): Pulumi\.staging\.yaml: services\.worker\.cpu: 300 /);
            repo.git("checkout", "-q", "--", ".");
        });

        it("a stack file the base does not have yet shows every resource as added", async () => {
            repo.write("Pulumi.dev.yaml", repo.read("Pulumi.localstack.yaml"));
            try {
                const r = await diffIn(repo, ["--base", "HEAD", "--stack", "dev", "--json"]);
                expect(r.code).to.equal(0);
                const [dev] = JSON.parse(r.out).stacks;
                expect(dev.status).to.equal("new stack");
                expect(dev.resources.removed).to.deep.equal([]);
                expect(dev.resources.changed).to.deep.equal([]);
                expect(dev.resources.added.map((a: { urn: string }) => a.urn)).to.include("urn:pulumi:dev::ecs-autoscaling::ecs-autoscaling:queue:WorkQueue$aws:sqs/queue:Queue::work-queue");
                expect(dev.resources.added.every((a: { urn: string }) => a.urn.startsWith("urn:pulumi:dev::ecs-autoscaling::"))).to.equal(true);
            } finally {
                rmSync(path.join(repo.dir, "Pulumi.dev.yaml"));
            }
        });
    });
});
