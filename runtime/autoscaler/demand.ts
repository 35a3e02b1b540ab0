/**
 * Demand: how many tasks a queue needs, from successive readings of it. Pure functions of readings,
 * settings and an injected time; the caller keeps the returned memory and hands it back next tick.
 *
 * The model (AWS's "backlog per task" pattern, scaling-semantics.md section 4 [Q4]): one task handles
 * `processingRate` messages per second, a message may wait `acceptableAge` seconds (the settings
 * table's default when unset), so a task may hold backlogPerTask = acceptableAge x processingRate
 * messages. From it, one view of demand for both directions:
 * - arrival rate: over the last RATE_WINDOW_MS, the growth of visible + in flight plus what the tasks
 *   removed (processing rate x busy tasks x time), divided by the time; a burst interval is left out,
 *   and a new level in the last 10 s replaces the window's average;
 * - processing rate: configured, or learned from the drain (learning.ts); a configured rate the learned
 *   one contradicts is reported and replaced by it;
 * - task start time: what the service's own events show, else what the last scale-up took, else 45 s;
 * - tasks to add: the fewest that, started now next to the running and starting ones, handle every
 *   message waiting or arriving within the acceptable age by its deadline, as the oracle sizes;
 * - tasks to keep: enough for the arrival rate, the backlog within the acceptable age and the work in
 *   flight; scale-in goes to the highest recommendation of the stabilization window, as Kubernetes'
 *   HPA does (scaling-semantics.md section 7 [K1]: "highest recommendation in window").
 */
import { AUTOSCALER_SETTINGS } from "../../scaling/autoscaler-settings";
import { arrivals, BURST_MESSAGES, type DemandSample } from "./arrivals";
import { CONTRADICTION_FACTOR, contradicts, drainPoint, estimateRate, LEARN_WINDOW_MS, learnRate, type DrainPoint } from "./learning";

export { arrivalRate } from "./arrivals";
export type { DemandSample } from "./arrivals";

/** What the demand model remembers between ticks (the caller stores it, nothing else changes it). */
export interface DemandMemory {
    /** Readings of the last rate window, oldest first (plus the one just before it). */
    readonly samples: readonly DemandSample[];
    /** Recommendations of the last stabilization window, oldest first. */
    readonly recommendations: readonly { readonly at: number; readonly count: number; readonly sustained?: number }[];
    /** Intervals of the last LEARN_WINDOW_MS with every running task busy (learning.ts). */
    readonly drains?: readonly DrainPoint[];
    /** The latest pair estimates of the processing rate (learning.ts), oldest first. */
    readonly ratePairs?: readonly number[];
    /** The processing rate learned from the drain, messages per second per task. */
    readonly learnedRate?: number;
    /** The configured processing rate was contradicted by the learned one (it stays so until a slope agrees). */
    readonly configuredRateContradicted?: boolean;
    /** Last observed time from a scale-up to running catching up, ms. */
    readonly learnedStartMs?: number;
    /** The scale-up time the start delay was last learned from (so it is learned once per scale-up). */
    readonly startLearnedFrom?: number;
}

export const EMPTY_MEMORY: DemandMemory = { samples: [], recommendations: [] };

/** The demand settings, a subset of the autoscaler's decision settings. */
export interface DemandSettings {
    readonly minCapacity: number;
    readonly maxCapacity: number;
    /** Opt-in threshold rule: messages one task may hold before a scale-up; unset: none. */
    readonly scaleUpThreshold?: number;
    /** How long a message may wait, seconds; unset: the settings table's default. */
    readonly acceptableAgeSeconds?: number;
    /** Messages one task handles per second; unset: learned from the observed drain. */
    readonly processingRate?: number;
    /** Count in-flight messages as backlog. */
    readonly countInFlight: boolean;
}

/**
 * Time from a scale-up to the new tasks running, before the service's events or a scale-up have shown
 * one: Fargate tasks take "30-45 seconds or longer" to start (scaling-semantics.md section 6 [E10]).
 */
export const DEFAULT_TASK_START_MS = 45_000;
/**
 * Readings the arrival rate is averaged over, ms: both directions size on this one estimate. Half a
 * minute follows a drop in arrivals within the stabilization window and averages out single clumps of
 * independent producers.
 */
export const RATE_WINDOW_MS = 30_000;
/** Rounding tolerance, so 2.0000000001 tasks is 2. */
const EPSILON = 1e-9;

export interface DemandModel {
    /** Messages per second per task, undefined until configured or learned. */
    readonly processingRate?: number;
    readonly rateSource: "configured" | "learned" | "unknown";
    /** The configured rate, when one is set (also when the drain contradicted it and the learned one is used). */
    readonly configuredRate?: number;
    /** The drain contradicted the configured rate: the learned one is used instead. */
    readonly rateContradicted: boolean;
    /** Seconds a message may wait. */
    readonly acceptableAgeSeconds: number;
    /** Messages one task may hold: acceptable age x processing rate, at most the opt-in threshold; undefined while neither is known. */
    readonly backlogPerTask?: number;
}

/**
 * The settings a user gives, turned into the model: acceptable age x processing rate = backlog per
 * task. The rate is the configured one unless the drain contradicted it, else the learned one; the opt-in
 * threshold caps the backlog per task (and stands in for it while no rate is known).
 */
export function demandModel(s: Pick<DemandSettings, "scaleUpThreshold" | "acceptableAgeSeconds" | "processingRate">, learnedRate: number | undefined, contradicted = false): DemandModel {
    const age = s.acceptableAgeSeconds ?? AUTOSCALER_SETTINGS.acceptableAge.default;
    const configured = s.processingRate;
    let processingRate: number | undefined;
    let rateSource: DemandModel["rateSource"] = "unknown";
    if (configured !== undefined && !(contradicted && learnedRate !== undefined)) {
        processingRate = configured;
        rateSource = "configured";
    } else if (learnedRate !== undefined && learnedRate > 0) {
        processingRate = learnedRate;
        rateSource = "learned";
    }
    const byAge = processingRate === undefined ? undefined : age * processingRate;
    const threshold = s.scaleUpThreshold;
    const backlogPerTask = byAge === undefined ? threshold : threshold === undefined ? byAge : Math.min(byAge, threshold);
    return {
        ...(processingRate === undefined ? {} : { processingRate }),
        rateSource,
        ...(configured === undefined ? {} : { configuredRate: configured }),
        rateContradicted: configured !== undefined && rateSource === "learned",
        acceptableAgeSeconds: age,
        ...(backlogPerTask === undefined ? {} : { backlogPerTask }),
    };
}

/** Tasks a backlog needs so that each holds at most backlogPerTask messages (0 for none). */
export function workersNeeded(backlog: number, backlogPerTask: number): number {
    return backlog <= 0 ? 0 : Math.ceil(backlog / backlogPerTask - EPSILON);
}

/**
 * Tasks the work in flight needs: at least one while any message is in flight, and one per
 * backlogPerTask in-flight messages when in-flight messages count as work.
 */
export function inFlightFloor(inFlight: number, backlogPerTask: number | undefined, counted = true): number {
    if (inFlight <= 0) return 0;
    return counted && backlogPerTask !== undefined ? Math.max(1, workersNeeded(inFlight, backlogPerTask)) : 1;
}

export interface DemandInput {
    readonly visible: number;
    readonly inFlight: number;
    readonly running: number;
    readonly desired: number;
    readonly now: number;
    /** The autoscaler's last scale-up, for the time left before the tasks it asked for run. */
    readonly lastScaleUp?: { readonly at: number; readonly to: number };
    /** Launch to running as the service's own events last showed it, ms. */
    readonly serviceTaskStartMs?: number;
    readonly settings: DemandSettings;
    readonly memory: DemandMemory;
}

export interface Demand {
    readonly model: DemandModel;
    /** Messages per second arriving, undefined until two readings are in (or the rate cannot be told). */
    readonly arrivalRate?: number;
    /** Messages the decision counts as backlog: visible, plus in flight when countInFlight. */
    readonly backlog: number;
    /** Tasks asked for but not running yet (capacity on the way). */
    readonly starting: number;
    /** Time until the starting tasks run, ms (estimate). */
    readonly startingInMs: number;
    /** Time from a scale-up to running tasks, ms: the service's events, else learned, else the default. */
    readonly taskStartMs: number;
    /** Tasks the arrival rate needs (0 when unknown): the one figure both directions size on. */
    readonly forRate: number;
    /** Tasks that serve the backlog within the acceptable age once running. */
    readonly forBacklog: number;
    /** Tasks the work in flight needs. */
    readonly forInFlight: number;
    /** The count to keep: max(forRate, forBacklog, forInFlight), unbounded. */
    readonly keep: number;
    /** The count to scale up to, counting running and starting tasks; equals desired when none is needed. */
    readonly upTo: number;
    /** True on the reading that first contradicted the configured processing rate (to report it once). */
    readonly newlyContradicted?: true;
}

/**
 * Tasks to add so that every message waiting now or arriving within the next acceptable age (at the
 * arrival rate measured now) is handled within the acceptable age, oldest first: the same rule the
 * oracle sizes by (scaling/oracle.ts), with the future taken as the present rate. Running tasks work
 * from now, the starting ones from when they run, new ones from the task start delay on; a task that
 * starts slower than messages may wait is given a quarter of the age (it cannot meet it anyway).
 * `waitedS`: how long the newest messages may already have waited. Both
 * sides grow linearly in the arrival time s except where a task joins, so s = 0, s = age and those
 * points are all that need checking. The rate alone never adds a task the age does not need yet: a
 * queue that is falling behind slowly is caught up with later, by tasks asked for in time.
 */
function tasksToAdd(q: { backlog: number; arrivals: number; rate: number; age: number; waitedS: number; running: number; starting: number; startingInS: number; startS: number }): number {
    const checks = [0, q.age, q.startS - q.age, q.startingInS - q.age].filter((s) => s >= 0 && s <= q.age);
    let add = 0;
    for (const s of checks) {
        const by = s + q.age - q.waitedS;
        const left = q.backlog + q.arrivals * s - q.rate * (q.running * by + q.starting * Math.max(0, by - q.startingInS));
        if (left <= EPSILON) continue;
        add = Math.max(add, Math.ceil(left / (q.rate * Math.max(by - q.startS, q.age / 4)) - EPSILON));
    }
    return add;
}

/** What the queue needs now, and the memory for the next call (this reading added, old ones dropped). */
export function assessDemand(input: DemandInput): { demand: Demand; memory: DemandMemory } {
    const { settings: s, memory: m, now } = input;
    const sample: DemandSample = { at: now, visible: input.visible, inFlight: input.inFlight, running: input.running, desired: input.desired };
    const previous = m.samples[m.samples.length - 1];

    // Learn the processing rate from this interval (learning.ts), and check the configured one against it.
    const point = previous ? drainPoint(previous, sample) : undefined;
    const drains = [...(m.drains ?? []).filter((p) => p.at > now - LEARN_WINDOW_MS), ...(point ? [point] : [])];
    const estimate = estimateRate(drains, m.ratePairs);
    const learnedRate = learnRate(m.learnedRate, estimate);
    let contradicted = m.configuredRateContradicted ?? false;
    if (s.processingRate !== undefined && learnedRate !== undefined) {
        if (estimate.slope !== undefined) contradicted = contradicts(s.processingRate, learnedRate);
        else if (estimate.floor !== undefined && estimate.floor > s.processingRate * CONTRADICTION_FACTOR) contradicted = true;
    }

    // Learn the start delay from a scale-up of the autoscaler's own.
    let learnedStartMs = m.learnedStartMs;
    let startLearnedFrom = m.startLearnedFrom;
    const up = input.lastScaleUp;
    if (up && up.at !== startLearnedFrom && input.running >= up.to && previous && previous.running < up.to && now > up.at) {
        learnedStartMs = now - up.at;
        startLearnedFrom = up.at;
    }

    // Keep the readings of the rate window, and the one reading just before it as its start.
    const kept = [...m.samples, sample];
    let from = 0;
    while (from + 1 < kept.length - 1 && kept[from + 1]!.at <= now - RATE_WINDOW_MS) from++;
    const samples = kept.slice(from);

    const model = demandModel(s, learnedRate, contradicted);
    const rate = model.processingRate;
    const age = model.acceptableAgeSeconds;
    const lambda = arrivals(samples, rate).rate;
    const backlog = input.visible + (s.countInFlight ? input.inFlight : 0);
    const running = Math.max(0, Math.min(input.running, input.desired));
    const starting = Math.max(0, input.desired - running);
    const taskStartMs = input.serviceTaskStartMs ?? learnedStartMs ?? DEFAULT_TASK_START_MS;
    const sinceUp = up ? now - up.at : Infinity;
    const startingInMs = starting > 0 ? Math.max(0, taskStartMs - sinceUp) : 0;

    const forRate = lambda !== undefined && rate !== undefined ? Math.ceil(lambda / rate - EPSILON) : 0;
    const per = model.backlogPerTask;
    // With no rate known yet, a backlog keeps what it has (at least one task): nothing tells how many fewer would do.
    const forBacklog = per === undefined ? (backlog > 0 ? Math.max(1, input.desired) : 0) : workersNeeded(backlog, per);
    const forInFlight = inFlightFloor(input.inFlight, per, s.countInFlight);
    const keep = Math.max(forRate, forBacklog, forInFlight);

    let upTo = input.desired;
    if (rate !== undefined) {
        // Messages that arrived since the last reading may have come right after it: count them as that old,
        // so the sizing does not depend on where in the interval a burst landed.
        const grew = previous !== undefined && input.visible > previous.visible;
        const waitedS = grew ? Math.min(age / 4, (now - previous.at) / 1000) : 0;
        const add = tasksToAdd({ backlog, arrivals: lambda ?? 0, rate, age, waitedS, running, starting, startingInS: startingInMs / 1000, startS: taskStartMs / 1000 });
        upTo = Math.max(input.desired + add, forInFlight);
    } else if (input.visible > 0 && starting === 0) {
        // No rate known yet: one task from none; else, once the queue grew by a burst's worth over the rate
        // window and again in the last interval with every task busy, twice as many and one more, until a drain shows
        // the rate. A queue that keeps up shows no rate, and needs none.
        const first = m.samples[0];
        const fallingBehind = previous !== undefined && previous.running === running && previous.visible > 0 && input.visible > previous.visible
            && first !== undefined && input.visible - first.visible >= BURST_MESSAGES;
        if (running === 0 || fallingBehind) upTo = Math.max(input.desired, 2 * running + 1);
    }
    const threshold = s.scaleUpThreshold;
    if (threshold !== undefined && backlog > input.desired * threshold) upTo = Math.max(upTo, workersNeeded(backlog, threshold));

    const demand: Demand = {
        model,
        ...(lambda === undefined ? {} : { arrivalRate: lambda }),
        backlog,
        starting,
        startingInMs,
        taskStartMs,
        forRate,
        forBacklog,
        forInFlight,
        keep,
        upTo,
        ...(model.rateContradicted && !m.configuredRateContradicted ? { newlyContradicted: true as const } : {}),
    };
    const memory: DemandMemory = {
        samples,
        recommendations: m.recommendations,
        ...(drains.length === 0 ? {} : { drains }),
        ...(estimate.pairs.length === 0 ? {} : { ratePairs: estimate.pairs }),
        ...(learnedRate === undefined ? {} : { learnedRate }),
        ...(contradicted ? { configuredRateContradicted: true } : {}),
        ...(learnedStartMs === undefined ? {} : { learnedStartMs }),
        ...(startLearnedFrom === undefined ? {} : { startLearnedFrom }),
    };
    return { demand, memory };
}

/**
 * Adds this tick's recommendation and drops those older than the window; returns the new list and
 * the highest recommendation in it (this one included), which is as far as scale-in may go. A
 * recommendation made for a backlog counts only while there is one: once the queue has no visible
 * message (`drained`), only its `sustained` part (what the arrival rate and the work in flight needed)
 * is held for the window, so the tasks a drained burst needed are not kept for nothing.
 */
export function recordRecommendation(
    recommendations: DemandMemory["recommendations"],
    now: number,
    rec: { readonly count: number; readonly sustained?: number },
    windowMs: number,
    drained = false,
): { recommendations: DemandMemory["recommendations"]; windowMax: number } {
    const kept = [...recommendations.filter((r) => r.at > now - windowMs && r.at <= now), { at: now, ...rec }];
    return { recommendations: kept, windowMax: Math.max(...kept.map((r) => (drained ? r.sustained ?? r.count : r.count))) };
}
