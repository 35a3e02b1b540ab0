/**
 * SQS queue source: the visible, in-flight and delayed counts from GetQueueAttributes, and the age of
 * the oldest message from CloudWatch (ApproximateAgeOfOldestMessage is a CloudWatch metric, not a
 * queue attribute).
 */
import { GetMetricDataCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { GetQueueAttributesCommand, type QueueAttributeName, type SQSClient } from "@aws-sdk/client-sqs";
import { sqsOldestMessageAgeSeries } from "../../../scaling/metric-series";
import { apiCall, ApiCallError, type ApiErrorListener } from "../../aws/call";
import { cloudWatchDimensions } from "../../aws/cloudwatch";
import type { OldestAges } from "./sqs-oldest-ages";
import type { QueueObservation, QueueSource } from "../types";

/** The queue attributes read on every observation, in this order. */
export const SQS_COUNT_ATTRIBUTES: readonly QueueAttributeName[] = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
];

/** CloudWatch period of the oldest-message query, seconds (SQS publishes 1-minute data points). */
export const OLDEST_AGE_PERIOD_SECONDS = 60;

export interface SqsQueueSourceOptions {
    readonly sqs: SQSClient;
    /** Reads the age of the oldest message; without it the observation has no `oldestAgeSeconds`. */
    readonly cloudwatch?: CloudWatchClient;
    /** The queue URL; the queue name (the metric dimension) is its last path segment. */
    readonly queueUrl: string;
    /** Epoch milliseconds; default Date.now. */
    readonly clock?: () => number;
    /**
     * How far back to look for the newest oldest-message data point, seconds; default 300. SQS
     * metrics reach CloudWatch a minute or two late, so the newest point is read from this window.
     */
    readonly oldestAgeLookbackSeconds?: number;
    /**
     * Told about a failed GetMetricData. The age is informative only, so its failure does not fail the
     * observation (the counts still drive scaling); without a listener it is silently left out.
     */
    readonly onAuxiliaryError?: ApiErrorListener;
    /** Reads this queue's age together with many others' (one GetMetricData for up to 500 queues); replaces `cloudwatch`. */
    readonly oldestAges?: OldestAges;
}

/** The queue name of an SQS queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`). */
export function queueNameFromUrl(queueUrl: string): string {
    const path = queueUrl.replace(/[?#].*$/, "").replace(/\/+$/, "");
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (!name || name.includes(":")) throw new Error(`not an SQS queue URL: "${queueUrl}"`);
    return name;
}

function count(attributes: Partial<Record<string, string>> | undefined, name: string): number {
    const raw = attributes?.[name];
    const n = raw === undefined ? NaN : Number(raw);
    if (!Number.isFinite(n) || n < 0) {
        throw new Error(`GetQueueAttributes returned ${name}=${JSON.stringify(raw)}; expected a count`);
    }
    return n;
}

/**
 * Watches one SQS queue.
 *
 * `observe()` makes one GetQueueAttributes call (attributes {@link SQS_COUNT_ATTRIBUTES}) and, when
 * a CloudWatch client is given, one GetMetricData call: a MetricStat query of the series
 * `sqsOldestMessageAgeSeries(queueName)`, statistic Maximum, period 60, over the last
 * `oldestAgeLookbackSeconds`; the newest point is the age, and no data leaves it undefined.
 * A failed GetQueueAttributes rejects with an {@link ApiCallError}.
 */
export class SqsQueueSource implements QueueSource {
    readonly kind = "sqs" as const;
    readonly queueName: string;
    readonly queueUrl: string;
    private readonly sqs: SQSClient;
    private readonly cloudwatch?: CloudWatchClient;
    private readonly clock: () => number;
    private readonly lookbackMs: number;
    private readonly onAuxiliaryError?: ApiErrorListener;
    private readonly oldestAges?: OldestAges;

    constructor(options: SqsQueueSourceOptions) {
        this.sqs = options.sqs;
        this.cloudwatch = options.cloudwatch;
        this.queueUrl = options.queueUrl;
        this.queueName = queueNameFromUrl(options.queueUrl);
        this.clock = options.clock ?? Date.now;
        this.lookbackMs = (options.oldestAgeLookbackSeconds ?? 300) * 1000;
        this.onAuxiliaryError = options.onAuxiliaryError;
        this.oldestAges = options.oldestAges;
        this.oldestAges?.add(this.queueName);
    }

    async observe(signal?: AbortSignal): Promise<QueueObservation> {
        const [attributes, oldestAgeSeconds] = await Promise.all([
            apiCall("GetQueueAttributes", () =>
                this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: [...SQS_COUNT_ATTRIBUTES] }), { abortSignal: signal })),
            this.oldestAge(signal),
        ]);
        const a = attributes.Attributes;
        return {
            visible: count(a, "ApproximateNumberOfMessages"),
            inFlight: count(a, "ApproximateNumberOfMessagesNotVisible"),
            delayed: count(a, "ApproximateNumberOfMessagesDelayed"),
            ...(oldestAgeSeconds === undefined ? {} : { oldestAgeSeconds }),
            observedAt: this.clock(),
        };
    }

    /** The newest ApproximateAgeOfOldestMessage data point, seconds; undefined without data. */
    async oldestAge(signal?: AbortSignal): Promise<number | undefined> {
        if (this.oldestAges) return this.oldestAges.ageOf(this.queueName, signal);
        const cloudwatch = this.cloudwatch;
        if (!cloudwatch) return undefined;
        return this.readOldestAge(cloudwatch, signal);
    }

    private async readOldestAge(cloudwatch: CloudWatchClient, signal?: AbortSignal): Promise<number | undefined> {
        const series = sqsOldestMessageAgeSeries(this.queueName);
        const end = this.clock();
        try {
            const out = await apiCall("GetMetricData", () => cloudwatch.send(new GetMetricDataCommand({
                StartTime: new Date(end - this.lookbackMs),
                EndTime: new Date(end),
                ScanBy: "TimestampDescending",
                MetricDataQueries: [{
                    Id: "oldest",
                    ReturnData: true,
                    MetricStat: {
                        Metric: {
                            Namespace: series.namespace,
                            MetricName: series.metricName,
                            Dimensions: cloudWatchDimensions(series),
                        },
                        Period: OLDEST_AGE_PERIOD_SECONDS,
                        Stat: series.statistic,
                    },
                }],
            }), { abortSignal: signal }));
            const result = out.MetricDataResults?.find((r) => r.Id === "oldest");
            const values = result?.Values ?? [];
            const stamps = result?.Timestamps ?? [];
            if (values.length === 0) return undefined;
            // Newest point: by timestamp when they are given, else the first (TimestampDescending).
            let newest = 0;
            for (let i = 1; i < Math.min(values.length, stamps.length); i++) {
                if (stamps[i]!.getTime() > stamps[newest]!.getTime()) newest = i;
            }
            return values[newest];
        } catch (error) {
            if (!(error instanceof ApiCallError)) throw error;
            this.onAuxiliaryError?.(error);
            return undefined;
        }
    }

    async close(): Promise<void> {
        // The clients belong to the caller.
    }
}
