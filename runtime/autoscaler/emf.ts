/**
 * CloudWatch embedded metric format: a JSON log line with an `_aws` block that CloudWatch Logs turns
 * into metrics when the line reaches a log group (the awslogs driver sends each line as a log event;
 * no header or agent is needed; CloudWatch user guide, "Specification: Embedded metric format").
 * pino adds its own fields (level, time, msg) beside them, which CloudWatch ignores.
 */
import { AUTOSCALER_METRIC_DIMENSION, AUTOSCALER_METRICS, type AutoscalerMetricName } from "../../scaling/autoscaler-metrics";
import { PROJECT_NAMESPACE } from "../../scaling/metric-series";

/** The fields of one EMF record for `service`: the `_aws` block, the dimension and the values. */
export function emfRecord(service: string, at: number, values: Partial<Record<AutoscalerMetricName, number>>): Record<string, unknown> {
    const names = (Object.keys(values) as AutoscalerMetricName[]).filter((n) => Number.isFinite(values[n]));
    return {
        _aws: {
            Timestamp: at,
            CloudWatchMetrics: [{
                Namespace: PROJECT_NAMESPACE,
                Dimensions: [[AUTOSCALER_METRIC_DIMENSION]],
                Metrics: names.map((Name) => ({ Name, Unit: AUTOSCALER_METRICS[Name].unit })),
            }],
        },
        [AUTOSCALER_METRIC_DIMENSION]: service,
        ...Object.fromEntries(names.map((n) => [n, values[n]])),
    };
}
