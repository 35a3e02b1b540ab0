/**
 * Steps the failure simulations share: the service's counts, the desired count, a restore that is
 * retried and never cut short, and the wait for recovery.
 */
import { describeServiceCounts, setDesiredCount } from "../actuator";
import { pause } from "../time";
import type { ServiceCounts } from "../types";
import type { ChaosContext, ChaosTarget, Recovery } from "./types";

export function describeCounts(t: ChaosTarget): Promise<ServiceCounts> {
    return describeServiceCounts(t.ecs, t.cluster, t.service);
}

export function setDesired(t: ChaosTarget, desiredCount: number): Promise<void> {
    return setDesiredCount(t.ecs, t.cluster, t.service, desiredCount);
}

/**
 * Undo step: tried up to 5 times, 1 s, 2 s, 4 s, 8 s apart, on the injected sleep but never cut short
 * (a restore must not be abandoned because the process is stopping).
 */
export async function restore(ctx: ChaosContext, what: string, action: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        try {
            await action();
            return;
        } catch (error) {
            if (attempt >= 5) {
                ctx.logger?.error({ err: error, attempt }, `failure simulation could not restore ${what}; restore it by hand`);
                throw error;
            }
            ctx.logger?.warn({ err: error, attempt }, `restoring ${what} failed; retrying`);
            await ctx.sleep(1000 * 2 ** (attempt - 1));
        }
    }
}

/** Polls DescribeServices until running >= desired, bounded by the recovery timeout. */
export async function waitForRecovery(ctx: ChaosContext): Promise<Recovery | undefined> {
    const start = ctx.clock();
    let lastError: string | undefined;
    for (;;) {
        try {
            const c = await describeCounts(ctx.t);
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
