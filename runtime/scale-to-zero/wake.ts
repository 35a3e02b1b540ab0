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

/**
 * Why an ALB event cannot be read, or undefined when it can: the event must be an object, and its
 * Accept header, where present, a string (a list of strings in multiValueHeaders), as the ALB sends it.
 */
export function malformedWakeEvent(event: unknown): string | undefined {
    if (typeof event !== "object" || event === null) return `the event is ${event === null ? "null" : typeof event}, expected an ALB request object`;
    const e = event as { headers?: unknown; multiValueHeaders?: unknown };
    for (const [key, headers] of [["headers", e.headers], ["multiValueHeaders", e.multiValueHeaders]] as const) {
        if (headers === undefined || headers === null) continue;
        if (typeof headers !== "object" || Array.isArray(headers)) return `${key} is ${JSON.stringify(headers)}, expected an object`;
        for (const name of ["accept", "Accept"]) {
            const v = (headers as Record<string, unknown>)[name];
            if (v === undefined) continue;
            const ok = key === "headers" ? typeof v === "string" : Array.isArray(v) && v.every((x) => typeof x === "string");
            if (!ok) return `${key}.${name} is ${JSON.stringify(v)}, expected ${key === "headers" ? "a string" : "a list of strings"}`;
        }
    }
    return undefined;
}

/** What a request that cannot be read gets: 400, and no wake. */
function refusal(reason: string): ALBResult {
    return {
        statusCode: 400,
        statusDescription: "400 Bad Request",
        isBase64Encoded: false,
        headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
        body: JSON.stringify({ error: "malformed request", reason }),
    };
}

/**
 * The ALB handler. An AWS failure still answers the starting page: the caller retries, and so does the
 * next request. An event it cannot read is refused with 400 and a log line, and wakes nothing.
 */
export function createWakeHandler(t: ScaleToZeroTarget, deps: RunDeps): (event: ALBEvent) => Promise<ALBResult> {
    const wake = createWakePass(t, deps);
    return async (event) => {
        const malformed = malformedWakeEvent(event);
        if (malformed !== undefined) {
            deps.logger.warn({ cluster: t.cluster, service: t.service, reason: malformed }, `wake: refused a malformed request: ${malformed}`);
            return refusal(malformed);
        }
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
