/**
 * Injected time: a clock (epoch milliseconds) and a sleep function, so that loops run on real time in
 * production and on fake time in tests.
 */
import { setTimeout as sleepFor } from "node:timers/promises";

/** Waits `ms`; may end early (resolve or reject) when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Real-time sleep that ends early, without error, when the signal aborts. */
export const realSleep: Sleep = (ms, signal) =>
    sleepFor(ms, undefined, signal ? { signal } : undefined).catch((error: unknown) => {
        if ((error as { name?: string }).name !== "AbortError") throw error;
    });

/**
 * Sleeps `ms` unless `signal` aborts first (also when `sleep` ignores the signal). Resolves true when
 * the full time passed, false when it was cut short.
 */
export async function pause(sleep: Sleep, ms: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return false;
    if (!signal) {
        await sleep(ms);
        return true;
    }
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<false>((resolve) => {
        onAbort = () => resolve(false);
        signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
        return await Promise.race([sleep(ms, signal).then(() => !signal.aborted, () => false), aborted]);
    } finally {
        signal.removeEventListener("abort", onAbort!);
    }
}
