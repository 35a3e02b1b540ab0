/**
 * A service's scaling plan run as Application Auto Scaling would run it, as a closed-loop controller:
 * each tick the workload's signals are published to the metric series the plan's alarms watch, and
 * the engine's decisions become the desired count.
 */
import { SQS_METRICS } from "../aws/metrics";
import { DEFAULT_ENGINE_PARAMS, type EngineParams } from "./engine/params";
import { engineTargetFromPlan, PREDEFINED_METRIC_IDS, type PlanOptions } from "./engine/from-plan";
import { AwsScalingEngine, type ScalingActivity } from "./engine/scaler";
import { RABBITMQ_QUEUE_DEPTH_METRIC, seriesKey, type MetricSeries } from "./metric-series";
import { policySeries, type ServiceScalingPlan } from "./plan";
import type { Controller, ControllerView } from "./simulate";
import type { WorkloadSignals } from "./workloads";

type Extract = (s: WorkloadSignals) => number | undefined;

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
}

export function awsController(plan: ServiceScalingPlan, o: AwsControllerOptions = {}): Controller & { readonly engine: AwsScalingEngine } {
    const params = o.params ?? DEFAULT_ENGINE_PARAMS;
    const engine = new AwsScalingEngine(engineTargetFromPlan(plan, params, o), params);
    const signals = planSignals(plan, o.custom);
    const feeds = engine.metricIds().map((id) => [id, signals.get(id)] as const)
        .filter((f): f is readonly [string, Extract] => f[1] !== undefined);
    return {
        name: "application-auto-scaling",
        engine,
        tick(view: ControllerView) {
            // A signal is sampled at the end of the tick it describes.
            const t = view.now - 1e-6;
            for (const [id, read] of feeds) {
                const v = read(view.signals);
                if (v !== undefined) engine.observe(id, t, v);
            }
            const r = engine.tick(view.now, { desired: view.desired, running: view.running });
            if (!r.activity) return undefined;
            o.onActivity?.(r.activity);
            return { desired: r.activity.newDesired, reason: r.activity.cause };
        },
    };
}
