/**
 * Pause, activation, fallback and the forecast's floor in the pure decision (and the fallback in the
 * loop's ServiceScaler): exact counts and reason codes.
 */
import { expect } from "chai";
import { decide, type DemandDecision } from "../../../runtime/autoscaler/decision";
import { EMPTY_MEMORY } from "../../../runtime/autoscaler/demand";
import { emptyProfile, foldSlot, type ArrivalProfile } from "../../../runtime/autoscaler/forecast";
import { ServiceScaler } from "../../../runtime/autoscaler/service-scaler";
import type { DecisionSettings, QueueSource } from "../../../runtime/autoscaler/types";
import { decisionSettings } from "../../helpers/decision-settings";

const DAY_MS = 86_400_000;
/** Tuesday 2026-12-01 10:00 UTC: the learned peak starts at this slot. */
const PEAK = Date.UTC(2026, 11, 1, 10);
const RATE2: Partial<DecisionSettings> = { processingRate: 2 };
const FORECAST = { enabled: true, slotSeconds: 900, weight: 0.5, minDays: 1 } as const;

/** Monday's history at 2 messages/s per task: 1/s (0.5 tasks of work) until 10:00, 9/s (4.5 tasks) from 10:00 for an hour. */
function mondayProfile(): ArrivalProfile {
    let p = emptyProfile(900);
    for (let t = PEAK - DAY_MS - 2 * 3_600_000; t < PEAK - DAY_MS + 3_600_000; t += 900_000) p = foldSlot(p, { start: t, rate: t >= PEAK - DAY_MS ? 4.5 : 0.5 }, 0.5);
    return p;
}

function tick(o: { visible?: number; inFlight?: number; desired: number; now?: number; settings?: Partial<DecisionSettings>; profile?: ArrivalProfile; taskStartMs?: number }): DemandDecision {
    return decide({
        observation: { visible: o.visible ?? 0, inFlight: o.inFlight ?? 0, delayed: 0, observedAt: o.now ?? PEAK },
        counts: { desired: o.desired, running: o.desired, pending: 0, ...(o.taskStartMs ? { taskStartMs: o.taskStartMs } : {}) },
        settings: decisionSettings(o.settings),
        last: {},
        now: o.now ?? PEAK,
        memory: EMPTY_MEMORY,
        ...(o.profile ? { profile: o.profile } : {}),
    });
}
const outcome = (d: DemandDecision) => [d.direction, d.desired, d.reason.code];

describe("autoscaler decision: pause, activation, fallback", () => {
    it("paused: the 7 tasks a backlog of 300 needs are decided and reported, desired stays 1", () => {
        const d = tick({ visible: 300, desired: 1, settings: { ...RATE2, paused: true } });
        expect(outcome(d)).to.deep.equal(["none", 1, "paused"]);
        expect(d.reason.text).to.match(/^paused: desired stays 1 \(would be 7, backlog_high: scale from 1 to 7;/);
    });

    it("paused: an idle service is not scaled in either", () => {
        expect(outcome(tick({ desired: 5, settings: { paused: true } }))).to.deep.equal(["none", 5, "paused"]);
    });

    it("activation 5: 4 visible messages leave a service at 0; 5 wake it", () => {
        const below = tick({ visible: 4, desired: 0, settings: { ...RATE2, activationMessages: 5 } });
        expect([...outcome(below), below.activationHolding]).to.deep.equal(["none", 0, "activation_holding", true]);
        expect(outcome(tick({ visible: 5, desired: 0, settings: { ...RATE2, activationMessages: 5 } }))).to.deep.equal(["up", 1, "from_zero"]);
    });

    it("activation applies only at 0: a running service with 1 message keeps its task", () => {
        expect(outcome(tick({ visible: 1, desired: 1, settings: { ...RATE2, activationMessages: 5 } }))).to.deep.equal(["none", 1, "within_band"]);
    });

    it("fallback: 3 unreadable queue readings in a row give the fallback count 4, within max 3 it is 3; paused it is the current count", () => {
        const source: QueueSource = { kind: "sqs", queueName: "q", observe: () => Promise.reject(new Error("unused")), close: () => Promise.resolve() };
        const scaler = (s: Partial<DecisionSettings>) => new ServiceScaler({ service: "w", source, settings: decisionSettings(s), fallback: { failureThreshold: 3, replicas: 4 } });
        const counts = { desired: 1, running: 1, pending: 0 };
        const a = scaler({});
        const seen = [1, 2, 3].map((n) => {
            a.queueFailures = n;
            return a.fallbackDecision(counts)?.desired;
        });
        expect([seen, a.fallbackActive]).to.deep.equal([[undefined, undefined, 4], true]);
        const capped = scaler({ maxCapacity: 3 });
        capped.queueFailures = 3;
        expect(capped.fallbackDecision(counts)).to.deep.include({ desired: 3, direction: "up" });
        const paused = scaler({ paused: true });
        paused.queueFailures = 3;
        expect(paused.fallbackDecision(counts)).to.deep.include({ desired: 1, direction: "none", reason: { code: "paused", text: "paused: desired stays 1 (queue unreadable 3 ticks in a row (threshold 3); fallback to 4)" } });
    });
});

describe("autoscaler decision: the forecast's floor", () => {
    const settings = { ...RATE2, forecast: FORECAST };

    it("raises desired to ceil(9 / 2) = 5 tasks exactly the task start delay (45 s) before the learned peak", () => {
        const d = tick({ desired: 1, now: PEAK - 45_000, settings, profile: mondayProfile() });
        expect(outcome(d)).to.deep.equal(["up", 5, "forecast"]);
        expect(d.demand.forecast).to.deep.equal({ at: PEAK, load: 4.5, source: "daily", tasks: 5 });
        expect(d.reason.text).to.match(/^forecast 4\.50 tasks of work at \+45s \(daily profile\) needs 5; scale from 1 to 5 ahead of it;/);
    });

    it("a second earlier it forecasts the slot before the peak (0.5 tasks of work): 1 task stays", () => {
        expect(outcome(tick({ desired: 1, now: PEAK - 46_000, settings, profile: mondayProfile() }))).to.deep.equal(["none", 1, "forecast"]);
    });

    it("looks ahead by the start the service's own events show: 60 s before the peak with a 60 s start", () => {
        expect(outcome(tick({ desired: 1, now: PEAK - 60_000, taskStartMs: 60_000, settings, profile: mondayProfile() }))).to.deep.equal(["up", 5, "forecast"]);
        expect(outcome(tick({ desired: 1, now: PEAK - 61_000, taskStartMs: 60_000, settings, profile: mondayProfile() }))).to.deep.equal(["none", 1, "forecast"]);
    });

    it("raises nothing with no history, nor before minDays days of it, nor with the forecast off: the idle task goes", () => {
        expect(outcome(tick({ desired: 1, now: PEAK - 45_000, settings, profile: emptyProfile(900) }))).to.deep.equal(["down", 0, "idle"]);
        expect(outcome(tick({ desired: 1, now: PEAK - 45_000, settings: { ...RATE2, forecast: { ...FORECAST, minDays: 2 } }, profile: mondayProfile() }))).to.deep.equal(["down", 0, "idle"]);
        expect(outcome(tick({ desired: 1, now: PEAK - 45_000, settings: { ...RATE2, forecast: { ...FORECAST, enabled: false } }, profile: mondayProfile() }))).to.deep.equal(["down", 0, "idle"]);
    });

    it("scale-in stops at the floor: 8 idle tasks go to 5 during the forecast peak, and stay there", () => {
        expect(outcome(tick({ desired: 8, now: PEAK + 60_000, settings, profile: mondayProfile() }))).to.deep.equal(["down", 5, "idle"]);
        expect(outcome(tick({ desired: 5, now: PEAK + 60_000, settings, profile: mondayProfile() }))).to.deep.equal(["none", 5, "forecast"]);
    });

    it("what is not forecast is met as before: a backlog of 3000 during the peak asks for more than the floor", () => {
        expect(outcome(tick({ visible: 3000, desired: 5, now: PEAK + 60_000, settings, profile: mondayProfile() }))).to.deep.equal(["up", 10, "backlog_high"]);
    });

    it("the floor is bounded by max: max 3 takes 3", () => {
        expect(outcome(tick({ desired: 1, now: PEAK - 45_000, settings: { ...settings, maxCapacity: 3 }, profile: mondayProfile() }))).to.deep.equal(["up", 3, "forecast"]);
    });

    it("a learned peak wakes a service at 0 below its activation threshold, the start delay ahead; without the forecast activation holds it", () => {
        expect(outcome(tick({ desired: 0, now: PEAK - 45_000, settings: { ...settings, activationMessages: 5 }, profile: mondayProfile() }))).to.deep.equal(["up", 5, "forecast"]);
        expect(outcome(tick({ desired: 0, now: PEAK - 45_000, settings: { ...settings, activationMessages: 5, forecast: undefined }, profile: mondayProfile() }))).to.deep.equal(["none", 0, "activation_holding"]);
    });
});
