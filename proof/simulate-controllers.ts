/**
 * The controllers `autoscale simulate` runs for a service. Without --compare: the plan as AWS would run
 * it, and the queue autoscaler when it owns the service. With --compare: every controller the service's
 * plan can hold, each from the plan's own policies where it has them:
 * - `aws-reactive`: its target-tracking, step and backlog-per-task policies;
 * - `aws-reactive+scheduled`: the same with its scheduled actions (when it has some);
 * - `aws-predictive+reactive`: the reactive policies with its predictive policy, or, when it has none,
 *   one on the CPU pair at its CPU target (70 without one), ForecastAndScale, AWS's default buffer; a
 *   plan with no reactive policy gets target tracking on CPU at that target beside it, as AWS advises
 *   predictive scaling to run with a dynamic policy (a forecast alone never sees demand its tasks
 *   cannot serve);
 * - `backlog-per-task` (queue consumers): its backlog-per-task policy, or one with AWS's target
 *   "acceptable latency / time per message" (user guide, "Create a target tracking scaling policy
 *   using metric math") from the target age and the worker rate;
 * - `queue-autoscaler` and `queue-autoscaler+forecast` (queue consumers): the stack's settings without
 *   and with the arrival forecast (the stack's forecast settings, or the defaults turned on).
 * The oracle is added by the caller.
 */
import { CONTAINER_INSIGHTS_METRICS, ECS_PREDEFINED_METRICS, ECS_PREDICTIVE_METRIC_PAIRS } from "../aws/metrics";
import { DEFAULT_COOLDOWN_SECONDS, DEFAULT_SCHEDULING_BUFFER_SECONDS } from "../aws/defaults";
import { queueAutoscalerController } from "../runtime/autoscaler/simulation";
import { FORECAST_DEFAULTS } from "../scaling/autoscaler-controls";
import type { DecisionSettings } from "../runtime/autoscaler/types";
import { awsController } from "../scaling/aws-controller";
import type { EngineParams } from "../scaling/engine/params";
import type { ScalingActivity } from "../scaling/engine/scaler";
import { metricSeries, sqsVisibleMessagesSeries } from "../scaling/metric-series";
import type { BacklogPerTaskPolicy, PredictivePolicy, ScalingPolicy, ServiceScalingPlan, TargetTrackingPolicy } from "../scaling/plan";
import type { Controller } from "../scaling/simulate";

export const CONTROLLER_NAMES = {
    reactive: "aws-reactive",
    scheduled: "aws-reactive+scheduled",
    predictive: "aws-predictive+reactive",
    backlogPerTask: "backlog-per-task",
    autoscaler: "queue-autoscaler",
    autoscalerForecast: "queue-autoscaler+forecast",
    oracle: "oracle",
} as const;

export interface PlannedController {
    readonly controller: Controller;
    /** The engine's scaling activities, for the JSON output (AWS controllers only). */
    readonly activities?: ScalingActivity[];
}

export interface ControllerOptions {
    readonly plan: ServiceScalingPlan;
    /** Physical service name (AWS policy names). */
    readonly serviceName: string;
    readonly compare: boolean;
    readonly params: EngineParams;
    readonly highResolution: boolean;
    /** Wall-clock instant of simulation time 0 (the trace's), for schedules and forecast hours. */
    readonly epochMs: number;
    /** The queue a consumer reads, its worker rate (messages/s) and the target message age (s); none for other services. */
    readonly queue?: { readonly name: string; readonly workerRate: number; readonly targetAgeSeconds: number };
    /** The queue autoscaler's settings from the stack; with `owned` when it owns the service. */
    readonly autoscaler?: { readonly decision: DecisionSettings; readonly intervalSeconds: number; readonly owned: boolean };
    /** The task start delay, seconds: what the service's ECS events show the queue autoscaler. */
    readonly taskStartSeconds: number;
}

const isReactive = (p: ScalingPolicy) => p.kind !== "predictive";

/** AWS's backlog-per-task policy for a queue consumer: target = acceptable latency / seconds per message. */
export function derivedBacklogPolicy(queueName: string, serviceName: string, workerRate: number, targetAgeSeconds: number): BacklogPerTaskPolicy {
    return {
        kind: "backlogPerTask", name: "backlog-per-task", targetValue: targetAgeSeconds * workerRate,
        backlog: sqsVisibleMessagesSeries(queueName, "Sum"),
        runningTasks: metricSeries({
            namespace: CONTAINER_INSIGHTS_METRICS.namespace, metricName: CONTAINER_INSIGHTS_METRICS.runningTaskCount,
            dimensions: { [CONTAINER_INSIGHTS_METRICS.clusterDimension]: "sim", [CONTAINER_INSIGHTS_METRICS.serviceDimension]: serviceName },
            statistic: "Average",
        }),
        cooldowns: { scaleOut: DEFAULT_COOLDOWN_SECONDS, scaleIn: DEFAULT_COOLDOWN_SECONDS }, disableScaleIn: false,
    };
}

/** A predictive policy on the CPU pair at the plan's CPU target (70 without one), scaling, with AWS's defaults otherwise. */
export function derivedPredictivePolicy(plan: ServiceScalingPlan): PredictivePolicy {
    const cpu = plan.policies.find((p) => p.kind === "targetTracking" && p.metric.type === "predefined" && p.metric.predefinedMetricType === ECS_PREDEFINED_METRICS.cpu);
    return {
        kind: "predictive", name: "forecast", metric: { type: "pair", pair: ECS_PREDICTIVE_METRIC_PAIRS.cpu },
        targetValue: cpu?.kind === "targetTracking" ? cpu.targetValue : 70, mode: "ForecastAndScale",
        schedulingBufferTime: DEFAULT_SCHEDULING_BUFFER_SECONDS, maxCapacityBreachBehavior: "HonorMaxCapacity",
    };
}

/** Target tracking on the service's CPU with AWS's default cooldowns. */
export function derivedCpuPolicy(targetValue: number): TargetTrackingPolicy {
    return {
        kind: "targetTracking", name: "cpu", targetValue, disableScaleIn: false,
        metric: { type: "predefined", predefinedMetricType: ECS_PREDEFINED_METRICS.cpu },
        cooldowns: { scaleOut: DEFAULT_COOLDOWN_SECONDS, scaleIn: DEFAULT_COOLDOWN_SECONDS },
    };
}

/** The controllers to run, in table order (the oracle excluded). */
export function plannedControllers(o: ControllerOptions): PlannedController[] {
    const aws = (name: string, plan: ServiceScalingPlan): PlannedController => {
        const activities: ScalingActivity[] = [];
        const controller = awsController(plan, {
            name, params: o.params, serviceName: o.serviceName, highResolution: o.highResolution, epochMs: o.epochMs,
            onActivity: (a) => activities.push(a),
        });
        return { controller, activities };
    };
    const autoscaler = (name: string, decision: DecisionSettings): PlannedController => ({
        controller: { ...queueAutoscalerController(decision, o.autoscaler!.intervalSeconds, o.taskStartSeconds), name },
    });
    const plan = o.plan;
    if (!o.compare) {
        const out: PlannedController[] = [];
        if (plan.policies.length > 0 || (plan.scheduledActions ?? []).length > 0) out.push(aws("application-auto-scaling", plan));
        if (o.autoscaler?.owned) out.push(autoscaler(CONTROLLER_NAMES.autoscaler, o.autoscaler.decision));
        return out;
    }
    const reactive = plan.policies.filter(isReactive);
    const { scheduledActions, ...bounds } = plan;
    const out: PlannedController[] = [];
    if (reactive.length > 0) out.push(aws(CONTROLLER_NAMES.reactive, { ...bounds, policies: reactive }));
    if (reactive.length > 0 && (scheduledActions ?? []).length > 0) out.push(aws(CONTROLLER_NAMES.scheduled, { ...bounds, policies: reactive, scheduledActions: scheduledActions! }));
    const predictive = plan.policies.filter((p): p is PredictivePolicy => p.kind === "predictive");
    const forecast = predictive.length > 0 ? predictive : [derivedPredictivePolicy(plan)];
    const dynamic = reactive.length > 0 ? reactive : [derivedCpuPolicy(forecast[0]!.targetValue)];
    out.push(aws(CONTROLLER_NAMES.predictive, { ...bounds, policies: [...dynamic, ...forecast] }));
    if (o.queue) {
        const backlog = plan.policies.filter((p) => p.kind === "backlogPerTask");
        out.push(aws(CONTROLLER_NAMES.backlogPerTask, {
            ...bounds, policies: backlog.length > 0 ? backlog : [derivedBacklogPolicy(o.queue.name, o.serviceName, o.queue.workerRate, o.queue.targetAgeSeconds)],
        }));
        if (o.autoscaler) {
            const { forecast, ...without } = o.autoscaler.decision;
            out.push(
                autoscaler(CONTROLLER_NAMES.autoscaler, without),
                autoscaler(CONTROLLER_NAMES.autoscalerForecast, { ...without, forecast: forecast?.enabled ? forecast : { ...FORECAST_DEFAULTS, enabled: true } }),
            );
        }
    }
    return out;
}
