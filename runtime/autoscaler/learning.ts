/**
 * Learning how fast one task works, from the queue's own readings; pure.
 *
 * While messages wait at both ends of an interval, every running task is busy, so the queue's work
 * (visible + in flight) falls by processingRate x running - arrivalRate per second. One interval alone
 * only bounds the rate from below (arrivals hide part of the drain); intervals with different running
 * counts, close enough in time to share an arrival rate, give it outright: the drain grows by the
 * processing rate for each task more.
 */

/** One interval of readings: how fast the work fell and how many tasks were working meanwhile. */
export interface DrainPoint {
    /** End of the interval, epoch ms. */
    readonly at: number;
    /** Messages per second the work fell by (negative when it grew). */
    readonly drain: number;
    /** Tasks working: all running ones while messages waited throughout, else those holding a message on average. */
    readonly running: number;
    /** Messages waited throughout, so every running task was busy (else the queue kept up). */
    readonly saturated: boolean;
}

/** The reading fields the learning reads. */
export interface BusyReading {
    readonly at: number;
    readonly visible: number;
    readonly inFlight: number;
    readonly running: number;
}

/** How long intervals are kept, ms: pairs of them give the slope, the latest ones the floor. */
export const LEARN_WINDOW_MS = 120_000;
/**
 * A configured processing rate is contradicted when the learned one is off by more than this factor
 * either way: wider than what a changing arrival rate does to the slope within LEARN_WINDOW_MS on the
 * built-in ramps, narrower than a rate configured twice too high or too low.
 */
export const CONTRADICTION_FACTOR = 1.4;

/**
 * The interval between two readings with the running count unchanged: saturated while messages waited at
 * both, or keeping up while none did (the tasks working are then those holding a message, Little's law:
 * a queue that keeps up shows its arrivals only through them). Undefined otherwise.
 */
export function drainPoint(a: BusyReading, b: BusyReading): DrainPoint | undefined {
    const seconds = (b.at - a.at) / 1000;
    if (!(seconds > 0) || a.running !== b.running) return undefined;
    const drain = (a.visible + a.inFlight - (b.visible + b.inFlight)) / seconds;
    if (a.visible > 0 && b.visible > 0) return { at: b.at, drain, running: a.running, saturated: true };
    if (a.visible === 0 && b.visible === 0) return { at: b.at, drain, running: Math.min(a.running, (a.inFlight + b.inFlight) / 2), saturated: false };
    return undefined;
}

export interface RateEstimate {
    /** Fastest drain per task seen (a lower bound of the rate), messages/s. */
    readonly floor?: number;
    /**
     * The drain gained per task between two intervals close in time with different running counts
     * (the latest PAIR_SAMPLES of them, median), when the points hold such a pair.
     */
    readonly slope?: number;
}

/** Most time between two intervals whose drains are compared, ms: arrivals change little within it. */
export const PAIR_GAP_MS = 15_000;
/** Fewest tasks working more in one interval of a pair than in the other (an interval that kept up counts its busy tasks only on average). */
export const MIN_TASKS_APART = 1;
/** Pair estimates the slope is the median of. */
export const PAIR_SAMPLES = 7;

/**
 * What the points say of the processing rate. Each pair of intervals at most PAIR_GAP_MS apart with
 * different running counts gives (drain2 - drain1) / (running2 - running1); the median of the latest
 * pairs is the slope, so one pair across a sudden change of arrivals does not move it.
 */
export function estimateRate(points: readonly DrainPoint[], earlierPairs: readonly number[] = []): RateEstimate & { readonly pairs: readonly number[] } {
    let floor: number | undefined;
    for (const p of points) if (p.saturated && p.running > 0 && p.drain > 0) floor = Math.max(floor ?? 0, p.drain / p.running);
    const last = points[points.length - 1];
    const before = points[points.length - 2];
    // Only the newest point can make a new pair (the older ones were paired when they were newest); a
    // pair needs a saturated interval (two that kept up both drain nothing, whatever the tasks working).
    const fresh = last && before && (last.saturated || before.saturated) && Math.abs(last.running - before.running) >= MIN_TASKS_APART
        && last.at - before.at <= PAIR_GAP_MS
        ? [(last.drain - before.drain) / (last.running - before.running)] : [];
    const pairs = [...earlierPairs, ...fresh].slice(-PAIR_SAMPLES);
    const sorted = [...pairs].sort((x, y) => x - y);
    const slope = sorted.length === 0 ? undefined : (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
    return { ...(floor === undefined ? {} : { floor }), ...(slope !== undefined && slope > 0 ? { slope } : {}), pairs };
}

/**
 * The learned rate after this reading: the slope when the pairs give one (never below the floor, as no
 * task drains faster than it works), else the rate learned before, raised to the floor.
 */
export function learnRate(previous: number | undefined, estimate: RateEstimate): number | undefined {
    if (estimate.slope !== undefined) return Math.max(estimate.slope, estimate.floor ?? 0);
    if (estimate.floor === undefined) return previous;
    return Math.max(previous ?? 0, estimate.floor);
}

/** True when a learned rate contradicts the configured one by more than CONTRADICTION_FACTOR either way. */
export function contradicts(configured: number, learned: number): boolean {
    return learned > configured * CONTRADICTION_FACTOR || learned * CONTRADICTION_FACTOR < configured;
}
