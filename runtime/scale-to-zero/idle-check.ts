/**
 * One run of the idle check (EventBridge calls it on checkSchedule): observe, read RequestCount over
 * the idle window, decide (scaling/scale-to-zero.ts), act, publish the state. A second run right after
 * the first finds nothing to change.
 */
import { decideIdleCheck, type Decision, type ScaleToZeroTarget } from "../../scaling/scale-to-zero";
import type { Logger } from "../aws/logger";
import { apply, observe, publishState, readRequests, type ScaleToZeroClients } from "./aws";

export interface RunDeps {
    readonly clients: ScaleToZeroClients;
    /** Epoch ms. */
    readonly clock: () => number;
    readonly logger: Logger;
}

export interface IdleCheckResult extends Decision {
    readonly service: string;
    readonly cluster: string;
}

export async function runIdleCheck(t: ScaleToZeroTarget, deps: RunDeps): Promise<IdleCheckResult> {
    const now = deps.clock();
    const [observed, requests] = await Promise.all([observe(t, deps.clients, now), readRequests(t, deps.clients, now)]);
    const decision = decideIdleCheck(t, observed, requests);
    await apply(t, deps.clients, observed, decision.actions);
    await publishState(t, deps.clients, decision, now);
    const { actions, ...summary } = decision;
    deps.logger.info({
        cluster: t.cluster, service: t.service, route: observed.route, desiredBefore: observed.desiredCount,
        healthyTargets: observed.healthyTargets, actions: actions.map((a) => a.kind), ...summary,
    }, `idle check: ${decision.transition === "none" ? "no change" : decision.transition} (${decision.reason})`);
    return { ...decision, service: t.service, cluster: t.cluster };
}
