/**
 * Demand: how many tasks a queue needs, from successive readings of it. Pure functions of readings,
 * settings and an injected time; the caller keeps the returned memory and hands it back next tick.
 *
 * The model (AWS's "backlog per task" pattern, scaling-semantics.md section 4 [Q4]): one task handles
 * `processingRate` messages per second, a message may wait `acceptableAge` seconds, so a task may hold
 * backlogPerTask = acceptableAge x processingRate messages. From it:
 * - arrival rate: over the last minute, the growth of visible + in flight plus what the tasks removed
 *   (processing rate x busy tasks x time), divided by the time, leaving out the interval with the most
 *   arrivals (a burst);
 * - processing rate: configured, or learned as the fastest drain per task seen while every task was busy
 *   and none was starting (a lower bound, since arrivals hide part of the drain);
 * - tasks to keep: enough for the arrival rate, enough to drain the backlog within the acceptable age,
 *   and one per message in flight up to what that work needs;
 * - tasks to add: the fewest that, started now (ready after the start delay) next to the running ones and
 *   the ones already starting, serve the backlog within the acceptable age. Tasks already starting count
 *   as capacity on the way, so the target does not climb while they start;
 * - scale-in: down to the highest recommendation of the stabilization window, as Kubernetes' HPA does
 *   (scaling-semantics.md section 7 [K1]: "highest recommendation in window").
 */

/** One reading, as the memory keeps it. */
export interface DemandSample {
    readonly at: number;
    readonly visible: number;
    readonly inFlight: number;
    readonly running: number;
    readonly desired: number;
}

/** What the demand model remembers between ticks (the caller stores it, nothing else changes it). */
export interface DemandMemory {
    /** Readings of the last rate window, oldest first (plus the one just before it). */
    readonly samples: readonly DemandSample[];
    /** Recommendations of the last stabilization window, oldest first. */
    readonly recommendations: readonly { readonly at: number; readonly count: number; readonly sustained?: number }[];
    /** Fastest drain per task seen while all tasks were busy, messages per second. */
    readonly learnedRate?: number;
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
    /** Messages one task may hold when the acceptable age or the processing rate is unknown. */
    readonly scaleUpThreshold: number;
    /** How long a message may wait, seconds; unset: scaleUpThreshold is the backlog per task. */
    readonly acceptableAgeSeconds?: number;
    /** Messages one task handles per second; unset: learned from the observed drain. */
    readonly processingRate?: number;
    /** Count in-flight messages as backlog. */
    readonly countInFlight: boolean;
}

/**
 * Time from a scale-up to the new tasks running, before one has been observed: Fargate tasks take
 * "30-45 seconds or longer" to start (scaling-semantics.md section 6 [E10]).
 */
export const DEFAULT_TASK_START_MS = 45_000;
/** Readings the arrival rate is averaged over, ms: long enough that one burst is not taken for a rate. */
export const RATE_WINDOW_MS = 60_000;
/**
 * The recent arrival rate, ms: what scale-in recommends is sized on the lower of this and the rate
 * window's, so a drop in arrivals shows within this time and scale-in comes in one step, not a
 * staircase that follows the slow average down.
 */
export const RECENT_RATE_WINDOW_MS = 20_000;
/** Rounding tolerance, so 2.0000000001 tasks is 2. */
const EPSILON = 1e-9;

export interface DemandModel {
    /** Messages per second per task, undefined until configured or learned. */
    readonly processingRate?: number;
    readonly rateSource: "configured" | "learned" | "unknown";
    /** Messages one task may hold. */
    readonly backlogPerTask: number;
    /** Seconds a message may wait (derived from backlogPerTask / processingRate when not set). */
    readonly acceptableAgeSeconds?: number;
}

/**
 * The settings a user gives, turned into the model: acceptable age x processing rate = backlog per
 * task. Without an acceptable age, scaleUpThreshold is the backlog per task (the threshold flags keep
 * their meaning) and the age follows from the rate; without a processing rate, the learned one is used.
 * Until a rate is known, scaleUpThreshold is the backlog per task and the backlog alone is sized for.
 */
export function demandModel(s: Pick<DemandSettings, "scaleUpThreshold" | "acceptableAgeSeconds" | "processingRate">, learnedRate: number | undefined): DemandModel {
    const age = s.acceptableAgeSeconds;
    let processingRate: number | undefined;
    let rateSource: DemandModel["rateSource"];
    if (s.processingRate !== undefined) {
        processingRate = s.processingRate;
        rateSource = "configured";
    } else if (learnedRate !== undefined && learnedRate > 0) {
        processingRate = learnedRate;
        rateSource = "learned";
    } else {
        rateSource = "unknown";
    }
    if (age !== undefined && processingRate !== undefined) {
        return { processingRate, rateSource, backlogPerTask: age * processingRate, acceptableAgeSeconds: age };
    }
    return {
        ...(processingRate === undefined ? {} : { processingRate, acceptableAgeSeconds: s.scaleUpThreshold / processingRate }),
        rateSource,
        backlogPerTask: s.scaleUpThreshold,
    };
}

/** Tasks busy between two readings: all of them while messages waited at both, else those holding a message. */
function busyTasks(a: DemandSample, b: DemandSample): number {
    const running = Math.min(a.running, b.running);
    if (a.visible > 0 && b.visible > 0) return running;
    return Math.min(running, (a.inFlight + b.inFlight) / 2);
}

/**
 * Arrivals per second over the samples: for each interval between two readings, the growth of work
 * (visible + in flight) plus what the tasks removed (processingRate x busy tasks x time); summed and
 * divided by the time. With three intervals or more the interval with the most arrivals is left out,
 * so a burst that lands at once is not taken for a rate (the backlog it leaves is sized for instead).
 * Undefined with fewer than two readings or no time between them.
 */
export function arrivalRate(samples: readonly DemandSample[], processingRate: number | undefined): number | undefined {
    if (samples.length < 2) return undefined;
    const intervals: { arrived: number; seconds: number }[] = [];
    for (let i = 1; i < samples.length; i++) {
        const a = samples[i - 1]!;
        const b = samples[i]!;
        const seconds = (b.at - a.at) / 1000;
        const removed = processingRate === undefined ? 0 : processingRate * busyTasks(a, b) * seconds;
        intervals.push({ arrived: b.visible + b.inFlight - (a.visible + a.inFlight) + removed, seconds });
    }
    if (intervals.length >= 3) {
        const largest = intervals.reduce((m, x, i) => (x.arrived > intervals[m]!.arrived ? i : m), 0);
        intervals.splice(largest, 1);
    }
    const seconds = intervals.reduce((sum, x) => sum + x.seconds, 0);
    if (!(seconds > 0)) return undefined;
    return Math.max(0, intervals.reduce((sum, x) => sum + x.arrived, 0) / seconds);
}

/**
 * Drain per task between two readings while every task was busy and none was starting: messages
 * waited at both readings, the running count did not change and matched the desired count. Undefined
 * when the readings do not show that.
 */
export function observedDrainRate(a: DemandSample, b: DemandSample): number | undefined {
    const seconds = (b.at - a.at) / 1000;
    if (!(seconds > 0) || a.running <= 0 || a.running !== b.running || a.desired !== a.running || b.desired !== b.running) return undefined;
    if (a.visible <= 0 || b.visible <= 0) return undefined;
    const drained = a.visible + a.inFlight - (b.visible + b.inFlight);
    return drained > 0 ? drained / (a.running * seconds) : undefined;
}

/** Tasks a backlog needs so that each holds at most backlogPerTask messages (0 for none). */
export function workersNeeded(backlog: number, backlogPerTask: number): number {
    return backlog <= 0 ? 0 : Math.ceil(backlog / backlogPerTask - EPSILON);
}

/**
 * Tasks the work in flight needs: at least one while any message is in flight, and one per
 * backlogPerTask in-flight messages when in-flight messages count as work.
 */
export function inFlightFloor(inFlight: number, backlogPerTask: number, counted = true): number {
    if (inFlight <= 0) return 0;
    return counted ? Math.max(1, workersNeeded(inFlight, backlogPerTask)) : 1;
}

export interface DemandInput {
    readonly visible: number;
    readonly inFlight: number;
    readonly running: number;
    readonly desired: number;
    readonly now: number;
    /** The autoscaler's last scale-up, for the time left before the tasks it asked for run. */
    readonly lastScaleUp?: { readonly at: number; readonly to: number };
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
    /** Time from a scale-up to running tasks, ms (learned or the default). */
    readonly taskStartMs: number;
    /** Messages per second over the recent window (at most arrivalRate), what scale-in sizes on. */
    readonly recentArrivalRate?: number;
    /** Tasks the arrival rate needs (0 when unknown). */
    readonly forRate: number;
    /** Tasks the recent arrival rate needs, at most forRate. */
    readonly forRecentRate: number;
    /** Tasks that serve the backlog within the acceptable age once running. */
    readonly forBacklog: number;
    /** Tasks the work in flight needs. */
    readonly forInFlight: number;
    /** The count to keep: max(forRecentRate, forBacklog, forInFlight), unbounded. */
    readonly keep: number;
    /** The count to scale up to, counting running and starting tasks; equals desired when none is needed. */
    readonly upTo: number;
}

/**
 * Tasks to add so the backlog is served within the acceptable age: running tasks drain from now, the
 * starting ones from when they run, new ones from the task start delay on. When a task starts slower than
 * messages may wait, new tasks are given a quarter of the acceptable age (they cannot meet it anyway).
 */
function tasksToAdd(backlog: number, rate: number, age: number, running: number, starting: number, startingInMs: number, taskStartMs: number): number {
    const runningDrain = running * rate * age;
    const startingDrain = starting * rate * Math.max(0, age - startingInMs / 1000);
    const left = backlog - runningDrain - startingDrain;
    if (left <= EPSILON) return 0;
    const perNewTask = rate * Math.max(age - taskStartMs / 1000, age / 4);
    return Math.ceil(left / perNewTask - EPSILON);
}

/** What the queue needs now, and the memory for the next call (this reading added, old ones dropped). */
export function assessDemand(input: DemandInput): { demand: Demand; memory: DemandMemory } {
    const { settings: s, memory: m, now } = input;
    const sample: DemandSample = { at: now, visible: input.visible, inFlight: input.inFlight, running: input.running, desired: input.desired };
    const previous = m.samples[m.samples.length - 1];

    // Learn the processing rate and the start delay from this reading.
    const drain = previous ? observedDrainRate(previous, sample) : undefined;
    const learnedRate = drain !== undefined ? Math.max(drain, m.learnedRate ?? 0) : m.learnedRate;
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

    const model = demandModel(s, learnedRate);
    const rate = model.processingRate;
    const lambda = arrivalRate(samples, rate);
    const recentFrom = Math.max(0, samples.findIndex((x) => x.at > now - RECENT_RATE_WINDOW_MS) - 1);
    const recent = arrivalRate(samples.slice(recentFrom), rate);
    const lambdaRecent = lambda === undefined || recent === undefined ? lambda : Math.min(lambda, recent);
    const backlog = input.visible + (s.countInFlight ? input.inFlight : 0);
    const running = Math.max(0, Math.min(input.running, input.desired));
    const starting = Math.max(0, input.desired - running);
    const taskStartMs = learnedStartMs ?? DEFAULT_TASK_START_MS;
    const sinceUp = up ? now - up.at : Infinity;
    const startingInMs = starting > 0 ? Math.max(0, taskStartMs - sinceUp) : 0;

    const tasksFor = (r: number | undefined) => (r !== undefined && rate !== undefined ? Math.ceil(r / rate - EPSILON) : 0);
    const forRate = tasksFor(lambda);
    const forRecentRate = tasksFor(lambdaRecent);
    const forBacklog = workersNeeded(backlog, model.backlogPerTask);
    const forInFlight = inFlightFloor(input.inFlight, model.backlogPerTask, s.countInFlight);
    const keep = Math.max(forRecentRate, forBacklog, forInFlight);

    let upTo = input.desired;
    if (rate !== undefined && model.acceptableAgeSeconds !== undefined) {
        const add = tasksToAdd(backlog, rate, model.acceptableAgeSeconds, running, starting, startingInMs, taskStartMs);
        upTo = Math.max(input.desired + add, forRate, forInFlight);
    } else {
        // Nothing known of the rate: size on the backlog alone, as the threshold rule does.
        upTo = Math.max(input.desired, forBacklog, forInFlight);
    }

    const demand: Demand = {
        model,
        ...(lambda === undefined ? {} : { arrivalRate: lambda }),
        ...(lambdaRecent === undefined ? {} : { recentArrivalRate: lambdaRecent }),
        backlog,
        starting,
        startingInMs,
        taskStartMs,
        forRate,
        forRecentRate,
        forBacklog,
        forInFlight,
        keep,
        upTo,
    };
    const memory: DemandMemory = {
        samples,
        recommendations: m.recommendations,
        ...(learnedRate === undefined ? {} : { learnedRate }),
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
