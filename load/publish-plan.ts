/**
 * What `autoscale metric publish` sends, decided before anything is sent: the series (from the stack's
 * `customMetricSeries` output or from flags), the phases (`value:duration`), the period, and the exact
 * PutMetricData input of each datapoint. Pure: the command and the tests share it.
 */
import type { PutMetricDataCommandInput, StandardUnit } from "@aws-sdk/client-cloudwatch";
import { cloudWatchDimensions } from "../runtime/aws/cloudwatch";
import { metricSeries, seriesKey, type MetricSeries, type Statistic } from "../scaling/metric-series";
import { UsageError, parseDuration } from "../input/usage";

/** CloudWatch stores custom metrics at 1-second resolution at best (PutMetricData StorageResolution 1 or 60). */
export const MIN_PERIOD_MS = 1_000;
/** Bounds on what one run may send, so a typo cannot publish for days. */
export const MAX_TOTAL_MS = 6 * 3_600_000;
export const MAX_POINTS = 10_000;

export interface Phase {
    readonly value: number;
    readonly durationMs: number;
}

export interface PublishPlan {
    readonly series: MetricSeries;
    readonly everyMs: number;
    readonly phases: readonly (Phase & { readonly points: number })[];
    readonly totalPoints: number;
}

/** `--phase 200:10m`: a value and how long to publish it. */
export function parsePhase(text: string): Phase {
    const i = text.lastIndexOf(":");
    if (i <= 0) throw new UsageError(`--phase: ${JSON.stringify(text)} must be <value>:<duration>, e.g. 200:10m`);
    const valueText = text.slice(0, i).trim();
    const value = Number(valueText);
    if (valueText === "" || !Number.isFinite(value)) {
        throw new UsageError(`--phase: value ${JSON.stringify(valueText)} in ${JSON.stringify(text)} is not a number`);
    }
    const durationMs = parseDuration(text.slice(i + 1), "--phase");
    if (durationMs <= 0) throw new UsageError(`--phase: duration in ${JSON.stringify(text)} must be > 0`);
    return { value, durationMs };
}

/** `--dimension Name=Value` (repeatable) into a dimension map, in the order given. */
export function parseDimensions(items: readonly string[]): Record<string, string> {
    const dims: Record<string, string> = {};
    for (const item of items) {
        const i = item.indexOf("=");
        if (i <= 0 || i === item.length - 1) throw new UsageError(`--dimension: ${JSON.stringify(item)} must be Name=Value`);
        const name = item.slice(0, i);
        if (dims[name] !== undefined) throw new UsageError(`--dimension: ${name} is given twice`);
        dims[name] = item.slice(i + 1);
    }
    return dims;
}

const STATISTICS: readonly Statistic[] = ["Average", "Sum", "Minimum", "Maximum", "SampleCount"];

/**
 * The series under `customMetricSeries` in the JSON that `pulumi stack output --json` prints.
 * `source` names the file (or stdin) in errors.
 */
export function seriesFromStackOutputs(text: string, source: string): MetricSeries {
    let outputs: unknown;
    try {
        outputs = JSON.parse(text);
    } catch {
        throw new UsageError(`--stack-outputs: ${source} is not JSON (expected what \`pulumi stack output --json\` prints)`);
    }
    const raw = (outputs as Record<string, unknown> | null)?.customMetricSeries;
    if (raw === undefined || raw === null) {
        throw new UsageError(`--stack-outputs: ${source} has no customMetricSeries (set customMetricTest.enabled: true in the stack and run pulumi up)`);
    }
    const s = raw as Record<string, unknown>;
    const bad = (key: string, rule: string) => new UsageError(`--stack-outputs: customMetricSeries.${key}: ${JSON.stringify(s[key]) ?? "(missing)"} ${rule}`);
    if (typeof s.namespace !== "string" || s.namespace === "") throw bad("namespace", "must be a non-empty string");
    if (typeof s.metricName !== "string" || s.metricName === "") throw bad("metricName", "must be a non-empty string");
    if (s.dimensions === null || typeof s.dimensions !== "object" || Array.isArray(s.dimensions)
        || Object.values(s.dimensions).some((v) => typeof v !== "string")) {
        throw bad("dimensions", "must be an object of Name: \"Value\" strings");
    }
    const statistic = (s.statistic ?? "Average") as Statistic;
    if (!STATISTICS.includes(statistic)) throw bad("statistic", `must be one of ${STATISTICS.join(", ")}`);
    if (s.unit !== undefined && typeof s.unit !== "string") throw bad("unit", "must be a string");
    return metricSeries({
        namespace: s.namespace, metricName: s.metricName,
        dimensions: s.dimensions as Record<string, string>, statistic,
        ...(s.unit !== undefined ? { unit: s.unit as string } : {}),
    });
}

/** Checks everything and counts the datapoints of each phase (one at the start of every period). */
export function buildPublishPlan(series: MetricSeries, phases: readonly Phase[], everyMs: number): PublishPlan {
    if (Object.keys(series.dimensions).length === 0) {
        throw new UsageError(`series ${seriesKey(series)}: no dimensions; a scaling policy watches one series with exactly the dimensions it is published with, so publish with --dimension Name=Value`);
    }
    if (everyMs < MIN_PERIOD_MS) {
        throw new UsageError(`--every: ${everyMs} ms is under 1 s; CloudWatch keeps at most one datapoint per second (high resolution)`);
    }
    if (phases.length === 0) throw new UsageError("--phase: at least one is required, e.g. --phase 200:10m --phase 0:15m");
    const total = phases.reduce((sum, p) => sum + p.durationMs, 0);
    if (total > MAX_TOTAL_MS) throw new UsageError(`--phase: the phases last ${total / 60_000} min in all; at most ${MAX_TOTAL_MS / 60_000} min per run`);
    const counted = phases.map((p) => ({ ...p, points: Math.ceil(p.durationMs / everyMs) }));
    const totalPoints = counted.reduce((sum, p) => sum + p.points, 0);
    if (totalPoints > MAX_POINTS) throw new UsageError(`--every: ${totalPoints} datapoints in all; at most ${MAX_POINTS} per run`);
    return { series, everyMs, phases: counted, totalPoints };
}

/** Offset from the start of the run, in ms, of datapoint `index` of phase `phase`. */
export function pointOffsetMs(plan: PublishPlan, phase: number, index: number): number {
    let start = 0;
    for (let i = 0; i < phase; i++) start += plan.phases[i].durationMs;
    return start + index * plan.everyMs;
}

/**
 * The exact PutMetricData request for one datapoint of the series. Datapoints less than a minute apart
 * are sent as high-resolution (StorageResolution 1), or CloudWatch would fold them into one per minute.
 */
export function putMetricDataInput(series: MetricSeries, value: number, timestamp: Date, everyMs = 60_000): PutMetricDataCommandInput {
    return {
        Namespace: series.namespace,
        MetricData: [{
            MetricName: series.metricName,
            Dimensions: cloudWatchDimensions(series),
            Timestamp: timestamp,
            Value: value,
            ...(series.unit !== undefined ? { Unit: series.unit as StandardUnit } : {}),
            ...(everyMs < 60_000 ? { StorageResolution: 1 } : {}),
        }],
    };
}
