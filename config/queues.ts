/**
 * The `queues` key: the stack's SQS work queues by key, each with a dead-letter queue and an
 * oldest-message alarm; their schema, the rule between retention and the alarm, and their result.
 */
import { z } from "zod";
import { SQS_MAX_RECEIVE_COUNT, SQS_RETENTION_SECONDS, SQS_VISIBILITY_TIMEOUT_MAX_SECONDS } from "../aws/limits";
import type { ResourceNames } from "./names";
import { int32, name, positiveInt } from "./schema";

export const queue = z.strictObject({
    visibilityTimeoutSeconds: int32.min(0).max(SQS_VISIBILITY_TIMEOUT_MAX_SECONDS).default(60),
    messageRetentionSeconds: int32.min(SQS_RETENTION_SECONDS.min).max(SQS_RETENTION_SECONDS.max).default(SQS_RETENTION_SECONDS.default),
    /** Receives before a message moves to the dead-letter queue (SQS redrive: 1-1000). */
    maxReceiveCount: int32.min(SQS_MAX_RECEIVE_COUNT.min).max(SQS_MAX_RECEIVE_COUNT.max).default(5),
    /** Alarm to the alerts topic when the oldest message is older than this many seconds (at most the retention, or it never fires). */
    oldestMessageAgeAlarmSeconds: positiveInt.default(900),
});

/** The key as a stack file sets it; unset: one queue, `work`, with the defaults. */
export const queuesKey = z.record(name, queue).default({ work: queue.parse({}) });

export type QueueInput = z.infer<typeof queue>;

export interface QueueConfig extends QueueInput {
    readonly key: string;
    readonly name: string;
    readonly deadLetterQueueName: string;
}

export function queueProblems(queues: Readonly<Record<string, QueueInput>>): string[] {
    const problems: string[] = [];
    for (const [key, q] of Object.entries(queues)) {
        if (q.oldestMessageAgeAlarmSeconds > q.messageRetentionSeconds) {
            problems.push(`queues.${key}.oldestMessageAgeAlarmSeconds: ${q.oldestMessageAgeAlarmSeconds} must be <= messageRetentionSeconds (${q.messageRetentionSeconds}): ` +
                "SQS deletes older messages, so the alarm could never fire");
        }
    }
    return problems;
}

/** A reference to a queue from elsewhere (`path`) that names no key under `queues`, as a problem. */
export function unknownQueueProblems(path: string, key: string, queues: Readonly<Record<string, QueueInput>>): string[] {
    if (queues[key]) return [];
    return [`${path}: "${key}" is not one of the stack's queues; expected one of ${Object.keys(queues).join(", ") || "(none configured under queues)"}`];
}

export function queueConfigs(queues: Readonly<Record<string, QueueInput>>, names: ResourceNames["queues"]): Record<string, QueueConfig> {
    return Object.fromEntries(Object.entries(queues).map(([key, q]) => [key, {
        ...q, key, name: names[key].queue, deadLetterQueueName: names[key].deadLetterQueue,
    }]));
}
