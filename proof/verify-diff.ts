/**
 * `scale-test verify`: what is live in Application Auto Scaling and CloudWatch against what the
 * stack's plan says (proof/plan-aws.ts), one difference per line: key, expected, live. This is
 * the drift check a reviewer runs after `pulumi up`. Pure.
 */
import type { ScalingPolicy as AwsScalingPolicy } from "@aws-sdk/client-application-auto-scaling";
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { PlannedService } from "./plan-aws";

export interface Difference {
    readonly key: string;
    /** The plan's value, JSON-encoded; `(absent)` when the plan has no such thing. */
    readonly expected: string;
    /** The live value, JSON-encoded; `(missing)` when nothing is live. */
    readonly live: string;
}

export interface LiveService {
    readonly target?: { readonly minCapacity: number; readonly maxCapacity: number };
    /** The policies on exactly this resource. */
    readonly policies: readonly AwsScalingPolicy[];
    /** Every alarm that may belong to the service: target-tracking ones and those named like its step policies. */
    readonly alarms: readonly MetricAlarm[];
}

const MISSING = "(missing)";
const ABSENT = "(absent)";

/**
 * Flattens a request or response object into `path -> value` leaves. A `Dimensions` list becomes one
 * key per dimension name (AWS matches dimensions as a set, not a list).
 */
export function flatten(value: unknown, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
    if (Array.isArray(value)) {
        if (prefix.endsWith("Dimensions")) {
            for (const d of value as { Name?: string; Value?: string }[]) out[`${prefix}.${d.Name}`] = d.Value;
        } else {
            out[`${prefix}.length`] = value.length;
            value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
        }
    } else if (value !== null && typeof value === "object" && !(value instanceof Date)) {
        for (const [k, v] of Object.entries(value)) if (v !== undefined) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    } else {
        out[prefix] = value;
    }
    return out;
}

const text = (v: unknown) => (v === undefined ? MISSING : JSON.stringify(v));

/** Compares every planned leaf with the live one at the same path; `keyOf` turns a path into the printed key. */
function compareLeaves(planned: Record<string, unknown>, live: Record<string, unknown>, keyOf: (path: string) => string, out: Difference[]): void {
    const paths = new Set(Object.keys(planned));
    // Live dimensions and list lengths the plan does not have are differences too.
    for (const p of Object.keys(live)) if (/\.Dimensions\.|^Dimensions\./.test(p) || p.endsWith(".length")) paths.add(p);
    for (const p of paths) {
        const e = planned[p];
        const l = live[p];
        if (JSON.stringify(e) !== JSON.stringify(l)) out.push({ key: keyOf(p), expected: e === undefined ? ABSENT : JSON.stringify(e), live: text(l) });
    }
}

const CONFIG_PREFIX = /^(TargetTrackingScalingPolicyConfiguration|StepScalingPolicyConfiguration|PredictiveScalingPolicyConfiguration)\./;

/** Every difference between the plan and what is live, in plan order. */
export function verifyDifferences(plan: PlannedService, live: LiveService): Difference[] {
    const out: Difference[] = [];
    const t = `target ${plan.resourceId}`;
    if (!live.target) {
        out.push({ key: t, expected: "registered", live: MISSING });
    } else {
        if (live.target.minCapacity !== plan.minCapacity) out.push({ key: `${t} minCapacity`, expected: String(plan.minCapacity), live: String(live.target.minCapacity) });
        if (live.target.maxCapacity !== plan.maxCapacity) out.push({ key: `${t} maxCapacity`, expected: String(plan.maxCapacity), live: String(live.target.maxCapacity) });
    }
    const liveByName = new Map(live.policies.map((p) => [p.PolicyName ?? "", p]));
    for (const p of plan.policies) {
        const l = liveByName.get(p.name);
        const at = `policy ${p.name}`;
        if (!l) {
            out.push({ key: at, expected: "present", live: MISSING });
            continue;
        }
        const { ServiceNamespace: _n, ResourceId: _r, ScalableDimension: _d, PolicyName: _p, ...plannedBody } = p.input;
        const liveBody = {
            PolicyType: l.PolicyType,
            TargetTrackingScalingPolicyConfiguration: l.TargetTrackingScalingPolicyConfiguration,
            StepScalingPolicyConfiguration: l.StepScalingPolicyConfiguration,
            PredictiveScalingPolicyConfiguration: l.PredictiveScalingPolicyConfiguration,
        };
        compareLeaves(flatten(plannedBody), flatten(liveBody), (path) => `${at} ${path.replace(CONFIG_PREFIX, "")}`, out);

        const alarmNames = (l.Alarms ?? []).map((a) => a.AlarmName ?? "");
        if (p.input.PolicyType === "TargetTrackingScaling") {
            // AWS creates and owns these alarms; they must exist, their settings are not the plan's to state.
            for (const kind of ["AlarmHigh", "AlarmLow"]) {
                const exists = live.alarms.some((a) => alarmNames.includes(a.AlarmName ?? "") && (a.AlarmName ?? "").includes(`-${kind}-`));
                if (!exists) out.push({ key: `${at} ${kind}`, expected: "present", live: MISSING });
            }
        } else if (p.alarm) {
            const alarm = live.alarms.find((a) => a.AlarmName === p.alarm!.AlarmName);
            const aAt = `alarm ${p.alarm.AlarmName}`;
            if (!alarm) {
                out.push({ key: aAt, expected: "present", live: MISSING });
                continue;
            }
            const { AlarmName: _a, ...plannedAlarm } = p.alarm;
            const liveAlarm: Record<string, unknown> = {};
            for (const k of Object.keys(plannedAlarm)) liveAlarm[k] = (alarm as Record<string, unknown>)[k];
            compareLeaves(flatten(plannedAlarm), flatten(liveAlarm), (path) => `${aAt} ${path}`, out);
            const arn = l.PolicyARN ?? "";
            if (!(alarm.AlarmActions ?? []).some((x) => x === arn || x.startsWith(`${arn}:`))) {
                out.push({ key: `${aAt} AlarmActions`, expected: `includes ${JSON.stringify(arn)}`, live: JSON.stringify(alarm.AlarmActions ?? []) });
            }
        }
    }
    const planned = new Set(plan.policies.map((p) => p.name));
    for (const l of live.policies) {
        if (!planned.has(l.PolicyName ?? "")) out.push({ key: `policy ${l.PolicyName}`, expected: ABSENT, live: "present" });
    }
    return out;
}

/** `key: expected X, live Y`, one line each. */
export function differenceLines(diffs: readonly Difference[]): string[] {
    return diffs.map((d) => `${d.key}: expected ${d.expected}, live ${d.live}`);
}
