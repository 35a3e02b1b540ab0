/**
 * Pacing of the autoscaler's API calls: a token bucket per throttled operation (the algorithm ECS
 * itself throttles with, so staying inside our bucket keeps the account inside ECS's), and a bound on
 * how many calls run at once. Time is injected, so tests drive it with fake timers.
 */
import { ECS_SERVICE_READ_LIMIT, ECS_SERVICE_WRITE_LIMIT, SQS_ATTRIBUTE_READS_PER_SECOND } from "../../aws/api-limits";
import { pause, realSleep, type Sleep } from "./time";

/** A token bucket: `burst` tokens at most, `perSecond` added back every second. */
export class TokenBucket {
    private tokens: number;
    private updatedAt: number;

    constructor(readonly burst: number, readonly perSecond: number, private readonly clock: () => number = Date.now, private readonly sleep: Sleep = realSleep) {
        if (!(burst >= 1) || !(perSecond > 0)) throw new Error(`a token bucket needs burst >= 1 and perSecond > 0, got ${burst} and ${perSecond}`);
        this.tokens = burst;
        this.updatedAt = clock();
    }

    private refill(): void {
        const now = this.clock();
        this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
        this.updatedAt = now;
    }

    /** Takes one token, waiting for it when the bucket is empty; false when `signal` aborted the wait. */
    async take(signal?: AbortSignal): Promise<boolean> {
        for (;;) {
            if (signal?.aborted) return false;
            this.refill();
            if (this.tokens >= 1) {
                this.tokens -= 1;
                return true;
            }
            const waitMs = Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
            if (!(await pause(this.sleep, waitMs, signal))) return false;
        }
    }
}

/** The buckets of one autoscaler process. */
export interface Pacing {
    readonly describeServices: TokenBucket;
    readonly updateService: TokenBucket;
    readonly queueAttributes: TokenBucket;
}

/**
 * The autoscaler's share of the account's limits: half of ECS's documented bursts and sustained rates
 * (the account's other callers, a deployment pipeline or the console, keep the rest); SQS at the rate
 * aws/api-limits.ts names.
 */
export function defaultPacing(clock: () => number = Date.now, sleep: Sleep = realSleep): Pacing {
    return {
        describeServices: new TokenBucket(ECS_SERVICE_READ_LIMIT.burst / 2, ECS_SERVICE_READ_LIMIT.perSecond / 2, clock, sleep),
        updateService: new TokenBucket(ECS_SERVICE_WRITE_LIMIT.burst / 2, ECS_SERVICE_WRITE_LIMIT.perSecond / 2, clock, sleep),
        queueAttributes: new TokenBucket(SQS_ATTRIBUTE_READS_PER_SECOND, SQS_ATTRIBUTE_READS_PER_SECOND, clock, sleep),
    };
}

/** Maps `items` through `fn` with at most `limit` calls running at once; results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await fn(items[i]!, i);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return results;
}

/** Splits `items` into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
}

/** A call's work under a signal of its own (see withDeadline). */
export type CallScope = <T>(fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/**
 * Runs `fn` with a signal that aborts when `parent` does or after `timeoutMs`, whichever comes first,
 * and drops the timer and the listener on `parent` when `fn` ends (AbortSignal.any would keep every
 * call's signal attached to the long-lived parent).
 */
export async function withDeadline<T>(parent: AbortSignal, timeoutMs: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(parent.reason);
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new DOMException(`the call took longer than ${timeoutMs} ms`, "TimeoutError")), timeoutMs);
    timer.unref();
    try {
        return await fn(controller.signal);
    } finally {
        clearTimeout(timer);
        parent.removeEventListener("abort", onAbort);
    }
}
