/**
 * A CloudWatch metric series: the one value that both a publisher and a scaling policy use, so the
 * series that is published and the series that is watched cannot differ. AWS matches a custom-metric
 * policy to data only when namespace, name and the full dimension set are identical
 * (Application Auto Scaling API, CustomizedMetricSpecification: "If you published your metric with
 * dimensions, you must specify the same dimensions in your scaling policy").
 */
import { SQS_METRICS } from "../aws/metrics";

export type Statistic = "Average" | "Sum" | "Minimum" | "Maximum" | "SampleCount";

export interface MetricSeries {
    readonly namespace: string;
    readonly metricName: string;
    /** Dimension name -> value, in the order they were given. */
    readonly dimensions: Readonly<Record<string, string>>;
    /** The statistic a policy or alarm reads the series with. */
    readonly statistic: Statistic;
    /** The unit the publisher sends; policies leave it unset when undefined. */
    readonly unit?: string;
}

/** Builds a frozen series, so no consumer can change what another one reads. */
export function metricSeries(series: MetricSeries): MetricSeries {
    return Object.freeze({
        ...series,
        dimensions: Object.freeze({ ...series.dimensions }),
    });
}

/** The series' dimensions in the `{ name, value }` list form used by the AWS APIs. */
export function dimensionList(series: MetricSeries): { name: string; value: string }[] {
    return Object.entries(series.dimensions).map(([name, value]) => ({ name, value }));
}

/** A stable, human-readable identity for a series (dimension order does not matter to AWS). */
export function seriesKey(series: MetricSeries): string {
    const dims = Object.entries(series.dimensions)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
    return `${series.namespace}/${series.metricName}{${dims}}`;
}

/** Namespace of the series the custom-metric proof harness publishes and watches. */
export const SYNTHETIC_LOAD_NAMESPACE = "Test/Autoscaling";
export const SYNTHETIC_LOAD_METRIC = "SyntheticLoad";

/**
 * The custom-metric proof series: namespace `Test/Autoscaling`, metric `SyntheticLoad`, dimensions
 * TestId, Cluster and Service. Defined once; the policy and the stack output both read it.
 */
export function syntheticLoadSeries(testId: string, cluster: string, service: string): MetricSeries {
    return metricSeries({
        namespace: SYNTHETIC_LOAD_NAMESPACE,
        metricName: SYNTHETIC_LOAD_METRIC,
        dimensions: { TestId: testId, Cluster: cluster, Service: service },
        statistic: "Average",
    });
}

/** AWS/SQS visible-message count of one queue. */
export function sqsVisibleMessagesSeries(queueName: string, statistic: Statistic = "Maximum"): MetricSeries {
    return metricSeries({
        namespace: SQS_METRICS.namespace,
        metricName: SQS_METRICS.visible,
        dimensions: { [SQS_METRICS.queueDimension]: queueName },
        statistic,
    });
}

/** AWS/SQS age of the oldest message; CloudWatch-only, it is not a queue attribute. */
export function sqsOldestMessageAgeSeries(queueName: string): MetricSeries {
    return metricSeries({
        namespace: SQS_METRICS.namespace,
        metricName: SQS_METRICS.oldestAge,
        dimensions: { [SQS_METRICS.queueDimension]: queueName },
        statistic: "Maximum",
        unit: "Seconds",
    });
}

/** Namespace of the metrics this project publishes itself (queue depth of RabbitMQ queues, etc.). */
export const PROJECT_NAMESPACE = "ECSAutoscaling";

/** Metric name of a RabbitMQ queue's depth, in the project's own namespace. */
export const RABBITMQ_QUEUE_DEPTH_METRIC = "RabbitMQQueueDepth";

/** Depth of a RabbitMQ queue, published by the autoscaler so that CloudWatch alarms can watch it. */
export function rabbitmqQueueDepthSeries(queueName: string, statistic: Statistic = "Maximum"): MetricSeries {
    return metricSeries({
        namespace: PROJECT_NAMESPACE,
        metricName: RABBITMQ_QUEUE_DEPTH_METRIC,
        dimensions: { Queue: queueName },
        statistic,
        unit: "Count",
    });
}
