/**
 * What CloudWatch Logs does with an embedded-metric-format line that reaches a log group (CloudWatch
 * user guide, "Specification: Embedded metric format"): each metric named in `_aws.CloudWatchMetrics`
 * becomes a data point of that namespace, with the dimensions the directive lists, the line's value,
 * the unit and the `_aws.Timestamp`. moto has no log-to-metric extraction, so integration tests put the
 * autoscaler's EMF lines to moto's CloudWatch this way, as the awslogs driver and CloudWatch would.
 */
import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum, type StandardUnit } from "@aws-sdk/client-cloudwatch";

interface EmfDirective {
    readonly Namespace: string;
    readonly Dimensions: string[][];
    readonly Metrics: { readonly Name: string; readonly Unit?: string }[];
}

/** The data points of EMF log lines (lines without `_aws` are skipped), per namespace. */
export function emfDataPoints(lines: readonly Record<string, any>[]): Map<string, MetricDatum[]> {
    const out = new Map<string, MetricDatum[]>();
    for (const line of lines) {
        const aws = line._aws as { Timestamp: number; CloudWatchMetrics: EmfDirective[] } | undefined;
        if (!aws) continue;
        for (const d of aws.CloudWatchMetrics) {
            for (const dims of d.Dimensions) {
                for (const m of d.Metrics) {
                    if (typeof line[m.Name] !== "number") continue;
                    const datum: MetricDatum = {
                        MetricName: m.Name,
                        Dimensions: dims.map((Name) => ({ Name, Value: String(line[Name]) })),
                        Value: line[m.Name],
                        Timestamp: new Date(aws.Timestamp),
                        ...(m.Unit ? { Unit: m.Unit as StandardUnit } : {}),
                    };
                    out.set(d.Namespace, [...(out.get(d.Namespace) ?? []), datum]);
                }
            }
        }
    }
    return out;
}

/** Puts the data points of EMF log lines, 20 at a time (small bodies: no request compression involved). */
export async function extractEmf(cloudwatch: CloudWatchClient, lines: readonly Record<string, any>[]): Promise<number> {
    let count = 0;
    for (const [Namespace, data] of emfDataPoints(lines)) {
        for (let i = 0; i < data.length; i += 20) {
            await cloudwatch.send(new PutMetricDataCommand({ Namespace, MetricData: data.slice(i, i + 20) }));
            count += data.slice(i, i + 20).length;
        }
    }
    return count;
}
