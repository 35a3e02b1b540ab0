/**
 * CloudWatch helpers shared by the runtime's publishers and readers.
 */
import type { Dimension } from "@aws-sdk/client-cloudwatch";
import type { MetricSeries } from "../../scaling/metric-series";

/** A series' dimensions as the CloudWatch API takes them: `[{ Name, Value }]`, in the series' order. */
export function cloudWatchDimensions(series: MetricSeries): Dimension[] {
    return Object.entries(series.dimensions).map(([Name, Value]) => ({ Name, Value }));
}
