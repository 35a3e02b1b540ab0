/**
 * Benchmark: the queue autoscaler in the simulator's closed loop against its oracle, before and after
 * its decisions followed demand.
 *
 * The simulator (scaling/simulate.ts) replays a built-in trace on its queue workload with workers of
 * PROCESSING_RATE messages/s that run TASK_START_S after the desired count rises. Controllers:
 * - before: the threshold rules as they were (bench/legacy-decision.ts) with the staging settings,
 *   deciding every INTERVAL_S as the control loop does;
 * - after: the decision function the autoscaler runs (runtime/autoscaler/simulation.ts), with an
 *   acceptable age of ACCEPTABLE_AGE_S and the processing rate configured, for each stabilization
 *   window asked for; and once with the processing rate learned from the drain;
 * - oracle: scaling/oracle.ts, the fewest tasks that keep every message within ACCEPTABLE_AGE_S knowing
 *   the trace, asked for TASK_START_S ahead.
 * Printed per trace: task-minutes (running plus starting tasks), p50/p95/max message wait, desired-count
 * changes, and the ratios to the oracle.
 *
 * Run: npm run bench:closed-loop [-- --window <seconds>[,<seconds>...]] (default: 60,90,120,180,300)
 */
import { decideByThresholds, type LegacySettings } from "./legacy-decision";
import { AUTOSCALER_SETTINGS } from "../scaling/autoscaler-settings";
import { oracleController, oracleNeed } from "../scaling/oracle";
import { runClosedLoop, type Controller, type RunMetrics } from "../scaling/simulate";
import { builtInTrace, type Trace } from "../scaling/traces";
import { simulateQueueAutoscaler } from "../runtime/autoscaler/simulation";
import type { DecisionSettings } from "../runtime/autoscaler/types";

const PROCESSING_RATE = 2;
const TASK_START_S = 40;
const ACCEPTABLE_AGE_S = 60;
const INTERVAL_S = 5;
const TRACES = ["burst", "ramp", "sawtooth", "mixed"] as const;

/** The staging stack's queue autoscaler settings (Pulumi.staging.yaml) with the worker's bounds. */
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

/** The threshold rules as a simulator controller, deciding every INTERVAL_S. */
function legacyController(): Controller {
    let last: { scaleUp?: { at: number; to: number }; scaleDown?: { at: number } } = {};
    let nextAt = 0;
    return {
        name: "before",
        tick(view) {
            if (view.now + 1e-9 < nextAt) return undefined;
            nextAt = view.now + INTERVAL_S;
            const now = Math.round(view.now * 1000);
            const d = decideByThresholds({ observation: view.signals, counts: view, settings: STAGING, last, now });
            if (d.desired === view.desired) return undefined;
            last = d.desired > view.desired ? { ...last, scaleUp: { at: now, to: d.desired } } : { ...last, scaleDown: { at: now } };
            return { desired: d.desired, reason: `${d.reason.code}: ${d.reason.text}` };
        },
    };
}

/** The runtime's settings for "after": staging's, plus the acceptable age and the window. */
function afterSettings(windowS: number, rate: number | undefined): DecisionSettings {
    return {
        ...STAGING,
        scaleDownStep: undefined,
        countInFlight: AUTOSCALER_SETTINGS.countInFlight.default,
        scaleDownCooldownMs: windowS * 1000,
        acceptableAgeSeconds: ACCEPTABLE_AGE_S,
        ...(rate === undefined ? {} : { processingRate: rate }),
    };
}

interface Row {
    readonly trace: string;
    readonly controller: string;
    readonly m: RunMetrics;
    readonly oracle: RunMetrics;
}

function run(trace: Trace, windows: readonly number[], learnedWindow: number): Row[] {
    const workload = { kind: "queue", perTaskRate: PROCESSING_RATE } as const;
    const target = { kind: "age", seconds: ACCEPTABLE_AGE_S } as const;
    const params = { taskStartSeconds: TASK_START_S, launchRatePerMinute: 500 };
    const oracleOptions = { trace, workload, target, tickSeconds: 1, minCapacity: STAGING.minCapacity, maxCapacity: STAGING.maxCapacity, taskStartSeconds: TASK_START_S };
    const need = oracleNeed(oracleOptions);
    const o = oracleController(oracleOptions, need);
    const loop = { trace, workload, target, tickSeconds: 1, params, need };
    const oracle = runClosedLoop(o.controller, { ...loop, initialDesired: o.initialDesired }).metrics;
    const after = (windowS: number, rate: number | undefined) => simulateQueueAutoscaler({
        trace, settings: afterSettings(windowS, rate), intervalSeconds: INTERVAL_S, workerRate: PROCESSING_RATE,
        startDelaySeconds: TASK_START_S, targetAgeSeconds: ACCEPTABLE_AGE_S, need,
    }).metrics;
    return [
        { trace: trace.name, controller: "oracle", m: oracle, oracle },
        { trace: trace.name, controller: "before (thresholds)", m: runClosedLoop(legacyController(), { ...loop, initialDesired: STAGING.minCapacity }).metrics, oracle },
        ...windows.map((w) => ({ trace: trace.name, controller: `after, window ${w}s`, m: after(w, PROCESSING_RATE), oracle })),
        { trace: trace.name, controller: `after, window ${learnedWindow}s, rate learned`, m: after(learnedWindow, undefined), oracle },
    ];
}

function format(rows: readonly Row[]): string {
    const head = ["trace", "controller", "task-min", "x oracle", "p50 s", "p95 s", "max s", "changes", "x oracle"];
    const n = (v: number | undefined) => (v ?? 0).toFixed(1);
    const body = rows.map(({ trace, controller, m, oracle }) => [
        trace,
        controller,
        n(m.taskMinutes),
        (m.taskMinutes / oracle.taskMinutes).toFixed(2),
        n(m.waitP50Seconds),
        n(m.waitP95Seconds),
        n(m.waitMaxSeconds),
        String(m.desiredChanges),
        (m.desiredChanges / Math.max(1, oracle.desiredChanges)).toFixed(2),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    return [line(head), ...body.map(line)].join("\n");
}

function main(): void {
    const arg = process.argv.indexOf("--window");
    const windows = arg > 0 ? (process.argv[arg + 1] ?? "").split(",").map(Number) : [60, 90, 120, 180, 300];
    if (windows.some((w) => !Number.isInteger(w) || w < 0)) {
        console.error(`--window: ${JSON.stringify(process.argv[arg + 1])} must be whole seconds >= 0, comma-separated`);
        process.exit(2);
    }
    const chosen = AUTOSCALER_SETTINGS.scaleDownCooldown.default;
    console.log(`Workers of ${PROCESSING_RATE} messages/s starting ${TASK_START_S} s after the desired count rises; acceptable age ${ACCEPTABLE_AGE_S} s; bounds ${STAGING.minCapacity}..${STAGING.maxCapacity}; a decision every ${INTERVAL_S} s.`);
    console.log(`before: thresholds ${STAGING.scaleUpThreshold}/${STAGING.scaleDownThreshold}, cooldowns ${STAGING.scaleUpCooldownMs / 1000}/${STAGING.scaleDownCooldownMs / 1000} s, step ${STAGING.scaleDownStep}, in flight not counted.`);
    console.log(`after: acceptable age ${ACCEPTABLE_AGE_S} s, processing rate ${PROCESSING_RATE}/s configured (or learned), no step cap, in flight counted; the default window is ${chosen} s.`);
    const rows = TRACES.flatMap((name) => run(builtInTrace(name), windows, chosen));
    console.log(format(rows));
}

if (require.main === module) main();
