/**
 * A service's scaling plan run as Application Auto Scaling would run it, as a closed-loop controller:
 * each tick the workload's signals are published to the metric series the plan's alarms watch, and
 * the engine's decisions become the desired count. The series of a backlog-per-task policy are
 * published once a minute, as SQS and Container Insights publish them ("at one-minute intervals" [Q1]),
 * so a Sum statistic of m1 reads the one datapoint CloudWatch holds.
 */
import { CONTAINER_INSIGHTS_METRICS, SQS_METRICS } from "../aws/metrics";
import { DEFAULT_ENGINE_PARAMS, type EngineParams } from "./engine/params";
import { engineTargetFromPlan, PREDEFINED_METRIC_IDS, PREDICTIVE_LOAD_IDS, type PlanOptions } from "./engine/from-plan";
import { AwsScalingEngine, type ScalingActivity } from "./engine/scaler";
import { RABBITMQ_QUEUE_DEPTH_METRIC, seriesKey, type MetricSeries } from "./metric-series";
import { policySeries, type ServiceScalingPlan } from "./plan";
import type { Controller, ControllerView } from "./simulate";
import type { WorkloadSignals } from "./workloads";

/** A signal from the workload's signals, the service's counts and the tick's length (seconds). */
type Extract = (s: WorkloadSignals, view: ControllerView, tickSeconds: number) => number | undefined;

/** Which workload signal a series carries, by its CloudWatch metric name (SQS developer guide [Q2]). */
function extractorFor(series: MetricSeries): Extract | undefined {
    switch (series.metricName) {
        case SQS_METRICS.visible:
        case RABBITMQ_QUEUE_DEPTH_METRIC:
            return (s) => s.visible;
        case SQS_METRICS.notVisible:
            return (s) => s.inFlight;
        case SQS_METRICS.oldestAge:
            return (s) => s.oldestAge;
        case CONTAINER_INSIGHTS_METRICS.runningTaskCount:
            return (_, view) => view.running;
        default:
            return undefined;
    }
}

/** Signal extractors for every metric the plan's policies watch; custom series without a known meaning read `custom`. */
export function planSignals(plan: ServiceScalingPlan, custom?: Extract): Map<string, Extract> {
    const map = new Map<string, Extract>([
        [PREDEFINED_METRIC_IDS.ECSServiceAverageCPUUtilization, (s) => s.cpu],
        [PREDEFINED_METRIC_IDS.ECSServiceAverageMemoryUtilization, (s) => s.memory],
        [PREDEFINED_METRIC_IDS.ALBRequestCountPerTarget, (s) => s.requestsPerTarget],
        // The predictive pairs' load: totals over the running tasks, requests per minute.
        [PREDICTIVE_LOAD_IDS.ECSServiceCPUUtilization, (s, v) => (s.cpu === undefined ? undefined : s.cpu * v.running)],
        [PREDICTIVE_LOAD_IDS.ECSServiceMemoryUtilization, (s, v) => (s.memory === undefined ? undefined : s.memory * v.running)],
        [PREDICTIVE_LOAD_IDS.ALBRequestCount, (s, v, dt) => (s.requestsPerTarget === undefined ? undefined : (s.requestsPerTarget * v.running * 60) / dt)],
    ]);
    for (const p of plan.policies) {
        for (const series of policySeries(p)) {
            const e = extractorFor(series) ?? custom;
            if (e) map.set(seriesKey(series), e);
        }
    }
    return map;
}

export interface AwsControllerOptions extends PlanOptions {
    readonly params?: EngineParams;
    /** The signal of custom series whose metric name says nothing (e.g. a synthetic load). */
    readonly custom?: Extract;
    /** Receives every scaling activity (for JSON output). */
    readonly onActivity?: (a: ScalingActivity) => void;
    /** The controller's name in results; default `application-auto-scaling`. */
    readonly name?: string;
}

export function awsController(plan: ServiceScalingPlan, o: AwsControllerOptions = {}): Controller & { readonly engine: AwsScalingEngine } {
    const params = o.params ?? DEFAULT_ENGINE_PARAMS;
    const engine = new AwsScalingEngine(engineTargetFromPlan(plan, params, o), params);
    const signals = planSignals(plan, o.custom);
    const feeds = engine.metricIds().map((id) => [id, signals.get(id)] as const)
        .filter((f): f is readonly [string, Extract] => f[1] !== undefined);
    const perMinute = new Set(plan.policies.flatMap((p) => (p.kind === "backlogPerTask" ? [seriesKey(p.backlog), seriesKey(p.runningTasks)] : [])));
    let last = 0;
    return {
        name: o.name ?? "application-auto-scaling",
        engine,
        tick(view: ControllerView) {
            // A signal is sampled at the end of the tick it describes.
            const t = view.now - 1e-6;
            const dt = view.now - last;
            const minuteEnds = Math.floor(view.now / 60) > Math.floor(last / 60);
            last = view.now;
            for (const [id, read] of feeds) {
                if (perMinute.has(id) && !minuteEnds) continue;
                const v = read(view.signals, view, dt);
                if (v !== undefined) engine.observe(id, t, v);
            }
            const r = engine.tick(view.now, { desired: view.desired, running: view.running });
            if (!r.activity) return undefined;
            o.onActivity?.(r.activity);
            return { desired: r.activity.newDesired, reason: r.activity.cause };
        },
    };
}
