/**
 * A service that consumes several queues: one reading is the sum of its queues' counts and the oldest
 * of their oldest messages. A queue that cannot be read fails the whole reading (scaling on part of
 * the work would scale in too far).
 */
import type { QueueObservation, QueueSource } from "../types";

export class MultiQueueSource implements QueueSource {
    readonly kind: QueueSource["kind"];
    readonly queueName: string;

    constructor(readonly sources: readonly QueueSource[]) {
        if (sources.length === 0) throw new Error("a multi-queue source needs at least one queue");
        this.kind = sources[0]!.kind;
        this.queueName = sources.map((s) => s.queueName).join("+");
    }

    async observe(signal?: AbortSignal): Promise<QueueObservation> {
        const readings = await Promise.all(this.sources.map((s) => s.observe(signal)));
        const ages = readings.map((r) => r.oldestAgeSeconds).filter((a): a is number => a !== undefined);
        const consumers = readings.map((r) => r.consumers).filter((c): c is number => c !== undefined);
        return {
            visible: readings.reduce((n, r) => n + r.visible, 0),
            inFlight: readings.reduce((n, r) => n + r.inFlight, 0),
            delayed: readings.reduce((n, r) => n + r.delayed, 0),
            ...(ages.length > 0 ? { oldestAgeSeconds: Math.max(...ages) } : {}),
            ...(consumers.length > 0 ? { consumers: consumers.reduce((a, b) => a + b, 0) } : {}),
            observedAt: Math.max(...readings.map((r) => r.observedAt)),
        };
    }

    async close(): Promise<void> {
        await Promise.all(this.sources.map((s) => s.close()));
    }
}
