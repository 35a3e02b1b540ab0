/**
 * What the live page and the terminal show: a sample per second of every service's desired, running
 * and pending tasks, every queue's depth, in-flight count and oldest age, every alarm's state and the
 * sleeping/awake state of scale-to-zero services, kept for the last minutes, plus the scaling
 * activities with their causes. Listeners get each new sample and activity as it comes (the page's
 * server-sent events).
 */
import type { Activity } from "./activities";

export interface ServiceSample {
    readonly desired: number;
    readonly running: number;
    readonly pending: number;
}

export interface QueueSample {
    readonly visible: number;
    readonly inFlight: number;
    readonly oldestAgeSeconds: number;
}

export interface SleeperSample {
    readonly asleep: boolean;
    /** The service's URL at the local load balancer: a request there wakes it. */
    readonly url: string;
}

export interface Sample {
    /** Epoch ms. */
    readonly t: number;
    readonly services: Readonly<Record<string, ServiceSample>>;
    readonly queues: Readonly<Record<string, QueueSample>>;
    readonly alarms: Readonly<Record<string, string>>;
    readonly sleepers: Readonly<Record<string, SleeperSample>>;
}

export interface StackInfo {
    readonly stack: string;
    readonly endpoint: string;
    readonly speed: number;
    readonly startDelaySeconds: number;
    /** Filled in once the load balancer listens. */
    loadBalancerUrls: string[];
    /** Queue key -> queue name, the queues `load` can send to. */
    readonly queues: Readonly<Record<string, string>>;
    /** Service name -> who owns its desired count. */
    readonly owners: Readonly<Record<string, string>>;
    readonly notHeld: readonly string[];
}

export type TimelineEvent = { kind: "sample"; sample: Sample } | { kind: "activity"; activity: Activity } | { kind: "note"; text: string; at: number };

export class Timeline {
    readonly samples: Sample[] = [];
    readonly activities: Activity[] = [];
    readonly notes: { text: string; at: number }[] = [];
    private readonly listeners = new Set<(e: TimelineEvent) => void>();

    constructor(readonly info: StackInfo, private readonly keepMs = 10 * 60_000) {}

    add(sample: Sample): void {
        this.samples.push(sample);
        while (this.samples.length > 0 && this.samples[0].t < sample.t - this.keepMs) this.samples.shift();
        this.emit({ kind: "sample", sample });
    }

    activity(a: Activity): void {
        this.activities.push(a);
        if (this.activities.length > 500) this.activities.shift();
        this.emit({ kind: "activity", activity: a });
    }

    note(text: string, at = Date.now()): void {
        this.notes.push({ text, at });
        if (this.notes.length > 100) this.notes.shift();
        this.emit({ kind: "note", text, at });
    }

    subscribe(listener: (e: TimelineEvent) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    private emit(e: TimelineEvent): void {
        for (const l of this.listeners) l(e);
    }
}
