/**
 * The loop's guards around the decision, each on the numbers of the defect it fixes: the scale-in
 * window holds however fast the queue empties; a deployment holds scale-in of its own service only,
 * and only for the deployment hold, then a warning metric; rate estimates restart after an outage;
 * a scale-out is not held by the scale-in cooldown (Application Auto Scaling's rule).
 */
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand, type DescribeServicesCommandInput, type UpdateServiceCommandInput } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { EcsFleet } from "../../../runtime/autoscaler/actuator";
import { ControlLoop, type TickReport } from "../../../runtime/autoscaler/loop";
import { AutoscalerMetrics } from "../../../runtime/autoscaler/metrics";
import { defaultPacing } from "../../../runtime/autoscaler/pacing";
import type { DecisionSettings, QueueObservation, QueueSource } from "../../../runtime/autoscaler/types";
import { decisionSettings } from "../../helpers/decision-settings";

/** These guards are shown with the opt-in threshold rule (10 messages per task, scale-in below 2), whose counts are plain. */
const THRESHOLDS = { scaleUpThreshold: 10, scaleDownThreshold: 2 } as const;
import { captureLogs, CLIENT_CONFIG, fakeTime, sdkError, type FakeTime } from "../support";

class Queue implements QueueSource {
    readonly kind = "sqs" as const;
    reading: Partial<QueueObservation> = {};
    fails = false;
    constructor(readonly queueName: string, private readonly t: FakeTime) {}
    async observe(): Promise<QueueObservation> {
        if (this.fails) throw sdkError("TimeoutError", "connect ETIMEDOUT");
        return { visible: 0, inFlight: 0, delayed: 0, observedAt: this.t.now(), ...this.reading };
    }
    async close(): Promise<void> {}
}

interface Svc { desired: number; running: number; deploying?: boolean }

describe("the loop's guards around the decision", () => {
    const ecs = new ECSClient(CLIENT_CONFIG);
    const ecsMock = mockClient(ecs);
    let t: FakeTime;
    let services: Record<string, Svc>;
    let loop: ControlLoop | undefined;
    let written: [string, number, number][];

    beforeEach(() => {
        t = fakeTime(5_000_000);
        written = [];
        ecsMock.on(DescribeServicesCommand).callsFake((input: DescribeServicesCommandInput) => ({
            services: input.services!.filter((n) => services[n]).map((n) => {
                const s = services[n]!;
                return {
                    serviceName: n, desiredCount: s.desired, runningCount: s.running, pendingCount: 0,
                    deployments: s.deploying ? [{ status: "PRIMARY", rolloutState: "IN_PROGRESS" }, { status: "ACTIVE" }] : [{ status: "PRIMARY", rolloutState: "COMPLETED" }],
                };
            }),
        }));
        ecsMock.on(UpdateServiceCommand).callsFake((input: UpdateServiceCommandInput) => {
            written.push([input.service!, input.desiredCount!, t.now()]);
            services[input.service!]!.desired = input.desiredCount!;
            services[input.service!]!.running = input.desiredCount!;
            return {};
        });
    });
    afterEach(async () => {
        await loop?.stop();
        loop = undefined;
        ecsMock.reset();
    });

    function build(queues: Record<string, Queue>, settings: DecisionSettings, extra: { deploymentHoldMs?: number; metrics?: AutoscalerMetrics; logs?: ReturnType<typeof captureLogs> } = {}): ControlLoop {
        loop = new ControlLoop({
            services: Object.entries(queues).map(([service, source]) => ({ service, source, settings })),
            fleet: new EcsFleet({ ecs, cluster: "main" }),
            intervalMs: 5_000, clock: t.now, sleep: t.sleep, pacing: defaultPacing(t.now, t.sleep),
            ...(extra.deploymentHoldMs !== undefined ? { deploymentHoldMs: extra.deploymentHoldMs } : {}),
            ...(extra.metrics ? { metrics: extra.metrics } : {}),
            ...(extra.logs ? { logger: extra.logs.logger } : {}),
        });
        return loop;
    }

    async function tick(l: ControlLoop): Promise<Map<string, TickReport>> {
        const out = new Map<string, TickReport>();
        for (const [name, r] of (await l.tick()).services) if (r.ok) out.set(name, r.report);
        return out;
    }

    const updates = () => written;

    it("holds the scale-in window when the queue empties 1.2 s after a 3 -> 10 scale-up: no scale-in before the window has passed", async () => {
        services = { worker: { desired: 3, running: 3 } };
        const q = new Queue("work", t);
        const l = build({ worker: q }, decisionSettings({ minCapacity: 1, scaleDownCooldownMs: 90_000, ...THRESHOLDS }));
        q.reading = { visible: 100 };
        expect((await tick(l)).get("worker")!.decision.desired).to.equal(10);
        q.reading = { visible: 0 };
        await t.advance(1_200);
        const held = (await tick(l)).get("worker")!;
        expect([held.decision.direction, held.decision.reason.code, held.outcome]).to.deep.equal(["none", "stabilizing", "unchanged"]);
        // Every 5 s until the 10 recommended at the scale-up leaves the 90 s window.
        const decided: string[] = [];
        for (let at = 5_000; at < 90_000; at += 5_000) {
            await t.advance(5_000);
            decided.push((await tick(l)).get("worker")!.decision.reason.code);
        }
        expect(new Set(decided)).to.deep.equal(new Set(["stabilizing"]));
        await t.advance(5_000);
        const after = (await tick(l)).get("worker")!;
        expect([after.decision.direction, after.decision.desired]).to.deep.equal(["down", 1]);
        expect(ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.desiredCount)).to.deep.equal([10, 1]);
    });

    it("a deployment holds scale-in of its own service only, for the deployment hold, then a warning metric and log line", async () => {
        services = { deploying: { desired: 5, running: 5, deploying: true }, steady: { desired: 5, running: 5 } };
        const metrics = new AutoscalerMetrics();
        const logs = captureLogs();
        const l = build({ deploying: new Queue("deploying-jobs", t), steady: new Queue("steady-jobs", t) },
            decisionSettings({ minCapacity: 1, scaleDownCooldownMs: 10_000, ...THRESHOLDS }), { deploymentHoldMs: 60_000, metrics, logs });
        const reasons: [number, string, string][] = [];
        for (let i = 0; i <= 14; i++) {
            const r = await tick(l);
            reasons.push([(t.now() - 5_000_000) / 1000, r.get("deploying")!.decision.reason.code, r.get("steady")!.decision.reason.code]);
            await t.advance(5_000);
        }
        // The steady service scales in once its 10 s window has passed; the deploying one only once the
        // deployment has held it for 60 s.
        expect(updates()).to.deep.equal([["steady", 1, 5_010_000], ["deploying", 1, 5_060_000]]);
        expect(reasons.filter(([, d]) => d === "deployment_in_progress").map(([s]) => s)).to.deep.equal([10, 15, 20, 25, 30, 35, 40, 45, 50, 55]);
        const expired = await metrics.registry.getSingleMetric("autoscaler_deployment_hold_expired_total")!.get();
        expect(expired.values.map((v) => [v.labels.service, v.value])).to.deep.equal([["deploying", 1]]);
        expect(logs.lines.filter((x) => x.level === 40).map((x) => x.msg)).to.deep.equal([
            "a deployment of deploying has been in progress longer than the deployment hold; scale-in is no longer held for it",
        ]);
    });

    it("restarts the rate estimates after the endpoint comes back: 1 -> 5 for 45 messages, as a fresh start decides, not 1 -> 10", async () => {
        const settings = decisionSettings({ minCapacity: 1, scaleUpCooldownMs: 0, ...THRESHOLDS });
        services = { worker: { desired: 5, running: 5 } };
        const q = new Queue("work", t);
        const l = build({ worker: q }, settings);
        // Five busy tasks drain 45 -> 35 -> 25: a processing rate of 0.4 messages/s per task is learned.
        for (const visible of [45, 35, 25]) {
            q.reading = { visible };
            await tick(l);
            await t.advance(5_000);
        }
        // The endpoint goes away for 30 s and comes back empty (a restarted moto, a recreated service):
        // 1 task, and a new burst of 45.
        q.fails = true;
        for (let i = 0; i < 6; i++) {
            await tick(l);
            await t.advance(5_000);
        }
        q.fails = false;
        services.worker = { desired: 1, running: 1 };
        q.reading = { visible: 45 };
        const back = (await tick(l)).get("worker")!;
        await loop!.stop();
        services.worker = { desired: 1, running: 1 };
        const fresh = (await tick(build({ worker: q }, settings))).get("worker")!;
        expect([back.decision.direction, back.decision.desired, back.decision.reason.code]).to.deep.equal(["up", 5, "backlog_high"]);
        expect([fresh.decision.direction, fresh.decision.desired, fresh.decision.reason.code]).to.deep.equal(["up", 5, "backlog_high"]);
    });

    it("a scale-out right after a scale-in is not held by either cooldown: 1 -> 7 at once, 15 s after 7 -> 1, inside the 30 s scale-up cooldown", async () => {
        services = { worker: { desired: 1, running: 1 } };
        const q = new Queue("work", t);
        const l = build({ worker: q }, decisionSettings({ minCapacity: 1, scaleDownCooldownMs: 10_000, scaleUpCooldownMs: 30_000, ...THRESHOLDS }));
        q.reading = { visible: 70 };
        await tick(l);
        q.reading = { visible: 0 };
        for (let i = 0; i < 3; i++) {
            await t.advance(5_000);
            await tick(l);
        }
        q.reading = { visible: 70 };
        await t.advance(5_000);
        const up = (await tick(l)).get("worker")!;
        expect([up.decision.direction, up.decision.desired, up.decision.reason.code, up.outcome]).to.deep.equal(["up", 7, "backlog_high", "updated"]);
        expect(updates().map(([s, d, at]) => [s, d, at - 5_000_000])).to.deep.equal([["worker", 7, 0], ["worker", 1, 10_000], ["worker", 7, 20_000]]);
    });
});
