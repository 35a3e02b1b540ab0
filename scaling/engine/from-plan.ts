/**
 * The validated scaling plan (config/ builds it) turned into the engine's policies, exactly as the
 * components turn it into AWS resources: target tracking gets the alarm pair AWS creates; each step
 * policy gets its own alarm with the plan's threshold, operator, period and datapoints, ChangeInCapacity
 * steps relative to the threshold (plan.relativeSteps), and the AWS name `<service>-<name>-<direction>`;
 * backlog per task is target tracking on the metric math m1 / m2; a predictive policy forecasts its load
 * metric (predictive.ts).
 */
import { ECS_PREDEFINED_METRICS } from "../../aws/metrics";
import { ecsResourceId } from "../../aws/scaling-ids";
import { seriesKey } from "../metric-series";
import type { PredefinedMetricType, PredictiveMetricPairType, PredictivePolicy, ServiceScalingPlan } from "../plan";
import { relativeSteps } from "../plan";
import type { EngineParams } from "./params";
import type { PredictiveEnginePolicy } from "./predictive";
import type { EnginePolicy, EngineTarget, MetricRef } from "./scaler";
import { engineScheduledAction } from "./scheduled";
import { targetTrackingAlarms } from "./target-tracking";

/** Ids of the signals a workload feeds for the predefined metrics. */
export const PREDEFINED_METRIC_IDS: Readonly<Record<PredefinedMetricType, string>> = {
    ECSServiceAverageCPUUtilization: "ecs:cpu",
    ECSServiceAverageMemoryUtilization: "ecs:memory",
    ALBRequestCountPerTarget: "alb:requestsPerTarget",
    // The Aurora reader count's metrics (averages over the readers).
    RDSReaderAverageCPUUtilization: "rds:readerCpu",
    RDSReaderAverageDatabaseConnections: "rds:readerConnections",
};

/**
 * Ids of the load signals of the predictive metric pairs: the service's total over its tasks, which the
 * pair's scaling metric averages (Application Auto Scaling API reference,
 * PredictiveScalingPredefinedMetricPairSpecification: total CPU and memory utilization, the target
 * group's request count per minute).
 */
export const PREDICTIVE_LOAD_IDS: Readonly<Record<PredictiveMetricPairType, string>> = {
    ECSServiceCPUUtilization: "ecs:totalCpu",
    ECSServiceMemoryUtilization: "ecs:totalMemory",
    ALBRequestCount: "alb:requestCount",
};

function predictivePolicy(service: string, policy: PredictivePolicy): PredictiveEnginePolicy {
    return {
        kind: "predictive", name: `${service}-${policy.name}`,
        loadMetricId: policy.metric.type === "pair" ? PREDICTIVE_LOAD_IDS[policy.metric.pair] : seriesKey(policy.metric.load),
        targetValue: policy.targetValue, mode: policy.mode, schedulingBufferTime: policy.schedulingBufferTime,
        maxCapacityBreachBehavior: policy.maxCapacityBreachBehavior, maxCapacityBuffer: policy.maxCapacityBuffer ?? 0,
    };
}

/**
 * ALBRequestCountPerTarget is a Sum per target per minute ("the optimal average request count per
 * target during any one-minute interval" [A7]); ECS utilization is an Average [X1].
 */
function predefinedRef(type: PredefinedMetricType): MetricRef {
    return { id: PREDEFINED_METRIC_IDS[type], statistic: type === ECS_PREDEFINED_METRICS.albRequestsPerTarget ? "Sum" : "Average" };
}

export interface PlanOptions {
    /** ECS cluster name in the resource id; `sim` when simulating. */
    readonly cluster?: string;
    /** Physical ECS service name; the plan's service key when absent. */
    readonly serviceName?: string;
    /** Track the predefined ECS metrics at 20-s resolution (ECSServiceAverage*HighResolution [A9, E4]). */
    readonly highResolution?: boolean;
    /** Wall-clock epoch ms of simulation time 0, which the scheduled actions fire against and forecast hours follow; default 0. */
    readonly epochMs?: number;
}

export function engineTargetFromPlan(plan: ServiceScalingPlan, p: EngineParams, o: PlanOptions = {}): EngineTarget {
    const service = o.serviceName ?? plan.service;
    const resourceId = ecsResourceId(o.cluster ?? "sim", service);
    const policies: EnginePolicy[] = plan.policies.flatMap((policy): EnginePolicy[] => {
        if (policy.kind === "predictive") return [];
        if (policy.kind === "backlogPerTask") {
            return [{
                kind: "targetTracking", name: `${service}-${policy.name}`,
                metric: {
                    numerator: { id: seriesKey(policy.backlog), statistic: policy.backlog.statistic },
                    denominator: { id: seriesKey(policy.runningTasks), statistic: policy.runningTasks.statistic },
                },
                targetValue: policy.targetValue, disableScaleIn: policy.disableScaleIn,
                scaleOutCooldown: policy.cooldowns.scaleOut, scaleInCooldown: policy.cooldowns.scaleIn,
                alarms: targetTrackingAlarms(resourceId, policy.targetValue, false, p, policy.name),
            }];
        }
        if (policy.kind === "targetTracking") {
            const name = `${service}-${policy.name}`;
            const predefined = policy.metric.type === "predefined";
            const metric = policy.metric.type === "predefined"
                ? predefinedRef(policy.metric.predefinedMetricType)
                : { id: seriesKey(policy.metric.series), statistic: policy.metric.series.statistic };
            const highRes = predefined && o.highResolution === true && metric.id !== PREDEFINED_METRIC_IDS.ALBRequestCountPerTarget;
            return [{
                kind: "targetTracking", name, metric, targetValue: policy.targetValue, disableScaleIn: policy.disableScaleIn,
                scaleOutCooldown: policy.cooldowns.scaleOut, scaleInCooldown: policy.cooldowns.scaleIn,
                alarms: targetTrackingAlarms(resourceId, policy.targetValue, highRes, p, policy.name),
            }];
        }
        const name = `${service}-${policy.name}-${policy.direction}`;
        return [{
            kind: "step", name,
            metric: { id: seriesKey(policy.series), statistic: policy.series.statistic },
            alarm: { name, ...policy.alarm },
            config: {
                adjustmentType: "ChangeInCapacity",
                stepAdjustments: relativeSteps(policy),
                cooldown: policy.cooldown,
                metricAggregationType: policy.metricAggregationType,
            },
        }];
    });
    // Scheduled actions are named like the AWS resources: `<service>-<name>`.
    const scheduledActions = (plan.scheduledActions ?? []).map((a) => engineScheduledAction(`${service}-${a.name}`, a));
    const predictive = plan.policies.flatMap((policy) => (policy.kind === "predictive" ? [predictivePolicy(service, policy)] : []));
    return {
        resourceId, minCapacity: plan.minCapacity, maxCapacity: plan.maxCapacity, policies,
        ...(scheduledActions.length > 0 ? { scheduledActions } : {}),
        ...(predictive.length > 0 ? { predictive } : {}),
        ...(scheduledActions.length > 0 || predictive.length > 0 ? { epochMs: o.epochMs ?? 0 } : {}),
    };
}
