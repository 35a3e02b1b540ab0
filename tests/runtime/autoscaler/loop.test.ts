/**
 * The control loop against a stubbed ECS: throttling and back-off, stop(), its tick log and warnings,
 * the bounds and cooldowns it keeps, dry runs and holds, external changes, a write whose answer was
 * lost, and a restart's last actions (fixtures in loop-harness.ts).
 */
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand, type UpdateServiceCommandInput } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import type { ControlLoop } from "../../../runtime/autoscaler/loop";
import { AutoscalerMetrics } from "../../../runtime/autoscaler/metrics";
import type { QueueObservation, QueueSource } from "../../../runtime/autoscaler/types";
import { decisionSettings } from "../../helpers/decision-settings";
import { captureLogs, CLIENT_CONFIG, deferred, fakeTime, sdkError, type FakeTime } from "../support";
import { recordAwsCalls } from "../../helpers/aws-call-recorder";
import { THRESHOLDS, ScriptedSource, tickWorker, workerLoop } from "./loop-harness";

describe("ControlLoop", () => {
    recordAwsCalls(__filename, "autoscaler", { cluster: "main", service: "worker", queue: "work" });
    const ecs = new ECSClient(CLIENT_CONFIG);
    const ecsMock = mockClient(ecs);
    /** The service as the mocked ECS API holds it. */
    let svc: { desired: number; running: number };
    let describeTimes: number[];
    let t: FakeTime;
    let loop: ControlLoop | undefined;

    function mockService(t: FakeTime, failFirst = 0): void {
        let failures = failFirst;
        ecsMock.on(DescribeServicesCommand).callsFake(() => {
            describeTimes.push(t.now());
            if (failures-- > 0) throw sdkError("ThrottlingException", "Rate exceeded");
            return { services: [{ serviceName: "worker", desiredCount: svc.desired, runningCount: svc.running, pendingCount: 0 }] };
        });
        ecsMock.on(UpdateServiceCommand).callsFake((input: UpdateServiceCommandInput) => {
            svc.desired = input.desiredCount!;
            return {};
        });
    }

    function build(source: QueueSource, extra: { dryRun?: boolean; metrics?: AutoscalerMetrics; logs?: ReturnType<typeof captureLogs>; warn?: number } = {}): ControlLoop {
        loop = workerLoop(t, ecs, { source, dryRun: extra.dryRun, logger: extra.logs?.logger, metrics: extra.metrics, oldestMessageWarningSeconds: extra.warn });
        return loop;
    }

    const updates = () => ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.desiredCount);

    beforeEach(() => {
        svc = { desired: 1, running: 1 };
        describeTimes = [];
        t = fakeTime(1_000_000);
    });
    afterEach(async () => {
        await loop?.stop();
        loop = undefined;
        ecsMock.reset();
    });

    it("keeps running through throttling, backing off 10 s then 20 s, and recovers", async () => {
        mockService(t, 2);
        const source = new ScriptedSource(t);
        source.next = { visible: 30 };
        const logs = captureLogs();
        const metrics = new AutoscalerMetrics();
        build(source, { logs, metrics }).start();
        await t.settle();
        expect(describeTimes).to.deep.equal([1_000_000]);
        expect(loop!.consecutiveFailures).to.equal(1);
        expect(updates()).to.deep.equal([]);

        await t.advance(9_999);
        expect(describeTimes).to.have.length(1);
        await t.advance(1);
        await t.settle();
        expect(describeTimes).to.deep.equal([1_000_000, 1_010_000]);
        expect(loop!.consecutiveFailures).to.equal(2);

        await t.advance(20_000);
        await t.settle();
        // The tick read, then the re-read before the write.
        expect(describeTimes).to.deep.equal([1_000_000, 1_010_000, 1_030_000, 1_030_000]);
        expect(updates()).to.deep.equal([3]);
        expect(loop!.consecutiveFailures).to.equal(0);
        expect(loop!.lastSuccessAt).to.equal(1_030_000);

        // Back to the normal interval.
        await t.advance(5_000);
        await t.settle();
        expect(describeTimes.slice(4)).to.deep.equal([1_035_000]);

        const failed = logs.withMsg("tick failed: DescribeServices failed: ThrottlingException: Rate exceeded");
        expect(failed.map((l) => [l.level, l.operation, l.code, l.throttling, l.consecutiveFailures, l.retryInMs])).to.deep.equal([
            [50, "DescribeServices", "ThrottlingException", true, 1, 10_000],
            [50, "DescribeServices", "ThrottlingException", true, 2, 20_000],
        ]);
        const errors = await metrics.registry.getSingleMetric("autoscaler_api_errors_total")!.get();
        expect(errors.values.map((v) => [v.labels.operation, v.value])).to.deep.equal([["DescribeServices", 2]]);
    });

    it("caps the backoff at 4 intervals (20 s)", async () => {
        mockService(t, 100);
        build(new ScriptedSource(t)).start();
        await t.settle();
        const waits: number[] = [];
        for (let i = 0; i < 6; i++) {
            waits.push(loop!.nextDelayMs());
            await t.advance(loop!.nextDelayMs());
            await t.settle();
        }
        expect(waits).to.deep.equal([10_000, 20_000, 20_000, 20_000, 20_000, 20_000]);
        expect(describeTimes).to.have.length(7);
    });

    it("stop() aborts the call in flight and resolves without waiting for its answer; nothing is written after it", async () => {
        mockService(t);
        const source = new ScriptedSource(t);
        const gate = deferred<QueueObservation>();
        source.next = () => gate.promise;
        build(source).start();
        await t.settle();
        expect(source.calls).to.equal(1);

        await loop!.stop();
        gate.resolve({ visible: 45, inFlight: 0, delayed: 0, observedAt: t.now() });
        await t.settle();
        expect(updates()).to.deep.equal([]);

        await t.advance(60_000);
        await t.settle();
        expect(source.calls).to.equal(1);
    });

    it("stop() between ticks resolves without waiting for the interval", async () => {
        mockService(t);
        const source = new ScriptedSource(t);
        build(source).start();
        await t.settle();
        expect(source.calls).to.equal(1);
        await loop!.stop();
        await t.advance(60_000);
        expect(source.calls).to.equal(1);
    });

    it("writes one JSON line per tick with counts, decision, reason and tick time", async () => {
        mockService(t);
        svc = { desired: 2, running: 1 };
        const source = new ScriptedSource(t);
        source.next = async () => {
            t.clock.tick(120);
            return { visible: 57, inFlight: 4, delayed: 2, oldestAgeSeconds: 61, observedAt: t.now() };
        };
        const logs = captureLogs();
        const report = await tickWorker(build(source, { logs }));
        expect(report.outcome).to.equal("updated");
        const ticks = logs.withMsg("tick");
        expect(ticks).to.deep.equal([{
            level: 30,
            msg: "tick",
            tick: 1,
            queue: "work",
            visible: 57,
            inFlight: 4,
            delayed: 2,
            oldestAgeSeconds: 61,
            service: "worker",
            desired: 2,
            running: 1,
            pending: 0,
            direction: "up",
            to: 6,
            reason: "backlog_high",
            reasonText: "scale from 2 to 6; rate unknown, backlog 57 (10 per task), 1 starting, needs 6, window max 6 over 90s",
            backlog: 57,
            starting: 1,
            needs: 6,
            windowMax: 6,
            outcome: "updated",
            tickMs: 120,
        }]);
    });

    it("warns when the oldest message is older than the threshold, not when equal", async () => {
        mockService(t);
        const source = new ScriptedSource(t);
        const logs = captureLogs();
        build(source, { logs, warn: 300 });
        source.next = { visible: 5, oldestAgeSeconds: 300 };
        await tickWorker(loop!);
        source.next = { visible: 5, oldestAgeSeconds: 301 };
        await tickWorker(loop!);
        const warnings = logs.lines.filter((l) => l.level === 40);
        expect(warnings.map((l) => [l.msg, l.oldestAgeSeconds, l.thresholdSeconds])).to.deep.equal([
            ["oldest message in work is 301s old (warning threshold 300s)", 301, 300],
        ]);
    });

    it("brings a desired count above max back to max", async () => {
        mockService(t);
        svc = { desired: 15, running: 15 };
        const source = new ScriptedSource(t);
        source.next = { visible: 900 };
        const report = await tickWorker(build(source));
        expect([report.decision.reason.code, report.outcome]).to.deep.equal(["above_max", "updated"]);
        expect(updates()).to.deep.equal([10]);
    });

    it("records its own scale-ups and scale-downs for the cooldowns", async () => {
        mockService(t);
        const source = new ScriptedSource(t);
        build(source);
        source.next = { visible: 40 };
        await tickWorker(loop!);
        expect(loop!.lastActionsOf()).to.deep.equal({ scaleUp: { at: 1_000_000, from: 1, to: 4 } });
        source.next = { visible: 0 };
        // The queue emptied at once, but the 4 recommended for it hold for the whole 90 s window.
        await t.advance(89_000);
        const held = await tickWorker(loop!);
        expect([held.decision.direction, held.decision.reason.code]).to.deep.equal(["none", "stabilizing"]);
        await t.advance(1_000);
        await tickWorker(loop!);
        // Then back to min 1 in one step.
        expect(loop!.lastActionsOf()).to.deep.equal({ scaleUp: { at: 1_000_000, from: 1, to: 4 }, scaleDown: { at: 1_090_000, from: 4, to: 1 } });
        expect(updates()).to.deep.equal([4, 1]);
    });

    it("in dry-run mode decides and counts but never calls UpdateService", async () => {
        mockService(t);
        const source = new ScriptedSource(t);
        source.next = { visible: 80 };
        const metrics = new AutoscalerMetrics();
        build(source, { dryRun: true, metrics }).start();
        await t.settle();
        await t.advance(5_000);
        await t.settle();
        expect(source.calls).to.equal(2);
        expect(ecsMock.commandCalls(UpdateServiceCommand)).to.have.length(0);
        expect(loop!.lastActionsOf()).to.deep.equal({});
        const actions = await metrics.registry.getSingleMetric("autoscaler_actions_total")!.get();
        expect(actions.values.map((v) => [v.labels.outcome, v.value])).to.deep.equal([["dry_run", 2]]);
    });

    it("holds actuation while hold() runs: decides, writes nothing", async () => {
        mockService(t);
        const source = new ScriptedSource(t);
        source.next = { visible: 80 };
        build(source);
        const release = deferred<void>();
        const held = loop!.hold(() => release.promise);
        const during = await tickWorker(loop!);
        expect([during.decision.desired, during.outcome]).to.deep.equal([8, "held"]);
        expect(updates()).to.deep.equal([]);
        release.resolve();
        await held;
        const after = await tickWorker(loop!);
        expect(after.outcome).to.equal("updated");
        expect(updates()).to.deep.equal([8]);
    });

    it("counts a desired count changed between read and write as an external change, and decides from it next tick", async () => {
        const source = new ScriptedSource(t);
        source.next = { visible: 60 };
        let reads = 0;
        ecsMock.on(DescribeServicesCommand).callsFake(() => {
            reads++;
            // The second read (just before the write) sees an operator's change to 8.
            const desired = reads === 1 ? 2 : 8;
            return { services: [{ serviceName: "worker", desiredCount: desired, runningCount: desired, pendingCount: 0 }] };
        });
        ecsMock.on(UpdateServiceCommand).resolves({});
        const metrics = new AutoscalerMetrics();
        build(source, { metrics });
        const first = await tickWorker(loop!);
        expect([first.decision.desired, first.outcome]).to.deep.equal([6, "external_change"]);
        const second = await tickWorker(loop!);
        expect([second.counts.desired, second.decision.direction, second.decision.reason.code, second.outcome]).to.deep.equal([8, "none", "within_band", "unchanged"]);
        expect(ecsMock.commandCalls(UpdateServiceCommand)).to.have.length(0);
        const actions = await metrics.registry.getSingleMetric("autoscaler_actions_total")!.get();
        expect(actions.values.map((v) => [v.labels.outcome, v.value])).to.deep.equal([["external_change", 1]]);
    });

    describe("a write whose answer was lost", () => {
        /** The service scales in as asked, but every UpdateService answer is lost (a request timeout). */
        function loseAnswers(): { writes: number[] } {
            const writes: number[] = [];
            ecsMock.on(DescribeServicesCommand).callsFake(() => ({ services: [{ serviceName: "worker", desiredCount: svc.desired, runningCount: svc.running, pendingCount: 0 }] }));
            ecsMock.on(UpdateServiceCommand).callsFake((input: UpdateServiceCommandInput) => {
                svc.desired = input.desiredCount!;
                svc.running = input.desiredCount!;
                writes.push(t.now());
                throw Object.assign(new Error("a request has exceeded the configured 5000 ms requestTimeout"), { name: "TimeoutError", code: "ETIMEDOUT" });
            });
            return { writes };
        }

        it("is read back before the next decision: the action counts as done, with its time, and is not sent again", async () => {
            svc = { desired: 2, running: 2 };
            const { writes } = loseAnswers();
            const source = new ScriptedSource(t);
            source.next = { visible: 70 };
            const logs = captureLogs();
            loop = workerLoop(t, ecs, { source, settings: decisionSettings({ minCapacity: 1, scaleDownCooldownMs: 60_000, ...THRESHOLDS }), logger: logs.logger });
            loop.start();
            for (let i = 0; i < 32; i++) {
                await t.settle();
                await t.advance(1_000);
            }
            await t.settle();
            // One write (its answer lost); the ticks after it read desired 7 back and send nothing more.
            expect(writes.map((w) => w - 1_000_000)).to.deep.equal([0]);
            expect(svc.desired).to.equal(7);
            expect(loop.lastActionsOf().scaleUp).to.deep.equal({ at: 1_000_000, from: 2, to: 7 });
            expect(logs.withMsg("the unanswered write of desired 7 took effect; its scale-up cooldown runs from then")).to.have.length(1);
            expect(loop.consecutiveFailures).to.equal(0);
        });

        it("that did not take effect is not counted: the next tick decides again", async () => {
            svc = { desired: 2, running: 2 };
            ecsMock.on(DescribeServicesCommand).callsFake(() => ({ services: [{ serviceName: "worker", desiredCount: svc.desired, runningCount: svc.running, pendingCount: 0 }] }));
            ecsMock.on(UpdateServiceCommand).rejects(Object.assign(new Error("socket hang up"), { name: "TimeoutError" }));
            const source = new ScriptedSource(t);
            source.next = { visible: 70 };
            loop = workerLoop(t, ecs, { source, settings: decisionSettings({ minCapacity: 1, scaleDownCooldownMs: 60_000, ...THRESHOLDS }) });
            await loop.tick();
            const second = (await loop.tick()).services.get("worker")!;
            expect(loop.lastActionsOf()).to.deep.equal({});
            expect(second.ok).to.equal(false);
            expect(ecsMock.commandCalls(UpdateServiceCommand)).to.have.length(2);
        });
    });

    it("starts with the last actions a restarted process read back, so its scale-up cooldown holds on the first tick", async () => {
        // Before the restart it scaled 2 -> 8 ten seconds ago; desired was since set to 5 by someone else.
        svc = { desired: 5, running: 5 };
        mockService(t);
        const source = new ScriptedSource(t);
        source.next = { visible: 70 };
        const build = (initialLastActions?: { scaleUp: { at: number; from: number; to: number } }) =>
            workerLoop(t, ecs, { source, settings: decisionSettings({ minCapacity: 1, ...THRESHOLDS }), ...(initialLastActions ? { initialLastActions } : {}) });
        const restarted = await tickWorker(build({ scaleUp: { at: 1_000_000 - 10_000, from: 2, to: 8 } }));
        expect([restarted.decision.direction, restarted.decision.reason.code]).to.deep.equal(["none", "scale_up_cooldown"]);
        expect(restarted.decision.reason.text).to.match(/^demand wants 7, not more than the last scale-up to 8; cooldown 20s left/);
        expect(updates()).to.deep.equal([]);
        // Without what it read back, the same reading scales up at once.
        const forgetful = await tickWorker(build());
        expect([forgetful.decision.direction, forgetful.decision.desired]).to.deep.equal(["up", 7]);
    });
});
