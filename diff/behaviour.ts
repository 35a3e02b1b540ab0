/**
 * What a plan change does: a service before and after, each run in the simulator's closed loop on the
 * standard traces by the controller that owns its desired count on that side: Application Auto
 * Scaling as the engine runs the plan's policies (scaling/), or the queue autoscaler deciding with its
 * real decision function and that side's `autoscaler` settings (as `autoscale simulate --compare`
 * builds them). The oracle of each side is the measure of needed capacity. The workload is the one
 * `autoscale simulate` assumes by default: queue workers of 2 messages/s judged by a 60-s acceptable
 * message age, request services of 100 requests/s per task judged by their CPU target. Pure: no I/O.
 */
import { ECS_PREDEFINED_METRICS } from "../aws/metrics";
import type { AutoscalerConfig } from "../config/load";
import { autoscalerSettingsFromStack } from "../proof/simulate";
import { queueAutoscalerController } from "../runtime/autoscaler/simulation";
import { awsController } from "../scaling/aws-controller";
import { DEFAULT_ENGINE_PARAMS } from "../scaling/engine/params";
import { oracleNeed } from "../scaling/oracle";
import type { ServiceScalingPlan } from "../scaling/plan";
import { runClosedLoop, type Controller, type RunMetrics, type SeriesPoint, type ServiceTarget } from "../scaling/simulate";
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

export type ControllerKind = "application-auto-scaling" | "queue-autoscaler";

/** A service as one side has it, with that side's autoscaler settings. */
export interface ServiceSide {
    readonly service: SnapshotService;
    readonly autoscaler: AutoscalerConfig;
}

export interface SideRun {
    readonly metrics: RunMetrics;
    readonly series: readonly SeriesPoint[];
}

export interface TraceComparison {
    readonly trace: string;
    /** undefined where nothing scales the service on that side. */
    readonly before?: SideRun;
    readonly after?: SideRun;
}

export interface ServiceBehaviour {
    readonly service: string;
    readonly workload: "queue" | "requests";
    /** Who decides the desired count on each side (absent: nothing does). */
    readonly controllers: { readonly before?: ControllerKind; readonly after?: ControllerKind };
    readonly traces: readonly TraceComparison[];
}

/** The CPU target of the plan's target tracking, what a request workload is judged by (70 without one). */
function utilizationTarget(plan: ServiceScalingPlan): number {
    const cpu = plan.policies.find((p) => p.kind === "targetTracking" && p.metric.type === "predefined" && p.metric.predefinedMetricType === ECS_PREDEFINED_METRICS.cpu);
    return cpu && cpu.kind === "targetTracking" ? cpu.targetValue : 70;
}

/** Who decides the service's desired count on a side, or undefined where nothing does. */
export function controllerKind(side: ServiceSide): ControllerKind | undefined {
    if (side.service.scaledBy === "queueAutoscaler" && side.service.consumesQueue !== null) return "queue-autoscaler";
    return side.service.plan.policies.length > 0 ? "application-auto-scaling" : undefined;
}

function controllerFor(side: ServiceSide, kind: ControllerKind): Controller {
    const { service } = side;
    if (kind === "queue-autoscaler") {
        const settings = autoscalerSettingsFromStack(side.autoscaler, service.plan);
        return queueAutoscalerController(settings.decision, settings.intervalSeconds, DEFAULT_ENGINE_PARAMS.taskStartSeconds);
    }
    return awsController(service.plan, { params: DEFAULT_ENGINE_PARAMS, serviceName: service.name });
}

/** A side's run on one trace, or undefined where nothing scales the service. */
export function runSide(side: ServiceSide, traceName: string): SideRun | undefined {
    const kind = controllerKind(side);
    if (!kind) return undefined;
    const plan = side.service.plan;
    const queue = side.service.consumesQueue !== null;
    const workload: WorkloadSpec = queue ? { kind: "queue", perTaskRate: DIFF_WORKLOAD.workerRate } : { kind: "requests", perTaskCapacity: DIFF_WORKLOAD.taskCapacity };
    const target: ServiceTarget = queue ? { kind: "age", seconds: DIFF_WORKLOAD.targetAgeSeconds } : { kind: "utilization", percent: utilizationTarget(plan) };
    const trace = builtInTrace(traceName);
    const params = DEFAULT_ENGINE_PARAMS;
    const tickSeconds = DIFF_WORKLOAD.tickSeconds;
    const need = oracleNeed({ trace, workload, target, tickSeconds, minCapacity: plan.minCapacity, maxCapacity: plan.maxCapacity, taskStartSeconds: params.taskStartSeconds });
    const run = runClosedLoop(controllerFor(side, kind), { trace, workload, target, tickSeconds, initialDesired: plan.minCapacity, params, need });
    return { metrics: run.metrics, series: run.series };
}

/** Before and after on every standard trace. */
export function compareBehaviour(before: ServiceSide | undefined, after: ServiceSide | undefined): ServiceBehaviour {
    const any = (after ?? before)!.service;
    const kindBefore = before && controllerKind(before);
    const kindAfter = after && controllerKind(after);
    return {
        service: any.key,
        workload: any.consumesQueue !== null ? "queue" : "requests",
        controllers: { ...(kindBefore ? { before: kindBefore } : {}), ...(kindAfter ? { after: kindAfter } : {}) },
        traces: DIFF_TRACES.map((trace) => {
            const b = before && runSide(before, trace);
            const a = after && runSide(after, trace);
            return { trace, ...(b ? { before: b } : {}), ...(a ? { after: a } : {}) };
        }),
    };
}

/** What decides a service's behaviour on a side: its plan and owner, and the autoscaler settings when the autoscaler owns it. */
function behaviourInputs(side: ServiceSide): string {
    const { plan, scaledBy, consumesQueue } = side.service;
    return JSON.stringify([plan, scaledBy, consumesQueue, controllerKind(side) === "queue-autoscaler" ? side.autoscaler : null]);
}

/** Services whose behaviour inputs differ between the two sides, added and removed ones included, by key. */
export function changedServices(
    base: { services: readonly SnapshotService[]; autoscaler?: AutoscalerConfig },
    head: { services: readonly SnapshotService[]; autoscaler?: AutoscalerConfig },
): { key: string; before?: ServiceSide; after?: ServiceSide }[] {
    const side = (s: { services: readonly SnapshotService[]; autoscaler?: AutoscalerConfig }, key: string): ServiceSide | undefined => {
        const service = s.services.find((x) => x.key === key);
        return service && { service, autoscaler: s.autoscaler as AutoscalerConfig };
    };
    const keys = [...new Set([...base.services.map((s) => s.key), ...head.services.map((s) => s.key)])].sort();
    const out: { key: string; before?: ServiceSide; after?: ServiceSide }[] = [];
    for (const key of keys) {
        const before = side(base, key);
        const after = side(head, key);
        if (!(before && after && behaviourInputs(before) === behaviourInputs(after))) out.push({ key, ...(before ? { before } : {}), ...(after ? { after } : {}) });
    }
    return out;
}
