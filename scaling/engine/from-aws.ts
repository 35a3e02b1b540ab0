/**
 * Scaling policies and alarms as an Application Auto Scaling / CloudWatch endpoint describes them
 * (DescribeScalingPolicies, DescribeAlarms), turned into the engine's policies. Plain data shapes that
 * mirror the API members, so this stays free of SDK types and I/O.
 *
 * Target tracking: the engine builds the alarm pair AWS creates from the policy itself (TargetValue,
 * the metric) and keeps the endpoint's alarm names: moto stores TT alarms with a fixed CPU template and
 * threshold 6 whatever the policy says (shared/reference/moto.md section 3), so their settings are not
 * read. Step scaling: each alarm whose actions name the policy ARN invokes it, with that alarm's own
 * metric, threshold, operator, period and datapoints.
 */
import { DEFAULT_COOLDOWN_SECONDS } from "../../aws/defaults";
import { ECS_METRICS, ECS_PREDEFINED_METRICS, ecsServiceDimensions } from "../../aws/metrics";
import type { Statistic } from "../metric-series";
import type { RelativeStep } from "../plan";
import type { AlarmDefinition, ComparisonOperator, TreatMissingData } from "./alarm";
import type { EngineParams } from "./params";
import type { EnginePolicy, MetricRef } from "./scaler";
import type { AdjustmentType, MetricAggregationType } from "./step-scaling";
import { targetTrackingAlarms } from "./target-tracking";


export interface MetricIdentity {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, string>>;
    readonly statistic: Statistic;
}

/** A stable id for a series read with a statistic (dimension order does not matter). */
export function metricIdentityKey(m: MetricIdentity): string {
    const dims = Object.keys(m.dimensions).sort().map((k) => `${k}=${m.dimensions[k]}`).join(",");
    return `${m.namespace}/${m.metricName}{${dims}}:${m.statistic}`;
}

export interface DescribedPolicy {
    readonly policyName: string;
    readonly policyARN: string;
    readonly policyType: string;
    readonly alarmNames: readonly string[];
    readonly targetTracking?: {
        readonly targetValue: number;
        readonly customized?: MetricIdentity;
        readonly predefinedMetricType?: string;
        readonly scaleOutCooldown?: number;
        readonly scaleInCooldown?: number;
        readonly disableScaleIn?: boolean;
    };
    readonly step?: {
        readonly adjustmentType: AdjustmentType;
        readonly stepAdjustments: readonly RelativeStep[];
        readonly minAdjustmentMagnitude?: number;
        readonly cooldown?: number;
        readonly metricAggregationType?: MetricAggregationType;
    };
}

export interface DescribedAlarm {
    readonly name: string;
    readonly actions: readonly string[];
    readonly metric: MetricIdentity;
    readonly comparisonOperator: ComparisonOperator;
    readonly threshold: number;
    readonly period: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm?: number;
    readonly treatMissingData?: TreatMissingData;
}

/** ECS predefined metrics in CloudWatch: AWS/ECS, ClusterName and ServiceName, Average [X1]. */
function predefinedIdentity(type: string, cluster: string, service: string): MetricIdentity | undefined {
    // The HighResolution variants read the same series at 20-s resolution.
    const name = type.startsWith(ECS_PREDEFINED_METRICS.cpu) ? ECS_METRICS.cpu
        : type.startsWith(ECS_PREDEFINED_METRICS.memory) ? ECS_METRICS.memory : undefined;
    return name ? { namespace: ECS_METRICS.namespace, metricName: name, dimensions: ecsServiceDimensions(cluster, service), statistic: "Average" } : undefined;
}

export interface ConvertedPolicies {
    readonly policies: EnginePolicy[];
    /** The series each metric id stands for, to be read from the endpoint. */
    readonly metrics: Map<string, MetricIdentity>;
    /** What could not be emulated, one sentence each. */
    readonly skipped: string[];
}

export function enginePoliciesFromAws(
    resourceId: string, described: readonly DescribedPolicy[], alarms: readonly DescribedAlarm[], p: EngineParams,
): ConvertedPolicies {
    const [, cluster, service] = resourceId.split("/");
    const policies: EnginePolicy[] = [];
    const metrics = new Map<string, MetricIdentity>();
    const skipped: string[] = [];
    const ref = (m: MetricIdentity): MetricRef => {
        const id = metricIdentityKey(m);
        metrics.set(id, m);
        return { id, statistic: m.statistic };
    };
    for (const d of described) {
        if (d.policyType === "TargetTrackingScaling" && d.targetTracking) {
            const tt = d.targetTracking;
            const metric = tt.customized ?? (tt.predefinedMetricType ? predefinedIdentity(tt.predefinedMetricType, cluster, service) : undefined);
            if (!metric) {
                skipped.push(`${d.policyName}: metric ${tt.predefinedMetricType ?? "(none)"} is not one the emulator can read`);
                continue;
            }
            const highRes = (tt.predefinedMetricType ?? "").endsWith("HighResolution");
            const pair = targetTrackingAlarms(resourceId, tt.targetValue, highRes, p);
            const high = d.alarmNames.find((n) => n.includes("-AlarmHigh-")) ?? pair.high.name;
            const low = d.alarmNames.find((n) => n.includes("-AlarmLow-")) ?? pair.low.name;
            policies.push({
                kind: "targetTracking", name: d.policyName, metric: ref(metric), targetValue: tt.targetValue,
                disableScaleIn: tt.disableScaleIn ?? false,
                scaleOutCooldown: tt.scaleOutCooldown ?? DEFAULT_COOLDOWN_SECONDS,
                scaleInCooldown: tt.scaleInCooldown ?? DEFAULT_COOLDOWN_SECONDS,
                alarms: { high: { ...pair.high, name: high }, low: { ...pair.low, name: low } },
            });
        } else if (d.policyType === "StepScaling" && d.step) {
            const acting = alarms.filter((a) => a.actions.some((x) => x === d.policyARN || x.startsWith(`${d.policyARN}:`)));
            if (acting.length === 0) skipped.push(`${d.policyName}: no alarm has the policy among its actions, so nothing invokes it`);
            for (const a of acting) {
                const alarm: AlarmDefinition = {
                    name: a.name, comparisonOperator: a.comparisonOperator, threshold: a.threshold, period: a.period,
                    evaluationPeriods: a.evaluationPeriods, datapointsToAlarm: a.datapointsToAlarm ?? a.evaluationPeriods,
                    treatMissingData: a.treatMissingData ?? "missing",
                };
                policies.push({
                    kind: "step", name: d.policyName, metric: ref(a.metric), alarm,
                    config: {
                        adjustmentType: d.step.adjustmentType, stepAdjustments: d.step.stepAdjustments,
                        ...(d.step.minAdjustmentMagnitude !== undefined ? { minAdjustmentMagnitude: d.step.minAdjustmentMagnitude } : {}),
                        cooldown: d.step.cooldown ?? DEFAULT_COOLDOWN_SECONDS,
                        metricAggregationType: d.step.metricAggregationType ?? "Average",
                    },
                });
            }
        } else {
            skipped.push(`${d.policyName}: policy type ${d.policyType} is not emulated`);
        }
    }
    return { policies, metrics, skipped };
}
