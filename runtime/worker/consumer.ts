/**
 * The sample queue worker the stacks deploy, so that scaling can be observed: it receives one message
 * at a time from its SQS queue, works on it for the configured time, deletes it, and keeps ECS task
 * scale-in protection on while it is busy (off when the queue is idle). Stopping (SIGTERM from ECS)
 * lets the message in hand finish and be deleted, clears the protection, and returns.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { apiCall } from "../aws/call";
import type { Logger } from "../aws/logger";
import type { TaskProtection } from "./task-protection";

export interface WorkerSettings {
    readonly queueUrl: string;
    /** Work per message, ms. */
    readonly processingMs: number;
    /** SQS long-poll wait, 0 to SQS_MAX_WAIT_SECONDS (aws/limits.ts). */
    readonly waitSeconds: number;
    /** Protection expiry while busy, minutes (within the ECS bounds in aws/limits.ts); renewed at half of it. */
    readonly protectionMinutes: number;
}

export interface WorkerDeps {
    readonly sqs: Pick<SQSClient, "send">;
    /** Undefined outside ECS (no $ECS_AGENT_URI): no protection is asked for. */
    readonly protection?: TaskProtection;
    readonly clock: () => number;
    /** The work itself (waits `ms`); not cut short by stop, so a message in hand is finished. */
    readonly work: (ms: number) => Promise<void>;
    /** Wait after a failed call, cut short by stop. */
    readonly pause: (ms: number, signal: AbortSignal) => Promise<void>;
    readonly logger: Logger;
    readonly signal: AbortSignal;
}

export interface WorkerStats {
    readonly processed: number;
    readonly protectionChanges: number;
}

/** Wait after a failed receive or delete before trying again. */
const RETRY_MS = 1_000;

export async function runWorker(s: WorkerSettings, d: WorkerDeps): Promise<WorkerStats> {
    let processed = 0;
    let protectionChanges = 0;
    let protectedSince: number | undefined;
    const protect = async (on: boolean) => {
        if (!d.protection) return;
        const r = await d.protection.set(on, on ? s.protectionMinutes : undefined);
        if (r.ok) {
            protectionChanges++;
            protectedSince = on ? d.clock() : undefined;
            d.logger.info({ protection: on, expiresInMinutes: on ? s.protectionMinutes : undefined }, on ? "scale-in protection on" : "scale-in protection off");
        } else {
            d.logger.warn({ protection: on, error: r.error }, "task protection request failed (work goes on)");
        }
    };
    while (!d.signal.aborted) {
        let messages;
        try {
            const out = await apiCall("ReceiveMessage", () => d.sqs.send(
                new ReceiveMessageCommand({ QueueUrl: s.queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: s.waitSeconds }),
                { abortSignal: d.signal },
            ));
            messages = out.Messages ?? [];
        } catch (error) {
            if (d.signal.aborted) break;
            d.logger.warn({ err: error }, "receive failed; retrying");
            await d.pause(RETRY_MS, d.signal);
            continue;
        }
        if (messages.length === 0) {
            if (protectedSince !== undefined) await protect(false);
            continue;
        }
        const m = messages[0];
        const renewAfter = (s.protectionMinutes * 60_000) / 2;
        if (protectedSince === undefined || d.clock() - protectedSince > renewAfter) await protect(true);
        await d.work(s.processingMs);
        try {
            await apiCall("DeleteMessage", () => d.sqs.send(new DeleteMessageCommand({ QueueUrl: s.queueUrl, ReceiptHandle: m.ReceiptHandle })));
            processed++;
            d.logger.info({ messageId: m.MessageId, processed }, "message done");
        } catch (error) {
            // Not deleted: it becomes visible again after the visibility timeout and is done again.
            d.logger.warn({ err: error, messageId: m.MessageId }, "delete failed; the message will be received again");
        }
    }
    if (protectedSince !== undefined) await protect(false);
    d.logger.info({ processed }, "worker stopped");
    return { processed, protectionChanges };
}
