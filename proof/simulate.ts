/**
 * The simulation behind `autoscale simulate --stack <name> --service <name> --trace <name|file.csv>`:
 * replays a load trace against a service's scaling plan as Application Auto Scaling would run it (the engine in
 * scaling/), reading the stack file through config/ (no Pulumi CLI). With --compare every controller the
 * service's plan can hold runs (simulate-controllers.ts), the queue autoscaler deciding with its real
 * decision function and the stack's `autoscaler` settings.
 * The oracle is always run: every figure is also shown as a ratio to it. The result is one table and
 * <out>/<stack>-<service>-<trace>.json and .svg.
 */
import { readFileSync } from "fs";
import { mkdir, writeFile } from "fs/promises";
import * as path from "path";
import { ECS_PREDEFINED_METRICS } from "../aws/metrics";
import type { AutoscalerConfig, StackConfig } from "../config/load";
import { parseSettings } from "../runtime/autoscaler/settings";
import type { DecisionSettings } from "../runtime/autoscaler/types";
import { configSettings, envName, valueAt } from "../scaling/autoscaler-settings";
import { DEFAULT_ENGINE_PARAMS, engineParams, type EngineParams } from "../scaling/engine/params";
import type { ScalingActivity } from "../scaling/engine/scaler";
import { oracleController, oracleNeed } from "../scaling/oracle";
import type { ServiceScalingPlan } from "../scaling/plan";
import { runClosedLoop, tickCount, type RunMetrics, type RunResult, type ServiceTarget } from "../scaling/simulate";
import { builtInTrace, parseCsvTrace, type Trace } from "../scaling/traces";
import type { WorkloadSpec } from "../scaling/workloads";
import { UsageError } from "../input/usage";
import { plannedControllers } from "./simulate-controllers";
import { renderSvg, type ChartSpec } from "./svg-chart";

export interface SimulateFlags {
    stack?: string;
    service?: string;
    trace?: string;
    compare?: boolean;
    seed: string;
    out: string;
    tick: string;
    workerRate: string;
    startDelay?: string;
    targetAge: string;
    taskCapacity: string;
    highResolution?: boolean;
}

export interface SimulationRun {
    readonly stack: string;
    readonly service: string;
    readonly trace: string;
    readonly seed: number;
    readonly tickSeconds: number;
    readonly workload: WorkloadSpec;
    readonly target: ServiceTarget;
    readonly params: EngineParams;
    readonly results: readonly (RunResult & { readonly activities?: readonly ScalingActivity[] })[];
}

function number(text: string, flag: string, rule: (n: number) => boolean, words: string): number {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || !rule(n)) throw new UsageError(`${flag}: ${JSON.stringify(text)} must be ${words}`);
    return n;
}

/**
 * The queue autoscaler's settings from the stack's `autoscaler` key, built the way the deployed task
 * gets them: every setting the stack config sets, under the environment variable the autoscaler reads
 * (the one settings table, scaling/autoscaler-settings.ts), parsed by its own parseSettings. The bounds
 * are the simulated service's.
 */
export function autoscalerSettingsFromStack(a: AutoscalerConfig, plan: ServiceScalingPlan): { decision: DecisionSettings; intervalSeconds: number } {
    const env: NodeJS.ProcessEnv = {};
    for (const { key, path: at } of configSettings()) {
        const v = valueAt(a, at);
        if (v !== undefined) env[envName(key)] = String(v);
    }
    Object.assign(env, {
        [envName("cluster")]: "simulated", [envName("ecsService")]: plan.service,
        [envName("queueUrl")]: "https://sqs.us-east-1.amazonaws.com/000000000000/simulated",
        [envName("min")]: String(plan.minCapacity), [envName("max")]: String(plan.maxCapacity),
    });
    const parsed = parseSettings({}, env);
    return { decision: parsed.services[0]!.decision, intervalSeconds: parsed.intervalMs / 1000 };
}

function loadTrace(name: string, seed: number): Trace {
    if (name.toLowerCase().endsWith(".csv")) {
        let text: string;
        try {
            text = readFileSync(name, "utf8");
        } catch (e) {
            throw new UsageError(`--trace: ${JSON.stringify(name)} cannot be read (${(e as Error).message})`);
        }
        try {
            return parseCsvTrace(text, path.basename(name, ".csv"));
        } catch (e) {
            throw new UsageError(`--trace: ${(e as Error).message}`);
        }
    }
    try {
        return builtInTrace(name, seed);
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
}

/** The CPU target of the plan's target tracking, the utilization a request workload is judged by (70 without one). */
function utilizationTarget(plan: ServiceScalingPlan): number {
    const cpu = plan.policies.find((p) => p.kind === "targetTracking" && p.metric.type === "predefined" && p.metric.predefinedMetricType === ECS_PREDEFINED_METRICS.cpu);
    return cpu && cpu.kind === "targetTracking" ? cpu.targetValue : 70;
}

/** Runs every controller on the trace; pure apart from the progress callback. */
export function simulateStack(config: StackConfig, flags: SimulateFlags, onProgress?: (done: number, total: number) => void): SimulationRun {
    const serviceKey = flags.service!;
    const svc = config.services[serviceKey];
    if (!svc) throw new UsageError(`--service: ${JSON.stringify(serviceKey)} is not a service of stack ${config.stack}; expected one of ${Object.keys(config.services).join(", ")}`);
    const seed = number(flags.seed, "--seed", (n) => Number.isInteger(n) && n >= 0, "a whole number >= 0");
    const tickSeconds = number(flags.tick, "--tick", (n) => n > 0 && n <= 60, "a number of seconds > 0 and <= 60");
    const workerRate = number(flags.workerRate, "--worker-rate", (n) => n > 0, "a number of messages/s > 0");
    const targetAge = number(flags.targetAge, "--target-age", (n) => n > 0, "a number of seconds > 0");
    const taskCapacity = number(flags.taskCapacity, "--task-capacity", (n) => n > 0, "a number of requests/s > 0");
    const startDelay = flags.startDelay === undefined ? DEFAULT_ENGINE_PARAMS.taskStartSeconds
        : number(flags.startDelay, "--start-delay", (n) => n >= 0, "a number of seconds >= 0");
    const trace = loadTrace(flags.trace!, seed);
    const params = engineParams({ taskStartSeconds: startDelay });
    const plan = svc.plan;
    const queue = svc.consumesQueue !== undefined;
    const workload: WorkloadSpec = queue ? { kind: "queue", perTaskRate: workerRate } : { kind: "requests", perTaskCapacity: taskCapacity };
    const target: ServiceTarget = queue ? { kind: "age", seconds: targetAge } : { kind: "utilization", percent: utilizationTarget(plan) };

    const owned = svc.scaledBy === "queueAutoscaler";
    const controllers = plannedControllers({
        plan, serviceName: svc.name, compare: flags.compare === true, params, highResolution: flags.highResolution === true,
        epochMs: trace.epochMs ?? 0, taskStartSeconds: startDelay,
        ...(queue ? { queue: { name: svc.consumesQueue!, workerRate, targetAgeSeconds: targetAge } } : {}),
        ...(queue && (flags.compare || owned) ? { autoscaler: { ...autoscalerSettingsFromStack(config.autoscaler, plan), owned } } : {}),
    });
    if (controllers.length === 0) throw new UsageError(`--service: "${serviceKey}" has no scaling policies; add --compare to run every controller its plan can hold`);

    const oracleOptions = { trace, workload, target, tickSeconds, minCapacity: plan.minCapacity, maxCapacity: plan.maxCapacity, taskStartSeconds: startDelay };
    const need = oracleNeed(oracleOptions);
    const oracle = oracleController(oracleOptions, need);
    const ticks = tickCount({ trace, tickSeconds });
    const total = ticks * (controllers.length + 1);
    let before = 0;
    const results: SimulationRun["results"][number][] = [];
    const all = [...controllers.map((c) => ({ ...c, initial: plan.minCapacity })), { controller: oracle.controller, activities: undefined, initial: oracle.initialDesired }];
    for (const c of all) {
        const r = runClosedLoop(c.controller, {
            trace, workload, target, tickSeconds, initialDesired: c.initial, params, need,
            ...(onProgress ? { onProgress: (f: number) => onProgress(before + Math.round(f * ticks), total) } : {}),
        });
        before += ticks;
        results.push(c.activities ? { ...r, activities: c.activities } : r);
    }
    return { stack: config.stack, service: serviceKey, trace: trace.name, seed, tickSeconds, workload, target, params, results };
}

const COLUMNS: readonly { title: string; get: (m: RunMetrics) => number | undefined; unit: string }[] = [
    { title: "to capacity", get: (m) => m.timeToCapacitySeconds, unit: "s" },
    { title: "wait p50", get: (m) => m.waitP50Seconds, unit: "s" },
    { title: "wait p95", get: (m) => m.waitP95Seconds, unit: "s" },
    { title: "wait max", get: (m) => m.waitMaxSeconds, unit: "s" },
    { title: "above target", get: (m) => m.timeAboveTargetSeconds, unit: "s" },
    { title: "task-min", get: (m) => m.taskMinutes, unit: "" },
    { title: "changes", get: (m) => m.desiredChanges, unit: "" },
];

function cell(v: number | undefined, oracle: number | undefined, unit: string): string {
    if (v === undefined) return "-";
    const shown = `${Number.isInteger(v) ? v : v.toFixed(1)}${unit ? ` ${unit}` : ""}`;
    const ratio = oracle === undefined ? "" : oracle === 0 ? (v === 0 ? " (1.00x)" : " (n/a)") : ` (${(v / oracle).toFixed(2)}x)`;
    return shown + ratio;
}

/** The table: one row per controller, each figure with its ratio to the oracle's. */
export function simulationTable(run: SimulationRun): string {
    const oracle = run.results.find((r) => r.controller === "oracle")!.metrics;
    const columns = COLUMNS.filter((c) => run.results.some((r) => c.get(r.metrics) !== undefined));
    const rows = [["controller", ...columns.map((c) => c.title)]];
    for (const r of run.results) rows.push([r.controller, ...columns.map((c) => cell(c.get(r.metrics), c.get(oracle), c.unit))]);
    const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
    const head = `${run.stack}/${run.service}, trace ${run.trace} (seed ${run.seed}, tick ${run.tickSeconds} s, ` +
        (run.workload.kind === "queue" ? `workers ${run.workload.perTaskRate} msg/s, target age ${run.target.kind === "age" ? run.target.seconds : 0} s`
            : `tasks ${run.workload.perTaskCapacity} req/s, target ${run.target.kind === "utilization" ? run.target.percent : 0} % CPU`) +
        `, task start ${run.params.taskStartSeconds} s)`;
    return [head, line(rows[0]), line(rows[0].map((_, i) => "-".repeat(widths[i]))), ...rows.slice(1).map(line), ...TABLE_LEGEND].join("\n");
}

/** What the columns mean, under the table, so it reads without the docs. */
export const TABLE_LEGEND: readonly string[] = [
    "(1.20x) is the figure divided by the oracle's, the reference that knows the load ahead; lower is better in every column.",
    "to capacity: seconds from the load's rise until enough tasks run; wait: how long work waited; above target: seconds over the",
    "target age or CPU; task-min: tasks x minutes paid for; changes: desired-count changes.",
];

/** The chart: load on top; desired (dashed) and running tasks per controller below. */
export function simulationChartSpec(run: SimulationRun): ChartSpec {
    const load = run.results[0].series.map((p) => ({ minute: p.t / 60, value: p.load }));
    const tasks = run.results.flatMap((r) => r.series.flatMap((p) => [
        { minute: p.t / 60, tasks: p.desired, controller: r.controller, count: "desired" },
        { minute: p.t / 60, tasks: p.running, controller: r.controller, count: "running" },
    ]));
    const x = { field: "minute", type: "quantitative", title: "minutes" };
    return {
        title: `${run.stack}/${run.service}: trace ${run.trace}`,
        vconcat: [
            {
                width: 720, height: 140, data: { values: load }, mark: "line",
                encoding: { x, y: { field: "value", type: "quantitative", title: run.workload.kind === "queue" ? "messages/s" : "requests/s" } },
            },
            {
                width: 720, height: 240, data: { values: tasks }, mark: { type: "line", interpolate: "step-after" },
                encoding: {
                    x, y: { field: "tasks", type: "quantitative", title: "tasks" },
                    color: { field: "controller", type: "nominal" },
                    strokeDash: { field: "count", type: "nominal", title: "count" },
                },
            },
        ],
    };
}

export function simulationJson(run: SimulationRun): string {
    return `${JSON.stringify(run, null, 2)}\n`;
}

/** Writes <dir>/<stack>-<service>-<trace>.json and .svg; returns that path without the extension. */
export async function writeSimulation(run: SimulationRun, dir: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const base = path.join(dir, `${run.stack}-${run.service}-${run.trace}`);
    await writeFile(`${base}.json`, simulationJson(run));
    await writeFile(`${base}.svg`, await renderSvg(simulationChartSpec(run)));
    return base;
}
