/**
 * `autoscale scale-test` on moto_server. verify: the staging worker's target, policies and step alarms
 * created in moto from the stack's plan match it, and after the test changes a policy's target value
 * and the target's max, verify reports exactly those two differences. scale-up / scale-down: the
 * localstack worker, scaled by the real queue autoscaler (startAutoscaler) against moto, with the
 * repository's worker consuming the queue during scale-down.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { PutScalingPolicyCommand, RegisterScalableTargetCommand, type ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { expect } from "chai";
import { parseDocument } from "yaml";
import { main } from "../../cli/autoscale";
import type { CliIo } from "../../cli/io";
import { plannedService } from "../../proof/plan-aws";
import { loadStackFile, PROJECT_ROOT } from "../../config/stack-file";
import { createApplicationAutoScalingClient, type AwsClients } from "../../runtime/aws/clients";
import { createLogger } from "../../runtime/aws/logger";
import { startAutoscaler, type RunningAutoscaler } from "../../runtime/autoscaler/service";
import { parseSettings } from "../../runtime/autoscaler/settings";
import { runWorker } from "../../runtime/worker/consumer";
import { createFixture, motoClientOverrides, motoClients, startMoto, stopAll, type MotoServer } from "../../local/moto-server";

export async function autoscale(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { env: process.env, out: (s) => out.push(s), err: (s) => err.push(s), onStopSignal: () => () => undefined };
    const code = await main(args, io);
    return { code, out: out.join(""), err: err.join("") };
}

export function useMotoEnvironment(endpoint: string): () => void {
    const keys = ["AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_MAX_ATTEMPTS"] as const;
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    Object.assign(process.env, { AWS_ENDPOINT_URL: endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_MAX_ATTEMPTS: "1" });
    return () => {
        for (const k of keys) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
    };
}

describe("integration: scale-test verify against moto_server", function () {
    this.timeout(60_000);
    let moto: MotoServer | undefined;
    let clients: AwsClients;
    let aas: ApplicationAutoScalingClient;
    let restoreEnv = () => undefined as void;
    const dir = mkdtempSync(path.join(tmpdir(), "scale-test-"));
    const stack = loadStackFile("staging");
    const worker = stack.services.worker;
    const planned = plannedService(worker.plan, stack.names.cluster, worker.name);

    before(async function () {
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
        aas = createApplicationAutoScalingClient(motoClientOverrides(moto.endpoint));
        restoreEnv = useMotoEnvironment(moto.endpoint);
        // What `pulumi up` creates for the worker, made here from the same plan.
        await createFixture(clients, { cluster: stack.names.cluster, service: worker.name, queue: stack.queues.work.name, desiredCount: worker.plan.minCapacity });
        await aas.send(new RegisterScalableTargetCommand({
            ServiceNamespace: "ecs", ResourceId: planned.resourceId, ScalableDimension: "ecs:service:DesiredCount",
            MinCapacity: planned.minCapacity, MaxCapacity: planned.maxCapacity,
        }));
        for (const p of planned.policies) {
            const out = await aas.send(new PutScalingPolicyCommand(p.input));
            if (p.alarm) await clients.cloudwatch.send(new PutMetricAlarmCommand({ ...p.alarm, AlarmActions: [out.PolicyARN!] }));
        }
    });

    after(async function () {
        restoreEnv();
        aas?.destroy();
        await stopAll({ moto, clients });
    });

    it("passes on a target, policies and alarms created from the staging plan", async function () {
        expect(planned.policies.map((p) => p.name)).to.deep.equal([
            `${worker.name}-cpu`, `${worker.name}-memory`, `${worker.name}-queue-depth-out`, `${worker.name}-queue-depth-in`,
        ]);
        const r = await autoscale(["scale-test", "verify", "--stack", "staging", "--service", "worker", "--out", path.join(dir, "verify.json")]);
        expect(r.err).to.equal("");
        expect(r.out.split("\n")[0]).to.equal("verify: live target, policies and alarms match the plan of worker");
        expect(r.code).to.equal(0);
    });

    it("reports exactly the differences after a policy's target value and the target's max change", async function () {
        const cpu = planned.policies.find((p) => p.name.endsWith("-cpu"))!;
        await aas.send(new PutScalingPolicyCommand({
            ...cpu.input,
            TargetTrackingScalingPolicyConfiguration: { ...cpu.input.TargetTrackingScalingPolicyConfiguration!, TargetValue: 55 },
        }));
        await aas.send(new RegisterScalableTargetCommand({
            ServiceNamespace: "ecs", ResourceId: planned.resourceId, ScalableDimension: "ecs:service:DesiredCount", MaxCapacity: 12,
        }));
        const out = path.join(dir, "drift.json");
        const r = await autoscale(["scale-test", "verify", "--stack", "staging", "--service", "worker", "--out", out]);
        expect(r.code).to.equal(1);
        expect(r.out.split("\n").slice(0, -2)).to.deep.equal([
            `target ${planned.resourceId} maxCapacity: expected 10, live 12`,
            `policy ${worker.name}-cpu TargetValue: expected 70, live 55`,
        ]);
        expect(JSON.parse(readFileSync(out, "utf8")).differences).to.deep.equal([
            { key: `target ${planned.resourceId} maxCapacity`, expected: "10", live: "12" },
            { key: `policy ${worker.name}-cpu TargetValue`, expected: "70", live: "55" },
        ]);
    });
});

describe("integration: scale-test scale-up and scale-down against moto_server with the queue autoscaler running", function () {
    this.timeout(150_000);
    let moto: MotoServer | undefined;
    let clients: AwsClients;
    let autoscaler: RunningAutoscaler | undefined;
    let restoreEnv = () => undefined as void;
    const dir = mkdtempSync(path.join(tmpdir(), "scale-test-"));
    // localstack's worker is the queue autoscaler's (bounds 0..3). The planned count of a scale test needs the
    // messages one task may hold, which the shipped file leaves to the learned rate; this copy opts in to the
    // threshold rule (5 up, 1 down), and the commands run from its folder.
    const project = mkdtempSync(path.join(tmpdir(), "scale-test-stack-"));
    copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    const file = parseDocument(readFileSync(path.join(PROJECT_ROOT, "Pulumi.localstack.yaml"), "utf8"));
    file.setIn(["config", "ecs-autoscaling:autoscaler", "scaleUpThreshold"], 5);
    file.setIn(["config", "ecs-autoscaling:autoscaler", "scaleDownThreshold"], 1);
    writeFileSync(path.join(project, "Pulumi.localstack.yaml"), file.toString());
    const stack = loadStackFile("localstack", {}, project);
    const worker = stack.services.worker;
    const inProject = async (args: string[]) => {
        const cwd = process.cwd();
        process.chdir(project);
        try { return await autoscale(args); } finally { process.chdir(cwd); }
    };

    before(async function () {
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
        restoreEnv = useMotoEnvironment(moto.endpoint);
        const fx = await createFixture(clients, { cluster: stack.names.cluster, service: worker.name, queue: stack.queues.work.name, desiredCount: worker.plan.minCapacity, settled: true });
        const a = stack.autoscaler;
        const settings = parseSettings({
            queueUrl: fx.queueUrl, cluster: fx.cluster, ecsService: fx.service,
            min: String(a.minCapacity), max: String(a.maxCapacity),
            scaleUpThreshold: String(a.scaleUpThreshold), scaleDownThreshold: String(a.scaleDownThreshold),
            // Seconds instead of the stack's 10 s / 30 s, so the test takes seconds.
            scaleUpCooldown: "1", scaleDownCooldown: "1", scaleDownStep: String(a.maxCapacity), interval: "1", healthPort: "0",
        }, {});
        autoscaler = await startAutoscaler(settings, { ...clients, logger: createLogger({ level: "silent" }) });
    });

    after(async function () {
        restoreEnv();
        await stopAll({ autoscaler, moto, clients });
    });

    it("measures the time to the planned count under queue load, then, with the repository's worker draining the queue, back to min", async function () {
        const upFile = path.join(dir, "up.json");
        const up = await inProject(["scale-test", "scale-up", "--stack", "localstack", "--service", "worker", "--messages", "15",
            "--poll", "100ms", "--timeout", "60s", "--expect-scale-up", "60s", "--out", upFile]);
        // stderr carries the progress lines only (one per reading), so stdout stays the result.
        expect(up.err.trim().split("\n").every((l) => /^scale-up: \d+ s: desired \d+, running \d+ of goal 3$/.test(l)), up.err).to.equal(true);
        expect(up.code, up.out).to.equal(0);
        const upReport = JSON.parse(readFileSync(upFile, "utf8"));
        const m = upReport.results[0].measurement;
        // ceil(15 / 5) = 3 workers, the stack's max.
        expect(m.goal).to.equal(3);
        expect(m.samples[m.samples.length - 1]).to.include({ desired: 3, running: 3 });
        expect(m.firstChangeMs).to.be.at.most(m.desiredMs);
        expect(m.desiredMs).to.be.at.most(m.runningMs);
        expect(up.out).to.match(/scale-up +running at planned 3 +\d+(\.\d)? m?s +<= 60\.0 s met/);
        console.log(`      scale-up (15 messages, localstack worker, queue autoscaler at 1 s):\n${up.out.split("\n").map((l) => `        ${l}`).join("\n")}`);

        // The load stops (nothing more is sent); the sample worker drains what is queued.
        const abort = new AbortController();
        const queueUrl = `${moto!.endpoint}/123456789012/${stack.queues.work.name}`;
        const draining = runWorker({ queueUrl, processingMs: 20, waitSeconds: 1, protectionMinutes: 1 }, {
            sqs: clients.sqs, clock: Date.now, work: (ms) => new Promise((r) => setTimeout(r, ms)), pause: (ms) => new Promise((r) => setTimeout(r, ms)),
            logger: createLogger({ level: "silent" }), signal: abort.signal,
        });
        const downFile = path.join(dir, "down.json");
        let down: Awaited<ReturnType<typeof autoscale>>;
        try {
            down = await inProject(["scale-test", "scale-down", "--stack", "localstack", "--service", "worker",
                "--poll", "100ms", "--timeout", "90s", "--expect-scale-down", "90s", "--out", downFile]);
        } finally {
            abort.abort("test");
        }
        expect((await draining).processed).to.equal(15);
        expect(down.code, down.out).to.equal(0);
        const d = JSON.parse(readFileSync(downFile, "utf8")).results[0].measurement;
        expect(d.goal).to.equal(0);
        expect(d.samples[d.samples.length - 1]).to.include({ desired: 0, running: 0 });
        console.log(`      scale-down (load stopped, worker draining):\n${down.out.split("\n").map((l) => `        ${l}`).join("\n")}`);
    });
});
