import { expect } from "chai";
import { EMPTY_MEMORY, type DemandMemory } from "../../runtime/autoscaler/demand";
import { decide, REASON_CODES, workersNeeded, type ReasonCode } from "../../runtime/autoscaler/decision";
import type { DecisionSettings, Direction, LastActions } from "../../runtime/autoscaler/types";
import { decisionSettings } from "../helpers/decision-settings";

const NOW = 1_000_000;
/** The shared defaults: bounds 0..10, threshold 10 (no acceptable age or processing rate), window 90 s. */
const BASE: DecisionSettings = decisionSettings();
const ago = (ms: number) => NOW - ms;

interface Row {
    readonly name: string;
    readonly visible: number;
    readonly inFlight?: number;
    readonly desired: number;
    /** Running tasks; default: desired. */
    readonly running?: number;
    readonly deploying?: boolean;
    readonly settings?: Partial<DecisionSettings>;
    readonly last?: LastActions;
    /** EMPTY_MEMORY: the window holds nothing higher; unset: a first tick (the window starts now). */
    readonly memory?: DemandMemory;
    readonly expect: readonly [Direction, number, ReasonCode];
}

const PAST = EMPTY_MEMORY;

/** One reading each; the closed-loop behaviour (rate, window, tasks starting) is in autoscaler-decision-demand.test.ts. */
const ROWS: readonly Row[] = [
    // scale up on the backlog (no acceptable age or processing rate: the threshold is the backlog per task)
    { name: "work == desired x threshold stays", visible: 50, desired: 5, expect: ["none", 5, "within_band"] },
    { name: "one above goes to ceil(work / threshold)", visible: 51, desired: 5, expect: ["up", 6, "backlog_high"] },
    { name: "a large backlog goes straight to what it needs", visible: 73, desired: 2, expect: ["up", 8, "backlog_high"] },
    { name: "from zero, 1 message starts 1 task", visible: 1, desired: 0, expect: ["up", 1, "from_zero"] },
    { name: "from zero, 95 messages need 10", visible: 95, desired: 0, expect: ["up", 10, "from_zero"] },
    { name: "in flight counts as work by default: 30 + 40 on 3 tasks needs 7", visible: 30, inFlight: 40, desired: 3, expect: ["up", 7, "backlog_high"] },
    { name: "in flight not counted: 30 visible on 3 tasks stays", visible: 30, inFlight: 40, desired: 3, settings: { countInFlight: false }, expect: ["none", 3, "within_band"] },
    // bounds
    { name: "a backlog beyond max is clamped to max", visible: 500, desired: 4, expect: ["up", 10, "backlog_high"] },
    { name: "at max with a backlog stays", visible: 500, desired: 10, expect: ["none", 10, "at_max"] },
    { name: "max 0: work cannot start a task", visible: 5, desired: 0, settings: { maxCapacity: 0 }, expect: ["none", 0, "at_max"] },
    { name: "above max is brought down to max, whatever the backlog", visible: 1000, desired: 15, expect: ["down", 10, "above_max"] },
    { name: "below min is brought up to min", visible: 0, desired: 0, settings: { minCapacity: 2 }, expect: ["up", 2, "below_min"] },
    { name: "below min with a backlog goes to what it needs", visible: 75, desired: 1, settings: { minCapacity: 2 }, expect: ["up", 8, "below_min"] },
    { name: "at min with no work stays", visible: 0, desired: 2, settings: { minCapacity: 2 }, memory: PAST, expect: ["none", 2, "at_min"] },
    // scale-up cooldown
    { name: "within the scale-up cooldown a target not above the last one is held", visible: 70, desired: 5, last: { scaleUp: { at: ago(10_000), from: 2, to: 8 } }, expect: ["none", 5, "scale_up_cooldown"] },
    { name: "within the scale-up cooldown a larger target goes through", visible: 90, desired: 5, last: { scaleUp: { at: ago(10_000), from: 2, to: 8 } }, expect: ["up", 9, "backlog_high"] },
    { name: "the scale-up cooldown ends after exactly its length", visible: 70, desired: 5, last: { scaleUp: { at: ago(30_000), from: 2, to: 8 } }, expect: ["up", 7, "backlog_high"] },
    // scale in: to what is needed once the window holds nothing higher, in one step
    { name: "a first tick does not scale in: the window starts with the desired count it finds", visible: 0, desired: 5, expect: ["none", 5, "stabilizing"] },
    { name: "an idle queue goes to min in one step", visible: 0, desired: 5, memory: PAST, expect: ["down", 0, "idle"] },
    { name: "scaleDownStep 3 removes 3 at most", visible: 0, desired: 10, memory: PAST, settings: { scaleDownStep: 3 }, expect: ["down", 7, "idle"] },
    { name: "never below what the backlog needs", visible: 19, desired: 10, memory: PAST, expect: ["down", 2, "demand_low"] },
    { name: "the down threshold still gates scale-in: 25 is not below 10 x 2", visible: 25, desired: 10, memory: PAST, expect: ["none", 10, "within_band"] },
    { name: "down threshold 0: no scale-in while a message waits", visible: 1, desired: 4, memory: PAST, settings: { scaleDownThreshold: 0 }, expect: ["none", 4, "within_band"] },
    { name: "never to 0 while a message is in flight (not counted as work)", visible: 0, inFlight: 2, desired: 3, memory: PAST, settings: { countInFlight: false }, expect: ["down", 1, "demand_low"] },
    { name: "one message in flight on one task keeps it", visible: 0, inFlight: 1, desired: 1, memory: PAST, expect: ["none", 1, "within_band"] },
    { name: "no scale-in while an ECS deployment is in progress", visible: 0, desired: 5, memory: PAST, deploying: true, expect: ["none", 5, "deployment_in_progress"] },
    { name: "scale-out goes on during a deployment", visible: 80, desired: 5, deploying: true, expect: ["up", 8, "backlog_high"] },
    // somebody else set the desired count
    { name: "someone set 8 where 5 were asked for: 60 messages keep 8", visible: 60, desired: 8, memory: PAST, last: { scaleUp: { at: ago(10_000), from: 2, to: 5 } }, expect: ["none", 8, "within_band"] },
    // tasks already starting, with the acceptable age and the processing rate set (120 messages per task)
    { name: "3 tasks starting cover 200 messages: nothing added", visible: 200, desired: 4, running: 1, settings: { acceptableAgeSeconds: 60, processingRate: 2 }, expect: ["none", 4, "tasks_starting"] },
    // 1 running and 3 starting serve 4 x 2 x 60 = 480 of 520 within 60 s; new ones run 45 s later and serve 2 x 15 = 30 each.
    { name: "a backlog the starting tasks cannot serve in time adds what is missing", visible: 520, desired: 4, running: 1, settings: { acceptableAgeSeconds: 60, processingRate: 2 }, expect: ["up", 6, "backlog_high"] },
];

describe("autoscaler decision table", () => {
    it("uses only known reason codes", () => {
        for (const r of ROWS) expect(REASON_CODES as readonly string[]).to.include(r.expect[2]);
    });

    for (const row of ROWS) {
        it(`${row.name}: ${row.expect.join(" ")}`, () => {
            const running = row.running ?? row.desired;
            const d = decide({
                observation: { visible: row.visible, inFlight: row.inFlight ?? 0, delayed: 0, observedAt: NOW },
                counts: { desired: row.desired, running, pending: row.desired - running, ...(row.deploying ? { deploymentInProgress: true } : {}) },
                settings: { ...BASE, ...row.settings },
                last: row.last ?? {},
                now: NOW,
                ...(row.memory ? { memory: row.memory } : {}),
            });
            expect([d.direction, d.desired, d.reason.code]).to.deep.equal([...row.expect]);
        });
    }

    it("says why in the text, with the numbers", () => {
        const d = decide({
            observation: { visible: 51, inFlight: 0, delayed: 0, observedAt: NOW },
            counts: { desired: 5, running: 5, pending: 0 },
            settings: BASE,
            last: {},
            now: NOW,
        });
        expect(d.reason.text).to.equal("scale from 5 to 6; rate unknown, backlog 51 (10 per task), 0 starting, needs 6, window max 6 over 90s");
    });

    it("workersNeeded is ceil(backlog / backlog per task), 0 for none", () => {
        expect([0, 1, 10, 11, 100, 101].map((w) => workersNeeded(w, 10))).to.deep.equal([0, 1, 1, 2, 10, 11]);
    });
});
