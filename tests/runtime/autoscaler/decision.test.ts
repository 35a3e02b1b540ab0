import { expect } from "chai";
import { EMPTY_MEMORY, type DemandMemory } from "../../../runtime/autoscaler/demand";
import { decide, REASON_CODES, workersNeeded, type ReasonCode } from "../../../runtime/autoscaler/decision";
import type { DecisionSettings, Direction, LastActions } from "../../../runtime/autoscaler/types";
import { decisionSettings } from "../../helpers/decision-settings";

const NOW = 1_000_000;
/** The shared defaults: bounds 0..10, acceptable age 60 s, no threshold rule, window 30 s. */
const BASE: DecisionSettings = decisionSettings();
/** Workers of 2 messages/s configured: a task may hold 60 x 2 = 120 messages. */
const RATE2: Partial<DecisionSettings> = { processingRate: 2 };
const ago = (ms: number) => NOW - ms;

interface Row {
    readonly name: string;
    readonly visible: number;
    readonly inFlight?: number;
    readonly desired: number;
    /** Running tasks; default: desired. */
    readonly running?: number;
    readonly deploying?: boolean;
    /** The launch-to-running time the service's events show, ms. */
    readonly taskStartMs?: number;
    readonly settings?: Partial<DecisionSettings>;
    readonly last?: LastActions;
    /** EMPTY_MEMORY: the window holds nothing higher; unset: a first tick (the window starts now). */
    readonly memory?: DemandMemory;
    readonly expect: readonly [Direction, number, ReasonCode];
}

const PAST = EMPTY_MEMORY;
/** A processing rate of 1.8 messages/s learned earlier (the reading the overshoot was traced to). */
const LEARNED_18: DemandMemory = { ...EMPTY_MEMORY, learnedRate: 1.8 };

/** One reading each; the closed-loop behaviour (rate, window, tasks starting) is in autoscaler-decision-demand.test.ts. */
const ROWS: readonly Row[] = [
    // overshoot without an acceptable age: the default age applies, so a small backlog asks for what the age needs
    { name: "backlog 25 at 1.8/s learned on 3 tasks: 3 x 1.8 x 60 = 324 serve it, nothing added", visible: 25, desired: 3, memory: LEARNED_18, expect: ["none", 3, "within_band"] },
    { name: "backlog 38 at 1.8/s learned on 1 task: 108 within the age, nothing added", visible: 38, desired: 1, memory: LEARNED_18, expect: ["none", 1, "within_band"] },
    { name: "backlog 300 on 4 tasks at 2/s: 480 within the age, no task that would start after it is drained", visible: 300, desired: 4, settings: RATE2, memory: PAST, expect: ["none", 4, "within_band"] },
    // 1 task serves 120 within 60 s; each new one runs after the default 45 s start and serves 2 x 15 = 30: ceil(180 / 30) = 6 more.
    { name: "backlog 300 on 1 task at 2/s: the 6 more the age needs, not 10", visible: 300, desired: 1, settings: RATE2, expect: ["up", 7, "backlog_high"] },
    { name: "the service's events show a 40 s start: each new task serves 2 x 20 = 40, so 5 more", visible: 300, desired: 1, settings: RATE2, taskStartMs: 40_000, expect: ["up", 6, "backlog_high"] },
    { name: "from zero, 1 message starts 1 task", visible: 1, desired: 0, expect: ["up", 1, "from_zero"] },
    { name: "from zero with no rate known, 95 messages start 1 task to learn the rate", visible: 95, desired: 0, expect: ["up", 1, "from_zero"] },
    { name: "from zero at 2/s, 95 messages: one task that runs after 45 s serves 30, so 4", visible: 95, desired: 0, settings: RATE2, expect: ["up", 4, "from_zero"] },
    // opt-in threshold rules
    { name: "threshold 10 opted in: 51 messages on 5 tasks go to ceil(51 / 10)", visible: 51, desired: 5, settings: { scaleUpThreshold: 10 }, expect: ["up", 6, "backlog_high"] },
    { name: "threshold 10 opted in: 50 messages on 5 tasks stay", visible: 50, desired: 5, settings: { scaleUpThreshold: 10 }, memory: PAST, expect: ["none", 5, "within_band"] },
    { name: "down threshold 0 opted in: no scale-in while a message is in flight", visible: 0, inFlight: 1, desired: 4, settings: { ...RATE2, scaleDownThreshold: 0 }, memory: PAST, expect: ["none", 4, "within_band"] },
    // bounds
    { name: "a backlog beyond max is clamped to max", visible: 5000, desired: 4, settings: RATE2, expect: ["up", 10, "backlog_high"] },
    { name: "at max with a backlog stays", visible: 5000, desired: 10, settings: RATE2, expect: ["none", 10, "at_max"] },
    { name: "max 0: work cannot start a task", visible: 5, desired: 0, settings: { maxCapacity: 0 }, expect: ["none", 0, "at_max"] },
    { name: "above max is brought down to max, whatever the backlog", visible: 1000, desired: 15, expect: ["down", 10, "above_max"] },
    { name: "below min is brought up to min", visible: 0, desired: 0, settings: { minCapacity: 2 }, expect: ["up", 2, "below_min"] },
    { name: "at min with no work stays", visible: 0, desired: 2, settings: { minCapacity: 2 }, memory: PAST, expect: ["none", 2, "at_min"] },
    // scale-up cooldown (5 running serve 600 of 660 within 60 s; the 60 left need 2 tasks of 30)
    { name: "within the scale-up cooldown a target not above the last one is held", visible: 660, desired: 5, running: 5, settings: RATE2, last: { scaleUp: { at: ago(10_000), from: 2, to: 8 } }, expect: ["none", 5, "scale_up_cooldown"] },
    { name: "the scale-up cooldown ends after exactly its length", visible: 660, desired: 5, running: 5, settings: RATE2, last: { scaleUp: { at: ago(30_000), from: 2, to: 8 } }, expect: ["up", 7, "backlog_high"] },
    // scale in: idle tasks go, busy ones stay
    { name: "a first tick does not scale in: the window starts with the desired count it finds", visible: 0, desired: 5, expect: ["none", 5, "stabilizing"] },
    { name: "an idle queue goes to min in one step", visible: 0, desired: 5, memory: PAST, expect: ["down", 0, "idle"] },
    { name: "scaleDownStep 3 removes 3 at most", visible: 0, desired: 10, memory: PAST, settings: { scaleDownStep: 3 }, expect: ["down", 7, "idle"] },
    { name: "no scale-in while messages wait: busy tasks cost what the backlog costs", visible: 19, desired: 10, settings: RATE2, memory: PAST, expect: ["none", 10, "within_band"] },
    { name: "tasks starting for a queue that still holds messages are not cancelled", visible: 200, desired: 6, running: 2, settings: RATE2, memory: PAST, last: { scaleUp: { at: ago(10_000), from: 2, to: 6 } }, expect: ["none", 6, "within_band"] },
    { name: "never to 0 while a message is in flight", visible: 0, inFlight: 2, desired: 3, memory: PAST, settings: { ...RATE2, countInFlight: false }, expect: ["down", 1, "demand_low"] },
    { name: "one message in flight on one task keeps it", visible: 0, inFlight: 1, desired: 1, memory: PAST, expect: ["none", 1, "within_band"] },
    { name: "no scale-in while an ECS deployment is in progress", visible: 0, desired: 5, memory: PAST, deploying: true, expect: ["none", 5, "deployment_in_progress"] },
    { name: "scale-out goes on during a deployment", visible: 660, desired: 5, settings: RATE2, deploying: true, expect: ["up", 7, "backlog_high"] },
    // tasks already starting
    { name: "3 tasks starting cover 200 messages: nothing added", visible: 200, desired: 4, running: 1, settings: RATE2, expect: ["none", 4, "tasks_starting"] },
    // 1 running and 3 starting serve 4 x 2 x 60 = 480 of 520 within 60 s; new ones run 45 s later and serve 2 x 15 = 30 each.
    { name: "a backlog the starting tasks cannot serve in time adds what is missing", visible: 520, desired: 4, running: 1, settings: RATE2, expect: ["up", 6, "backlog_high"] },
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
                counts: { desired: row.desired, running, pending: row.desired - running, ...(row.deploying ? { deploymentInProgress: true } : {}), ...(row.taskStartMs ? { taskStartMs: row.taskStartMs } : {}) },
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
            observation: { visible: 660, inFlight: 0, delayed: 0, observedAt: NOW },
            counts: { desired: 5, running: 5, pending: 0 },
            settings: { ...BASE, ...RATE2 },
            last: {},
            now: NOW,
        });
        expect(d.reason.text).to.equal("scale from 5 to 7; rate unknown (2/s per task, configured), backlog 660 (120 per task), 0 starting, needs 6, window max 7 over 10s");
    });

    it("workersNeeded is ceil(backlog / backlog per task), 0 for none", () => {
        expect([0, 1, 10, 11, 100, 101].map((w) => workersNeeded(w, 10))).to.deep.equal([0, 1, 1, 2, 10, 11]);
    });
});
