/**
 * Load traces: work arriving over time (messages/s for a queue, requests/s for a web service), as
 * linear segments plus instantaneous bursts. Built-in shapes, CSV files (`seconds,rate`), and a seeded
 * random source for the one shape with noise, so every run is reproducible.
 */

export interface TraceSegment {
    /** Seconds from the start. */
    readonly from: number;
    readonly to: number;
    /** Rate at `from` and at `to`; linear in between. */
    readonly rateFrom: number;
    readonly rateTo: number;
}

export interface TraceBurst {
    readonly at: number;
    /** Units that arrive at once. */
    readonly count: number;
}

export interface Trace {
    readonly name: string;
    /** Seconds. */
    readonly duration: number;
    readonly segments: readonly TraceSegment[];
    readonly bursts: readonly TraceBurst[];
    /**
     * Wall-clock instant of second 0, ms since the Unix epoch, for a trace shaped by the calendar:
     * schedules in a time zone and forecasts by hour and weekday read the clock from it. Default 0.
     */
    readonly epochMs?: number;
    /**
     * The first seconds are history: controllers run through them (a forecaster learns from them), a
     * run's figures count only what follows. Default 0.
     */
    readonly historySeconds?: number;
}

/** mulberry32: a small seeded generator, so traces with noise repeat for a seed. */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Rate at time t (bursts excluded). */
export function rateAt(trace: Trace, t: number): number {
    for (const s of trace.segments) {
        if (t >= s.from && t < s.to) return s.rateFrom + ((s.rateTo - s.rateFrom) * (t - s.from)) / (s.to - s.from);
    }
    return 0;
}

/**
 * The trace's bursts sorted by time with running totals, and whether its segments are sorted and
 * apart, built once per trace: a trace with thousands of single arrivals (the Poisson one) is read
 * every simulated second, so each read is a binary search, not a walk over every burst.
 */
interface TraceIndex {
    readonly burstAt: Float64Array;
    /** burstTotal[i]: units of the bursts before index i. */
    readonly burstTotal: Float64Array;
    readonly segmentsSorted: boolean;
}

const INDEXES = new WeakMap<Trace, TraceIndex>();

function indexOf(trace: Trace): TraceIndex {
    let index = INDEXES.get(trace);
    if (!index) {
        const bursts = [...trace.bursts].sort((a, b) => a.at - b.at);
        const burstAt = new Float64Array(bursts.length);
        const burstTotal = new Float64Array(bursts.length + 1);
        bursts.forEach((b, i) => { burstAt[i] = b.at; burstTotal[i + 1] = burstTotal[i]! + b.count; });
        const segmentsSorted = trace.segments.every((s, i) => i === 0 || s.from >= trace.segments[i - 1]!.to);
        index = { burstAt, burstTotal, segmentsSorted };
        INDEXES.set(trace, index);
    }
    return index;
}

/** The first index whose value is >= x (values ascending). */
function firstAtLeast(values: ArrayLike<number>, x: number): number {
    let lo = 0;
    let hi = values.length;
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (values[mid]! < x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/** Units arriving in [t0, t1): the integral of the rate plus the bursts in that interval. */
export function arrivalsBetween(trace: Trace, t0: number, t1: number): number {
    const index = indexOf(trace);
    let total = 0;
    const segments = trace.segments;
    // Sorted segments apart from each other: start at the last one that begins before t0.
    let first = 0;
    if (index.segmentsSorted) {
        let lo = 0;
        let hi = segments.length;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (segments[mid]!.to <= t0) lo = mid + 1;
            else hi = mid;
        }
        first = lo;
    }
    for (let i = first; i < segments.length; i++) {
        const s = segments[i]!;
        if (index.segmentsSorted && s.from >= t1) break;
        const a = Math.max(t0, s.from);
        const b = Math.min(t1, s.to);
        if (b <= a) continue;
        const at = (t: number) => s.rateFrom + ((s.rateTo - s.rateFrom) * (t - s.from)) / (s.to - s.from);
        total += (((index.segmentsSorted ? at(a) : rateAt(trace, a)) + at(b)) / 2) * (b - a);
    }
    if (index.burstAt.length > 0) total += index.burstTotal[firstAtLeast(index.burstAt, t1)]! - index.burstTotal[firstAtLeast(index.burstAt, t0)]!;
    return total;
}

const MIN = 60;
const flat = (from: number, to: number, rate: number): TraceSegment => ({ from, to, rateFrom: rate, rateTo: rate });
const line = (from: number, to: number, rateFrom: number, rateTo: number): TraceSegment => ({ from, to, rateFrom, rateTo });

/** `mixed`: a quiet baseline, a 300-message burst at minute 3, recovery, a ramp, two sawtooth teeth and an idle tail. */
const MIXED_DURATION = 28 * MIN;
const MIXED_SEGMENTS: readonly TraceSegment[] = [
    flat(0, 3 * MIN, 0.5),
    flat(3 * MIN, 8 * MIN, 0.5),
    line(8 * MIN, 14 * MIN, 0.5, 8),
    line(14 * MIN, 18 * MIN, 1, 8),
    line(18 * MIN, 22 * MIN, 1, 8),
    flat(22 * MIN, 28 * MIN, 0),
];
const MIXED_BURSTS: readonly TraceBurst[] = [{ at: 3 * MIN, count: 300 }];

/**
 * Single arrivals of a Poisson process whose rate follows the segments (thinning: candidates at the
 * segment's highest rate, each kept with probability rate / highest), so a trace has the gaps and
 * clumps of independent producers instead of a smooth flow.
 */
export function poissonArrivals(segments: readonly TraceSegment[], random: () => number): TraceBurst[] {
    const out: TraceBurst[] = [];
    for (const s of segments) {
        const peak = Math.max(s.rateFrom, s.rateTo);
        if (!(peak > 0)) continue;
        for (let t = s.from - Math.log(1 - random()) / peak; t < s.to; t -= Math.log(1 - random()) / peak) {
            const rate = s.rateFrom + ((s.rateTo - s.rateFrom) * (t - s.from)) / (s.to - s.from);
            if (random() * peak < rate) out.push({ at: t, count: 1 });
        }
    }
    return out;
}

const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Monday 2 November 2026, 00:00 UTC: the first measured day of the calendar traces. */
export const CALENDAR_WEEK_START_MS = Date.parse("2026-11-02T00:00:00Z");

/** 0 at and outside [from, to) hours, rising as a raised cosine to 1 at the middle. */
function hump(hour: number, from: number, to: number): number {
    return hour <= from || hour >= to ? 0 : (1 - Math.cos((2 * Math.PI * (hour - from)) / (to - from))) / 2;
}

/**
 * The noise-free load of the diurnal week at an instant (units/s), by UTC hour and weekday: 1/s at
 * night; on weekdays a hump from 06:00 to 22:00 peaking at 8/s at 14:00, on Saturday and Sunday one
 * peaking at 3/s.
 */
export function diurnalWeekLevel(epochMs: number): number {
    const date = new Date(epochMs);
    const hour = (epochMs - Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())) / 3_600_000;
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
    return 1 + (weekend ? 2 : 7) * hump(hour, 6, 22);
}

/**
 * The noise-free load of office hours at an instant (units/s), by UTC hour and weekday: 0.5/s outside
 * office hours; on weekdays a ramp from 08:00 to 09:00 up to 6/s, held until 17:00, down by 18:00.
 */
export function officeHoursLevel(epochMs: number): number {
    const date = new Date(epochMs);
    const hour = (epochMs - Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())) / 3_600_000;
    if (date.getUTCDay() === 0 || date.getUTCDay() === 6 || hour <= 8 || hour >= 18) return 0.5;
    return 0.5 + 5.5 * Math.min(1, hour - 8, 18 - hour);
}

/**
 * A calendar trace: `days` measured days from Monday `CALENDAR_WEEK_START_MS`, preceded by
 * `historyDays` of history, as 5-minute linear pieces between the level at each piece's edge times a
 * seeded factor in [1 - noise, 1 + noise), so a seed repeats the trace exactly.
 */
export function calendarTrace(name: string, level: (epochMs: number) => number, o: { seed: number; days: number; historyDays: number; noise: number }): Trace {
    const random = seededRandom(o.seed);
    const piece = 5 * MIN;
    const epochMs = CALENDAR_WEEK_START_MS - o.historyDays * DAY * 1000;
    const duration = (o.historyDays + o.days) * DAY;
    const at = (t: number) => level(epochMs + t * 1000) * (1 - o.noise + 2 * o.noise * random());
    return { name, duration, segments: sampled(duration, piece, at), bursts: [], epochMs, historySeconds: o.historyDays * DAY };
}

/** `rate` sampled every `piece` seconds from 0 to `duration`, joined by straight lines (each sample taken once, in order). */
function sampled(duration: number, piece: number, rate: (t: number) => number): TraceSegment[] {
    const segments: TraceSegment[] = [];
    let prev = rate(0);
    for (let t = 0; t < duration; t += piece) {
        const next = rate(t + piece);
        segments.push(line(t, t + piece, prev, next));
        prev = next;
    }
    return segments;
}

/** The week of diurnal load, 3 days of history (Friday to Sunday) first, +-10 % noise. */
export function diurnalWeekTrace(seed = 1, historyDays = 3): Trace {
    return calendarTrace("diurnal-week", diurnalWeekLevel, { seed, days: 7, historyDays, noise: 0.1 });
}

/** A week of office hours, 3 days of history first, +-10 % noise. */
export function officeHoursTrace(seed = 1, historyDays = 3): Trace {
    return calendarTrace("office-hours", officeHoursLevel, { seed, days: 7, historyDays, noise: 0.1 });
}

/**
 * The built-in traces, in units per second (with workers of 2 messages/s, 8/s needs 4 tasks).
 * `mixed` is the 28-minute closed-loop trace: quiet start, a 300-message burst, a ramp, a sawtooth and
 * an idle tail; `mixed-poisson` is the same with Poisson arrivals (one per message, seeded);
 * `diurnal-week` and `office-hours` are calendar weeks with 3 days of history first.
 */
export const BUILT_IN_TRACES: Readonly<Record<string, (seed: number) => Trace>> = {
    step: () => ({ name: "step", duration: 40 * MIN, segments: [flat(0, 10 * MIN, 1), flat(10 * MIN, 40 * MIN, 8)], bursts: [] }),
    burst: () => ({ name: "burst", duration: 25 * MIN, segments: [flat(0, 25 * MIN, 0.5)], bursts: [{ at: 2 * MIN, count: 300 }] }),
    ramp: () => ({
        name: "ramp", duration: 30 * MIN,
        segments: [line(0, 20 * MIN, 0, 16), flat(20 * MIN, 25 * MIN, 16), line(25 * MIN, 30 * MIN, 16, 0)], bursts: [],
    }),
    sawtooth: () => ({
        name: "sawtooth", duration: 40 * MIN,
        segments: [0, 1, 2, 3].map((i) => line(i * 10 * MIN, (i + 1) * 10 * MIN, 0, 10)), bursts: [],
    }),
    idle: () => ({ name: "idle", duration: 30 * MIN, segments: [flat(0, 5 * MIN, 2), flat(5 * MIN, 30 * MIN, 0)], bursts: [] }),
    diurnal: (seed) => {
        // A day: 1/s at night to 8/s mid-day, in 5-minute pieces with +-10 % seeded noise.
        const random = seededRandom(seed);
        const piece = 5 * MIN;
        const day = 24 * 60 * MIN;
        const level = (t: number) => (1 + 3.5 * (1 - Math.cos((2 * Math.PI * t) / day))) * (0.9 + 0.2 * random());
        return { name: "diurnal", duration: day, segments: sampled(day, piece, level), bursts: [] };
    },
    "diurnal-week": (seed) => diurnalWeekTrace(seed),
    "office-hours": (seed) => officeHoursTrace(seed),
    mixed: () => ({ name: "mixed", duration: MIXED_DURATION, segments: MIXED_SEGMENTS, bursts: MIXED_BURSTS }),
    "mixed-poisson": (seed) => ({
        name: "mixed-poisson", duration: MIXED_DURATION, segments: [],
        bursts: [...poissonArrivals(MIXED_SEGMENTS, seededRandom(seed)), ...MIXED_BURSTS].sort((a, b) => a.at - b.at),
    }),
};
export const BUILT_IN_TRACE_NAMES = Object.keys(BUILT_IN_TRACES);

/** A built-in trace by name; throws naming the known ones. */
export function builtInTrace(name: string, seed = 1): Trace {
    const make = BUILT_IN_TRACES[name];
    if (!make) throw new Error(`--trace: "${name}" is not a built-in trace (${BUILT_IN_TRACE_NAMES.join(", ")}) nor a .csv file`);
    return make(seed);
}

/** A single burst of `count` units at `at` seconds, then `tail` seconds of nothing. */
export function burstTrace(count: number, at = 0, tail = 10 * MIN): Trace {
    return { name: `burst-${count}`, duration: at + tail, segments: [], bursts: [{ at, count }] };
}

/**
 * A CSV trace: lines `seconds,rate` (a header line and blank lines allowed), seconds ascending from 0.
 * Each rate holds until the next line; the last line ends the trace. Every bad line is reported.
 */
export function parseCsvTrace(text: string, name = "csv"): Trace {
    const rows: { t: number; rate: number }[] = [];
    const problems: string[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
        const lineText = raw.trim();
        if (lineText === "" || lineText.startsWith("#")) return;
        const cells = lineText.split(",").map((c) => c.trim());
        if (rows.length === 0 && i === 0 && cells.some((c) => c !== "" && Number.isNaN(Number(c)))) return; // header
        const t = Number(cells[0]);
        const rate = Number(cells[1]);
        if (cells.length !== 2 || cells[0] === "" || cells[1] === "" || !Number.isFinite(t) || !Number.isFinite(rate)) {
            problems.push(`line ${i + 1}: ${JSON.stringify(raw)} must be seconds,rate (two numbers)`);
        } else if (t < 0 || rate < 0) {
            problems.push(`line ${i + 1}: ${JSON.stringify(raw)} seconds and rate must be >= 0`);
        } else if (rows.length > 0 && t <= rows[rows.length - 1].t) {
            problems.push(`line ${i + 1}: seconds ${t} must be greater than the previous line's ${rows[rows.length - 1].t}`);
        } else {
            rows.push({ t, rate });
        }
    });
    if (problems.length === 0 && rows.length < 2) problems.push("a CSV trace needs at least two lines of seconds,rate");
    if (problems.length > 0) throw new Error(`trace ${name}: ${problems.join("; ")}`);
    const segments = rows.slice(0, -1).map((r, i) => flat(r.t, rows[i + 1].t, r.rate));
    return { name, duration: rows[rows.length - 1].t, segments, bursts: [] };
}
