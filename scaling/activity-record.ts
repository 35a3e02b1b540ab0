/**
 * The scaling-activity record: one JSON object per line, written by whatever applies a scaling
 * decision where the endpoint keeps no activities of its own (`autoscale emulate` against moto, whose
 * DescribeScalingActivities is not implemented), and read by `autoscale evidence --activities <file>`.
 * It carries what an Application Auto Scaling activity shows (resource, old and new desired count,
 * cause), plus the policy and alarm that caused it, and, where the endpoint keeps no ECS service events
 * either (moto), the event ECS would record for the tasks the change started or stopped.
 *
 * A line, keys in this order (`alarm` and `event` are optional):
 *   {"time":"2026-11-23T20:15:00.000Z","resourceId":"service/c/s","policy":"s-synthetic-load",
 *    "alarm":"TargetTracking-service/c/s-AlarmHigh-...","oldDesired":2,"newDesired":4,
 *    "cause":"monitor alarm ... in state ALARM triggered policy ...",
 *    "event":"(service s) has started 2 tasks."}
 */

export interface ScalingActivityRecord {
    /** ISO-8601 UTC time the desired count was changed. */
    readonly time: string;
    /** Application Auto Scaling resource ID, `service/<cluster>/<service>`. */
    readonly resourceId: string;
    /** Name of the scaling policy, or of the scheduled action, that decided it. */
    readonly policy: string;
    /** Name of the alarm that invoked the policy; absent for a scheduled action, which no alarm invokes. */
    readonly alarm?: string;
    readonly oldDesired: number;
    readonly newDesired: number;
    /** Human-readable cause, in the words Application Auto Scaling uses where possible. */
    readonly cause: string;
    /**
     * The ECS service event for the tasks the change started or stopped, in ECS's words
     * (`(service s) has started 2 tasks.`): the difference between the new desired count and the
     * running and pending tasks the endpoint reported before the update. Absent when there is none.
     */
    readonly event?: string;
}

const KEYS = ["time", "resourceId", "policy", "alarm", "oldDesired", "newDesired", "cause", "event"] as const;

/** The record as one line of JSON (no trailing newline), keys in the documented order. */
export function formatActivityRecord(r: ScalingActivityRecord): string {
    const problems = activityRecordProblems(r);
    if (problems.length > 0) throw new Error(`invalid scaling-activity record: ${problems.join("; ")}`);
    return JSON.stringify(Object.fromEntries(KEYS.filter((k) => r[k] !== undefined).map((k) => [k, r[k]])));
}

/** Every rule a value breaks to be a record, as sentences naming the key and the value. */
export function activityRecordProblems(value: unknown): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return [`${JSON.stringify(value)} is not an object`];
    const v = value as Record<string, unknown>;
    const problems: string[] = [];
    for (const k of ["resourceId", "policy", "cause"] as const) {
        if (typeof v[k] !== "string" || v[k] === "") problems.push(`${k}: ${JSON.stringify(v[k]) ?? "(missing)"} must be a non-empty string`);
    }
    for (const k of ["alarm", "event"] as const) {
        if (k in v && (typeof v[k] !== "string" || v[k] === "")) problems.push(`${k}: ${JSON.stringify(v[k]) ?? "(missing)"} must be a non-empty string when given`);
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

/**
 * The service event ECS records when its scheduler brings a service's tasks (running and pending) to a
 * new desired count: `has started N tasks` or `has stopped N running tasks`, in ECS's words without the
 * task list (an emulated endpoint runs no tasks to name). Undefined when there is nothing to start or stop.
 */
export function taskChangeEvent(service: string, tasksBefore: number, desiredAfter: number): string | undefined {
    if (desiredAfter > tasksBefore) return `(service ${service}) has started ${desiredAfter - tasksBefore} tasks.`;
    if (desiredAfter < tasksBefore) return `(service ${service}) has stopped ${tasksBefore - desiredAfter} running tasks.`;
    return undefined;
}
