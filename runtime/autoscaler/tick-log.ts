/**
 * What a service's tick leaves behind: its metrics (labelled with the service and its queue) and one
 * JSON log line with the reading, the counts, the decision and why, plus the warnings it calls for.
 */
import type { Logger } from "../aws/logger";
import type { TickReport } from "./tick-report";
import type { ServiceMetrics } from "./metrics";
import type { ServiceScaler } from "./service-scaler";

export function recordTick(r: TickReport, s: ServiceScaler, end: number, o: {
    readonly metrics?: ServiceMetrics | undefined; readonly logger?: Logger | undefined;
    readonly oldestMessageWarningSeconds?: number | undefined; readonly deploymentHoldMs?: number | undefined;
}): void {
    const { observation, counts, decision, outcome } = r;
    const m = o.metrics;
    if (m) {
        if (observation) m.observation(observation);
        m.counts(counts);
        m.decision(decision.direction, decision.reason.code);
        if (decision.demand) m.demand(decision.demand);
        if (outcome === "updated" || outcome === "dry_run" || outcome === "external_change") m.action(outcome);
        if (r.deploymentHoldExpired) m.deploymentHoldExpired();
        m.controls(r.controls);
        m.lastSuccess(end);
    }
    const queue = s.spec.source.queueName;
    if (r.deploymentHoldExpired) {
        o.logger?.warn({ service: s.name, deploymentHoldMs: o.deploymentHoldMs },
            `a deployment of ${s.name} has been in progress longer than the deployment hold; scale-in is no longer held for it`);
    }
    const d = decision.demand;
    if (d?.newlyContradicted) {
        o.logger?.warn({ service: s.name, configuredRate: d.model.configuredRate, learnedRate: d.model.processingRate },
            `the observed drain contradicts the configured processing rate ${d.model.configuredRate}/s of ${s.name} (learned ${d.model.processingRate?.toFixed(2)}/s); using the learned rate`);
    }
    o.logger?.info({
        tick: s.ticks,
        queue,
        visible: observation?.visible,
        inFlight: observation?.inFlight,
        delayed: observation?.delayed,
        oldestAgeSeconds: observation?.oldestAgeSeconds,
        consumers: observation?.consumers,
        service: s.name,
        desired: counts.desired,
        running: counts.running,
        pending: counts.pending,
        direction: decision.direction,
        to: decision.desired,
        reason: decision.reason.code,
        reasonText: decision.reason.text,
        arrivalRate: d?.arrivalRate,
        processingRate: d?.model.processingRate,
        backlog: d?.backlog,
        starting: d?.starting,
        needs: d?.keep,
        windowMax: d?.windowMax,
        forecastLoad: d?.forecast?.load,
        forecastTasks: d?.forecast?.tasks,
        paused: r.controls.paused || undefined,
        fallbackActive: r.controls.fallbackActive || undefined,
        activationHolding: r.controls.activationHolding || undefined,
        outcome,
        tickMs: r.tickMs,
    }, "tick");
    const warnAt = o.oldestMessageWarningSeconds;
    if (warnAt !== undefined && observation?.oldestAgeSeconds !== undefined && observation.oldestAgeSeconds > warnAt) {
        o.logger?.warn({ service: s.name, queue, oldestAgeSeconds: observation.oldestAgeSeconds, thresholdSeconds: warnAt },
            `oldest message in ${queue} is ${observation.oldestAgeSeconds}s old (warning threshold ${warnAt}s)`);
    }
}
