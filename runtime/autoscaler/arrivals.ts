/**
 * The arrival rate of a queue from successive readings (demand.ts keeps the readings): pure.
 */
/** One reading, as the demand memory keeps it. */
export interface DemandSample {
    readonly at: number;
    readonly visible: number;
    readonly inFlight: number;
    readonly running: number;
    readonly desired: number;
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
 * divided by the time. An interval whose arrivals are more than three times the others' average (and
 * more than a few messages above it) is a burst, left out: the backlog it leaves is sized for instead.
 * Undefined with fewer than two readings or no time between them.
 */
export function arrivalRate(samples: readonly DemandSample[], processingRate: number | undefined): number | undefined {
    return arrivals(samples, processingRate).rate;
}

/** The arrival rate, and the start of the interval left out as a burst (its messages may be that old). */
export function arrivals(samples: readonly DemandSample[], processingRate: number | undefined): { rate?: number; burstFrom?: number } {
    if (samples.length < 2) return {};
    const intervals: { arrived: number; seconds: number; from: number }[] = [];
    for (let i = 1; i < samples.length; i++) {
        const a = samples[i - 1]!;
        const b = samples[i]!;
        const seconds = (b.at - a.at) / 1000;
        const removed = processingRate === undefined ? 0 : processingRate * busyTasks(a, b) * seconds;
        intervals.push({ arrived: b.visible + b.inFlight - (a.visible + a.inFlight) + removed, seconds, from: a.at });
    }
    let burstFrom: number | undefined;
    if (intervals.length >= 3) {
        const largest = intervals.reduce((m, x, i) => (x.arrived / x.seconds > intervals[m]!.arrived / intervals[m]!.seconds ? i : m), 0);
        const others = intervals.filter((_, i) => i !== largest);
        const perSecond = Math.max(0, others.reduce((sum, x) => sum + x.arrived, 0) / others.reduce((sum, x) => sum + x.seconds, 0));
        const l = intervals[largest]!;
        if (l.arrived > 3 * perSecond * l.seconds + BURST_MESSAGES) {
            intervals.splice(largest, 1);
            burstFrom = l.from;
        }
    }
    const level = levelOf(intervals);
    return { ...(level === undefined ? {} : { rate: Math.max(0, level) }), ...(burstFrom === undefined ? {} : { burstFrom }) };
}

/**
 * Arrivals per second over the intervals; when the latest CHANGE_SECONDS differ from the ones before by
 * more than CHANGE_FACTOR either way (and by more than BURST_MESSAGES), the level changed: only the
 * latest count, so a drop (or a rise) shows within seconds instead of fading through the window.
 */
function levelOf(intervals: readonly { arrived: number; seconds: number }[]): number | undefined {
    const total = (xs: readonly { arrived: number; seconds: number }[]) => ({
        arrived: xs.reduce((sum, x) => sum + x.arrived, 0), seconds: xs.reduce((sum, x) => sum + x.seconds, 0),
    });
    const all = total(intervals);
    if (!(all.seconds > 0)) return undefined;
    let split = intervals.length;
    let recentSeconds = 0;
    while (split > 0 && recentSeconds < CHANGE_SECONDS) recentSeconds += intervals[--split]!.seconds;
    if (split > 0) {
        const recent = total(intervals.slice(split));
        const before = total(intervals.slice(0, split));
        const r = recent.arrived / recent.seconds;
        const b = before.arrived / before.seconds;
        const changed = (r > CHANGE_FACTOR * b || b > CHANGE_FACTOR * r) && Math.abs(r - b) * recent.seconds > BURST_MESSAGES;
        if (changed) return recent.arrived / recent.seconds;
    }
    return all.arrived / all.seconds;
}

/** The latest span compared with the rest of the rate window, seconds. */
const CHANGE_SECONDS = 10;
/** How far the latest span's rate must be from the rest's to count as a new level. */
const CHANGE_FACTOR = 2;

/** Messages above three times the usual arrivals that make an interval a burst (not Poisson clumping). */
export const BURST_MESSAGES = 10;

