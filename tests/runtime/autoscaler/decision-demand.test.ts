import { expect } from "chai";
import * as fc from "fast-check";
import {
    arrivalRate,
    assessDemand,
    demandModel,
    EMPTY_MEMORY,
    inFlightFloor,
    recordRecommendation,
    type DemandMemory,
    type DemandSample,
} from "../../../runtime/autoscaler/demand";
import { decide, REASON_CODES, type DemandDecision } from "../../../runtime/autoscaler/decision";
import { drainPoint, estimateRate } from "../../../runtime/autoscaler/learning";
import type { DecisionSettings, LastActions } from "../../../runtime/autoscaler/types";
import { decisionSettings } from "../../helpers/decision-settings";

const T0 = 1_000_000;
const WINDOW_MS = 120_000;
/** Workers of 2 messages/s, messages may wait 60 s: 120 messages per task; a window of 120 s, no step cap. */
const SETTINGS: DecisionSettings = decisionSettings({
    scaleDownCooldownMs: WINDOW_MS,
    acceptableAgeSeconds: 60,
    processingRate: 2,
});

const sample = (at: number, visible: number, inFlight: number, running: number, desired = running): DemandSample =>
    ({ at, visible, inFlight, running, desired });

/** A closed loop of readings: each tick's decision is applied and its memory handed to the next one. */
class Driver {
    desired: number;
    last: LastActions = {};
    memory: DemandMemory | undefined;
    readonly decisions: { at: number; decision: DemandDecision }[] = [];

    constructor(readonly settings: DecisionSettings, desired: number) {
        this.desired = desired;
    }

    tick(at: number, visible: number, inFlight: number, running: number): DemandDecision {
        const d = decide({
            observation: { visible, inFlight, delayed: 0, observedAt: at },
            counts: { desired: this.desired, running, pending: Math.max(0, this.desired - running) },
            settings: this.settings,
            last: this.last,
            now: at,
            ...(this.memory ? { memory: this.memory } : {}),
        });
        this.memory = d.memory;
        if (d.desired !== this.desired) {
            const action = { at, from: this.desired, to: d.desired };
            this.last = d.direction === "up" ? { ...this.last, scaleUp: action } : { ...this.last, scaleDown: action };
            this.desired = d.desired;
        }
        this.decisions.push({ at, decision: d });
        return d;
    }
}

describe("demand model", () => {
    it("acceptable age x processing rate is the backlog per task", () => {
        expect(demandModel(SETTINGS, undefined)).to.deep.equal({ processingRate: 2, rateSource: "configured", configuredRate: 2, rateContradicted: false, backlogPerTask: 120, acceptableAgeSeconds: 60 });
    });

    it("without a processing rate: learned when seen, else unknown; without an age, the table's 60 s applies", () => {
        const s = { ...SETTINGS, processingRate: undefined };
        expect(demandModel(s, 1.5)).to.deep.equal({ processingRate: 1.5, rateSource: "learned", rateContradicted: false, backlogPerTask: 90, acceptableAgeSeconds: 60 });
        expect(demandModel(s, undefined)).to.deep.equal({ rateSource: "unknown", rateContradicted: false, acceptableAgeSeconds: 60 });
        expect(demandModel({ processingRate: 1.8 }, undefined)).to.deep.include({ acceptableAgeSeconds: 60, backlogPerTask: 108 });
    });

    it("a configured rate the drain contradicted gives way to the learned one; an opt-in threshold caps the backlog per task", () => {
        expect(demandModel({ ...SETTINGS, processingRate: 4 }, 2, true)).to.deep.equal({ processingRate: 2, rateSource: "learned", configuredRate: 4, rateContradicted: true, backlogPerTask: 120, acceptableAgeSeconds: 60 });
        expect(demandModel({ ...SETTINGS, scaleUpThreshold: 10 }, undefined)).to.deep.include({ backlogPerTask: 10 });
    });

    it("arrival rate: growth of visible + in flight plus what the busy tasks removed, over the time", () => {
        // 2 tasks busy throughout at 2/s remove 4/s; the queue grew by 20 in 10 s: 2 + 4 = 6 arrivals/s.
        expect(arrivalRate([sample(0, 50, 2, 2), sample(5_000, 60, 2, 2), sample(10_000, 70, 2, 2)], 2)).to.equal(6);
        // Idle queue, one task holding one message on average at 2/s: 2 arrivals/s by Little's law.
        expect(arrivalRate([sample(0, 0, 1, 3), sample(10_000, 0, 1, 3)], 2)).to.equal(2);
        // Without a processing rate only the growth is seen; never negative.
        expect(arrivalRate([sample(0, 50, 0, 2), sample(10_000, 30, 0, 2)], undefined)).to.equal(0);
        expect(arrivalRate([sample(0, 0, 0, 0)], 2)).to.equal(undefined);
    });

    it("arrival rate: a burst interval is left out, a clump of Poisson arrivals is not, and a drop shows within 10 s", () => {
        // 1/s on one idle-ish task, then 300 at once: the rate stays 1/s.
        const steady = [0, 5, 10, 15].map((t) => sample(t * 1000, 0, 0.5, 1));
        expect(arrivalRate([...steady, sample(20_000, 300, 1, 1)], 2)).to.equal(1);
        // 8 messages in one 5-s interval where 5 is usual is clumping: counted.
        expect(arrivalRate([sample(0, 0, 0, 0), sample(5_000, 5, 0, 0), sample(10_000, 10, 0, 0), sample(15_000, 18, 0, 0)], 2)).to.equal(1.2);
        // 8/s for 20 s, then the tasks empty: the level is the last 10 s, not the window's average.
        const drop = [sample(0, 0, 4, 4), sample(10_000, 0, 4, 4), sample(20_000, 0, 4, 4), sample(25_000, 0, 0, 4), sample(30_000, 0, 0, 4)];
        // The last 10 s: 4 tasks going idle removed 16 (Little), 1.6/s, against 8/s before.
        expect(arrivalRate(drop, 2)).to.be.closeTo(1.6, 1e-9);
    });

    it("processing rate: the drain gained per task between intervals close in time, never below the fastest drain per task", () => {
        // 1 task drains 1.5/s while 0.5/s arrive; 10 s later 3 tasks drain 5.5/s: (5.5 - 1.5) / (3 - 1) = 2.
        const points = [drainPoint(sample(0, 100, 1, 1), sample(5_000, 92.5, 1, 1))!, drainPoint(sample(10_000, 80, 3, 3), sample(15_000, 52.5, 3, 3))!];
        expect(points.map((p) => [p.drain, p.running, p.saturated])).to.deep.equal([[1.5, 1, true], [5.5, 3, true]]);
        expect(estimateRate(points)).to.deep.equal({ floor: 1.5 / 1 > 5.5 / 3 ? 1.5 : 5.5 / 3, slope: 2, pairs: [2] });
        // An interval where tasks started in between, or the queue emptied, is not a point.
        expect(drainPoint(sample(0, 100, 1, 1), sample(5_000, 90, 2, 2))).to.equal(undefined);
        expect(drainPoint(sample(0, 10, 1, 1), sample(5_000, 0, 1, 1))).to.equal(undefined);
    });

    it("in flight needs at least one task while any message is in flight", () => {
        expect([0, 1, 120, 121].map((n) => inFlightFloor(n, 120))).to.deep.equal([0, 1, 1, 2]);
        expect(inFlightFloor(300, undefined)).to.equal(1);
    });

    it("the stabilization window keeps recommendations for exactly its length", () => {
        let recs: DemandMemory["recommendations"] = [];
        recs = recordRecommendation(recs, 0, { count: 6 }, WINDOW_MS).recommendations;
        expect(recordRecommendation(recs, WINDOW_MS - 1, { count: 1 }, WINDOW_MS).windowMax).to.equal(6);
        expect(recordRecommendation(recs, WINDOW_MS, { count: 1 }, WINDOW_MS).windowMax).to.equal(1);
    });

    it("learns the start delay from a scale-up to running catching up", () => {
        let memory: DemandMemory = EMPTY_MEMORY;
        const lastScaleUp = { at: T0, to: 4 };
        for (const [at, running] of [[T0 + 5_000, 1], [T0 + 30_000, 1], [T0 + 35_000, 4]] as const) {
            memory = assessDemand({ visible: 10, inFlight: 1, running, desired: 4, now: at, lastScaleUp, settings: SETTINGS, memory }).memory;
        }
        expect(memory.learnedStartMs).to.equal(35_000);
    });
});

describe("demand decisions in a closed loop of readings", () => {
    it("a 300-message burst on 1 task asks for the 7 tasks more that serve it within 60 s, not 30", () => {
        const drv = new Driver(SETTINGS, 1);
        for (let t = 0; t <= 60_000; t += 5_000) drv.tick(T0 + t, 0, 1, 1); // 2 messages/s for a minute
        const d = drv.tick(T0 + 65_000, 299, 1, 1);
        // Backlog 299 visible + 1 in flight, which may have waited the 5 s since the last reading. 1 running
        // task drains 2 x 55 = 110 by then; each new one runs after 45 s and is given a quarter of the age,
        // 2 x 15 = 30: ceil(190 / 30) = 7 more.
        expect([d.direction, d.desired, d.reason.code]).to.deep.equal(["up", 8, "backlog_high"]);
        // The burst's interval is left out of the rate: 2/s, as before it; the backlog needs ceil(300 / 120) = 3.
        expect(d.reason.text).to.equal("scale from 1 to 8; rate 2/s (2/s per task, configured), backlog 300 (120 per task), 0 starting, needs 3, window max 8 over 120s");
    });

    it("the target does not rise while enough tasks are starting for the measured rate", () => {
        // A minute of 6 messages/s on 1 task held at max 1: the backlog grows by 20 every 5 s.
        const drv = new Driver({ ...SETTINGS, maxCapacity: 1 }, 1);
        let visible = 0;
        let t = 0;
        for (; t <= 60_000; t += 5_000, visible += 20) drv.tick(T0 + t, visible, 1, 1);
        // Max is raised to 10; the new tasks take 40 s to start, the backlog keeps growing meanwhile.
        const grow = new Driver(SETTINGS, 1);
        grow.memory = drv.memory;
        const targets: number[] = [];
        for (const end = t + 40_000; t < end; t += 5_000, visible += 20) targets.push(grow.tick(T0 + t, visible, 1, 1).desired);
        // 261 messages, the newest possibly 5 s old: 1 running task serves 2 x 55 = 110 of them in time;
        // each new one (45 s to start) is given a quarter of the age, 2 x 15 = 30: ceil(151 / 30) = 6 more.
        // The first tick asks for all 7, the next ones add nothing while those tasks start.
        expect(targets).to.deep.equal([7, 7, 7, 7, 7, 7, 7, 7]);
        expect(grow.decisions.slice(1).map((x) => x.decision.reason.code)).to.satisfy((codes: string[]) => codes.every((c) => c === "tasks_starting"));
        expect(grow.decisions[1]!.decision.demand.arrivalRate).to.be.closeTo(6, 0.5);
    });

    it("after a burst ends, capacity comes down to what the rate needs within one stabilization window", () => {
        const drv = new Driver(SETTINGS, 8);
        // 8 tasks drain a burst while 2 messages/s arrive (1 task's worth), then the backlog is gone.
        let visible = 400;
        let t = 0;
        for (; visible > 0; t += 5_000) {
            drv.tick(T0 + t, visible, 8, 8);
            visible = Math.max(0, visible - 5 * (16 - 2));
        }
        const emptiedAt = t;
        for (; t <= emptiedAt + WINDOW_MS + 5_000; t += 5_000) drv.tick(T0 + t, 0, 1, drv.desired);
        const byWindowEnd = drv.decisions.filter((x) => x.at <= T0 + emptiedAt + WINDOW_MS).at(-1)!;
        expect(byWindowEnd.decision.desired).to.equal(1);
        const downs = drv.decisions.filter((x) => x.decision.direction === "down");
        expect(downs.map((x) => x.decision.reason.code)).to.satisfy((codes: string[]) => codes.every((c) => c === "demand_low"));
        expect(drv.desired).to.equal(1);
    });

    it("once the backlog is drained, the tasks asked for it go at once; what the arrival rate needs stays for the window", () => {
        // 6 messages/s on 3 tasks, no backlog, for a minute: the rate needs 3.
        const drv = new Driver(SETTINGS, 3);
        let t = 0;
        for (; t <= 60_000; t += 5_000) drv.tick(T0 + t, 0, 3, 3);
        // A burst takes it to more tasks; they run and drain it within a tick.
        const up = drv.tick(T0 + t, 600, 3, 3);
        expect(up.direction).to.equal("up");
        t += 45_000;
        drv.tick(T0 + t, 40, 3, up.desired);
        t += 5_000;
        // Drained, 1 in flight: the burst's tasks go, the 3 the rate of 6/s needed stay for the window.
        const after = drv.tick(T0 + t, 0, 1, up.desired);
        expect([after.direction, after.desired, after.reason.code]).to.deep.equal(["down", 3, "demand_low"]);
        expect(after.demand.windowMax).to.equal(3);
    });

    it("an idle queue reaches min within one window, in one step", () => {
        const drv = new Driver({ ...SETTINGS, minCapacity: 1 }, 5);
        for (let t = 0; t <= WINDOW_MS; t += 5_000) drv.tick(T0 + t, 0, 0, drv.desired);
        const downs = drv.decisions.filter((x) => x.decision.direction === "down");
        expect(downs.map((x) => [x.at - T0, x.decision.desired, x.decision.reason.code])).to.deep.equal([[WINDOW_MS, 1, "idle"]]);
        expect(drv.decisions.filter((x) => x.at < T0 + WINDOW_MS).map((x) => x.decision.reason.code)).to.satisfy((c: string[]) => c.every((code) => code === "stabilizing"));
    });

    it("never scales to 0 while a message is in flight", () => {
        const drv = new Driver(SETTINGS, 1);
        for (let t = 0; t <= 3 * WINDOW_MS; t += 5_000) drv.tick(T0 + t, 0, 1, 1);
        expect(drv.desired).to.equal(1);
        expect(drv.decisions.every((x) => x.decision.desired === 1)).to.equal(true);
    });

    it("scaleDownStep still caps one scale-in: 5 -> 3 -> 1 a tick apart once the window has passed", () => {
        const drv = new Driver({ ...SETTINGS, minCapacity: 1, scaleDownStep: 2 }, 5);
        for (let t = 0; t <= WINDOW_MS + 10_000; t += 5_000) drv.tick(T0 + t, 0, 0, drv.desired);
        expect(drv.decisions.filter((x) => x.decision.direction === "down").map((x) => [x.at - T0, x.decision.desired])).to.deep.equal([[WINDOW_MS, 3], [WINDOW_MS + 5_000, 1]]);
    });

    it("scale-down threshold 0: scale in only on an empty queue", () => {
        const drv = new Driver({ ...SETTINGS, scaleDownThreshold: 0 }, 4);
        for (let t = 0; t <= WINDOW_MS + 10_000; t += 5_000) drv.tick(T0 + t, 1, 0, drv.desired);
        expect(drv.desired).to.equal(4);
        expect(drv.decisions.at(-1)!.decision.reason.code).to.equal("within_band");
    });
});

describe("demand decision properties", () => {
    const settingsArb = fc.record({
        min: fc.integer({ min: 0, max: 10 }),
        span: fc.integer({ min: 0, max: 30 }),
        upHalves: fc.integer({ min: 1, max: 200 }),
        downShare: fc.double({ min: 0, max: 0.99, noNaN: true }),
        upCooldownMs: fc.integer({ min: 0, max: 300_000 }),
        windowMs: fc.integer({ min: 0, max: 300_000 }),
        age: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
        rate: fc.option(fc.double({ min: 0.01, max: 50, noNaN: true }), { nil: undefined }),
        countInFlight: fc.boolean(),
        step: fc.integer({ min: 1, max: 40 }),
    }).map((s): DecisionSettings => ({
        minCapacity: s.min,
        maxCapacity: s.min + s.span,
        scaleUpThreshold: s.upHalves / 2,
        scaleDownThreshold: (s.upHalves / 2) * s.downShare,
        scaleUpCooldownMs: s.upCooldownMs,
        scaleDownCooldownMs: s.windowMs,
        scaleDownStep: s.step,
        countInFlight: s.countInFlight,
        ...(s.age === undefined ? {} : { acceptableAgeSeconds: s.age }),
        ...(s.rate === undefined ? {} : { processingRate: s.rate }),
    }));
    const readingArb = fc.record({
        visible: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 5_000 })),
        inFlight: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 500 })),
        runningShare: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    // A run of readings from a start count, each applied like the control loop applies it.
    const runArb = fc.record({
        settings: settingsArb,
        start: fc.integer({ min: 0, max: 45 }),
        readings: fc.array(readingArb, { minLength: 1, maxLength: 40 }),
        gapMs: fc.integer({ min: 1_000, max: 60_000 }),
    });
    const runs = { numRuns: 400 };

    type Run = typeof runArb extends fc.Arbitrary<infer T> ? T : never;

    function check(run: Run, property: (d: DemandDecision, desired: number, r: { visible: number; inFlight: number }, s: DecisionSettings) => boolean): boolean {
        const drv = new Driver(run.settings, run.start);
        let at = T0;
        for (const r of run.readings) {
            const before = drv.desired;
            const d = drv.tick(at, r.visible, r.inFlight, Math.round(before * r.runningShare));
            if (!property(d, before, r, run.settings)) return false;
            at += run.gapMs;
        }
        return true;
    }

    it("uses only known reason codes and always says the numbers", () => {
        fc.assert(fc.property(runArb, (run) => check(run, (d) =>
            (REASON_CODES as readonly string[]).includes(d.reason.code) && / backlog \d+ .* starting, needs \d+, window max \d+ over \d+s$/.test(d.reason.text))), runs);
    });

    it("the result is always within [min, max]", () => {
        fc.assert(fc.property(runArb, (run) => check(run, (d, _, __, s) => d.desired >= s.minCapacity && d.desired <= s.maxCapacity)), runs);
    });

    it("the direction matches the change, and 'none' keeps the desired count", () => {
        fc.assert(fc.property(runArb, (run) => check(run, (d, from) =>
            d.direction === "up" ? d.desired > from : d.direction === "down" ? d.desired < from : d.desired === from)), runs);
    });

    it("never down while the backlog needs more: not below ceil(backlog / backlog per task) nor the in-flight floor (inside the bounds)", () => {
        fc.assert(fc.property(runArb, (run) => check(run, (d, from, r, s) => {
            if (d.direction !== "down" || from > s.maxCapacity) return true;
            const per = d.demand.model.backlogPerTask ?? Infinity;
            const backlog = r.visible + (s.countInFlight ? r.inFlight : 0);
            const needs = Math.min(s.maxCapacity, Math.max(Math.ceil(backlog / per - 1e-9), inFlightFloor(r.inFlight, per, s.countInFlight)));
            return d.desired >= needs && (r.inFlight === 0 || d.desired >= 1);
        })), runs);
    });

    it("a scale-in removes at most scaleDownStep tasks (inside the bounds)", () => {
        fc.assert(fc.property(runArb, (run) => check(run, (d, from, _, s) => d.direction !== "down" || from > s.maxCapacity || from - d.desired <= (s.scaleDownStep ?? Infinity))), runs);
    });

    it("never down below the highest recommendation of the window (inside the bounds)", () => {
        fc.assert(fc.property(runArb, (run) => check(run, (d, from, _, s) =>
            d.direction !== "down" || from > s.maxCapacity || d.desired >= Math.max(s.minCapacity, Math.min(from, d.demand.windowMax)))), runs);
    });
});
