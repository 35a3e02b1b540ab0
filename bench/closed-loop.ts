/**
 * Benchmark: the queue autoscaler in a closed loop against an oracle, before and after its decisions
 * followed demand.
 *
 * A queue workload (FIFO messages, workers of PROCESSING_RATE messages/s that run TASK_START_S after
 * the desired count rises) is replayed second by second on each trace; every INTERVAL_S the controller
 * reads the queue (visible, in flight) and the service (desired, running, pending) and sets the desired
 * count. Controllers:
 * - before: the threshold rules as they were (bench/legacy-decision.ts) with the staging settings;
 * - after: the decision function the autoscaler runs, with an acceptable age of ACCEPTABLE_AGE_S and the
 *   processing rate configured (and, as a second row, learned from the drain);
 * - oracle: knows the trace; the fewest running tasks, 5 s at a time, that start every message within
 *   ACCEPTABLE_AGE_S (serving each message as late as its deadline allows), each task asked for
 *   TASK_START_S before it must run and kept through dips shorter than that.
 * Printed per trace: task-minutes (desired tasks, starting ones included), p50/p95/max message wait
 * (arrival to the start of processing), desired-count changes, and the ratios to the oracle.
 *
 * Run: npm run bench:closed-loop [-- --window <seconds>[,<seconds>...]] (default: 60,90,120,180,300)
 */
import { decideByThresholds, type LegacySettings } from "./legacy-decision";
import { decideForDemand, type DemandDecisionSettings } from "../runtime/autoscaler/demand-decision";
import type { DemandMemory } from "../runtime/autoscaler/demand";

const PROCESSING_RATE = 2;
const TASK_START_S = 40;
const ACCEPTABLE_AGE_S = 60;
const INTERVAL_S = 5;

/** Arrivals: a rate in messages/s at each second, plus bursts of messages landing at once. */
export interface Trace {
    readonly name: string;
    readonly seconds: number;
    rate(t: number): number;
    readonly bursts: readonly { readonly at: number; readonly messages: number }[];
}

const sawtooth = (t: number, period: number, peak: number) => ((t % period) / period) * peak;

export const TRACES: readonly Trace[] = [
    {
        name: "burst",
        // 2 min at 0.5/s, 300 messages at once, then 1/s for 10 min.
        seconds: 840,
        rate: (t) => (t < 120 ? 0.5 : 1),
        bursts: [{ at: 120, messages: 300 }],
    },
    {
        name: "ramp",
        // 0.5/s for 2 min, up to 10/s over 10 min, 10/s for 2 min, then 1/s for 4 min.
        seconds: 1080,
        rate: (t) => (t < 120 ? 0.5 : t < 720 ? 0.5 + ((t - 120) / 600) * 9.5 : t < 840 ? 10 : 1),
        bursts: [],
    },
    {
        name: "sawtooth+idle",
        // Four 4-minute teeth from 0 to 8/s, then 8 min with no arrivals.
        seconds: 1440,
        rate: (t) => (t < 960 ? sawtooth(t, 240, 8) : 0),
        bursts: [],
    },
    {
        name: "28-min",
        // Quiet start, a 300-message burst, a ramp, a sawtooth and an idle tail.
        seconds: 1680,
        rate: (t) => (t < 180 ? 0.3 : t < 480 ? 1 : t < 840 ? 1 + ((t - 480) / 360) * 7 : t < 1380 ? sawtooth(t - 840, 180, 8) : 0),
        bursts: [{ at: 180, messages: 300 }],
    },
];

/** Arrival times, deterministic: the k-th message of the rate arrives when the cumulative rate reaches k. */
export function arrivals(trace: Trace): number[] {
    const out: number[] = [];
    let cumulative = 0;
    for (let t = 0; t < trace.seconds; t++) {
        const r = trace.rate(t);
        const before = cumulative;
        cumulative += r;
        for (let k = Math.floor(before) + 1; k <= Math.floor(cumulative); k++) out.push(t + (k - before) / r);
        for (const b of trace.bursts) if (b.at === t) for (let i = 0; i < b.messages; i++) out.push(t);
    }
    return out.sort((a, b) => a - b);
}

export interface Outcome {
    readonly taskMinutes: number;
    readonly waits: readonly number[];
    readonly changes: number;
    /** Messages left in the queue at the end. */
    readonly left: number;
}

interface Reading {
    readonly now: number;
    readonly visible: number;
    readonly inFlight: number;
    readonly desired: number;
    readonly running: number;
    readonly pending: number;
}

/** A controller: given a reading, the desired count (it keeps whatever state it needs). */
export type Controller = (r: Reading) => number;

/** Replays the trace second by second with the controller deciding every INTERVAL_S. */
export function closedLoop(trace: Trace, controller: Controller, minCapacity: number): Outcome {
    const arrivalTimes = arrivals(trace);
    let next = 0;
    const queue: number[] = [];
    let head = 0;
    let desired = minCapacity;
    let running = minCapacity;
    const starting: number[] = [];
    const waits: number[] = [];
    let taskSeconds = 0;
    let changes = 0;
    let credit = 0;
    let inFlight = 0;
    for (let t = 0; t < trace.seconds; t++) {
        if (t % INTERVAL_S === 0) {
            const to = controller({ now: t * 1000, visible: queue.length - head, inFlight, desired, running, pending: starting.length });
            if (to !== desired) {
                changes++;
                if (to > desired) for (let i = desired; i < to; i++) starting.push(t + TASK_START_S);
                else {
                    let remove = desired - to;
                    while (remove > 0 && starting.length > 0) { starting.pop(); remove--; }
                    running -= remove;
                }
                desired = to;
            }
        }
        while (starting.length > 0 && starting[0]! <= t) { starting.shift(); running++; }
        while (next < arrivalTimes.length && arrivalTimes[next]! < t + 1) queue.push(arrivalTimes[next++]!);
        // Each running task starts PROCESSING_RATE messages a second, one after the other.
        credit = running === 0 ? 0 : credit + running * PROCESSING_RATE;
        const perSlot = 1 / Math.max(1, running * PROCESSING_RATE);
        let served = 0;
        inFlight = 0;
        while (credit >= 1 && head < queue.length) {
            const start = Math.max(t + served * perSlot, queue[head]!);
            if (start >= t + 1) break;
            waits.push(start - queue[head]!);
            // In flight at the next reading (t + 1): received and still being processed.
            if (start + 1 / PROCESSING_RATE > t + 1) inFlight++;
            head++;
            served++;
            credit--;
        }
        credit = Math.min(credit, running * PROCESSING_RATE);
        taskSeconds += desired;
    }
    return { taskMinutes: taskSeconds / 60, waits, changes, left: queue.length - head };
}

/**
 * Running tasks per step of the lazy schedule capped at `cap` tasks: each step runs the fewest tasks
 * that keep every deadline (arrival + ACCEPTABLE_AGE_S) reachable with at most `cap` tasks later on.
 * Undefined when `cap` tasks cannot keep them.
 */
function lazySchedule(times: readonly number[], steps: number, cap: number, min: number): number[] | undefined {
    const perTaskStep = PROCESSING_RATE * INTERVAL_S;
    // due[k]: messages whose deadline falls by the end of step k; arrived[k]: messages in by then.
    const due: number[] = [];
    const arrived: number[] = [];
    let d = 0;
    let a = 0;
    for (let k = 0; k < steps; k++) {
        const end = (k + 1) * INTERVAL_S;
        while (d < times.length && times[d]! + ACCEPTABLE_AGE_S <= end) d++;
        while (a < times.length && times[a]! < end) a++;
        due.push(d);
        arrived.push(a);
    }
    // must[k]: served by the end of step k so that `cap` tasks can keep every later deadline.
    const must = new Array<number>(steps).fill(0);
    for (let k = steps - 1; k >= 0; k--) must[k] = Math.max(due[k]!, k + 1 < steps ? must[k + 1]! - cap * perTaskStep : 0);
    const running: number[] = [];
    let served = 0;
    for (let k = 0; k < steps; k++) {
        const tasks = Math.max(min, Math.ceil(Math.max(0, must[k]! - served) / perTaskStep));
        if (tasks > cap) return undefined;
        running.push(tasks);
        served = Math.min(arrived[k]!, served + tasks * perTaskStep);
        if (served < must[k]!) return undefined;
    }
    return running;
}

/**
 * The oracle (see the top of the file), in steps of INTERVAL_S: of the lazy schedules capped at each
 * count from min to max, the one with the fewest task-minutes once every task is asked for TASK_START_S
 * ahead (a low cap spreads a burst over fewer tasks that start once).
 */
export function oracle(trace: Trace, min: number, max: number): Outcome {
    const times = arrivals(trace);
    const steps = Math.ceil((trace.seconds + ACCEPTABLE_AGE_S) / INTERVAL_S);
    const ahead = TASK_START_S / INTERVAL_S;
    let best: { desired: number[]; running: number[]; cost: number } | undefined;
    for (let cap = Math.max(1, min); cap <= max; cap++) {
        const running = lazySchedule(times, steps, cap, min);
        if (!running) continue;
        const desired = running.map((_, k) => Math.max(...running.slice(k, k + ahead + 1)));
        const cost = desired.reduce((x, y) => x + y, 0);
        if (!best || cost < best.cost) best = { desired, running, cost };
    }
    if (!best) throw new Error(`no schedule of at most ${max} tasks keeps every message of ${trace.name} within ${ACCEPTABLE_AGE_S} s`);
    // Waits: each step's tasks start the earliest waiting messages, evenly spread over the step.
    const waits: number[] = [];
    let head = 0;
    best.running.forEach((tasks, k) => {
        const capacity = tasks * PROCESSING_RATE * INTERVAL_S;
        const slot = INTERVAL_S / Math.max(1, capacity);
        for (let i = 0; i < capacity && head < times.length; i++) {
            const start = Math.max(k * INTERVAL_S + i * slot, times[head]!);
            if (start >= (k + 1) * INTERVAL_S) break;
            waits.push(start - times[head]!);
            head++;
        }
    });
    const stepsInTrace = best.desired.slice(0, Math.ceil(trace.seconds / INTERVAL_S));
    const changes = stepsInTrace.filter((d, k) => k > 0 && d !== stepsInTrace[k - 1]).length;
    return { taskMinutes: stepsInTrace.reduce((x, y) => x + y, 0) * INTERVAL_S / 60, waits, changes, left: times.length - head };
}

const STAGING: LegacySettings = {
    minCapacity: 1,
    maxCapacity: 10,
    scaleUpThreshold: 10,
    scaleDownThreshold: 2,
    scaleUpCooldownMs: 30_000,
    scaleDownCooldownMs: 120_000,
    scaleDownStep: 1,
    countInFlight: false,
};

function legacyController(): Controller {
    let last: { scaleUp?: { at: number; to: number }; scaleDown?: { at: number } } = {};
    return (r) => {
        const d = decideByThresholds({ observation: r, counts: r, settings: STAGING, last, now: r.now });
        if (d.desired > r.desired) last = { ...last, scaleUp: { at: r.now, to: d.desired } };
        if (d.desired < r.desired) last = { ...last, scaleDown: { at: r.now } };
        return d.desired;
    };
}

function demandController(settings: DemandDecisionSettings): Controller {
    let last: { scaleUp?: { at: number; from: number; to: number }; scaleDown?: { at: number; from: number; to: number } } = {};
    let memory: DemandMemory | undefined;
    return (r) => {
        const d = decideForDemand({
            observation: { visible: r.visible, inFlight: r.inFlight, delayed: 0, observedAt: r.now },
            counts: { desired: r.desired, running: r.running, pending: r.pending },
            settings,
            last,
            now: r.now,
            ...(memory ? { memory } : {}),
        });
        memory = d.memory;
        const action = { at: r.now, from: r.desired, to: d.desired };
        if (d.desired > r.desired) last = { ...last, scaleUp: action };
        if (d.desired < r.desired) last = { ...last, scaleDown: action };
        return d.desired;
    };
}

function percentile(sorted: readonly number[], p: number): number {
    if (sorted.length === 0) return 0;
    return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

interface Row {
    readonly trace: string;
    readonly controller: string;
    readonly o: Outcome;
    readonly ref: Outcome;
}

function format(rows: readonly Row[]): string {
    const head = ["trace", "controller", "task-min", "x oracle", "p50 s", "p95 s", "max s", "changes", "x oracle", "left"];
    const body = rows.map(({ trace, controller, o, ref }) => {
        const w = [...o.waits].sort((a, b) => a - b);
        return [
            trace,
            controller,
            o.taskMinutes.toFixed(1),
            (o.taskMinutes / ref.taskMinutes).toFixed(2),
            percentile(w, 0.5).toFixed(1),
            percentile(w, 0.95).toFixed(1),
            (w[w.length - 1] ?? 0).toFixed(1),
            String(o.changes),
            (o.changes / Math.max(1, ref.changes)).toFixed(2),
            String(o.left),
        ];
    });
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    return [line(head), ...body.map(line)].join("\n");
}

/** The stabilization window the measurements below picked (see docs/operations.md). */
const CHOSEN_WINDOW_S = 90;

function main(): void {
    const arg = process.argv.indexOf("--window");
    const windows = arg > 0 ? process.argv[arg + 1]!.split(",").map(Number) : [60, CHOSEN_WINDOW_S, 120, 180, 300];
    if (windows.some((w) => !(w >= 0))) {
        console.error(`--window: ${JSON.stringify(process.argv[arg + 1])} must be seconds >= 0, comma-separated`);
        process.exit(2);
    }
    const after = (windowS: number, rate?: number): DemandDecisionSettings => ({
        ...STAGING,
        // No cap on one scale-in: it goes as far as the stabilization window allows.
        scaleDownStep: STAGING.maxCapacity,
        countInFlight: true,
        scaleDownCooldownMs: windowS * 1000,
        acceptableAgeSeconds: ACCEPTABLE_AGE_S,
        ...(rate === undefined ? {} : { processingRate: rate }),
    });
    console.log(`Workers of ${PROCESSING_RATE} messages/s starting ${TASK_START_S} s after the desired count rises; acceptable age ${ACCEPTABLE_AGE_S} s; a reading every ${INTERVAL_S} s.`);
    console.log(`before: thresholds ${STAGING.scaleUpThreshold}/${STAGING.scaleDownThreshold}, cooldowns ${STAGING.scaleUpCooldownMs / 1000}/${STAGING.scaleDownCooldownMs / 1000} s, step ${STAGING.scaleDownStep}; after: acceptable age ${ACCEPTABLE_AGE_S} s, processing rate ${PROCESSING_RATE}/s (or learned), stabilization window as shown; bounds ${STAGING.minCapacity}..${STAGING.maxCapacity}.`);
    const rows: Row[] = [];
    for (const trace of TRACES) {
        const ref = oracle(trace, STAGING.minCapacity, STAGING.maxCapacity);
        rows.push({ trace: trace.name, controller: "oracle", o: ref, ref });
        rows.push({ trace: trace.name, controller: "before (thresholds)", o: closedLoop(trace, legacyController(), STAGING.minCapacity), ref });
        for (const w of windows) {
            rows.push({ trace: trace.name, controller: `after, window ${w}s`, o: closedLoop(trace, demandController(after(w, PROCESSING_RATE)), STAGING.minCapacity), ref });
        }
        const w = windows.includes(CHOSEN_WINDOW_S) ? CHOSEN_WINDOW_S : windows[0]!;
        rows.push({ trace: trace.name, controller: `after, window ${w}s, rate learned`, o: closedLoop(trace, demandController(after(w)), STAGING.minCapacity), ref });
    }
    console.log(format(rows));
}

if (require.main === module) main();
