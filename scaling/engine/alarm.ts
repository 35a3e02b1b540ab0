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
 * The state after one evaluation of `datapoints`: the alarm's evaluation range (at least its last N
 * periods, oldest first, undefined where missing). When the range holds N or more real datapoints the
 * N most recent are evaluated and the missing ones ignored; otherwise the missing ones are filled per
 * TreatMissingData, as few as possible: `missing` counts them neither way (all missing is
 * INSUFFICIENT_DATA), `notBreaching`/`breaching` as that, `ignore` keeps the previous state when all
 * are missing [C1].
 */
export function evaluateAlarm(def: AlarmDefinition, datapoints: readonly (number | undefined)[], previous: AlarmState): AlarmState {
    const n = def.evaluationPeriods;
    const real = datapoints.filter((v): v is number => v !== undefined);
    const used = real.slice(-n);
    let breaching = used.filter((v) => breaches(def.comparisonOperator, v, def.threshold)).length;
    if (used.length === 0) {
        if (def.treatMissingData === "missing") return "INSUFFICIENT_DATA";
        if (def.treatMissingData === "ignore") return previous;
    }
    if (used.length < n && def.treatMissingData === "breaching") breaching += n - used.length;
    return breaching >= def.datapointsToAlarm ? "ALARM" : "OK";
}
