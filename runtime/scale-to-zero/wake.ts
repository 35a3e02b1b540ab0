/**
 * The wake function: the ALB invokes it for every request while the service's rule points at the wake
 * target group. Each request observes the state and decides (scaling/scale-to-zero.ts): ask for
 * wakeCapacity tasks if none are asked for yet, switch the rule back once a target is healthy; then it
 * answers 503 with Retry-After. Nothing in the request is read but its Accept header, so a caller can
 * cause nothing but this one service's wake.
 */
import type { ALBEvent, ALBResult } from "aws-lambda";
import { decideWake, type Decision, type ScaleToZeroTarget } from "../../scaling/scale-to-zero";
import { apply, observe, publishState } from "./aws";
import type { RunDeps } from "./idle-check";
import { wakeResponse } from "./page";

/** One observe-decide-act pass; requests that arrive while one runs share it (one UpdateService for all of them). */
export function createWakePass(t: ScaleToZeroTarget, deps: RunDeps): () => Promise<Decision> {
    let inFlight: Promise<Decision> | undefined;
    const pass = async (): Promise<Decision> => {
        const now = deps.clock();
        const observed = await observe(t, deps.clients, now);
        const decision = decideWake(t, observed);
        await apply(t, deps.clients, observed, decision.actions);
        if (decision.transition !== "none") await publishState(t, deps.clients, decision, now);
        const { actions, ...summary } = decision;
        deps.logger.info({
            cluster: t.cluster, service: t.service, route: observed.route, desiredBefore: observed.desiredCount,
            healthyTargets: observed.healthyTargets, actions: actions.map((a) => a.kind), ...summary,
        }, `wake: ${decision.transition === "none" ? "no change" : decision.transition} (${decision.reason})`);
        return decision;
    };
    return () => {
        if (!inFlight) inFlight = pass().finally(() => { inFlight = undefined; });
        return inFlight;
    };
}

/** The ALB handler. An AWS failure still answers the starting page: the caller retries, and so does the next request. */
export function createWakeHandler(t: ScaleToZeroTarget, deps: RunDeps): (event: ALBEvent) => Promise<ALBResult> {
    const wake = createWakePass(t, deps);
    return async (event) => {
        const accept = event.headers?.accept ?? event.headers?.Accept ?? event.multiValueHeaders?.accept?.[0];
        try {
            const decision = await wake();
            return wakeResponse(t.service, decision.status === "active" ? "ready" : "starting", accept);
        } catch (error) {
            deps.logger.error({ err: error, cluster: t.cluster, service: t.service }, "wake: pass failed; answering the starting page");
            return wakeResponse(t.service, "starting", accept);
        }
    };
}
