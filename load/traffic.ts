/**
 * The loads `scale-test` applies, each bounded in count or time and stoppable: messages into a queue
 * (sent once, in batches of 10), HTTP requests with autocannon, or the custom metric through the
 * publisher. stop() ends what is still running and resolves when it has ended.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import autocannon from "autocannon";
import { apiCall } from "../runtime/aws/call";
import type { MetricSeries } from "../scaling/metric-series";
import { publishPlan } from "./metric-publish";
import { realSleep } from "../runtime/autoscaler/time";
import { buildPublishPlan } from "./publish-plan";

/** Upper bounds of one run's load. */
export const MAX_MESSAGES = 10_000;
export const MAX_HTTP_MS = 30 * 60_000;

export interface RunningLoad {
    /** What was applied, for the report. */
    describe(): string;
    stop(): Promise<void>;
}

/** Sends `count` messages (batches of 10) and returns once they are all in the queue. */
export async function sqsLoad(sqs: Pick<SQSClient, "send">, queueUrl: string, count: number, tag: string): Promise<RunningLoad> {
    for (let sent = 0; sent < count; sent += 10) {
        const n = Math.min(10, count - sent);
        const out = await apiCall("SendMessageBatch", () => sqs.send(new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Array.from({ length: n }, (_, i) => ({ Id: `m${sent + i}`, MessageBody: JSON.stringify({ scaleTest: tag, n: sent + i }) })),
        })));
        if ((out.Failed ?? []).length > 0) throw new Error(`SendMessageBatch: ${out.Failed!.length} messages refused: ${out.Failed![0].Code} ${out.Failed![0].Message ?? ""}`);
    }
    return { describe: () => `${count} SQS messages to ${queueUrl}`, stop: async () => undefined };
}

/** HTTP load on `url` for at most `durationMs`, until stopped. */
export function httpLoad(url: string, connections: number, durationMs: number): RunningLoad {
    let finished: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const instance = autocannon({ url, connections, duration: Math.ceil(durationMs / 1_000) }, () => finished());
    let requests = 0;
    instance.on("response", () => requests++);
    return {
        describe: () => `HTTP GET ${url} with ${connections} connections (${requests} responses)`,
        async stop() {
            instance.stop();
            await done;
        },
    };
}

/** Publishes `value` to the series every `everyMs` until stopped or `durationMs` has passed. */
export function metricLoad(cloudwatch: Pick<CloudWatchClient, "send">, series: MetricSeries, value: number, everyMs: number, durationMs: number): RunningLoad {
    const abort = new AbortController();
    const plan = buildPublishPlan(series, [{ value, durationMs }], everyMs);
    let sent = 0;
    const run = publishPlan(plan, {
        cloudwatch, clock: Date.now, sleep: realSleep, signal: abort.signal,
        progress: () => ({ update: (n) => (sent = n), stop: () => undefined }),
    });
    return {
        describe: () => `${sent} datapoints of ${value} to ${series.namespace} ${series.metricName}`,
        async stop() {
            abort.abort("stopped");
            await run;
        },
    };
}
