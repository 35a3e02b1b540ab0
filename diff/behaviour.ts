/**
 * What a plan change does: a service's scaling plan before and after, each run by the simulator's
 * Application Auto Scaling engine (scaling/) on the standard traces, with the oracle of each side as
 * the measure of needed capacity. The workload is the one `autoscale simulate` assumes by default:
 * queue workers of 2 messages/s judged by a 60-s acceptable message age, request services of 100
 * requests/s per task judged by their CPU target. Pure: no I/O.
 */
import { ECS_PREDEFINED_METRICS } from "../aws/metrics";
import { awsController } from "../scaling/aws-controller";
import { DEFAULT_ENGINE_PARAMS } from "../scaling/engine/params";
import { oracleNeed } from "../scaling/oracle";
import type { ServiceScalingPlan } from "../scaling/plan";
import { runClosedLoop, type RunMetrics, type SeriesPoint, type ServiceTarget } from "../scaling/simulate";
import { builtInTrace } from "../scaling/traces";
import type { WorkloadSpec } from "../scaling/workloads";
import type { SnapshotService } from "./snapshot";

/** The traces every changed plan is run on: the closed-loop benchmark's set. */
export const DIFF_TRACES = ["burst", "ramp", "sawtooth", "mixed"] as const;

export const DIFF_WORKLOAD = {
    tickSeconds: 5,
    /** Messages one queue worker task processes per second. */
    workerRate: 2,
    /** Acceptable message age, seconds: the oracle's goal and the time-above-target line. */
    targetAgeSeconds: 60,
    /** Requests/s one task serves at 100 % CPU. */
    taskCapacity: 100,
} as const;

export interface SideRun {
    readonly metrics: RunMetrics;
    readonly series: readonly SeriesPoint[];
}

export interface TraceComparison {
    readonly trace: string;
    /** undefined where that side has no Application Auto Scaling plan for the service. */
    readonly before?: SideRun;
    readonly after?: SideRun;
}

export interface ServiceBehaviour {
    readonly service: string;
    readonly workload: "queue" | "requests";
    readonly traces: readonly TraceComparison[];
}

/** The CPU target of the plan's target tracking, what a request workload is judged by (70 without one). */
function utilizationTarget(plan: ServiceScalingPlan): number {
    const cpu = plan.policies.find((p) => p.kind === "targetTracking" && p.metric.type === "predefined" && p.metric.predefinedMetricType === ECS_PREDEFINED_METRICS.cpu);
    return cpu && cpu.kind === "targetTracking" ? cpu.targetValue : 70;
}

/** A plan's run on one trace, or undefined where the service has no policy Application Auto Scaling would act on. */
export function runPlan(service: SnapshotService, traceName: string): SideRun | undefined {
    const plan = service.plan;
    if (service.scaledBy !== "applicationAutoScaling" || plan.policies.length === 0) return undefined;
    const queue = service.consumesQueue !== null;
    const workload: WorkloadSpec = queue ? { kind: "queue", perTaskRate: DIFF_WORKLOAD.workerRate } : { kind: "requests", perTaskCapacity: DIFF_WORKLOAD.taskCapacity };
    const target: ServiceTarget = queue ? { kind: "age", seconds: DIFF_WORKLOAD.targetAgeSeconds } : { kind: "utilization", percent: utilizationTarget(plan) };
    const trace = builtInTrace(traceName);
    const params = DEFAULT_ENGINE_PARAMS;
    const tickSeconds = DIFF_WORKLOAD.tickSeconds;
    const oracleOptions = { trace, workload, target, tickSeconds, minCapacity: plan.minCapacity, maxCapacity: plan.maxCapacity, taskStartSeconds: params.taskStartSeconds };
    const need = oracleNeed(oracleOptions);
    const run = runClosedLoop(awsController(plan, { params, serviceName: service.name }), {
        trace, workload, target, tickSeconds, initialDesired: plan.minCapacity, params, need,
    });
    return { metrics: run.metrics, series: run.series };
}

/** Before and after on every standard trace. */
export function compareBehaviour(before: SnapshotService | undefined, after: SnapshotService | undefined): ServiceBehaviour {
    const any = (after ?? before)!;
    return {
        service: any.key,
        workload: any.consumesQueue !== null ? "queue" : "requests",
        traces: DIFF_TRACES.map((trace) => {
            const b = before && runPlan(before, trace);
            const a = after && runPlan(after, trace);
            return { trace, ...(b ? { before: b } : {}), ...(a ? { after: a } : {}) };
        }),
    };
}

/** Services whose plan (or owner) differs between the two sides, added and removed ones included, by key. */
export function changedServices(base: readonly SnapshotService[], head: readonly SnapshotService[]): { key: string; before?: SnapshotService; after?: SnapshotService }[] {
    const keys = [...new Set([...base.map((s) => s.key), ...head.map((s) => s.key)])].sort();
    const out: { key: string; before?: SnapshotService; after?: SnapshotService }[] = [];
    for (const key of keys) {
        const before = base.find((s) => s.key === key);
        const after = head.find((s) => s.key === key);
        const same = before && after && JSON.stringify([before.plan, before.scaledBy, before.consumesQueue]) === JSON.stringify([after.plan, after.scaledBy, after.consumesQueue]);
        if (!same) out.push({ key, ...(before ? { before } : {}), ...(after ? { after } : {}) });
    }
    return out;
}
