/**
 * The engine's policies and what each proposes when its alarm invokes it: target tracking the capacity
 * proportional to its metric, step scaling its step's adjustment. The engine (scaler.ts) arbitrates
 * between the proposals.
 */
import type { Statistic } from "../metric-series";
import { type AlarmDefinition, alarmSide } from "./alarm";
import type { EngineParams } from "./params";
import { type StepPolicyConfig, stepDecision } from "./step-scaling";
import { type TargetTrackingAlarms, targetTrackingCapacity } from "./target-tracking";

/** The series an alarm reads: `id` names the raw signal fed with `observe`. */
export interface MetricRef {
    readonly id: string;
    readonly statistic: Statistic;
}

/** Metric math `numerator / denominator`, per period (backlog per task: visible messages / running tasks [A4]). */
export interface MetricRatioRef {
    readonly numerator: MetricRef;
    readonly denominator: MetricRef;
}

export interface TargetTrackingEnginePolicy {
    readonly kind: "targetTracking";
    readonly name: string;
    readonly metric: MetricRef | MetricRatioRef;
    readonly targetValue: number;
    readonly disableScaleIn: boolean;
    readonly scaleOutCooldown: number;
    readonly scaleInCooldown: number;
    readonly alarms: TargetTrackingAlarms;
}

export interface StepEnginePolicy {
    readonly kind: "step";
    readonly name: string;
    readonly metric: MetricRef;
    readonly alarm: AlarmDefinition;
    readonly config: StepPolicyConfig;
}

export type EnginePolicy = TargetTrackingEnginePolicy | StepEnginePolicy;

export interface Proposal {
    readonly policy: EnginePolicy;
    readonly alarm: string;
    readonly direction: "out" | "in";
    readonly capacity: number;
    readonly why: string;
}

/** An alarm that invokes its policy at this evaluation, with the datapoints it evaluated. */
export interface InvokingAlarm {
    readonly def: AlarmDefinition;
    readonly lastValues: readonly number[];
}

export function fmt(n: number): string {
    return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** Each policy's proposal at `now`: those whose alarms invoke them, from the running task count. */
export function policyProposals(
    policies: readonly EnginePolicy[], now: number, running: number, invoking: (alarm: string) => InvokingAlarm | undefined,
    params: EngineParams, lastScaleOut: { readonly at: number; readonly from: number } | undefined,
): Proposal[] {
    const out: Proposal[] = [];
    for (const policy of policies) {
        if (policy.kind === "targetTracking") {
            const high = invoking(policy.alarms.high.name);
            if (high && high.lastValues.length > 0) {
                const m = ttValue(params, high.lastValues);
                out.push({ policy, alarm: high.def.name, direction: "out", capacity: targetTrackingCapacity(running, m, policy.targetValue, "out", params),
                    why: `metric ${fmt(m)} > target ${fmt(policy.targetValue)}` });
            }
            const low = invoking(policy.alarms.low.name);
            if (low && low.lastValues.length > 0 && !policy.disableScaleIn) {
                const m = ttValue(params, low.lastValues);
                out.push({ policy, alarm: low.def.name, direction: "in", capacity: targetTrackingCapacity(running, m, policy.targetValue, "in", params),
                    why: `metric ${fmt(m)} < ${fmt(low.def.threshold)} (${params.targetTrackingScaleInRatio} x target ${fmt(policy.targetValue)})` });
            }
        } else {
            const a = invoking(policy.alarm.name);
            if (!a) continue;
            const side = alarmSide(policy.alarm.comparisonOperator);
            // Within the scale-out cooldown a step scale-out starts from the capacity before the
            // initiating scale-out: its increase "is calculated as part of the desired capacity for
            // the next scale-out" (+2 then +3 gives +1 more [A1, A2]).
            const last = lastScaleOut;
            const base = side === "above" && last && now - last.at < policy.config.cooldown ? Math.min(running, last.from) : running;
            const d = stepDecision(policy.config, a.lastValues, policy.alarm.threshold, side, base);
            if (!d) continue;
            out.push({ policy, alarm: a.def.name, direction: side === "above" ? "out" : "in", capacity: d.capacity,
                why: `aggregated ${policy.config.metricAggregationType} ${fmt(d.value)}, step ${d.step.scalingAdjustment} (${policy.config.adjustmentType})` });
        }
    }
    return out;
}

function ttValue(params: EngineParams, values: readonly number[]): number {
    return params.targetTrackingMetricValue === "latest"
        ? values[values.length - 1]
        : values.reduce((a, b) => a + b, 0) / values.length;
}

