/**
 * `npm run bench:diurnal-week [-- --stack staging --service worker --seed 1 --tick 5 --worker-rate 1 --target-age 60]`:
 * the week of diurnal load (3 days of history first, which the controllers run through and the figures
 * leave out) replayed against every controller the service's plan can hold, as `autoscale simulate
 * --compare` runs them, and printed as one table: task-minutes and their ratio to the oracle's, p95 and
 * max message age against the target, time above the target, scale events. The bar for the queue
 * autoscaler with its forecast: p95 message age within the target and at most 1.15x the oracle's
 * task-minutes. Prints figures; asserts nothing.
 */
import { performance } from "perf_hooks";
import { loadStackFile } from "../config/stack-file";
import { simulateStack, type SimulateFlags } from "../proof/simulate";
import { CONTROLLER_NAMES } from "../proof/simulate-controllers";

/** The bar of the queue autoscaler with its forecast: task-minutes at most this times the oracle's. */
const TASK_MINUTES_BAR = 1.15;

function flag(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function main(): void {
    const stack = flag("stack", "staging");
    const flags: SimulateFlags = {
        service: flag("service", "worker"), trace: "diurnal-week", compare: true, seed: flag("seed", "1"), out: "unused",
        tick: flag("tick", "5"), workerRate: flag("worker-rate", "1"), targetAge: flag("target-age", "60"), taskCapacity: "100",
        ...(process.argv.includes("--start-delay") ? { startDelay: flag("start-delay", "30") } : {}),
    };
    const started = performance.now();
    const run = simulateStack(loadStackFile(stack), flags);
    const seconds = (performance.now() - started) / 1000;
    const target = run.target.kind === "age" ? run.target.seconds : NaN;
    const oracle = run.results.find((r) => r.controller === CONTROLLER_NAMES.oracle)!.metrics;
    const rows = [["controller", "task-min", "x oracle", "p95 age", "max age", "above target", "scale events"]];
    for (const r of run.results) {
        const m = r.metrics;
        rows.push([
            r.controller, m.taskMinutes.toFixed(0), (m.taskMinutes / oracle.taskMinutes).toFixed(3),
            `${m.waitP95Seconds ?? "-"} s ${m.waitP95Seconds !== undefined && m.waitP95Seconds <= target ? "<=" : ">"} ${target} s`,
            `${(m.waitMaxSeconds ?? 0).toFixed(0)} s`, `${m.timeAboveTargetSeconds} s`, String(m.desiredChanges),
        ]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    console.log(`${stack}/${run.service}, trace ${run.trace} (seed ${run.seed}, 3 days of history then 7 measured days from Monday 2026-11-02 UTC), ` +
        `tick ${run.tickSeconds} s, workers ${run.workload.kind === "queue" ? run.workload.perTaskRate : 0} msg/s, target age ${target} s, task start ${run.params.taskStartSeconds} s`);
    console.log(line(rows[0]!));
    console.log(line(widths.map((w) => "-".repeat(w))));
    for (const row of rows.slice(1)) console.log(line(row));
    const forecast = run.results.find((r) => r.controller === CONTROLLER_NAMES.autoscalerForecast);
    if (forecast) {
        const m = forecast.metrics;
        const ratio = m.taskMinutes / oracle.taskMinutes;
        const ok = m.waitP95Seconds !== undefined && m.waitP95Seconds <= target && ratio <= TASK_MINUTES_BAR;
        console.log(`bar (${CONTROLLER_NAMES.autoscalerForecast}: p95 age <= ${target} s and <= ${TASK_MINUTES_BAR}x the oracle's task-minutes): ` +
            `${ok ? "met" : "missed"} (p95 ${m.waitP95Seconds} s, ${ratio.toFixed(3)}x)`);
    } else {
        console.log(`bar: no ${CONTROLLER_NAMES.autoscalerForecast} row to judge`);
    }
    console.log(`simulated in ${seconds.toFixed(1)} s`);
}

main();
