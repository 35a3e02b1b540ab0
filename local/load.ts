/**
 * Load for a local stack: messages sent to one of its queues following one of the simulator's traces
 * (scaling/traces.ts: built-in shapes or a `seconds,rate` CSV), `speed` trace seconds per real second.
 * Each real second sends what arrived in that slice of the trace (fractions carried over), in
 * SendMessageBatch calls of at most 10.
 */
import { readFileSync } from "fs";
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { arrivalsBetween, builtInTrace, burstTrace, parseCsvTrace, type Trace } from "../scaling/traces";
import { LocalStackError } from "./errors";

/** The demo `npm start` runs: one burst, a few seconds after the stack is up. */
export const DEMO_BURST_MESSAGES = 40;

export function traceFrom(spec: string, seed = 1): Trace {
    if (spec.endsWith(".csv")) {
        let text: string;
        try {
            text = readFileSync(spec, "utf8");
        } catch {
            throw new LocalStackError(`--trace: cannot read ${spec}; give a built-in trace (burst, ramp, sawtooth, diurnal) or a readable seconds,rate CSV file`);
        }
        try {
            return parseCsvTrace(text, spec);
        } catch (error) {
            throw new LocalStackError(`--trace: ${(error as Error).message}`);
        }
    }
    try {
        return builtInTrace(spec, seed);
    } catch (error) {
        throw new LocalStackError((error as Error).message);
    }
}

export { burstTrace };

export interface LoadProgress {
    readonly traceSeconds: number;
    readonly sent: number;
}

export interface LoadOptions {
    readonly sqs: Pick<SQSClient, "send">;
    readonly queueUrl: string;
    readonly trace: Trace;
    /** Trace seconds per real second. */
    readonly speed: number;
    readonly signal?: AbortSignal;
    readonly onProgress?: (p: LoadProgress) => void;
    readonly tag?: string;
}

async function sendCount(sqs: Pick<SQSClient, "send">, queueUrl: string, count: number, tag: string, first: number): Promise<void> {
    const batches: Promise<unknown>[] = [];
    for (let sent = 0; sent < count; sent += 10) {
        const n = Math.min(10, count - sent);
        batches.push(sqs.send(new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, MessageBody: JSON.stringify({ load: tag, n: first + sent + i }) })),
        })).then((out) => {
            if ((out.Failed ?? []).length > 0) throw new Error(`SendMessageBatch: ${JSON.stringify(out.Failed)}`);
        }));
    }
    await Promise.all(batches);
}

/** Sends the trace's arrivals until it ends or `signal` fires; resolves with the number sent. */
export async function runLoad(o: LoadOptions): Promise<number> {
    const tag = o.tag ?? o.trace.name;
    const started = Date.now();
    let carried = 0;
    let sent = 0;
    let traceAt = 0;
    while (traceAt < o.trace.duration || traceAt === 0) {
        if (o.signal?.aborted) break;
        const next = Math.min(o.trace.duration, traceAt + o.speed) || o.speed;
        const due = arrivalsBetween(o.trace, traceAt, next) + carried;
        const whole = Math.floor(due);
        carried = due - whole;
        if (whole > 0) await sendCount(o.sqs, o.queueUrl, whole, tag, sent);
        sent += whole;
        traceAt = next;
        o.onProgress?.({ traceSeconds: traceAt, sent });
        if (traceAt >= o.trace.duration) break;
        const wait = started + (traceAt / o.speed) * 1000 - Date.now();
        if (wait > 0) {
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, wait);
                o.signal?.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
            });
        }
    }
    return sent;
}

/** The queue `load` sends to: `--queue` as a key under `queues` or a queue name, else the stack's first queue. */
export function pickQueue(queueUrls: Readonly<Record<string, string>>, wanted: string | undefined): { key: string; url: string } {
    const entries = Object.entries(queueUrls);
    if (entries.length === 0) throw new LocalStackError("the stack has no queues to send to");
    if (wanted === undefined) return { key: entries[0][0], url: entries[0][1] };
    const hit = entries.find(([k, url]) => k === wanted || url.split("/").pop() === wanted);
    if (!hit) throw new LocalStackError(`--queue: "${wanted}" is not a queue of the stack; use one of ${entries.map(([k]) => k).join(", ")}`);
    return { key: hit[0], url: hit[1] };
}
