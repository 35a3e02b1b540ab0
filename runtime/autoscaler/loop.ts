/**
 * The control loop: every interval, observe the queue and the service, decide, act, log one line and
 * update the metrics. Clock and sleep are injected, so tests drive it with fake time.
 *
 * A failed tick (API error, throttling, a timeout, a broker that is down) is logged and counted, and
 * the next tick comes after an exponential backoff: interval x 2^failures, capped at
 * BACKOFF_MAX_INTERVALS intervals; the first success returns to the normal interval. The loop itself
 * never stops on an error. stop() lets the tick in progress finish and resolves after it (every AWS
 * call has a timeout, so that is bounded); a wait between ticks is cut short.
 *
 * A write whose answer was lost (a timeout after UpdateService was sent) is read back on the next
 * tick before deciding: if the service shows the count that was written, it counts as the
 * autoscaler's action and its cooldown holds.
 */
import { ApiCallError, errorCode, operationOf } from "../aws/call";
import type { Logger } from "../aws/logger";
import type { ApplyOutcome, ApplyResult } from "./actuator";
import type { DemandMemory } from "./demand";
import { decide } from "./decision";
import type { HealthReport } from "./http";
import type { AutoscalerMetrics } from "./metrics";
import { pause, realSleep, type Sleep } from "./time";
import type { Decision, DecisionSettings, LastActions, QueueObservation, QueueSource, ServiceCounts } from "./types";

/** What the loop needs of the actuator (EcsActuator satisfies it). */
export interface Actuator {
    readonly service: string;
    readCounts(): Promise<ServiceCounts>;
    apply(decision: Decision, read: ServiceCounts, at: number): Promise<ApplyResult>;
}

/** Longest backoff after failed ticks, in intervals. */
export const BACKOFF_MAX_INTERVALS = 4;

export interface ControlLoopOptions {
    readonly source: QueueSource;
    readonly actuator: Actuator;
    readonly settings: DecisionSettings;
    /** Time between the end of one tick and the start of the next, ms. */
    readonly intervalMs: number;
    /** Epoch milliseconds; default Date.now. */
    readonly clock?: () => number;
    /** Default: real time. */
    readonly sleep?: Sleep;
    readonly logger?: Logger;
    readonly metrics?: AutoscalerMetrics;
    /** Log a warning when the oldest message is older than this, seconds; default: never. */
    readonly oldestMessageWarningSeconds?: number;
    /** Longest wait after failed ticks, ms; default BACKOFF_MAX_INTERVALS x intervalMs. */
    readonly backoffMaxMs?: number;
    /** Called after every tick: the report of a successful one, or the failure and its duration. */
    readonly onTick?: (tick: { readonly ok: true; readonly report: TickReport; readonly at: number } | { readonly ok: false; readonly tickMs: number; readonly at: number }) => void;
    /** What the autoscaler did before this process started (read from the service's tags), so cooldowns survive a restart. */
    readonly initialLastActions?: LastActions;
    /** A tick is "recent" for /healthz within this many intervals; default 3. */
    readonly healthIntervals?: number;
}

/** "held": a change was decided while actuation was held (see ControlLoop.hold); nothing written. */
export type TickOutcome = ApplyOutcome | "held";

export interface TickReport {
    readonly observation: QueueObservation;
    readonly counts: ServiceCounts;
    readonly decision: Decision;
    readonly outcome: TickOutcome;
    readonly tickMs: number;
}

export class ControlLoop {
    private readonly o: ControlLoopOptions;
    private readonly clock: () => number;
    private readonly sleep: Sleep;
    private readonly backoffMaxMs: number;
    private readonly abort = new AbortController();
    private running?: Promise<void>;
    private stopping = false;
    private holds = 0;
    private last: LastActions;
    /** Readings and recommendations the demand decision remembers between ticks. */
    private memory?: DemandMemory;
    /** A change sent in a tick that then failed: read back before the next decision. */
    private unconfirmed?: { readonly direction: "up" | "down"; readonly at: number; readonly from: number; readonly to: number };
    private failures = 0;
    private lastSuccess?: number;
    private lastError?: string;
    private ticks = 0;

    constructor(options: ControlLoopOptions) {
        if (!(options.intervalMs > 0)) throw new Error(`intervalMs must be > 0, got ${options.intervalMs}`);
        this.o = options;
        this.clock = options.clock ?? Date.now;
        this.sleep = options.sleep ?? realSleep;
        this.backoffMaxMs = options.backoffMaxMs ?? BACKOFF_MAX_INTERVALS * options.intervalMs;
        this.last = options.initialLastActions ?? {};
    }

    /** Time of the last successful tick (epoch ms), undefined before the first. */
    get lastSuccessAt(): number | undefined {
        return this.lastSuccess;
    }

    /** Failed ticks since the last successful one. */
    get consecutiveFailures(): number {
        return this.failures;
    }

    /** What the autoscaler itself last did (cooldowns run from these). */
    get lastActions(): LastActions {
        return this.last;
    }

    /** The wait after a tick: the interval after a success, interval x 2^failures (capped) after failures. */
    nextDelayMs(): number {
        if (this.failures === 0) return this.o.intervalMs;
        return Math.min(this.o.intervalMs * 2 ** Math.min(this.failures, 30), this.backoffMaxMs);
    }

    /** Starts ticking (the first tick at once). Calling it again has no effect. */
    start(): void {
        if (this.running || this.stopping) return;
        this.running = this.run();
    }

    /** Stops after the tick in progress; resolves once that tick has finished. */
    stop(): Promise<void> {
        if (!this.stopping) {
            this.stopping = true;
            this.abort.abort();
        }
        return this.running ?? Promise.resolve();
    }

    /**
     * Runs `fn` with actuation held: ticks go on observing, deciding, logging and counting, but
     * write nothing (outcome "held"). Used while a failure simulation owns the desired count.
     */
    async hold<T>(fn: () => Promise<T>): Promise<T> {
        this.holds++;
        try {
            return await fn();
        } finally {
            this.holds--;
        }
    }

    /** /healthz: healthy while the last successful tick is at most `healthIntervals` intervals old. */
    health(): HealthReport {
        const maxAgeMs = (this.o.healthIntervals ?? 3) * this.o.intervalMs;
        const age = this.lastSuccess === undefined ? undefined : this.clock() - this.lastSuccess;
        const healthy = age !== undefined && age <= maxAgeMs;
        return {
            healthy,
            body: {
                status: healthy ? "ok" : "stale",
                lastSuccessfulTickAgeSeconds: age === undefined ? null : age / 1000,
                maxAgeSeconds: maxAgeMs / 1000,
                consecutiveFailures: this.failures,
                ...(this.lastError && this.failures > 0 ? { lastError: this.lastError } : {}),
            },
        };
    }

    private async run(): Promise<void> {
        while (!this.stopping) {
            await this.tickSafely();
            if (this.stopping) break;
            await pause(this.sleep, this.nextDelayMs(), this.abort.signal);
        }
    }

    /** One tick whose failure is logged and counted instead of thrown. */
    private async tickSafely(): Promise<void> {
        const start = this.clock();
        try {
            await this.tick();
        } catch (error) {
            this.failures++;
            const operation = operationOf(error);
            this.lastError = error instanceof Error ? error.message : String(error);
            this.o.metrics?.apiError(operation);
            this.o.metrics?.tick(this.clock() - start);
            this.o.onTick?.({ ok: false, tickMs: this.clock() - start, at: this.clock() });
            this.o.logger?.error({
                operation,
                code: error instanceof ApiCallError ? error.code : errorCode(error),
                throttling: error instanceof ApiCallError && error.throttling,
                consecutiveFailures: this.failures,
                retryInMs: this.nextDelayMs(),
                tickMs: this.clock() - start,
                err: error,
            }, `tick failed: ${this.lastError}`);
        }
    }

    private record(change: { readonly direction: "up" | "down"; readonly at: number; readonly from: number; readonly to: number }): void {
        const action = { at: change.at, from: change.from, to: change.to };
        this.last = change.direction === "up" ? { ...this.last, scaleUp: action } : { ...this.last, scaleDown: action };
    }

    /** A write of the previous, failed tick: if the service shows its count, it happened. */
    private readBack(counts: ServiceCounts): void {
        const u = this.unconfirmed;
        if (!u) return;
        this.unconfirmed = undefined;
        const happened = counts.desired === u.to;
        if (happened) this.record(u);
        this.o.logger?.warn({ from: u.from, to: u.to, desired: counts.desired, happened },
            happened
                ? `the unanswered write of desired ${u.to} took effect; its ${u.direction === "up" ? "scale-up" : "scale-down"} cooldown runs from then`
                : `the unanswered write of desired ${u.to} did not take effect (desired is ${counts.desired})`);
    }

    /** One tick: observe, decide, act. Rejects when a call fails (run() turns that into a backoff). */
    async tick(): Promise<TickReport> {
        const start = this.clock();
        const [observation, counts] = await Promise.all([this.o.source.observe(), this.o.actuator.readCounts()]);
        this.readBack(counts);
        const decision = decide({
            observation, counts, settings: this.o.settings, last: this.last, now: start, ...(this.memory ? { memory: this.memory } : {}),
        });
        this.memory = decision.memory;
        let outcome: TickOutcome;
        if (this.holds > 0 && decision.desired !== counts.desired) {
            outcome = "held";
        } else {
            const change = decision.direction !== "none" && decision.desired !== counts.desired
                ? { direction: decision.direction, at: start, from: counts.desired, to: decision.desired } as const
                : undefined;
            // Kept until apply() answers: if it throws, the write may still have happened.
            this.unconfirmed = change;
            const applied = await this.o.actuator.apply(decision, counts, start);
            this.unconfirmed = undefined;
            outcome = applied.outcome;
            if (applied.outcome === "updated" && change) this.record(change);
        }
        const end = this.clock();
        const tickMs = end - start;
        this.ticks++;
        this.failures = 0;
        this.lastSuccess = end;
        const m = this.o.metrics;
        if (m) {
            m.observation(observation);
            m.counts(counts);
            m.decision(decision.direction, decision.reason.code);
            m.demand(decision.demand);
            if (outcome === "updated" || outcome === "dry_run" || outcome === "external_change") m.action(outcome);
            m.tick(tickMs, end);
        }
        this.o.logger?.info({
            tick: this.ticks,
            queue: this.o.source.queueName,
            visible: observation.visible,
            inFlight: observation.inFlight,
            delayed: observation.delayed,
            oldestAgeSeconds: observation.oldestAgeSeconds,
            consumers: observation.consumers,
            service: this.o.actuator.service,
            desired: counts.desired,
            running: counts.running,
            pending: counts.pending,
            direction: decision.direction,
            to: decision.desired,
            reason: decision.reason.code,
            reasonText: decision.reason.text,
            arrivalRate: decision.demand.arrivalRate,
            processingRate: decision.demand.model.processingRate,
            backlog: decision.demand.backlog,
            starting: decision.demand.starting,
            needs: decision.demand.keep,
            windowMax: decision.demand.windowMax,
            outcome,
            tickMs,
        }, "tick");
        const warnAt = this.o.oldestMessageWarningSeconds;
        if (warnAt !== undefined && observation.oldestAgeSeconds !== undefined && observation.oldestAgeSeconds > warnAt) {
            this.o.logger?.warn({ queue: this.o.source.queueName, oldestAgeSeconds: observation.oldestAgeSeconds, thresholdSeconds: warnAt },
                `oldest message in ${this.o.source.queueName} is ${observation.oldestAgeSeconds}s old (warning threshold ${warnAt}s)`);
        }
        const report = { observation, counts, decision, outcome, tickMs };
        this.o.onTick?.({ ok: true, report, at: end });
        return report;
    }
}
