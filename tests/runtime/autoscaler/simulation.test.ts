import { expect } from "chai";
import { simulateQueueAutoscaler } from "../../../runtime/autoscaler/simulation";
import { oracleController, oracleNeed } from "../../../scaling/oracle";
import { runClosedLoop } from "../../../scaling/simulate";
import { arrivalsBetween, builtInTrace, burstTrace, parseCsvTrace, BUILT_IN_TRACE_NAMES } from "../../../scaling/traces";
import { QueueWorkload } from "../../../scaling/workloads";
import type { DecisionSettings } from "../../../runtime/autoscaler/types";

/** The settings of the moto integration test (tests/runtime/autoscaler/service-moto.test.ts). */
const MOTO_TEST: DecisionSettings = {
    minCapacity: 1, maxCapacity: 10, scaleUpThreshold: 10, scaleDownThreshold: 2,
    scaleUpCooldownMs: 1_000, scaleDownCooldownMs: 3_000, scaleDownStep: 1, countInFlight: false,
};

describe("simulator: the queue autoscaler in the closed loop (its real decision function)", () => {
    it("on a 45-message burst reaches 5 tasks, as the moto integration test does", () => {
        const r = simulateQueueAutoscaler({
            trace: burstTrace(45, 0, 120), settings: MOTO_TEST, intervalSeconds: 1, workerRate: 2, startDelaySeconds: 30, targetAgeSeconds: 60,
        });
        expect(r.actions[0]).to.include({ t: 1, from: 1, to: 5 });
        expect(Math.max(...r.actions.map((a) => a.to))).to.equal(5);
        expect(r.actions[0].reason).to.match(/^backlog_high: /);
    });

    it("is one reusable function: trace + settings + worker rate + start delay -> metrics", () => {
        const trace = builtInTrace("mixed");
        expect(trace.duration).to.equal(28 * 60);
        expect(arrivalsBetween(trace, 180, 181)).to.be.closeTo(300.5, 1e-9);
        const r = simulateQueueAutoscaler({
            trace, settings: { ...MOTO_TEST, scaleUpCooldownMs: 30_000, scaleDownCooldownMs: 120_000 },
            intervalSeconds: 5, workerRate: 2, startDelaySeconds: 40, targetAgeSeconds: 60,
        });
        const m = r.metrics;
        // 6,705 task-seconds over the 28-minute trace (the thresholds of the moto test, 10/2, with a
        // 120 s window that the loop holds).
        expect(m.taskMinutes).to.be.closeTo(6705 / 60, 1e-9);
        expect(m.waitP50Seconds).to.be.at.most(m.waitP95Seconds!);
        expect(m.waitP95Seconds).to.be.at.most(m.waitMaxSeconds!);
        expect(m.desiredChanges).to.equal(r.actions.length);
        // Same inputs, same result: no hidden randomness or clock.
        const again = simulateQueueAutoscaler({
            trace, settings: { ...MOTO_TEST, scaleUpCooldownMs: 30_000, scaleDownCooldownMs: 120_000 },
            intervalSeconds: 5, workerRate: 2, startDelaySeconds: 40, targetAgeSeconds: 60,
        });
        expect(again.metrics).to.deep.equal(m);
    });
});

describe("simulator: workloads, traces and the oracle", () => {
    it("a queue worker processes oldest first at its rate and records each message's wait", () => {
        const q = new QueueWorkload({ kind: "queue", perTaskRate: 1 });
        let s = q.step(0, 10, 20, 1);
        expect(s).to.include({ visible: 9, inFlight: 1, oldestAge: 10 });
        expect(s.cpu).to.equal(100);
        // 2 tasks finish the 10 left in the first half of the tick: in flight is the 1 task busy on average.
        s = q.step(10, 10, 0, 2);
        expect(s).to.include({ visible: 0, inFlight: 1, oldestAge: 0 });
        expect(q.waits.count).to.be.closeTo(20, 1e-9);
        expect(q.waits.max).to.be.closeTo(15, 1e-9);
    });

    it("CSV traces: seconds,rate with a header; every bad line reported", () => {
        const t = parseCsvTrace("seconds,rate\n0,1\n60,4\n120,0\n", "t.csv");
        expect(t.duration).to.equal(120);
        expect(arrivalsBetween(t, 0, 120)).to.equal(60 + 240);
        expect(() => parseCsvTrace("0,1\n0,2\nx,1\n", "bad.csv")).to.throw(/line 2: seconds 0 must be greater.*line 3: "x,1" must be seconds,rate/);
    });

    it("built-in traces: every name builds, the diurnal one repeats for a seed", () => {
        expect(BUILT_IN_TRACE_NAMES).to.include.members(["step", "burst", "ramp", "diurnal", "sawtooth", "idle", "mixed"]);
        // The day's arrivals of seed 7, built twice, and of seed 8.
        expect([7, 7, 8].map((seed) => arrivalsBetween(builtInTrace("diurnal", seed), 0, 86400)))
            .to.deep.equal([392422.0715139469, 392422.0715139469, 387408.8028097269]);
        expect(() => builtInTrace("nope")).to.throw(/--trace: "nope" is not a built-in trace/);
    });

    it("the oracle keeps every message within the target age with the fewest tasks, launching ahead of the start delay", () => {
        const trace = builtInTrace("burst");
        const o = { trace, workload: { kind: "queue" as const, perTaskRate: 2 }, target: { kind: "age" as const, seconds: 60 }, tickSeconds: 1, minCapacity: 1, maxCapacity: 10, taskStartSeconds: 40 };
        const need = oracleNeed(o);
        // 300 messages plus 30 more in the next 60 s, within 60 s at 2/s per task: ceil(330.5 / 120) = 3.
        expect(need[120]).to.equal(3);
        expect(need[0]).to.equal(1);
        const { controller, initialDesired } = oracleController(o, need);
        const r = runClosedLoop(controller, { trace, workload: o.workload, target: o.target, tickSeconds: 1, initialDesired, params: { taskStartSeconds: 40, launchRatePerMinute: 500 }, need });
        expect(r.metrics.waitMaxSeconds).to.be.at.most(60);
        expect(r.metrics.timeToCapacitySeconds).to.equal(0);
    });
});
