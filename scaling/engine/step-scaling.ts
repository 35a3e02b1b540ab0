/**
 * Step scaling as Application Auto Scaling runs it (shared reference section 2 and 9.9, [A2, A7]): the
 * alarm's recent datapoints aggregated with MetricAggregationType, the step picked by the offset from
 * the alarm threshold, and the adjustment applied with AWS's rounding.
 */
import type { RelativeStep } from "../plan";

export type AdjustmentType = "ChangeInCapacity" | "ExactCapacity" | "PercentChangeInCapacity";
export type MetricAggregationType = "Average" | "Minimum" | "Maximum";

/** A StepScalingPolicyConfiguration as AWS stores it [A7]. */
export interface StepPolicyConfig {
    readonly adjustmentType: AdjustmentType;
    readonly stepAdjustments: readonly RelativeStep[];
    /** PercentChangeInCapacity only: the smallest number of tasks one activity changes [A2]. */
    readonly minAdjustmentMagnitude?: number;
    /** Seconds; unspecified means the AWS default (aws/defaults.ts) [A7]. */
    readonly cooldown: number;
    /** Unspecified means Average [A7]. */
    readonly metricAggregationType: MetricAggregationType;
}

/** Aggregates the alarm's recent datapoints as App AS does before comparing with the bounds [A2]. */
export function aggregate(values: readonly number[], type: MetricAggregationType): number | undefined {
    if (values.length === 0) return undefined;
    switch (type) {
        case "Average": return values.reduce((a, b) => a + b, 0) / values.length;
        case "Minimum": return Math.min(...values);
        case "Maximum": return Math.max(...values);
    }
}

/**
 * The step adjustment for an offset from the threshold: above it a step covers [lower, upper), below
 * it (lower, upper]; a missing bound is infinite [A2]. `side` is the alarm's side, which decides an
 * offset of exactly 0.
 */
export function selectStep(steps: readonly RelativeStep[], offset: number, side: "above" | "below"): RelativeStep | undefined {
    return steps.find((s) => {
        const lo = s.metricIntervalLowerBound ?? -Infinity;
        const hi = s.metricIntervalUpperBound ?? Infinity;
        return side === "above" ? offset >= lo && offset < hi : offset > lo && offset <= hi;
    });
}

/**
 * Tasks a PercentChangeInCapacity adjustment adds (or removes): "a value greater than 1 is rounded down
 * (12.7 -> 12), between 0 and 1 is rounded to 1, between 0 and -1 to -1, less than -1 rounded up
 * (-6.67 -> -6)"; MinAdjustmentMagnitude raises a smaller change to it [A2].
 */
export function percentChange(current: number, percent: number, minAdjustmentMagnitude?: number): number {
    const raw = (current * percent) / 100;
    let n: number;
    if (raw > 1) n = Math.floor(raw);
    else if (raw > 0) n = 1;
    else if (raw === 0) n = 0;
    else if (raw > -1) n = -1;
    else n = Math.ceil(raw);
    if (minAdjustmentMagnitude !== undefined && n !== 0 && Math.abs(n) < minAdjustmentMagnitude) {
        n = Math.sign(n) * minAdjustmentMagnitude;
    }
    return n;
}

/** The capacity a step adjustment asks for, from `current` (the running count on ECS [E1, E3]). */
export function applyAdjustment(config: StepPolicyConfig, current: number, scalingAdjustment: number): number {
    switch (config.adjustmentType) {
        case "ChangeInCapacity": return current + scalingAdjustment;
        case "ExactCapacity": return scalingAdjustment;
        case "PercentChangeInCapacity": return current + percentChange(current, scalingAdjustment, config.minAdjustmentMagnitude);
    }
}

export interface StepDecision {
    readonly value: number;
    readonly step: RelativeStep;
    readonly capacity: number;
}

/**
 * What a step policy asks for when its alarm is in ALARM: the aggregated value, the step that holds
 * its offset from `threshold`, and the capacity. Undefined when no data or no step holds the offset.
 */
export function stepDecision(config: StepPolicyConfig, values: readonly number[], threshold: number, side: "above" | "below", current: number): StepDecision | undefined {
    const value = aggregate(values, config.metricAggregationType);
    if (value === undefined) return undefined;
    const step = selectStep(config.stepAdjustments, value - threshold, side);
    if (!step) return undefined;
    return { value, step, capacity: applyAdjustment(config, current, step.scalingAdjustment) };
}
