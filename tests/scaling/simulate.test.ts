import { expect } from "chai";
import { runClosedLoop, type Controller } from "../../scaling/simulate";
import type { Trace } from "../../scaling/traces";

/** Holds 1 task for the first 600 s, then asks for 2. */
const stepUp: Controller = { name: "step-up", tick: (v) => (v.now === 600 ? { desired: 2, reason: "step" } : undefined) };

describe("scaling/simulate: a trace's history", () => {
    // 1 message/s for 1200 s; 1 task of 1 message/s keeps up, 2 tasks more so.
    const trace = (historySeconds?: number): Trace => ({
        name: "flat", duration: 1200, segments: [{ from: 0, to: 1200, rateFrom: 1, rateTo: 1 }], bursts: [],
        ...(historySeconds !== undefined ? { historySeconds } : {}),
    });
    const run = (t: Trace) => runClosedLoop(stepUp, {
        trace: t, workload: { kind: "queue", perTaskRate: 1 }, target: { kind: "age", seconds: 60 }, tickSeconds: 1,
        initialDesired: 1, params: { taskStartSeconds: 60, launchRatePerMinute: 500 },
    });

    it("without history every second counts", () => {
        const r = run(trace());
        // 1 task for 1200 s, plus the second from 600 s (60 s starting, then running): 1200 + 600 task-s.
        expect(r.metrics.taskMinutes).to.equal(30);
        expect(r.metrics.desiredChanges).to.equal(1);
    });

    it("the controller runs through the history; figures count only what follows it", () => {
        const r = run(trace(600));
        // From 600 s: 1 task plus the second one (starting at 600 s): 2 x 600 task-s.
        expect(r.metrics.taskMinutes).to.equal(20);
        // The step at 600 s is the end of the history's last tick, so outside the measure.
        expect(r.metrics.desiredChanges).to.equal(0);
        expect(r.actions).to.deep.equal([{ t: 600, from: 1, to: 2, reason: "step" }]);
        expect(r.running[1199]).to.equal(2);
        expect(r.metrics.waitMaxSeconds).to.be.at.most(1);
    });
});
