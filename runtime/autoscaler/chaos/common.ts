/**
 * Steps the failure simulations share: the service's counts, the desired count, a restore that is
 * retried and never cut short, and the wait for recovery.
 */
import { describeServiceCounts, setDesiredCount } from "../actuator";
import { withDeadline } from "../pacing";
import { pause } from "../time";
import type { ServiceCounts } from "../types";
import type { ChaosContext, ChaosTarget, Recovery } from "./types";

export function describeCounts(t: ChaosTarget, signal?: AbortSignal): Promise<ServiceCounts> {
    return describeServiceCounts(t.ecs, t.cluster, t.service, signal);
}

export function setDesired(t: ChaosTarget, desiredCount: number, signal?: AbortSignal): Promise<void> {
    return setDesiredCount(t.ecs, t.cluster, t.service, desiredCount, signal);
}

/** Longest time one restore attempt may take, ms. */
export const RESTORE_ATTEMPT_MS = 5_000;
/**
 * How long a restore keeps trying once the process is stopping, ms. ECS sends SIGKILL 30 s after
 * SIGTERM (aws/api-limits.ts) and the autoscaler exits within 10 s; what is not restored by then
 * heals without it (a drain's restore tag is read by the next autoscaler, a partition statement lapses).
 */
export const STOPPING_RESTORE_BUDGET_MS = 5_000;

/**
 * Undo step: tried up to 5 times, 1 s, 2 s, 4 s, 8 s apart, each attempt bounded by
 * RESTORE_ATTEMPT_MS. A run that is stopping (its signal aborted) tries for STOPPING_RESTORE_BUDGET_MS
 * at most and leaves the rest to `leftover`, what heals by itself.
 */
export async function restore(ctx: ChaosContext, what: string, action: (signal: AbortSignal) => Promise<void>, leftover = "restore it by hand"): Promise<void> {
    const budget = new AbortController();
    const stopping = () => {
        const timer = setTimeout(() => budget.abort(new Error(`stopping: no restore after ${STOPPING_RESTORE_BUDGET_MS} ms`)), STOPPING_RESTORE_BUDGET_MS);
        timer.unref();
    };
    if (ctx.signal?.aborted) stopping();
    else ctx.signal?.addEventListener("abort", stopping, { once: true });
    try {
        for (let attempt = 1; ; attempt++) {
            try {
                await withDeadline(budget.signal, RESTORE_ATTEMPT_MS, action);
                return;
            } catch (error) {
                if (attempt >= 5 || budget.signal.aborted) {
                    ctx.logger?.error({ err: error, attempt }, `failure simulation could not restore ${what}; ${leftover}`);
                    throw error;
                }
                ctx.logger?.warn({ err: error, attempt }, `restoring ${what} failed; retrying`);
                await pause(ctx.sleep, 1000 * 2 ** (attempt - 1), budget.signal);
            }
        }
    } finally {
        ctx.signal?.removeEventListener("abort", stopping);
    }
}

/** Polls DescribeServices until running >= desired, bounded by the recovery timeout. */
export async function waitForRecovery(ctx: ChaosContext): Promise<Recovery | undefined> {
    const start = ctx.clock();
    let lastError: string | undefined;
    for (;;) {
        try {
            const c = await describeCounts(ctx.t, ctx.signal);
            if (c.running >= c.desired) {
                const seconds = (ctx.clock() - start) / 1000;
                return { recovered: true, seconds, text: `recovered in ${seconds}s (running ${c.running} >= desired ${c.desired})` };
            }
            lastError = undefined;
        } catch (error) {
            lastError = error instanceof Error ? error.message : String(error);
        }
        const elapsed = ctx.clock() - start;
        if (elapsed >= ctx.recoveryTimeoutMs) {
            const limit = ctx.recoveryTimeoutMs / 1000;
            return { recovered: false, seconds: elapsed / 1000, text: `not recovered within ${limit}s${lastError ? ` (last error: ${lastError})` : ""}` };
        }
        if (!(await pause(ctx.sleep, Math.min(ctx.pollMs, ctx.recoveryTimeoutMs - elapsed), ctx.signal))) return undefined;
    }
}
