/**
 * What the control loop keeps for one scaled service between ticks, and the guards it puts around the
 * pure decision: the scale-in stabilization window, a bounded hold of scale-in during a deployment,
 * a clean restart of the rate estimates after the service or its queue could not be read, the
 * fallback count after the queue failed too often in a row (none while paused), and the arrival
 * profile the forecast learns from each reading (forecast.ts).
 */
import { SERVICES_STABLE_WAITER_MS } from "../../aws/api-limits";
import type { Logger } from "../aws/logger";
import { arrivalTasks, decide, type DemandDecision } from "./decision";
import { EMPTY_MEMORY, type DemandMemory } from "./demand";
import { emptyProfile, observeArrival, slotsLearned, type ArrivalProfile } from "./forecast";
import type { HealthReport } from "./http";
import type { DecisionSettings, LastActions, QueueObservation, QueueSource, ServiceCounts } from "./types";

/**
 * Default of the longest time a deployment holds scale-in: as long as ECS's own `services-stable`
 * waiter waits for a deployment to settle before calling it stuck (aws/api-limits.ts).
 */
export const DEFAULT_DEPLOYMENT_HOLD_MS = SERVICES_STABLE_WAITER_MS;

/** KEDA's fallback: after `failureThreshold` ticks in a row whose queue could not be read, set `replicas`. */
export interface Fallback {
    readonly failureThreshold: number;
    readonly replicas: number;
}

/** One service the loop scales. */
export interface ScaledService {
    /** ECS service name. */
    readonly service: string;
    /** Its queue (a MultiQueueSource when it consumes several). */
    readonly source: QueueSource;
    readonly settings: DecisionSettings;
    /** What the autoscaler did before this process started (from the service's tags). */
    readonly initialLastActions?: LastActions;
    readonly fallback?: Fallback;
    /** The arrival profile read back at start (forecast-store.ts); unset: learned from nothing. */
    readonly initialProfile?: ArrivalProfile;
}

export type Change = { readonly direction: "up" | "down"; readonly at: number; readonly from: number; readonly to: number };

/** The decision of one tick, after the loop's guards. */
export interface GuardedDecision extends DemandDecision {
    /** The deployment hold ran out on this tick (scale-in goes on in spite of the deployment). */
    readonly deploymentHoldExpired: boolean;
}

export class ServiceScaler {
    last: LastActions;
    failures = 0;
    queueFailures = 0;
    lastSuccess?: number;
    lastError?: string;
    ticks = 0;
    /** A change sent in a tick whose answer was lost: read back before the next decision. */
    unconfirmed?: Change;
    private memory?: DemandMemory;
    /** The rate estimates are restarted on the next good reading (the service or its queue could not be read). */
    private gap = false;
    /** Since when the service shows a deployment in progress. */
    private deploymentSince?: number;
    private holdExpiredReported = false;
    /** The learned arrival profile (only while the forecast is enabled). */
    profile?: ArrivalProfile;
    /** The last tick set the fallback count (the queue could not be read failureThreshold times in a row). */
    fallbackActive = false;
    /** The last decision kept the service at 0 below the activation threshold. */
    activationHolding = false;

    constructor(readonly spec: ScaledService, private readonly deploymentHoldMs: number = DEFAULT_DEPLOYMENT_HOLD_MS) {
        this.last = spec.initialLastActions ?? {};
        const f = spec.settings.forecast;
        if (f?.enabled) this.profile = spec.initialProfile?.slotSeconds === f.slotSeconds ? spec.initialProfile : emptyProfile(f.slotSeconds);
    }

    get name(): string {
        return this.spec.service;
    }

    /** A tick of this service failed: counted, and the rate estimates restart on the next reading. */
    failed(error: unknown): void {
        this.failures++;
        this.gap = true;
        this.lastError = error instanceof Error ? error.message : String(error);
    }

    /** A write of the previous, failed tick: if the service shows its count, it happened. */
    readBack(counts: ServiceCounts, logger?: Logger): void {
        const u = this.unconfirmed;
        if (!u) return;
        this.unconfirmed = undefined;
        const happened = counts.desired === u.to;
        if (happened) this.record(u);
        logger?.warn({ service: this.name, from: u.from, to: u.to, desired: counts.desired, happened },
            happened
                ? `the unanswered write of desired ${u.to} took effect; its ${u.direction === "up" ? "scale-up" : "scale-down"} cooldown runs from then`
                : `the unanswered write of desired ${u.to} did not take effect (desired is ${counts.desired})`);
    }

    record(change: Change): void {
        const action = { at: change.at, from: change.from, to: change.to };
        this.last = change.direction === "up" ? { ...this.last, scaleUp: action } : { ...this.last, scaleDown: action };
    }

    /**
     * The fallback decision when the queue failed `failureThreshold` times in a row (the fallback count,
     * within min and max; the current count while paused); undefined otherwise.
     */
    fallbackDecision(counts: ServiceCounts): { desired: number; direction: "up" | "down" | "none"; reason: { code: string; text: string } } | undefined {
        const f = this.spec.fallback;
        this.fallbackActive = false;
        if (!f || this.queueFailures < f.failureThreshold) return undefined;
        this.fallbackActive = true;
        this.activationHolding = false;
        const s = this.spec.settings;
        const desired = Math.min(s.maxCapacity, Math.max(s.minCapacity, f.replicas));
        const why = `queue unreadable ${this.queueFailures} ticks in a row (threshold ${f.failureThreshold}); fallback to ${desired}`;
        if (s.paused) return { desired: counts.desired, direction: "none", reason: { code: "paused", text: `paused: desired stays ${counts.desired} (${why})` } };
        return { desired, direction: desired > counts.desired ? "up" : desired < counts.desired ? "down" : "none", reason: { code: "fallback", text: why } };
    }

    /** Decides for one reading, with the loop's guards around decide(). */
    decide(observation: QueueObservation, counts: ServiceCounts, now: number): GuardedDecision {
        const s = this.spec.settings;
        if (this.gap && this.memory) {
            // Readings from before an outage are not a rate: a jump across the gap would read as arrivals
            // (or as a drain). Restart the estimates; what scale-in recommended still holds.
            this.memory = { ...EMPTY_MEMORY, recommendations: this.memory.recommendations };
        }
        this.gap = false;

        // A deployment holds scale-in for at most deploymentHoldMs; after that it counts as stuck.
        let deploymentHoldExpired = false;
        let effective = counts;
        if (counts.deploymentInProgress) {
            this.deploymentSince ??= now;
            if (now - this.deploymentSince >= this.deploymentHoldMs) {
                effective = { ...counts, deploymentInProgress: false };
                deploymentHoldExpired = !this.holdExpiredReported;
                this.holdExpiredReported = true;
            }
        } else {
            this.deploymentSince = undefined;
            this.holdExpiredReported = false;
        }

        // A scale-in since the last scale-out removed what that scale-out added, so its cooldown no longer
        // holds a new scale-out (scaling-semantics.md 1.4 [A1]: the capacity a scale-out added counts
        // for the next one only while it is there; a scale-out is never held by a scale-in).
        const up = this.last.scaleUp;
        const down = this.last.scaleDown;
        const last = up && down && down.at >= up.at && down.to < up.to ? { scaleDown: down } : this.last;
        const d = decide({ observation, counts: effective, settings: s, last, now, ...(this.memory ? { memory: this.memory } : {}), ...(this.profile ? { profile: this.profile } : {}) });
        this.memory = d.memory;
        this.fallbackActive = false;
        this.activationHolding = d.activationHolding === true;
        // The work arriving in tasks (forecast.ts); the same figure goes out in the tick's EMF record
        // (ArrivalTasks), which a restarted task reads back.
        if (this.profile && s.forecast) this.profile = observeArrival(this.profile, now, arrivalTasks(d.demand), s.forecast.weight).profile;
        return { ...this.holdWindow(d, counts.desired, now, s), deploymentHoldExpired };
    }

    /**
     * The scale-in stabilization window holds however fast the queue empties: scale in no lower than
     * the highest recommendation made within the window (Kubernetes HPA's rule, scaling-semantics.md
     * section 7 [K1]), counting a recommendation made for a backlog even once that backlog is gone.
     */
    private holdWindow(d: DemandDecision, current: number, now: number, s: DecisionSettings): DemandDecision {
        if (d.direction !== "down" || d.reason.code === "above_max") return d;
        const inWindow = d.memory.recommendations.filter((r) => r.at > now - s.scaleDownCooldownMs);
        const floor = Math.min(current, Math.max(d.desired, ...inWindow.map((r) => r.count)));
        if (floor <= d.desired) return d;
        if (floor >= current) {
            return { ...d, direction: "none", desired: current, reason: { code: "stabilizing", text: `the window still holds ${floor} (recommended within the last ${Math.round(s.scaleDownCooldownMs / 1000)}s); desired stays ${current}` } };
        }
        return { ...d, desired: floor, reason: { code: d.reason.code, text: `${d.reason.text}; no lower than ${floor}, the window's highest recommendation` } };
    }
}

/**
 * /healthz of the loop: per service, its state and the age of its last good reading; healthy while at
 * least one service was read within maxAgeMs (one broken service does not get the whole autoscaler
 * restarted; its failure shows in the body and the metrics).
 */
export function healthOf(scalers: readonly ServiceScaler[], o: { maxAgeMs: number; now: number; lastSuccess?: number | undefined; failures: number; lastError?: string | undefined }): HealthReport {
    const ageOf = (at: number | undefined) => (at === undefined ? undefined : o.now - at);
    const services: Record<string, unknown> = {};
    let fresh = 0;
    for (const s of scalers) {
        const age = ageOf(s.lastSuccess);
        const ok = age !== undefined && age <= o.maxAgeMs;
        if (ok) fresh++;
        services[s.name] = {
            status: ok ? (s.failures > 0 ? "failing" : "ok") : "stale",
            lastSuccessfulTickAgeSeconds: age === undefined ? null : age / 1000,
            consecutiveFailures: s.failures,
            ...(s.lastError && s.failures > 0 ? { lastError: s.lastError } : {}),
            paused: s.spec.settings.paused === true,
            fallbackActive: s.fallbackActive,
            consecutiveQueueFailures: s.queueFailures,
            activationHolding: s.activationHolding,
            ...(s.profile ? { forecastSlotsLearned: slotsLearned(s.profile) } : {}),
        };
    }
    const age = ageOf(o.lastSuccess);
    const healthy = fresh > 0;
    return {
        healthy,
        body: {
            status: healthy ? "ok" : "stale",
            lastSuccessfulTickAgeSeconds: age === undefined ? null : age / 1000,
            maxAgeSeconds: o.maxAgeMs / 1000,
            consecutiveFailures: o.failures,
            ...(o.lastError && o.failures > 0 ? { lastError: o.lastError } : {}),
            servicesRead: fresh,
            services,
        },
    };
}
