/**
 * Target tracking as Application Auto Scaling runs it for ECS (shared reference sections 1.1-1.3 and
 * 9.3-9.4): the alarm pair it creates, and the capacity it asks for.
 */
import { targetTrackingAlarmName } from "../../aws/scaling-ids";
import type { AlarmDefinition } from "./alarm";
import type { AlarmShape, EngineParams } from "./params";

export interface TargetTrackingAlarms {
    readonly high: AlarmDefinition;
    readonly low: AlarmDefinition;
}

/**
 * AlarmHigh `metric > target` and AlarmLow `metric < 0.9 x target`, TreatMissingData missing, named
 * as AWS names them (`TargetTracking-<resourceId>-AlarmHigh-<id>`) [X1, A3]. High-resolution metrics use
 * the 20-s shape.
 */
export function targetTrackingAlarms(
    resourceId: string, targetValue: number, highResolution: boolean, p: EngineParams, id = "sim",
): TargetTrackingAlarms {
    const out: AlarmShape = highResolution ? p.highResolutionScaleOut : p.targetTrackingScaleOut;
    const inn: AlarmShape = highResolution ? p.highResolutionScaleIn : p.targetTrackingScaleIn;
    return {
        high: {
            name: targetTrackingAlarmName(resourceId, "High", id),
            comparisonOperator: "GreaterThanThreshold",
            threshold: targetValue,
            ...out,
            treatMissingData: "missing",
        },
        low: {
            name: targetTrackingAlarmName(resourceId, "Low", id),
            comparisonOperator: "LessThanThreshold",
            threshold: targetValue * p.targetTrackingScaleInRatio,
            ...inn,
            treatMissingData: "missing",
        },
    };
}

/**
 * The capacity target tracking asks for, from the running task count [E1]: proportional to the metric,
 * rounded up on scale-out and, on scale-in, as EngineParams.targetTrackingScaleInRounding says ("rounding up or down ... prevents it from adding
 * insufficient capacity or removing too much" [A1]); ceil(running x metric / target) matches AWS's worked
 * example (10 x 150 / 100 = 15 [Q4]) but is (U). From 0 running tasks it scales out "by the minimum
 * possible amount" (1) [E1].
 */
export function targetTrackingCapacity(running: number, metric: number, target: number, direction: "out" | "in", p: EngineParams): number {
    if (direction === "out") {
        if (running === 0) return 1;
        return Math.ceil((running * metric) / target - 1e-9);
    }
    const exact = (running * metric) / target;
    let n = p.targetTrackingScaleInRounding === "floor" ? Math.floor(exact + 1e-9) : Math.ceil(exact - 1e-9);
    if (p.targetTrackingMaxScaleInStep !== undefined) n = Math.max(n, running - p.targetTrackingMaxScaleInStep);
    return n;
}
