/**
 * drain: sets the service's desired count to 0, waits for running 0, and restores the count it had.
 *
 * Before it drains, the count to restore is written as a tag on the service (TAG_DRAIN_RESTORE), so
 * that a drain killed before it restored (SIGKILL after ECS's stop timeout) is healed by the next
 * autoscaler that starts: it finds the tag, restores that count and removes the tag.
 */
import { describeServiceCounts } from "../actuator";
import { formatDrainRestore, parseDrainRestore, readTags, removeTags, TAG_DRAIN_RESTORE, writeTags } from "../service-tags";
import { pause } from "../time";
import { restore, setDesired, waitForRecovery } from "./common";
import type { ChaosContext, ChaosResult, FailureSimulation } from "./types";

async function run(ctx: ChaosContext): Promise<ChaosResult> {
    const { t } = ctx;
    const before = await describeServiceCounts(t.ecs, t.cluster, t.service);
    if (before.desired === 0) {
        return { outcome: "nothing_to_do", action: `service ${t.service} already has desired 0`, details: { previousDesired: 0 } };
    }
    // Recorded before the count changes: if this process dies from here on, a restart restores it.
    if (before.arn !== "") await writeTags(t.ecs, before.arn, { [TAG_DRAIN_RESTORE]: formatDrainRestore(before.desired, ctx.clock()) });
    let drained = false;
    let waitedMs = 0;
    try {
        await setDesired(t, 0, ctx.signal);
        const start = ctx.clock();
        for (;;) {
            const c = await describeServiceCounts(t.ecs, t.cluster, t.service, ctx.signal).catch((error: unknown) => {
                // Stopping: the wait ends here and the count is restored below.
                if (ctx.signal?.aborted) return undefined;
                throw error;
            });
            if (c === undefined) break;
            waitedMs = ctx.clock() - start;
            if (c.running === 0) {
                drained = true;
                break;
            }
            if (waitedMs >= ctx.drainTimeoutMs) break;
            if (!(await pause(ctx.sleep, Math.min(ctx.pollMs, ctx.drainTimeoutMs - waitedMs), ctx.signal))) break;
        }
    } finally {
        await restore(ctx, `desired count ${before.desired} of ${t.service}`, async (signal) => {
            await setDesired(t, before.desired, signal);
            if (before.arn !== "") await removeTags(t.ecs, before.arn, [TAG_DRAIN_RESTORE], signal);
        }, `its tag ${TAG_DRAIN_RESTORE} stays on the service, and the next autoscaler to start restores desired ${before.desired}`);
    }
    const interrupted = ctx.signal?.aborted ?? false;
    const recovery = interrupted ? undefined : await waitForRecovery(ctx);
    const drainText = drained ? `drained to 0 running in ${waitedMs / 1000}s` : `running did not reach 0 within ${waitedMs / 1000}s`;
    return {
        outcome: interrupted || !recovery ? "interrupted" : "done",
        action: `set desired of ${t.service} from ${before.desired} to 0, ${drainText}, restored desired ${before.desired}`,
        recovery,
        details: { previousDesired: before.desired, drained, drainSeconds: waitedMs / 1000 },
    };
}

/** Restores the count an interrupted drain recorded, then removes the record. */
async function heal(ctx: ChaosContext): Promise<string | undefined> {
    const { t } = ctx;
    const svc = await describeServiceCounts(t.ecs, t.cluster, t.service);
    if (svc.arn === "") return undefined;
    const raw = (await readTags(t.ecs, svc.arn))[TAG_DRAIN_RESTORE];
    if (raw === undefined) return undefined;
    const record = parseDrainRestore(raw);
    if (record === undefined) {
        await removeTags(t.ecs, svc.arn, [TAG_DRAIN_RESTORE]);
        return `removed unreadable tag ${TAG_DRAIN_RESTORE}=${JSON.stringify(raw)}; desired left at ${svc.desired}`;
    }
    // Only the drain's 0 is undone: a count someone set since then is theirs.
    if (svc.desired === 0) await setDesired(t, record.count);
    await removeTags(t.ecs, svc.arn, [TAG_DRAIN_RESTORE]);
    return svc.desired === 0
        ? `restored desired ${record.count} of ${t.service}, left at 0 by a drain started at ${new Date(record.at).toISOString()} that did not finish`
        : `a drain started at ${new Date(record.at).toISOString()} did not finish, but desired is already ${svc.desired}; left as is`;
}

export const drain: FailureSimulation = { kind: "drain", needs: [], run, heal };
