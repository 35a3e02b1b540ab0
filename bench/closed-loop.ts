/**
 * Benchmark: the queue autoscaler in the simulator's closed loop against its oracle, with the settings
 * users actually ship.
 *
 * The simulator (scaling/simulate.ts) replays each built-in trace, and the mixed trace with Poisson
 * arrivals over SEEDS seeds, on its queue workload: workers of PROCESSING_RATE messages/s that run
 * TASK_START_S after the desired count rises. Settings, each parsed by the autoscaler's own
 * parseSettings from the environment the deployed task gets:
 * - "CLI defaults": only what `autoscale autoscaler run` requires (the queue, cluster, service, --max);
 * - one per stack file: its `autoscaler` section, built the way `autoscale simulate --compare` builds it
 *   (proof/simulate.ts), with the bounds of the service it scales;
 * - "tuned": min 1 and the processing rate configured, what a user who measured the workers would set.
 * Every setting runs with max MAX (enough tasks for every trace) and its own min; the oracle
 * (scaling/oracle.ts, the fewest tasks that keep every message within the setting's acceptable age,
 * knowing the trace) runs with the same bounds. Every run starts with the tasks the oracle starts with
 * (what the load at the start needs), as a service that has been running before the trace would. Printed per trace and setting: task-minutes, p95 and max
 * wait, desired-count changes and cancelled starts (tasks asked for and taken back before they ran), each
 * as a ratio to the oracle; the Poisson rows are means over the seeds. The last lines check the
 * targets: task-minutes at most 1.15 x the oracle's, p95 wait within the acceptable age, at most 2 x
 * the oracle's changes.
 *
 * Run: npm run bench:closed-loop [-- --legacy] (--legacy adds the threshold rules as they were,
 * bench/legacy-decision.ts, with the staging file's thresholds)
 */
import { decideByThresholds, type LegacySettings } from "./legacy-decision";
import { autoscalerSettingsFromStack } from "../proof/simulate";
import { loadStackFile, stackNames } from "../config/stack-file";
import { parseSettings } from "../runtime/autoscaler/settings";
import { simulateQueueAutoscaler } from "../runtime/autoscaler/simulation";
import type { DecisionSettings } from "../runtime/autoscaler/types";
import { AUTOSCALER_SETTINGS, envName } from "../scaling/autoscaler-settings";
import { oracleController, oracleNeed } from "../scaling/oracle";
import { runClosedLoop, type Controller, type RunResult } from "../scaling/simulate";
import { builtInTrace, BUILT_IN_TRACE_NAMES, type Trace } from "../scaling/traces";

const PROCESSING_RATE = 2;
const TASK_START_S = 40;
const MAX = 10;
const SEEDS = [1, 2, 3, 4, 5];
const POISSON = "mixed-poisson";
/** The targets the rows are checked against. */
const TARGET = { taskMinutes: 1.15, changes: 2 } as const;

interface Setting {
    readonly name: string;
    readonly decision: DecisionSettings;
    readonly intervalSeconds: number;
    /** Whether the targets apply (the CLI defaults and the stack files); the tuned setting is for comparison. */
    readonly checked: boolean;
}

/** The CLI's defaults: only the required flags given. */
function cliDefaults(): Setting {
    const parsed = parseSettings({}, {
        [envName("queueUrl")]: "https://sqs.us-east-1.amazonaws.com/000000000000/work", [envName("cluster")]: "bench", [envName("ecsService")]: "worker", [envName("max")]: String(MAX),
    });
    return { name: "CLI defaults", decision: parsed.services[0]!.decision, intervalSeconds: parsed.intervalMs / 1000, checked: true };
}

/** Each stack file's autoscaler settings, with its scaled service's min and max MAX. */
function stackSettings(): Setting[] {
    return stackNames().flatMap((stack) => {
        const config = loadStackFile(stack);
        const key = config.autoscaler.enabled ? config.autoscaler.service : undefined;
        const svc = key === undefined ? undefined : config.services[key];
        if (!svc) return [];
        const s = autoscalerSettingsFromStack(config.autoscaler, { ...svc.plan, maxCapacity: MAX });
        return [{ name: `Pulumi.${stack}.yaml`, decision: s.decision, intervalSeconds: s.intervalSeconds, checked: true }];
    });
}

function tuned(): Setting {
    const base = cliDefaults();
    return { name: "tuned", decision: { ...base.decision, minCapacity: 1, processingRate: PROCESSING_RATE }, intervalSeconds: base.intervalSeconds, checked: false };
}

/** The acceptable age a setting works to (its default when unset). */
function ageOf(s: DecisionSettings): number {
    return s.acceptableAgeSeconds ?? AUTOSCALER_SETTINGS.acceptableAge.default;
}

/** Tasks asked for and taken back before they ran: the starting tasks each scale-in cancelled. */
function cancelledStarts(r: RunResult): number {
    let cancelled = 0;
    for (const a of r.actions) {
        if (a.to >= a.from) continue;
        const i = Math.max(0, Math.min(r.running.length - 1, Math.round(a.t) - 1));
        // The engine stops starting tasks first (scaling/engine/fargate.ts).
        cancelled += Math.min(a.from - a.to, Math.max(0, a.from - r.running[i]!));
    }
    return cancelled;
}

interface Figures {
    readonly taskMinutes: number;
    readonly p95: number;
    readonly max: number;
    readonly changes: number;
    readonly cancelled: number;
}

function figures(r: RunResult): Figures {
    return { taskMinutes: r.metrics.taskMinutes, p95: r.metrics.waitP95Seconds ?? 0, max: r.metrics.waitMaxSeconds ?? 0, changes: r.metrics.desiredChanges, cancelled: cancelledStarts(r) };
}

function mean(xs: readonly Figures[]): Figures {
    const avg = (f: (x: Figures) => number) => xs.reduce((s, x) => s + f(x), 0) / xs.length;
    return { taskMinutes: avg((x) => x.taskMinutes), p95: avg((x) => x.p95), max: avg((x) => x.max), changes: avg((x) => x.changes), cancelled: avg((x) => x.cancelled) };
}

/** The threshold rules as they were, deciding every interval, as a simulator controller. */
function legacyController(settings: LegacySettings, intervalSeconds: number): Controller {
    let last: { scaleUp?: { at: number; to: number }; scaleDown?: { at: number } } = {};
    let nextAt = 0;
    return {
        name: "legacy",
        tick(view) {
            if (view.now + 1e-9 < nextAt) return undefined;
            nextAt = view.now + intervalSeconds;
            const now = Math.round(view.now * 1000);
            const d = decideByThresholds({ observation: view.signals, counts: view, settings, last, now });
            if (d.desired === view.desired) return undefined;
            last = d.desired > view.desired ? { ...last, scaleUp: { at: now, to: d.desired } } : { ...last, scaleDown: { at: now } };
            return { desired: d.desired, reason: `${d.reason.code}: ${d.reason.text}` };
        },
    };
}

interface Row {
    readonly trace: string;
    readonly setting: string;
    readonly age: number;
    readonly checked: boolean;
    readonly m: Figures;
    readonly oracle: Figures;
}

const oracles = new Map<string, Figures & { readonly initialDesired: number }>();

/** The oracle's run, and the count it starts with (what the load at the start needs): every setting starts there too. */
function oracleRun(trace: Trace, seed: number, min: number, age: number): Figures & { readonly initialDesired: number } {
    const key = `${trace.name}/${seed}/${min}/${age}`;
    let f = oracles.get(key);
    if (!f) {
        const workload = { kind: "queue", perTaskRate: PROCESSING_RATE } as const;
        const target = { kind: "age", seconds: age } as const;
        const options = { trace, workload, target, tickSeconds: 1, minCapacity: min, maxCapacity: MAX, taskStartSeconds: TASK_START_S };
        const need = oracleNeed(options);
        const o = oracleController(options, need);
        f = { ...figures(runClosedLoop(o.controller, { trace, workload, target, tickSeconds: 1, initialDesired: o.initialDesired, params: { taskStartSeconds: TASK_START_S, launchRatePerMinute: 500 } })), initialDesired: o.initialDesired };
        oracles.set(key, f);
    }
    return f;
}

function runSetting(trace: Trace, seed: number, s: Setting): { m: Figures; oracle: Figures } {
    const age = ageOf(s.decision);
    const oracle = oracleRun(trace, seed, s.decision.minCapacity, age);
    const r = simulateQueueAutoscaler({
        trace, settings: s.decision, intervalSeconds: s.intervalSeconds, workerRate: PROCESSING_RATE, startDelaySeconds: TASK_START_S, targetAgeSeconds: age,
        initialDesired: oracle.initialDesired,
    });
    return { m: figures(r), oracle };
}

function runLegacy(trace: Trace, seed: number, settings: LegacySettings, intervalSeconds: number): { m: Figures; oracle: Figures } {
    const age = AUTOSCALER_SETTINGS.acceptableAge.default;
    const workload = { kind: "queue", perTaskRate: PROCESSING_RATE } as const;
    const oracle = oracleRun(trace, seed, settings.minCapacity, age);
    const r = runClosedLoop(legacyController(settings, intervalSeconds), {
        trace, workload, target: { kind: "age", seconds: age }, tickSeconds: 1, initialDesired: oracle.initialDesired,
        params: { taskStartSeconds: TASK_START_S, launchRatePerMinute: 500 },
    });
    return { m: figures(r), oracle };
}

function format(rows: readonly Row[]): string {
    const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? "1.00" : "n/a") : (a / b).toFixed(2));
    const head = ["trace", "setting", "task-min", "x oracle", "p95 s", "max s", "age s", "changes", "x oracle", "cancelled", "oracle's"];
    const n = (v: number) => v.toFixed(1);
    const body = rows.map(({ trace, setting, age, m, oracle }) => [
        trace, setting,
        n(m.taskMinutes), ratio(m.taskMinutes, oracle.taskMinutes),
        n(m.p95), n(m.max), String(age),
        n(m.changes), ratio(m.changes, oracle.changes),
        n(m.cancelled), n(oracle.cancelled),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    return [line(head), ...body.map(line)].join("\n");
}

function main(): void {
    const started = Date.now();
    const settings = [cliDefaults(), ...stackSettings(), tuned()];
    const legacy = process.argv.includes("--legacy");
    const staging = loadStackFile("staging").autoscaler;
    const legacySettings: LegacySettings = {
        minCapacity: 1, maxCapacity: MAX, scaleUpThreshold: staging.scaleUpThreshold ?? 10, scaleDownThreshold: staging.scaleDownThreshold ?? 2,
        scaleUpCooldownMs: 30_000, scaleDownCooldownMs: 120_000, scaleDownStep: 1, countInFlight: false,
    };
    const traces = BUILT_IN_TRACE_NAMES.filter((t) => t !== POISSON);
    console.log(`Workers of ${PROCESSING_RATE} messages/s starting ${TASK_START_S} s after the desired count rises; bounds <the setting's min>..${MAX}; the oracle keeps every message within the setting's acceptable age.`);
    for (const s of settings) {
        const d = s.decision;
        console.log(`${s.name}: min ${d.minCapacity}, interval ${s.intervalSeconds} s, acceptable age ${ageOf(d)} s, processing rate ${d.processingRate ?? "learned"}, window ${d.scaleDownCooldownMs / 1000} s` +
            `${d.scaleUpThreshold === undefined ? "" : `, thresholds ${d.scaleUpThreshold}/${d.scaleDownThreshold ?? "-"}`}${d.scaleDownStep === undefined ? "" : `, step ${d.scaleDownStep}`}`);
    }
    const rows: Row[] = [];
    for (const name of traces) {
        const trace = builtInTrace(name);
        for (const s of settings) rows.push({ trace: name, setting: s.name, age: ageOf(s.decision), checked: s.checked, ...runSetting(trace, 1, s) });
        if (legacy) rows.push({ trace: name, setting: "legacy thresholds", age: AUTOSCALER_SETTINGS.acceptableAge.default, checked: false, ...runLegacy(trace, 1, legacySettings, 5) });
    }
    const poisson = SEEDS.map((seed) => builtInTrace(POISSON, seed));
    for (const s of settings) {
        const runs = poisson.map((trace, i) => runSetting(trace, SEEDS[i]!, s));
        rows.push({ trace: `${POISSON} x${SEEDS.length}`, setting: s.name, age: ageOf(s.decision), checked: s.checked, m: mean(runs.map((r) => r.m)), oracle: mean(runs.map((r) => r.oracle)) });
    }
    if (legacy) {
        const runs = poisson.map((trace, i) => runLegacy(trace, SEEDS[i]!, legacySettings, 5));
        rows.push({ trace: `${POISSON} x${SEEDS.length}`, setting: "legacy thresholds", age: AUTOSCALER_SETTINGS.acceptableAge.default, checked: false, m: mean(runs.map((r) => r.m)), oracle: mean(runs.map((r) => r.oracle)) });
    }
    console.log(format(rows));
    const misses = rows.filter((r) => r.checked).flatMap((r) => [
        ...(r.m.taskMinutes > TARGET.taskMinutes * r.oracle.taskMinutes ? [`${r.trace} / ${r.setting}: task-minutes ${(r.m.taskMinutes / r.oracle.taskMinutes).toFixed(2)} x the oracle's (target <= ${TARGET.taskMinutes})`] : []),
        ...(r.m.p95 > r.age ? [`${r.trace} / ${r.setting}: p95 wait ${r.m.p95.toFixed(1)} s above the acceptable age ${r.age} s`] : []),
        ...(r.m.changes > TARGET.changes * Math.max(1, r.oracle.changes) ? [`${r.trace} / ${r.setting}: ${r.m.changes.toFixed(1)} changes, ${(r.m.changes / Math.max(1, r.oracle.changes)).toFixed(2)} x the oracle's (target <= ${TARGET.changes})`] : []),
    ]);
    console.log(misses.length === 0
        ? `targets met by the CLI defaults and every stack file: task-minutes <= ${TARGET.taskMinutes} x the oracle's, p95 wait within the acceptable age, changes <= ${TARGET.changes} x the oracle's`
        : `targets missed:\n  ${misses.join("\n  ")}`);
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

if (require.main === module) main();
