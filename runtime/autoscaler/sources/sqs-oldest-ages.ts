/**
 * The age of the oldest message of many SQS queues, read together: one GetMetricData call per 500
 * queues (aws/api-limits.ts) at most once per refresh interval, instead of one call per queue per
 * tick. SQS publishes ApproximateAgeOfOldestMessage once a minute, so a minute's refresh loses nothing.
 */
import { GetMetricDataCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { GET_METRIC_DATA_MAX_QUERIES } from "../../../aws/api-limits";
import { sqsOldestMessageAgeSeries } from "../../../scaling/metric-series";
import { apiCall, ApiCallError, type ApiErrorListener } from "../../aws/call";
import { cloudWatchDimensions } from "../../aws/cloudwatch";
import { chunks } from "../pacing";

export interface OldestAgesOptions {
    readonly cloudwatch: CloudWatchClient;
    /** Epoch ms; default Date.now. */
    readonly clock?: () => number;
    /** How far back to look for the newest point, ms; default 300 000 (SQS metrics arrive a minute or two late). */
    readonly lookbackMs?: number;
    /** Reuse what was read for this long, ms; default 60 000. */
    readonly refreshMs?: number;
    /** Told about a failed GetMetricData (the ages are informative: a failure leaves them unknown). */
    readonly onAuxiliaryError?: ApiErrorListener;
}

export class OldestAges {
    private readonly queues = new Set<string>();
    private readonly clock: () => number;
    private ages = new Map<string, number>();
    private readAt?: number;
    private reading?: Promise<void>;

    constructor(private readonly o: OldestAgesOptions) {
        this.clock = o.clock ?? Date.now;
    }

    /** A queue whose age is read with the others from now on. */
    add(queueName: string): void {
        if (!this.queues.has(queueName)) this.readAt = undefined;
        this.queues.add(queueName);
    }

    /** The newest age of `queueName`'s oldest message, seconds; undefined without data. */
    async ageOf(queueName: string, signal?: AbortSignal): Promise<number | undefined> {
        this.add(queueName);
        const fresh = this.readAt !== undefined && this.clock() - this.readAt < (this.o.refreshMs ?? 60_000);
        if (!fresh) {
            this.reading ??= this.readAll(signal).finally(() => (this.reading = undefined));
            await this.reading;
        }
        return this.ages.get(queueName);
    }

    private async readAll(signal?: AbortSignal): Promise<void> {
        const names = [...this.queues];
        const end = this.clock();
        const ages = new Map<string, number>();
        for (const batch of chunks(names, GET_METRIC_DATA_MAX_QUERIES)) {
            try {
                const out = await apiCall("GetMetricData", () => this.o.cloudwatch.send(new GetMetricDataCommand({
                    StartTime: new Date(end - (this.o.lookbackMs ?? 300_000)),
                    EndTime: new Date(end),
                    ScanBy: "TimestampDescending",
                    MetricDataQueries: batch.map((name, i) => {
                        const series = sqsOldestMessageAgeSeries(name);
                        return {
                            Id: `q${i}`,
                            ReturnData: true,
                            MetricStat: {
                                Metric: { Namespace: series.namespace, MetricName: series.metricName, Dimensions: cloudWatchDimensions(series) },
                                Period: 60,
                                Stat: series.statistic,
                            },
                        };
                    }),
                }), { abortSignal: signal }));
                for (const r of out.MetricDataResults ?? []) {
                    const name = batch[Number(r.Id?.slice(1))];
                    const values = r.Values ?? [];
                    const stamps = r.Timestamps ?? [];
                    if (name === undefined || values.length === 0) continue;
                    let newest = 0;
                    for (let i = 1; i < Math.min(values.length, stamps.length); i++) if (stamps[i]!.getTime() > stamps[newest]!.getTime()) newest = i;
                    ages.set(name, values[newest]!);
                }
            } catch (error) {
                if (!(error instanceof ApiCallError)) throw error;
                this.o.onAuxiliaryError?.(error);
            }
        }
        this.ages = ages;
        this.readAt = this.clock();
    }
}
