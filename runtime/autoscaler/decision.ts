/**
 * The decision engine, which follows demand: a pure function of one reading, the service's counts, the settings,
 * what the autoscaler last did, the demand memory and the time.
 *
 * Rules, in order:
 * 1. Bounds first: a desired count above max goes to max ("above_max"); below min it goes up to min, or to
 *    what demand needs if more ("below_min"), whatever the cooldowns say.
 * 2. Scale up to what the acceptable age needs (demand.ts: every message waiting or arriving within the
 *    age handled by its deadline, counting running tasks and those already starting; with no rate known
 *    yet, one task from none and twice the running ones and one more while the queue falls behind;
 *    the opt-in threshold rule on top): "from_zero" from no task (only when a message is visible or in
 *    flight: a rate alone does not wake a service at 0), "rate_high" when the arrival rate asks
 *    for all of it, "backlog_high" otherwise. Within the scale-up cooldown only a request above the last
 *    scale-up's target goes through.
 * 3. Tasks already starting are capacity on the way: while they cover what demand needs, nothing is added
 *    ("tasks_starting").
 * 4. Scale in to the highest recommendation of the stabilization window (once no message is visible,
 *    only what the rate and the work in flight needed counts), in one step of at most scaleDownStep
 *    tasks: "idle" with no work, "demand_low" otherwise. Only while no message waits: tasks working
 *    through a backlog cost what the backlog costs, and tasks asked for a queue that still holds messages
 *    are not cancelled. Never below what the arrival rate or the work in flight needs, so never to 0 while
 *    a message is in flight. The opt-in scale-down threshold gates it further. "stabilizing" while the
 *    window still holds a higher recommendation; "deployment_in_progress" while an ECS deployment of
 *    the service rolls out (no scale-in then, as Application Auto Scaling does).
 * 5. Every result is within [min, max]; the text gives the numbers: rate, processing rate and where it
 *    comes from (a contradicted configured rate is named), backlog, tasks starting and the window maximum.
 *
 * KEDA's operational controls and the forecast, per service:
 * - activation (`activationMessages`): a service at 0 stays at 0 while fewer messages are visible
 *   ("activation_holding"), whatever the forecast says; at the threshold it wakes as rule 2 says;
 * - forecast (`forecast.enabled`, with the learned profile passed in): the tasks the work the profile
 *   forecasts for now + the task start delay needs (forecast.ts) are a floor over min: desired goes
 *   up to it ahead of a recurring peak ("forecast") and scale-in stops at it; what is not forecast is
 *   met by the rules above as before;
 * - paused: everything is decided and reported, nothing changes ("paused").
 */
import { assessDemand, EMPTY_MEMORY, recordRecommendation, type Demand, type DemandMemory } from "./demand";
import { forecastRate, type ForecastSource } from "./forecast";
import type { Decision, DecisionInput, Direction } from "./types";

export { workersNeeded } from "./demand";

/** A decision, with what to remember for the next one and the figures behind it. */
export interface DemandDecision extends Decision {
    /** Hand this to the next decision. */
    readonly memory: DemandMemory;
    /** The figures behind the decision, for logs and metrics. */
    readonly demand: Demand & { readonly windowMax: number; readonly forecast?: Forecast };
    /** Activation kept a service at 0. */
    readonly activationHolding?: true;
}

/** What the forecast asked for: the work forecast to arrive at `at` (now + the task start delay), in tasks, and the tasks it needs. */
export interface Forecast {
    readonly at: number;
    /** Tasks' worth of work arriving per second (arrival rate / processing rate), unrounded. */
    readonly load: number;
    readonly source: ForecastSource;
    readonly tasks: number;
}

/** The work arriving, in tasks: arrival rate / processing rate, unrounded; undefined while either is unknown. */
export function arrivalTasks(d: Demand): number | undefined {
    const perTask = d.model.processingRate;
    return d.arrivalRate === undefined || perTask === undefined || !(perTask > 0) ? undefined : d.arrivalRate / perTask;
}

/** Every reason code `decide` can return, for logs, metrics and dashboards. */
export const REASON_CODES = [
    "above_max",
    "below_min",
    "from_zero",
    "rate_high",
    "backlog_high",
    "at_max",
    "scale_up_cooldown",
    "tasks_starting",
    "idle",
    "demand_low",
    "stabilizing",
    "deployment_in_progress",
    "at_min",
    "within_band",
    "forecast",
    "activation_holding",
    "paused",
    "fallback",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

function round(n: number): string {
    return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** The numbers every reason text carries. */
export function demandText(d: Demand, windowMax: number, windowMs: number): string {
    const rate = d.arrivalRate === undefined ? "rate unknown" : `rate ${round(d.arrivalRate)}/s`;
    const m = d.model;
    const source = m.rateContradicted ? `learned; configured ${round(m.configuredRate!)}/s contradicted by the drain` : m.rateSource;
    const per = m.processingRate === undefined ? "" : ` (${round(m.processingRate)}/s per task, ${source})`;
    const perTask = m.backlogPerTask === undefined ? "" : ` (${round(m.backlogPerTask)} per task)`;
    return `${rate}${per}, backlog ${d.backlog}${perTask}, ${d.starting} starting, needs ${d.keep}, window max ${windowMax} over ${Math.round(windowMs / 1000)}s`;
}

/** The floor the forecast sets: the tasks the work forecast at now + the task start delay needs; undefined without one. */
export function forecastFloor(input: DecisionInput, d: Demand): Forecast | undefined {
    const f = input.settings.forecast;
    if (!f?.enabled || !input.profile) return undefined;
    const at = input.now + d.taskStartMs;
    const forecast = forecastRate(input.profile, at, f.minDays);
    if (!forecast) return undefined;
    return { at, load: forecast.rate, source: forecast.source, tasks: Math.max(0, Math.ceil(forecast.rate - 1e-9)) };
}

export function decide(input: DecisionInput): DemandDecision {
    const d = decideForDemand(input);
    if (!input.settings.paused) return d;
    const current = input.counts.desired;
    return { ...d, direction: "none", desired: current, reason: { code: "paused", text: `paused: desired stays ${current} (would be ${d.desired}, ${d.reason.code}: ${d.reason.text})` } };
}

function decideForDemand(input: DecisionInput): DemandDecision {
    const { counts, settings: s, last, now, observation } = input;
    const current = counts.desired;
    const windowMs = s.scaleDownCooldownMs;
    const { demand, memory } = assessDemand({
        visible: observation.visible,
        inFlight: observation.inFlight,
        running: counts.running,
        desired: current,
        now,
        ...(last.scaleUp ? { lastScaleUp: last.scaleUp } : {}),
        ...(counts.taskStartMs === undefined ? {} : { serviceTaskStartMs: counts.taskStartMs }),
        settings: s,
        // A fresh start (or a restart) knows no earlier recommendation: count the desired count it finds
        // as recommended now, so scale-in waits one window instead of acting on the first tick.
        memory: input.memory ?? { ...EMPTY_MEMORY, recommendations: [{ at: now, count: current }] },
    });
    const forecast = forecastFloor(input, demand);
    // The forecast's floor: over min, never over max.
    const floor = Math.min(s.maxCapacity, Math.max(s.minCapacity, forecast?.tasks ?? 0));
    const clamp = (n: number) => Math.min(s.maxCapacity, Math.max(floor, n));

    const keep = clamp(demand.keep);
    const sustained = clamp(Math.max(demand.forRate, demand.forInFlight));
    // With no visible message left, what was asked for a backlog is no longer held (demand.ts).
    const drained = observation.visible === 0;
    const finish = (direction: Direction, desired: number, recommendation: number, code: ReasonCode, why: string): DemandDecision => {
        const { recommendations, windowMax } = recordRecommendation(memory.recommendations, now, { count: recommendation, sustained: Math.min(recommendation, sustained) }, windowMs, drained);
        return {
            direction,
            desired,
            reason: { code, text: `${why}; ${demandText(demand, windowMax, windowMs)}` },
            memory: { ...memory, recommendations },
            demand: { ...demand, windowMax, ...(forecast ? { forecast } : {}) },
            ...(code === "activation_holding" ? { activationHolding: true as const } : {}),
        };
    };

    if (current > s.maxCapacity) {
        return finish("down", s.maxCapacity, s.maxCapacity, "above_max", `desired ${current} is above max ${s.maxCapacity}; set to max`);
    }
    if (current < s.minCapacity) {
        const to = clamp(Math.max(demand.upTo, demand.keep));
        return finish("up", to, to, "below_min", `desired ${current} is below min ${s.minCapacity}; scale to ${to}`);
    }
    if (current < floor && demand.upTo <= floor) {
        const f = forecast!;
        return finish("up", floor, floor, "forecast",
            `forecast ${round(f.load)} tasks of work at +${Math.round((f.at - now) / 1000)}s (${f.source} profile) needs ${f.tasks}; scale from ${current} to ${floor} ahead of it`);
    }
    // Activation holds a service at 0 against a trickle of messages; a peak the forecast has learned still wakes it.
    const activation = s.activationMessages;
    if (current === 0 && activation !== undefined && observation.visible < activation) {
        return finish("none", 0, 0, "activation_holding", `${observation.visible} visible, below the activation threshold ${activation}; desired stays 0`);
    }

    // From no task only a message is work: an arrival rate still estimated from messages already served
    // woke the service again the tick after it reached 0 (0 -> 1 -> 0 once a queue emptied).
    if (current === 0 && observation.visible === 0 && observation.inFlight === 0) {
        return finish("none", 0, 0, "idle", "no message visible or in flight; desired stays 0");
    }
    if (demand.upTo > current) {
        const to = clamp(demand.upTo);
        if (to <= current) {
            return finish("none", current, current, "at_max", `demand needs ${demand.upTo} but desired ${current} is at max ${s.maxCapacity}`);
        }
        if (current === 0) {
            return finish("up", to, to, "from_zero", `work and no task; scale from 0 to ${to}`);
        }
        const lastUp = last.scaleUp;
        if (lastUp && now - lastUp.at < s.scaleUpCooldownMs && to <= lastUp.to) {
            const left = Math.ceil((s.scaleUpCooldownMs - (now - lastUp.at)) / 1000);
            return finish("none", current, to, "scale_up_cooldown", `demand wants ${to}, not more than the last scale-up to ${lastUp.to}; cooldown ${left}s left`);
        }
        const byRate = demand.forRate >= to && demand.forRate > current;
        const why = demand.model.processingRate === undefined && s.scaleUpThreshold === undefined
            ? `no processing rate known yet; scale from ${current} to ${to} (twice the running tasks and one more) to see one`
            : `scale from ${current} to ${to}`;
        return finish("up", to, to, byRate ? "rate_high" : "backlog_high", why);
    }

    if (demand.starting > 0 && demand.keep > current - demand.starting) {
        return finish("none", current, current, "tasks_starting", `${demand.starting} starting cover what demand needs; desired stays ${current}`);
    }

    const work = observation.visible + (s.countInFlight ? observation.inFlight : 0);
    const { windowMax } = recordRecommendation(memory.recommendations, now, { count: keep, sustained: Math.min(keep, sustained) }, windowMs, drained);
    // scaleDownStep, when set, still caps what one scale-in removes.
    const to = Math.max(floor, Math.min(current, windowMax), keep, current - (s.scaleDownStep ?? Infinity));
    if (to < current) {
        // Tasks working through a backlog cost what the backlog costs however many they are; only idle
        // tasks are waste. So scale-in waits until no message waits (the opt-in threshold may hold it longer).
        const down = s.scaleDownThreshold;
        const gate = observation.visible === 0 && (down === undefined || (down === 0 ? work === 0 : work < current * down));
        if (!gate) {
            const rule = observation.visible > 0 ? `${observation.visible} messages still wait` : `work ${work} is not below ${current} x ${down}`;
            return finish("none", current, keep, "within_band", `demand needs ${keep} but ${rule}`);
        }
        // Application Auto Scaling turns scale-in off while an ECS deployment is in progress
        // (reference scaling-semantics.md 1.3); scale-out goes on.
        if (counts.deploymentInProgress) {
            return finish("none", current, keep, "deployment_in_progress", `demand allows ${to}, but no scale-in while a deployment of the service is in progress`);
        }
        return work === 0 && observation.inFlight === 0
            ? finish("down", to, keep, "idle", `no work; scale from ${current} to ${to}`)
            : finish("down", to, keep, "demand_low", `scale from ${current} to ${to}`);
    }
    if (current <= floor && floor > s.minCapacity && demand.keep < current) {
        return finish("none", current, keep, "forecast", `demand needs ${demand.keep}; desired ${current} stays at the forecast's floor ${floor}`);
    }
    if (keep < current) {
        return finish("none", current, keep, current <= s.minCapacity ? "at_min" : "stabilizing",
            current <= s.minCapacity ? `desired ${current} is at min ${s.minCapacity}` : `the window still holds ${windowMax}; desired stays ${current}`);
    }
    if (current <= s.minCapacity && keep <= current && work === 0) {
        return finish("none", current, keep, current === 0 ? "idle" : "at_min", `no work and desired ${current}`);
    }
    return finish("none", current, keep, "within_band", `desired ${current} meets demand`);
}
