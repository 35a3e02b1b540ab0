/**
 * CloudWatch alarm evaluation (shared reference section 3, [C1, C2]): M of the last N datapoints must
 * breach (not necessarily consecutive); missing datapoints are treated per TreatMissingData.
 */

export type ComparisonOperator =
    | "GreaterThanThreshold"
    | "GreaterThanOrEqualToThreshold"
    | "LessThanThreshold"
    | "LessThanOrEqualToThreshold";

export type TreatMissingData = "missing" | "notBreaching" | "breaching" | "ignore";

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface AlarmDefinition {
    readonly name: string;
    readonly comparisonOperator: ComparisonOperator;
    readonly threshold: number;
    /** Seconds. */
    readonly period: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    readonly treatMissingData: TreatMissingData;
}

export function breaches(op: ComparisonOperator, value: number, threshold: number): boolean {
    switch (op) {
        case "GreaterThanThreshold": return value > threshold;
        case "GreaterThanOrEqualToThreshold": return value >= threshold;
        case "LessThanThreshold": return value < threshold;
        case "LessThanOrEqualToThreshold": return value <= threshold;
    }
}

/** Whether the alarm watches for values above its threshold (scale-out side) or below it. */
export function alarmSide(op: ComparisonOperator): "above" | "below" {
    return op.startsWith("Greater") ? "above" : "below";
}

/**
 * The state after one evaluation of `datapoints` (the alarm's last N periods, oldest first, undefined
 * where missing). `missing`: missing points count neither way, all missing is INSUFFICIENT_DATA;
 * `notBreaching`/`breaching`: missing points are filled with that; `ignore`: all missing keeps the
 * previous state [C1].
 */
export function evaluateAlarm(def: AlarmDefinition, datapoints: readonly (number | undefined)[], previous: AlarmState): AlarmState {
    let real = 0;
    let breaching = 0;
    for (const v of datapoints) {
        if (v === undefined) {
            if (def.treatMissingData === "breaching") breaching++;
            continue;
        }
        real++;
        if (breaches(def.comparisonOperator, v, def.threshold)) breaching++;
    }
    if (real === 0) {
        if (def.treatMissingData === "missing") return "INSUFFICIENT_DATA";
        if (def.treatMissingData === "ignore") return previous;
    }
    return breaching >= def.datapointsToAlarm ? "ALARM" : "OK";
}
