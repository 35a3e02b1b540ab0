/**
 * Judges the artifacts of seed 000's proof checklist for one ECS service. Pure: it takes what the
 * collector read (proof/evidence-collect.ts) and returns one verdict per checklist item, so every
 * verdict is tested from plain data.
 *
 *   PASS         the artifact is there and says what the proof needs
 *   FAIL         it is missing or says something else; `why` and, for a series, a diff explain it
 *   UNAVAILABLE  the endpoint does not offer the call (moto has no DescribeScalingActivities and
 *                records no ECS service events), so the item can be neither proved nor disproved
 */
import { ecsResourceId, targetTrackingAlarmPrefix } from "../aws/scaling-ids";
import type { MetricSeries } from "../scaling/metric-series";

export type Status = "PASS" | "FAIL" | "UNAVAILABLE";

export interface Verdict {
    /** Checklist item, e.g. `series-match proof-api-synthetic-load`. */
    readonly item: string;
    readonly status: Status;
    /** One line: what was found, or why it failed. */
    readonly detail: string;
    /** For a series comparison: one line per part (namespace, metric name, each dimension). */
    readonly diff?: readonly string[];
}

/** A series as CloudWatch lists it: namespace, name and dimensions (no statistic). */
export interface ListedSeries {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, string>>;
}

export interface PolicyView {
    readonly name: string;
    readonly arn: string;
    readonly type: "TargetTrackingScaling" | "StepScaling" | string;
    readonly targetValue?: number;
    /** The CustomizedMetricSpecification of a target-tracking policy, as a series. */
    readonly customSeries?: MetricSeries;
    /** The predefined metric type of a target-tracking policy. */
    readonly predefinedMetric?: string;
    /** Alarm names the policy lists (target tracking: the alarms AWS made for it). */
    readonly alarmNames: readonly string[];
}

export interface AlarmView {
    readonly name: string;
    readonly state: string;
    readonly stateReason?: string;
    readonly stateUpdated?: string;
    readonly actions: readonly string[];
    /** State changes in the window, oldest first; undefined when the endpoint has no DescribeAlarmHistory. */
    readonly history?: readonly { readonly time: string; readonly summary: string }[];
}

export interface ActivityView {
    readonly time: string;
    readonly description: string;
    readonly cause: string;
    /** Desired count after the activity, when known. */
    readonly newDesired?: number;
    readonly oldDesired?: number;
}

export type ActivitySource =
    | { readonly kind: "api"; readonly activities: readonly ActivityView[] }
    | { readonly kind: "record"; readonly file: string; readonly activities: readonly ActivityView[] }
    | { readonly kind: "unavailable"; readonly reason: string };

export interface EvidenceData {
    readonly cluster: string;
    readonly service: string;
    readonly resourceId: string;
    readonly window: { readonly start: string; readonly end: string };
    readonly target?: { readonly minCapacity: number; readonly maxCapacity: number };
    readonly policies: readonly PolicyView[];
    /** Per custom-metric policy name: the de-duplicated series ListMetrics gives for its namespace and name. */
    readonly listedMetrics: Readonly<Record<string, readonly ListedSeries[]>>;
    /** Per custom-metric policy name: the datapoints of its exact series in the window. */
    readonly datapoints: Readonly<Record<string, readonly { readonly time: string; readonly value: number }[]>>;
    /** The alarms that belong to the service (target-tracking prefix, and those acting on its step policies). */
    readonly alarms: readonly AlarmView[];
    readonly activities: ActivitySource;
    /** ECS service events in the window; `all` counts every event the service has (any time). */
    readonly serviceEvents: {
        readonly all: number;
        readonly inWindow: readonly { readonly time: string; readonly message: string }[];
        /** The activity record the events were taken from, when the endpoint records none; absent for DescribeServices'. */
        readonly record?: string;
    };
    readonly serviceCounts?: { readonly desired: number; readonly running: number; readonly pending: number };
}


/** A series' identity regardless of dimension order. */
export function listedKey(s: ListedSeries): string {
    const dims = Object.keys(s.dimensions).sort().map((k) => `${k}=${s.dimensions[k]}`).join(",");
    return `${s.namespace}\u0000${s.metricName}\u0000${dims}`;
}

/** ListMetrics output without repeats (moto lists multi-dimension series once per datapoint). */
export function dedupeSeries(list: readonly ListedSeries[]): ListedSeries[] {
    const seen = new Map<string, ListedSeries>();
    for (const s of list) if (!seen.has(listedKey(s))) seen.set(listedKey(s), s);
    return [...seen.values()];
}

function sameSeries(a: ListedSeries, b: ListedSeries): boolean {
    return listedKey(a) === listedKey(b);
}

/**
 * The diff between the series a policy watches and one that is published: namespace, metric name and
 * every dimension either side has, each on one line, the differing ones marked.
 */
export function seriesDiff(policy: ListedSeries, published: ListedSeries): string[] {
    const line = (label: string, a: string | undefined, b: string | undefined): string =>
        a === b ? `  ${label}: ${JSON.stringify(a)} (same)`
            : `! ${label}: policy ${a === undefined ? "(none)" : JSON.stringify(a)}, published ${b === undefined ? "(none)" : JSON.stringify(b)}`;
    const names = [...Object.keys(policy.dimensions)];
    for (const n of Object.keys(published.dimensions)) if (!names.includes(n)) names.push(n);
    return [
        line("namespace", policy.namespace, published.namespace),
        line("metricName", policy.metricName, published.metricName),
        ...names.map((n) => line(`dimension ${n}`, policy.dimensions[n], published.dimensions[n])),
    ];
}

/** The published series most like the watched one: most equal dimension values, then names. */
function closest(watched: ListedSeries, candidates: readonly ListedSeries[]): ListedSeries | undefined {
    let best: ListedSeries | undefined;
    let bestScore = -1;
    for (const c of candidates) {
        let score = 0;
        for (const [k, v] of Object.entries(watched.dimensions)) {
            if (c.dimensions[k] === v) score += 2;
            else if (k in c.dimensions) score += 1;
        }
        score -= Object.keys(c.dimensions).filter((k) => !(k in watched.dimensions)).length;
        if (score > bestScore) {
            best = c;
            bestScore = score;
        }
    }
    return best;
}

function seriesText(s: ListedSeries): string {
    const dims = Object.entries(s.dimensions).map(([k, v]) => `${k}=${v}`).join(", ");
    return `${s.namespace} ${s.metricName} {${dims}}`;
}

/** One verdict per checklist item, in checklist order. */
export function judgeEvidence(d: EvidenceData): Verdict[] {
    const verdicts: Verdict[] = [];
    const v = (item: string, status: Status, detail: string, diff?: string[]) =>
        verdicts.push(diff ? { item, status, detail, diff } : { item, status, detail });

    // Scalable target and its bounds.
    if (d.target) v("scalable-target", "PASS", `${d.resourceId} registered, min ${d.target.minCapacity}, max ${d.target.maxCapacity}`);
    else v("scalable-target", "FAIL", `${d.resourceId} is not registered with Application Auto Scaling (DescribeScalableTargets found nothing)`);

    // Policies.
    if (d.policies.length === 0) v("policies", "FAIL", `no scaling policy on ${d.resourceId} (DescribeScalingPolicies found nothing)`);
    for (const p of d.policies) {
        const what = p.customSeries ? `target tracking ${p.targetValue} on ${seriesText(p.customSeries)}`
            : p.predefinedMetric ? `target tracking ${p.targetValue} on ${p.predefinedMetric}` : p.type;
        v(`policy ${p.name}`, "PASS", what);
    }

    // Custom-metric policies: series match, metric listed, datapoints.
    const custom = d.policies.filter((p) => p.customSeries);
    if (custom.length === 0) {
        v("series-match", "FAIL", `no policy of ${d.resourceId} watches a custom metric; seed 000's proof drives the service through one (enable customMetricTest)`);
    }
    for (const p of custom) {
        const watched: ListedSeries = { namespace: p.customSeries!.namespace, metricName: p.customSeries!.metricName, dimensions: p.customSeries!.dimensions };
        const listed = dedupeSeries(d.listedMetrics[p.name] ?? []);
        const exact = listed.find((s) => sameSeries(s, watched));
        if (exact) {
            v(`series-match ${p.name}`, "PASS", `the policy's CustomizedMetricSpecification is exactly a published series: ${seriesText(watched)}`, seriesDiff(watched, exact));
            v(`metric ${p.name}`, "PASS", `ListMetrics lists ${seriesText(watched)} (${listed.length} series under ${watched.namespace} ${watched.metricName} after de-duplication)`);
        } else {
            const near = closest(watched, listed);
            if (near) {
                const differs = seriesDiff(watched, near).filter((l) => l.startsWith("!")).length;
                v(`series-match ${p.name}`, "FAIL",
                    `the policy watches a series nobody publishes; the nearest published one differs in ${differs} part${differs === 1 ? "" : "s"}, so the policy sees no data`,
                    seriesDiff(watched, near));
            } else {
                v(`series-match ${p.name}`, "FAIL", `nothing is published as ${watched.namespace} ${watched.metricName} (ListMetrics is empty for it)`);
            }
            v(`metric ${p.name}`, "FAIL", `ListMetrics does not list ${seriesText(watched)}`);
        }
        const points = d.datapoints[p.name] ?? [];
        if (points.length === 0) {
            v(`datapoints ${p.name}`, "FAIL", `GetMetricData returned no datapoints of ${seriesText(watched)} between ${d.window.start} and ${d.window.end}`);
        } else {
            const values = points.map((x) => x.value);
            const target = p.targetValue;
            const above = target === undefined ? 0 : values.filter((x) => x > target).length;
            const below = target === undefined ? 0 : values.filter((x) => x < target).length;
            v(`datapoints ${p.name}`, "PASS", `${points.length} datapoints (${p.customSeries!.statistic}), min ${Math.min(...values)}, max ${Math.max(...values)}` +
                (target !== undefined ? `; ${above} above and ${below} below the target ${target}` : ""));
        }
    }

    // Alarms: target-tracking alarm pairs, and the alarm acting on each step policy.
    const prefix = targetTrackingAlarmPrefix(ecsResourceId(d.cluster, d.service));
    for (const p of d.policies) {
        if (p.type === "TargetTrackingScaling") {
            const mine = d.alarms.filter((a) => p.alarmNames.includes(a.name) && a.name.startsWith(prefix));
            const high = mine.filter((a) => a.name.startsWith(`${prefix}AlarmHigh-`));
            const low = mine.filter((a) => a.name.startsWith(`${prefix}AlarmLow-`));
            if (high.length > 0 && low.length > 0) {
                v(`alarms ${p.name}`, "PASS", [...high, ...low].map((a) => `${a.name} ${a.state}${historyText(a)}`).join("; "));
            } else {
                const missing = [high.length === 0 ? "AlarmHigh" : "", low.length === 0 ? "AlarmLow" : ""].filter(Boolean).join(" and ");
                v(`alarms ${p.name}`, "FAIL", `no ${missing} alarm named ${prefix}${missing.split(" and ")[0]}-* among the policy's alarms (${p.alarmNames.join(", ") || "none"})`);
            }
        } else if (p.type === "StepScaling") {
            const acting = d.alarms.filter((a) => a.actions.some((x) => x === p.arn || x.startsWith(`${p.arn}:`)));
            if (acting.length > 0) v(`alarms ${p.name}`, "PASS", acting.map((a) => `${a.name} ${a.state}${historyText(a)}`).join("; "));
            else v(`alarms ${p.name}`, "FAIL", "no alarm has this step policy among its actions, so nothing ever invokes it");
        }
    }

    // Scaling activities with their causes.
    const a = d.activities;
    if (a.kind === "unavailable") {
        v("scaling-activities", "UNAVAILABLE", a.reason);
    } else {
        const from = a.kind === "api" ? "DescribeScalingActivities" : `activity record ${a.file}`;
        if (a.activities.length === 0) {
            v("scaling-activities", "FAIL", `${from}: no scaling activity on ${d.resourceId} between ${d.window.start} and ${d.window.end}`);
        } else {
            const outs = a.activities.filter((x) => x.newDesired !== undefined && x.oldDesired !== undefined && x.newDesired > x.oldDesired).length;
            const ins = a.activities.filter((x) => x.newDesired !== undefined && x.oldDesired !== undefined && x.newDesired < x.oldDesired).length;
            v("scaling-activities", "PASS", `${from}: ${a.activities.length} activities (${outs} out, ${ins} in); latest: ${a.activities[a.activities.length - 1].description} because ${a.activities[a.activities.length - 1].cause}`);
        }
    }

    // ECS service events about the desired count.
    const ev = d.serviceEvents;
    const evFrom = ev.record === undefined ? "DescribeServices" : `activity record ${ev.record} (the endpoint records no service events)`;
    if (ev.all === 0) {
        v("service-events", "UNAVAILABLE", ev.record === undefined
            ? "the service has no events at all; the endpoint records none (AWS always records at least a steady-state event; moto never does)"
            : `the service has no events and the activity record ${ev.record} carries none`);
    } else {
        const about = ev.inWindow.filter((e) => DESIRED_COUNT_EVENT.test(e.message));
        if (about.length > 0) v("service-events", "PASS", `${evFrom}: ${about.length} events about tasks started or stopped; latest: ${about[about.length - 1].message}`);
        else v("service-events", "FAIL", `${evFrom}: none of the ${ev.inWindow.length} events in the window is about a desired-count change (tasks started or stopped)`);
    }
    return verdicts;
}

/** ECS event messages that follow a desired-count change: `has started 2 tasks`, `has stopped 1 running tasks`. */
export const DESIRED_COUNT_EVENT = /has (started|stopped) \d+ (running )?tasks?|desired count/i;

function historyText(a: AlarmView): string {
    if (a.history === undefined) return a.stateUpdated ? ` since ${a.stateUpdated}` : "";
    return a.history.length === 0 ? " (no state change in the window)" : ` (${a.history.length} state changes in the window)`;
}

/** The exit code evidence gives: 1 when any item failed. */
export function evidenceExitCode(verdicts: readonly Verdict[]): 0 | 1 {
    return verdicts.some((x) => x.status === "FAIL") ? 1 : 0;
}

/** `PASS  item  detail` lines, with the diff lines indented under a series check. */
export function verdictLines(verdicts: readonly Verdict[]): string[] {
    const width = Math.max(...verdicts.map((x) => x.item.length));
    const lines: string[] = [];
    for (const x of verdicts) {
        lines.push(`${x.status.padEnd(11)} ${x.item.padEnd(width)}  ${x.detail}`);
        if (x.diff && x.status === "FAIL") for (const l of x.diff) lines.push(`            ${l}`);
    }
    return lines;
}
