import { expect } from "chai";
import * as fc from "fast-check";
import { decide, REASON_CODES, workersNeeded, type ReasonCode } from "../../runtime/autoscaler/decision";
import type { DecisionSettings, Direction, LastActions } from "../../runtime/autoscaler/types";
import { decideForDemand } from "../../runtime/autoscaler/demand-decision";
import { EMPTY_MEMORY } from "../../runtime/autoscaler/demand";
import { decisionSettings } from "../helpers/decision-settings";

const NOW = 1_000_000;
// The table below was written for visible-only counting; in-flight rows set countInFlight themselves.
const BASE: DecisionSettings = decisionSettings({ countInFlight: false });

interface Row {
    readonly name: string;
    readonly visible: number;
    readonly inFlight?: number;
    readonly desired: number;
    readonly settings?: Partial<DecisionSettings>;
    readonly last?: LastActions;
    readonly expect: readonly [Direction, number, ReasonCode];
}

const ago = (ms: number) => NOW - ms;

const ROWS: readonly Row[] = [
    // thresholds, exact boundaries
    { name: "visible == workers x up-threshold does not scale up", visible: 50, desired: 5, expect: ["none", 5, "within_band"] },
    { name: "one above workers x up-threshold scales to ceil(work / threshold)", visible: 51, desired: 5, expect: ["up", 6, "backlog_high"] },
    { name: "11 on 1 worker needs 2", visible: 11, desired: 1, expect: ["up", 2, "backlog_high"] },
    { name: "a large backlog goes straight to the count it needs", visible: 73, desired: 2, expect: ["up", 8, "backlog_high"] },
    { name: "visible == workers x down-threshold does not scale down", visible: 10, desired: 5, expect: ["none", 5, "within_band"] },
    { name: "one below workers x down-threshold scales down one step", visible: 9, desired: 5, expect: ["down", 4, "backlog_low"] },
    { name: "no work scales down one step", visible: 0, desired: 5, expect: ["down", 4, "idle"] },
    { name: "no work and no workers stays", visible: 0, desired: 0, expect: ["none", 0, "idle"] },
    { name: "fractional threshold: 6 > 2 x 2.5 needs ceil(6 / 2.5) = 3", visible: 6, desired: 2, settings: { scaleUpThreshold: 2.5, scaleDownThreshold: 1 }, expect: ["up", 3, "backlog_high"] },
    // scale-down threshold 0: scale in only when the queue is empty
    { name: "scale-down threshold 0 scales down an empty queue", visible: 0, desired: 3, settings: { scaleDownThreshold: 0 }, expect: ["down", 2, "idle"] },
    { name: "scale-down threshold 0 keeps the workers while one message waits", visible: 1, desired: 3, settings: { scaleDownThreshold: 0 }, expect: ["none", 3, "within_band"] },
    { name: "scale-down threshold 0 counts in-flight work as work", visible: 0, inFlight: 1, desired: 3, settings: { scaleDownThreshold: 0, countInFlight: true }, expect: ["none", 3, "within_band"] },
    { name: "scale-down threshold 0 with nothing to stop stays", visible: 0, desired: 0, settings: { scaleDownThreshold: 0 }, expect: ["none", 0, "idle"] },
    // from zero
    { name: "from zero, 1 visible message scales to 1", visible: 1, desired: 0, expect: ["up", 1, "from_zero"] },
    { name: "from zero, 10 visible need exactly 1", visible: 10, desired: 0, expect: ["up", 1, "from_zero"] },
    { name: "from zero, 95 visible need 10", visible: 95, desired: 0, expect: ["up", 10, "from_zero"] },
    { name: "from zero is not held back by the scale-up cooldown", visible: 5, desired: 0, last: { scaleUp: { at: ago(1_000), from: 0, to: 4 } }, expect: ["up", 1, "from_zero"] },
    // clamps
    { name: "a backlog beyond max is clamped to max", visible: 500, desired: 4, expect: ["up", 10, "backlog_high"] },
    { name: "from zero clamped to max", visible: 500, desired: 0, expect: ["up", 10, "from_zero"] },
    { name: "at max with a backlog stays", visible: 500, desired: 10, expect: ["none", 10, "at_max"] },
    { name: "max 0: work cannot start a worker", visible: 5, desired: 0, settings: { maxCapacity: 0 }, expect: ["none", 0, "at_max"] },
    { name: "desired set above max by someone else is brought down to max", visible: 0, desired: 12, expect: ["down", 10, "above_max"] },
    { name: "above max is corrected even with a huge backlog", visible: 1000, desired: 15, expect: ["down", 10, "above_max"] },
    { name: "above max is corrected during the scale-down cooldown", visible: 0, desired: 11, last: { scaleDown: { at: ago(1_000), from: 12, to: 11 } }, expect: ["down", 10, "above_max"] },
    { name: "desired below min is brought up to min", visible: 0, desired: 0, settings: { minCapacity: 2 }, expect: ["up", 2, "below_min"] },
    { name: "below min with a backlog goes to what the backlog needs", visible: 75, desired: 1, settings: { minCapacity: 2 }, expect: ["up", 8, "below_min"] },
    { name: "below min with a huge backlog stops at max", visible: 1000, desired: 0, settings: { minCapacity: 3, maxCapacity: 5 }, expect: ["up", 5, "below_min"] },
    { name: "below min is corrected during the scale-up cooldown", visible: 0, desired: 1, settings: { minCapacity: 2 }, last: { scaleUp: { at: ago(1_000), from: 1, to: 9 } }, expect: ["up", 2, "below_min"] },
    { name: "at min with no work stays", visible: 0, desired: 2, settings: { minCapacity: 2 }, expect: ["none", 2, "at_min"] },
    { name: "at min with little work stays", visible: 3, desired: 2, settings: { minCapacity: 2 }, expect: ["none", 2, "at_min"] },
    { name: "a big step stops at min", visible: 0, desired: 3, settings: { minCapacity: 2, scaleDownStep: 5 }, expect: ["down", 2, "idle"] },
    // cooldowns
    { name: "scale-up cooldown blocks a request not above the last scale-up's target", visible: 70, desired: 5, last: { scaleUp: { at: ago(10_000), from: 2, to: 8 } }, expect: ["none", 5, "scale_up_cooldown"] },
    { name: "scale-up cooldown blocks a request equal to the last target", visible: 80, desired: 5, last: { scaleUp: { at: ago(10_000), from: 2, to: 8 } }, expect: ["none", 5, "scale_up_cooldown"] },
    { name: "scale-up cooldown lets a request for more than the last target through", visible: 90, desired: 5, last: { scaleUp: { at: ago(10_000), from: 2, to: 8 } }, expect: ["up", 9, "backlog_high"] },
    { name: "scale-up cooldown ends after exactly scaleUpCooldown", visible: 70, desired: 5, last: { scaleUp: { at: ago(30_000), from: 2, to: 8 } }, expect: ["up", 7, "backlog_high"] },
    { name: "scale-down cooldown blocks scale-down", visible: 0, desired: 5, last: { scaleDown: { at: ago(60_000), from: 6, to: 5 } }, expect: ["none", 5, "scale_down_cooldown"] },
    { name: "scale-down cooldown ends after exactly scaleDownCooldown", visible: 0, desired: 5, last: { scaleDown: { at: ago(120_000), from: 6, to: 5 } }, expect: ["down", 4, "idle"] },
    { name: "a scale-up is not held back by the scale-down cooldown", visible: 80, desired: 5, last: { scaleDown: { at: ago(10_000), from: 6, to: 5 } }, expect: ["up", 8, "backlog_high"] },
    { name: "a scale-down is not held back by the scale-up cooldown", visible: 0, desired: 5, last: { scaleUp: { at: ago(5_000), from: 1, to: 5 } }, expect: ["down", 4, "idle"] },
    // in flight
    { name: "in-flight off: 30 visible on 3 workers is within the band", visible: 30, inFlight: 40, desired: 3, expect: ["none", 3, "within_band"] },
    { name: "in-flight on: 30 + 40 on 3 workers needs 7", visible: 30, inFlight: 40, desired: 3, settings: { countInFlight: true }, expect: ["up", 7, "backlog_high"] },
    { name: "in-flight off: 1 visible on 3 workers scales down", visible: 1, inFlight: 20, desired: 3, expect: ["down", 2, "backlog_low"] },
    { name: "in-flight on: 1 + 20 on 3 workers keeps them", visible: 1, inFlight: 20, desired: 3, settings: { countInFlight: true }, expect: ["none", 3, "within_band"] },
    { name: "in-flight on: only in-flight work still needs a worker", visible: 0, inFlight: 1, desired: 1, settings: { countInFlight: true }, expect: ["none", 1, "backlog_floor"] },
    { name: "min 0, 0 visible + 1 in flight, counted, scale-down threshold 3: the worker stays", visible: 0, inFlight: 1, desired: 1, settings: { countInFlight: true, scaleDownThreshold: 3 }, expect: ["none", 1, "backlog_floor"] },
    // external change
    { name: "we set 5, someone set 8: a backlog for 9 is decided from 8", visible: 90, desired: 8, last: { scaleUp: { at: ago(10_000), from: 2, to: 5 } }, expect: ["up", 9, "backlog_high"] },
    { name: "we set 5, someone set 8: 60 visible keeps 8, not back to 5", visible: 60, desired: 8, last: { scaleUp: { at: ago(10_000), from: 2, to: 5 } }, expect: ["none", 8, "within_band"] },
    // scale-down step and the backlog floor
    { name: "scale-down step 3 removes 3", visible: 0, desired: 10, settings: { scaleDownStep: 3 }, expect: ["down", 7, "idle"] },
    { name: "a scale-down never goes below what the backlog needs", visible: 19, desired: 10, settings: { scaleDownStep: 9 }, expect: ["down", 2, "backlog_low"] },
    { name: "1 message on 1 worker: below the down band but the backlog needs it", visible: 1, desired: 1, expect: ["none", 1, "backlog_floor"] },
    // never to 0 while a message is in flight, whether or not in-flight messages count as work
    { name: "min 0, 0 visible + 5 in flight, counted: the worker stays", visible: 0, inFlight: 5, desired: 1, settings: { countInFlight: true }, expect: ["none", 1, "within_band"] },
    { name: "min 0, 0 visible + 1 in flight, counted, scale-down threshold 3: the worker stays", visible: 0, inFlight: 1, desired: 1, settings: { countInFlight: true, scaleDownThreshold: 3 }, expect: ["none", 1, "backlog_floor"] },
    { name: "min 0, 0 visible + 5 in flight, not counted: the last busy worker stays", visible: 0, inFlight: 5, desired: 1, expect: ["none", 1, "in_flight"] },
    { name: "in flight, not counted, 3 workers: scales in, but to 1 at the lowest", visible: 0, inFlight: 2, desired: 3, settings: { scaleDownStep: 5 }, expect: ["down", 1, "idle"] },
    { name: "the issue's case: 0 visible, 45 in flight, 5 workers, counted: no scale-in", visible: 0, inFlight: 45, desired: 5, settings: { countInFlight: true }, expect: ["none", 5, "within_band"] },
];

/** Rows with a deployment of the service in progress (DescribeServices: two deployments, or rollout IN_PROGRESS). */
const DEPLOYING: readonly Row[] = [
    { name: "no scale-in while a deployment is in progress", visible: 0, desired: 5, expect: ["none", 5, "deployment_in_progress"] },
    { name: "a scale-out goes on during a deployment", visible: 80, desired: 5, expect: ["up", 8, "backlog_high"] },
    { name: "above max is still corrected during a deployment", visible: 0, desired: 12, expect: ["down", 10, "above_max"] },
    { name: "below min is still corrected during a deployment", visible: 0, desired: 0, settings: { minCapacity: 2 }, expect: ["up", 2, "below_min"] },
];

describe("autoscaler decision table", () => {
    it("has at least 30 rows and uses only known reason codes", () => {
        expect(ROWS.length).to.be.at.least(30);
        for (const r of ROWS) expect(REASON_CODES as readonly string[]).to.include(r.expect[2]);
    });

    for (const row of ROWS) {
        it(`${row.name}: ${row.expect.join(" ")}`, () => {
            const d = decide({
                observation: { visible: row.visible, inFlight: row.inFlight ?? 0, delayed: 0, observedAt: NOW },
                counts: { desired: row.desired, running: row.desired, pending: 0 },
                settings: { ...BASE, ...row.settings },
                last: row.last ?? {},
                now: NOW,
            });
            expect([d.direction, d.desired, d.reason.code]).to.deep.equal([...row.expect]);
            expect(d.reason.text).to.be.a("string").and.not.equal("");
        });
    }

    for (const row of DEPLOYING) {
        it(`${row.name}: ${row.expect.join(" ")}`, () => {
            const d = decide({
                observation: { visible: row.visible, inFlight: row.inFlight ?? 0, delayed: 0, observedAt: NOW },
                counts: { desired: row.desired, running: row.desired, pending: 0, deploymentInProgress: true },
                settings: { ...BASE, ...row.settings },
                last: row.last ?? {},
                now: NOW,
            });
            expect([d.direction, d.desired, d.reason.code]).to.deep.equal([...row.expect]);
        });
    }

    it("defaults to counting work in flight (the shared fixture is the settings table's defaults)", () => {
        expect(decisionSettings().countInFlight).to.equal(true);
    });

    it("says why in the text: numbers and the rule", () => {
        const d = decide({
            observation: { visible: 51, inFlight: 0, delayed: 0, observedAt: NOW },
            counts: { desired: 5, running: 5, pending: 0 },
            settings: BASE,
            last: {},
            now: NOW,
        });
        expect(d.reason.text).to.equal("51 visible > 5 x 10; scale to 6");
    });

    it("workersNeeded is ceil(work / threshold), 0 for no work", () => {
        expect([0, 1, 10, 11, 100, 101].map((w) => workersNeeded(w, 10))).to.deep.equal([0, 1, 1, 2, 10, 11]);
    });
});

describe("autoscaler decision properties", () => {
    const settingsArb = fc.record({
        min: fc.integer({ min: 0, max: 20 }),
        span: fc.integer({ min: 0, max: 40 }),
        // Multiples of 0.5, so work / threshold is exact in floating point.
        upHalves: fc.integer({ min: 1, max: 200 }),
        downShare: fc.double({ min: 0, max: 0.99, noNaN: true }),
        upCooldownMs: fc.integer({ min: 0, max: 300_000 }),
        downCooldownMs: fc.integer({ min: 0, max: 300_000 }),
        step: fc.integer({ min: 1, max: 5 }),
        countInFlight: fc.boolean(),
    }).map((s): DecisionSettings => ({
        minCapacity: s.min,
        maxCapacity: s.min + s.span,
        scaleUpThreshold: s.upHalves / 2,
        scaleDownThreshold: (s.upHalves / 2) * s.downShare,
        scaleUpCooldownMs: s.upCooldownMs,
        scaleDownCooldownMs: s.downCooldownMs,
        scaleDownStep: s.step,
        countInFlight: s.countInFlight,
    }));
    const actionArb = fc.option(fc.record({
        at: fc.integer({ min: NOW - 400_000, max: NOW }),
        from: fc.integer({ min: 0, max: 80 }),
        to: fc.integer({ min: 0, max: 80 }),
    }), { nil: undefined });
    const inputArb = fc.record({
        settings: settingsArb,
        // Small values often, so that the band edges and the backlog floor are hit, and large ones too.
        visible: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 5_000 })),
        inFlight: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 2_000 })),
        desired: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 80 })),
        up: actionArb,
        down: actionArb,
    }).map((a) => ({
        observation: { visible: a.visible, inFlight: a.inFlight, delayed: 0, observedAt: NOW },
        counts: { desired: a.desired, running: a.desired, pending: 0 },
        settings: a.settings,
        last: { ...(a.up ? { scaleUp: a.up } : {}), ...(a.down ? { scaleDown: a.down } : {}) },
        now: NOW,
    }));
    const runs = { numRuns: 3000 };

    it("the result is always within [min, max]", () => {
        fc.assert(fc.property(inputArb, (input) => {
            const d = decide(input);
            return d.desired >= input.settings.minCapacity && d.desired <= input.settings.maxCapacity;
        }), runs);
    });

    it("never scales down while visible > desired x scaleUpThreshold (unless desired is above max)", () => {
        fc.assert(fc.property(inputArb, (input) => {
            const d = decide(input);
            if (d.direction !== "down") return true;
            const { desired } = input.counts;
            return input.observation.visible <= desired * input.settings.scaleUpThreshold || desired > input.settings.maxCapacity;
        }), runs);
    });

    it("a scale-up leaves work / desired <= scaleUpThreshold unless clamped at max", () => {
        fc.assert(fc.property(inputArb, (input) => {
            const d = decide(input);
            if (d.direction !== "up") return true;
            const work = input.observation.visible + (input.settings.countInFlight ? input.observation.inFlight : 0);
            return work / d.desired <= input.settings.scaleUpThreshold || d.desired === input.settings.maxCapacity;
        }), runs);
    });

    it("the direction matches the change, and 'none' keeps the desired count", () => {
        fc.assert(fc.property(inputArb, (input) => {
            const d = decide(input);
            const from = input.counts.desired;
            return d.direction === "up" ? d.desired > from : d.direction === "down" ? d.desired < from : d.desired === from;
        }), runs);
    });

    it("never scales to 0 while a message is in flight (unless max is 0)", () => {
        fc.assert(fc.property(inputArb, (input) => {
            const d = decide(input);
            return !(d.direction === "down" && d.desired === 0 && input.observation.inFlight > 0) || input.settings.maxCapacity === 0;
        }), runs);
    });

    it("never scales in while a deployment is in progress (inside the bounds)", () => {
        fc.assert(fc.property(inputArb, (input) => {
            const d = decide({ ...input, counts: { ...input.counts, deploymentInProgress: true } });
            return d.direction !== "down" || input.counts.desired > input.settings.maxCapacity;
        }), runs);
    });

    it("a scale-down never goes below what the backlog needs, nor removes more than scaleDownStep (inside the bounds)", () => {
        fc.assert(fc.property(inputArb, (input) => {
            const d = decide(input);
            const from = input.counts.desired;
            if (d.direction !== "down" || from > input.settings.maxCapacity) return true;
            const work = input.observation.visible + (input.settings.countInFlight ? input.observation.inFlight : 0);
            return from - d.desired <= input.settings.scaleDownStep && d.desired >= workersNeeded(work, input.settings.scaleUpThreshold);
        }), runs);
    });
});

describe("the demand decision the loop runs, around deployments", () => {
    /** A reading after the stabilization window has passed (no earlier recommendation left in memory). */
    const demandInput = (visible: number, desired: number, deploymentInProgress: boolean) => ({
        observation: { visible, inFlight: 0, delayed: 0, observedAt: NOW },
        counts: { desired, running: desired, pending: 0, deploymentInProgress },
        settings: decisionSettings(),
        last: {},
        now: NOW,
        memory: EMPTY_MEMORY,
    });
    const outcome = (d: { direction: string; desired: number; reason: { code: string } }) => [d.direction, d.desired, d.reason.code];

    it("scales in an empty queue when no deployment is in progress", () => {
        expect(outcome(decideForDemand(demandInput(0, 5, false)))).to.deep.equal(["down", 4, "idle"]);
    });

    it("holds scale-in while a deployment is in progress, as Application Auto Scaling does", () => {
        expect(outcome(decideForDemand(demandInput(0, 5, true)))).to.deep.equal(["none", 5, "deployment_in_progress"]);
    });

    it("still scales out during a deployment", () => {
        expect(outcome(decideForDemand(demandInput(80, 5, true)))).to.deep.equal(["up", 8, "backlog_high"]);
    });
});
