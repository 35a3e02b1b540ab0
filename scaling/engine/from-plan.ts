/**
 * The validated scaling plan (config/ builds it) turned into the engine's policies, exactly as the
 * components turn it into AWS resources: target tracking gets the alarm pair AWS creates; each step
 * policy gets its own alarm with the plan's threshold, operator, period and datapoints, ChangeInCapacity
 * steps relative to the threshold (plan.relativeSteps), and the AWS name `<service>-<name>-<direction>`.
 */
import { ECS_PREDEFINED_METRICS } from "../../aws/metrics";
import { ecsResourceId } from "../../aws/scaling-ids";
import { seriesKey } from "../metric-series";
import type { PredefinedMetricType, ServiceScalingPlan } from "../plan";
import { relativeSteps } from "../plan";
import type { EngineParams } from "./params";
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
    /** Wall-clock epoch ms of simulation time 0, which the scheduled actions fire against; default 0. */
    readonly epochMs?: number;
}

export function engineTargetFromPlan(plan: ServiceScalingPlan, p: EngineParams, o: PlanOptions = {}): EngineTarget {
    const service = o.serviceName ?? plan.service;
    const resourceId = ecsResourceId(o.cluster ?? "sim", service);
    const policies: EnginePolicy[] = plan.policies.flatMap((policy): EnginePolicy[] => {
        // Backlog per task (metric math) and predictive scaling have no engine semantics yet: the
        // engine leaves them out, so a simulated service holds the capacity its other policies give it.
        if (policy.kind === "backlogPerTask" || policy.kind === "predictive") return [];
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
    return {
        resourceId, minCapacity: plan.minCapacity, maxCapacity: plan.maxCapacity, policies,
        ...(scheduledActions.length > 0 ? { scheduledActions, epochMs: o.epochMs ?? 0 } : {}),
    };
}
