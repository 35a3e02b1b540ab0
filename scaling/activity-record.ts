/**
 * The scaling-activity record: one JSON object per line, written by whatever applies a scaling
 * decision where the endpoint keeps no activities of its own (`autoscale emulate` against moto, whose
 * DescribeScalingActivities is not implemented), and read by `autoscale evidence --activities <file>`.
 * It carries what an Application Auto Scaling activity shows (resource, old and new desired count,
 * cause), plus the policy and alarm that caused it.
 *
 * A line, keys in this order:
 *   {"time":"2026-11-23T20:15:00.000Z","resourceId":"service/c/s","policy":"s-synthetic-load",
 *    "alarm":"TargetTracking-service/c/s-AlarmHigh-...","oldDesired":2,"newDesired":4,
 *    "cause":"monitor alarm ... in state ALARM triggered policy ..."}
 */

export interface ScalingActivityRecord {
    /** ISO-8601 UTC time the desired count was changed. */
    readonly time: string;
    /** Application Auto Scaling resource ID, `service/<cluster>/<service>`. */
    readonly resourceId: string;
    /** Name of the scaling policy that decided it. */
    readonly policy: string;
    /** Name of the alarm that invoked the policy. */
    readonly alarm: string;
    readonly oldDesired: number;
    readonly newDesired: number;
    /** Human-readable cause, in the words Application Auto Scaling uses where possible. */
    readonly cause: string;
}

const KEYS = ["time", "resourceId", "policy", "alarm", "oldDesired", "newDesired", "cause"] as const;

/** The record as one line of JSON (no trailing newline), keys in the documented order. */
export function formatActivityRecord(r: ScalingActivityRecord): string {
    const problems = activityRecordProblems(r);
    if (problems.length > 0) throw new Error(`invalid scaling-activity record: ${problems.join("; ")}`);
    return JSON.stringify(Object.fromEntries(KEYS.map((k) => [k, r[k]])));
}

/** Every rule a value breaks to be a record, as sentences naming the key and the value. */
export function activityRecordProblems(value: unknown): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return [`${JSON.stringify(value)} is not an object`];
    const v = value as Record<string, unknown>;
    const problems: string[] = [];
    for (const k of ["resourceId", "policy", "alarm", "cause"] as const) {
        if (typeof v[k] !== "string" || v[k] === "") problems.push(`${k}: ${JSON.stringify(v[k]) ?? "(missing)"} must be a non-empty string`);
    }
    if (typeof v.time !== "string" || Number.isNaN(Date.parse(v.time))) {
        problems.push(`time: ${JSON.stringify(v.time) ?? "(missing)"} must be an ISO-8601 time`);
    }
    for (const k of ["oldDesired", "newDesired"] as const) {
        if (typeof v[k] !== "number" || !Number.isInteger(v[k]) || (v[k] as number) < 0) {
            problems.push(`${k}: ${JSON.stringify(v[k]) ?? "(missing)"} must be a whole number >= 0`);
        }
    }
    if (typeof v.resourceId === "string" && v.resourceId !== "" && !/^service\/[^/]+\/[^/]+$/.test(v.resourceId)) {
        problems.push(`resourceId: ${JSON.stringify(v.resourceId)} must be service/<cluster>/<service>`);
    }
    for (const k of Object.keys(v)) {
        if (!(KEYS as readonly string[]).includes(k)) problems.push(`${k}: unknown key`);
    }
    return problems;
}

/**
 * Parses a JSON-lines text. Blank lines are skipped; every bad line is reported with its number, so a
 * truncated or foreign file is never read as "no activities".
 */
export function parseActivityRecords(text: string): { records: ScalingActivityRecord[]; problems: string[] } {
    const records: ScalingActivityRecord[] = [];
    const problems: string[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
        if (line.trim() === "") return;
        let value: unknown;
        try {
            value = JSON.parse(line);
        } catch {
            problems.push(`line ${i + 1}: not JSON`);
            return;
        }
        const p = activityRecordProblems(value);
        if (p.length > 0) problems.push(...p.map((m) => `line ${i + 1}: ${m}`));
        else records.push(value as ScalingActivityRecord);
    });
    return { records, problems };
}

/** The Application Auto Scaling resource ID of an ECS service. */
export function ecsResourceId(cluster: string, service: string): string {
    return `service/${cluster}/${service}`;
}
