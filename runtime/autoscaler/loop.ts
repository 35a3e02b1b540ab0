/**
 * The control loop: every interval, one tick over every scaled service. A tick reads the services'
 * counts with DescribeServices, ten services a call; reads the queues concurrently, a bounded number
 * at once; decides for each service on its own; writes the changed desired counts; logs one line and
 * updates the metrics per service. Every call is paced by a token bucket (pacing.ts) and bounded by a
 * timeout, and aborted at once by stop(), so one slow or failing service costs the others nothing:
 * it is logged, counted and skipped for that tick.
 *
 * The loop backs off (interval x 2^failures, capped at BACKOFF_MAX_INTERVALS intervals) only after a
 * tick that could read no service at all. Clock and sleep are injected; tests drive them with fake time.
 *
 * A write whose answer was lost (a timeout after UpdateService was sent) is read back on the next
 * tick before deciding: if the service shows the count that was written, it counts as the
 * autoscaler's action and its cooldown holds.
 */
import { REQUEST_TIMEOUT_MS } from "../aws/clients";
import { ApiCallError, errorCode, operationOf } from "../aws/call";
import type { Logger } from "../aws/logger";
import type { ApplyResult } from "./actuator";
import type { DemandDecision } from "./decision";
import type { HealthReport } from "./http";
import type { AutoscalerMetrics, ControlsState, ServiceMetrics } from "./metrics";
import { defaultPacing, mapBounded, withDeadline, type CallScope, type Pacing } from "./pacing";
import { healthOf, ServiceScaler, type Change, type ScaledService } from "./service-scaler";
import { recordTick } from "./tick-log";
import type { TickOutcome, TickReport } from "./tick-report";
import { pause, realSleep, type Sleep } from "./time";
import type { Decision, LastActions, QueueObservation, ServiceCounts, ServiceState } from "./types";

export type { ScaledService } from "./service-scaler";

/** What the loop needs to read and write the services' counts (EcsFleet satisfies it). */
export interface Fleet {
    /** Every named service's state, or the error that kept it from being read. */
    describe(services: readonly string[], call: CallScope): Promise<ReadonlyMap<string, ServiceState | Error>>;
    /** Carries out a decision taken on `read`; `beforeWrite` runs just before UpdateService. */
    apply(service: string, decision: Decision, read: ServiceCounts, at: number, signal: AbortSignal, beforeWrite: () => Promise<void>): Promise<ApplyResult>;
}

/** Longest backoff after failed ticks, in intervals. */
export const BACKOFF_MAX_INTERVALS = 4;
/** Queues read at once by default. */
export const DEFAULT_QUEUE_CONCURRENCY = 10;
/**
 * Longest time one call may take, retries included, ms: a little over the HTTP request timeout, so the
 * handler's own TimeoutError normally comes first and this only cuts the SDK's retries short.
 */
export const DEFAULT_CALL_TIMEOUT_MS = REQUEST_TIMEOUT_MS + 1_000;

export interface ControlLoopOptions {
    readonly services: readonly ScaledService[];
    readonly fleet: Fleet;
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
    /** Called for every service after every tick: its report, or its failure. */
    readonly onTick?: (tick: ServiceTick) => void;
    /** A service is "recent" for /healthz within this many intervals; default 3. */
    readonly healthIntervals?: number;
    /** Queues read at once; default DEFAULT_QUEUE_CONCURRENCY. */
    readonly queueConcurrency?: number;
    /** Longest time of one call, ms; default DEFAULT_CALL_TIMEOUT_MS. */
    readonly callTimeoutMs?: number;
    /** Token buckets of the paced operations; default defaultPacing(). */
    readonly pacing?: Pacing;
    /** Longest time a deployment holds scale-in, ms; default DEFAULT_DEPLOYMENT_HOLD_MS. */
    readonly deploymentHoldMs?: number;
}

export type { TickOutcome, TickReport } from "./tick-report";

export type ServiceTick =
    | { readonly service: string; readonly ok: true; readonly report: TickReport; readonly at: number }
    | { readonly service: string; readonly ok: false; readonly error: unknown; readonly tickMs: number; readonly at: number };

/** One tick over all services. */
export interface ClusterTick {
    readonly services: ReadonlyMap<string, ServiceTick>;
    /** Services whose counts and queue were read. */
    readonly read: number;
    readonly tickMs: number;
}

export class ControlLoop {
    private readonly o: ControlLoopOptions;
    private readonly clock: () => number;
    private readonly sleep: Sleep;
    private readonly backoffMaxMs: number;
    private readonly pacing: Pacing;
    private readonly abort = new AbortController();
    private readonly scalers: ServiceScaler[];
    private readonly metricsOf = new Map<string, ServiceMetrics>();
    private running?: Promise<void>;
    private stopping = false;
    private readonly holds = new Map<string, number>();
    private failures = 0;
    private lastSuccess?: number;
    private lastError?: string;

    constructor(options: ControlLoopOptions) {
        if (!(options.intervalMs > 0)) throw new Error(`intervalMs must be > 0, got ${options.intervalMs}`);
        if (options.services.length === 0) throw new Error("services must name at least one service");
        this.o = options;
        this.clock = options.clock ?? Date.now;
        this.sleep = options.sleep ?? realSleep;
        this.backoffMaxMs = options.backoffMaxMs ?? BACKOFF_MAX_INTERVALS * options.intervalMs;
        this.pacing = options.pacing ?? defaultPacing(this.clock, this.sleep);
        this.scalers = options.services.map((s) => new ServiceScaler(s, options.deploymentHoldMs));
        for (const s of options.services) {
            const m = options.metrics?.forService(s.service, s.source.queueName);
            if (m) this.metricsOf.set(s.service, m);
        }
    }

    /** Time of the last tick that read at least one service (epoch ms), undefined before the first. */
    get lastSuccessAt(): number | undefined {
        return this.lastSuccess;
    }

    /** Ticks in a row that read no service. */
    get consecutiveFailures(): number {
        return this.failures;
    }

    /** What the autoscaler itself last did to `service` (default: the first one); cooldowns run from these. */
    lastActionsOf(service = this.scalers[0]!.name): LastActions {
        return this.scaler(service).last;
    }

    /** The state kept for one service. */
    scaler(service: string): ServiceScaler {
        const s = this.scalers.find((x) => x.name === service);
        if (!s) throw new Error(`no scaled service "${service}"`);
        return s;
    }

    /** The wait after a tick: the interval after one that read a service, interval x 2^failures (capped) after failures. */
    nextDelayMs(): number {
        if (this.failures === 0) return this.o.intervalMs;
        return Math.min(this.o.intervalMs * 2 ** Math.min(this.failures, 30), this.backoffMaxMs);
    }

    /** Starts ticking (the first tick at once). Calling it again has no effect. */
    start(): void {
        if (this.running || this.stopping) return;
        this.running = this.run();
    }

    /** Stops: aborts the calls in flight and the wait, and resolves once the tick in progress has ended. */
    stop(): Promise<void> {
        if (!this.stopping) {
            this.stopping = true;
            this.abort.abort();
        }
        return this.running ?? Promise.resolve();
    }

    /**
     * Runs `fn` with actuation of `service` (default: every service) held: ticks go on observing,
     * deciding, logging and counting, but write nothing (outcome "held"). Used while a failure
     * simulation owns a desired count.
     */
    async hold<T>(fn: () => Promise<T>, service = "*"): Promise<T> {
        this.holds.set(service, (this.holds.get(service) ?? 0) + 1);
        try {
            return await fn();
        } finally {
            this.holds.set(service, this.holds.get(service)! - 1);
        }
    }

    private held(service: string): boolean {
        return (this.holds.get(service) ?? 0) > 0 || (this.holds.get("*") ?? 0) > 0;
    }

    /**
     * /healthz: per service, its state and the age of its last good reading; healthy while at least
     * one service was read within `healthIntervals` intervals (one broken service does not get the
     * whole autoscaler restarted; its failure shows in the body and the metrics).
     */
    health(): HealthReport {
        return healthOf(this.scalers, { maxAgeMs: (this.o.healthIntervals ?? 3) * this.o.intervalMs, now: this.clock(), lastSuccess: this.lastSuccess, failures: this.failures, lastError: this.lastError });
    }

    private async run(): Promise<void> {
        while (!this.stopping) {
            await this.tick();
            if (this.stopping) break;
            await pause(this.sleep, this.nextDelayMs(), this.abort.signal);
        }
    }

    /** Runs one call under a signal aborted by stop() or after the call timeout. */
    private readonly call: CallScope = (fn) => withDeadline(this.abort.signal, this.o.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, fn);

    /**
     * One tick over every service: the services' counts and the queues are read at the same time, then
     * each service is decided and written on its own. Never rejects: a service's failure is its own.
     */
    async tick(): Promise<ClusterTick> {
        const start = this.clock();
        const names = this.scalers.map((s) => s.name);
        let describeMs = 0;
        let queuesMs = 0;
        const [counts, observations] = await Promise.all([
            this.o.fleet.describe(names, this.call)
                .catch((error: unknown) => new Map(names.map((n) => [n, error instanceof Error ? error : new Error(String(error))])))
                .finally(() => (describeMs = this.clock() - start)),
            mapBounded(this.scalers, this.o.queueConcurrency ?? DEFAULT_QUEUE_CONCURRENCY, (s) => this.observe(s)).finally(() => (queuesMs = this.clock() - start)),
        ]);
        const results = await mapBounded(this.scalers, this.o.queueConcurrency ?? DEFAULT_QUEUE_CONCURRENCY,
            (s, i) => this.tickService(s, counts.get(s.name) ?? new Error(`${s.name}: not in the DescribeServices answers`), observations[i]!, start));
        const end = this.clock();
        const read = results.filter((r) => r.ok).length;
        if (read > 0) {
            this.failures = 0;
            this.lastSuccess = end;
        } else {
            this.failures++;
            const first = results.find((r) => !r.ok) as Extract<ServiceTick, { ok: false }> | undefined;
            this.lastError = first?.error instanceof Error ? first.error.message : String(first?.error);
        }
        this.o.metrics?.tick(end - start, read);
        this.o.logger?.debug({ tickMs: end - start, describeMs, queuesMs, read, services: this.scalers.length }, "cluster tick");
        for (const r of results) this.o.onTick?.(r);
        return { services: new Map(results.map((r) => [r.service, r])), read, tickMs: end - start };
    }

    /** One reading of a service's queue, or the error that kept it from being read. */
    private observe(s: ServiceScaler): Promise<QueueObservation | { readonly error: unknown }> {
        return this.call(async (signal) => {
            if (!(await this.pacing.queueAttributes.take(signal))) throw new Error("stopped before the queue was read");
            return s.spec.source.observe(signal);
        }).catch((error: unknown) => ({ error }));
    }

    private fail(s: ServiceScaler, error: unknown, start: number): ServiceTick {
        s.failed(error);
        const m = this.metricsOf.get(s.name);
        const operation = operationOf(error);
        m?.apiError(operation);
        m?.skipped();
        const tickMs = this.clock() - start;
        if (!this.stopping) {
            const message = error instanceof Error ? error.message : String(error);
            this.o.logger?.error({
                service: s.name,
                operation,
                code: error instanceof ApiCallError ? error.code : errorCode(error),
                throttling: error instanceof ApiCallError && error.throttling,
                consecutiveFailures: s.failures,
                // The wait if no service of this tick is read (the interval otherwise).
                retryInMs: Math.min(this.o.intervalMs * 2 ** Math.min(this.failures + 1, 30), this.backoffMaxMs),
                tickMs,
                err: error,
            }, `tick failed: ${message}`);
        }
        return { service: s.name, ok: false, error, tickMs, at: this.clock() };
    }

    private async tickService(s: ServiceScaler, read: ServiceState | Error, reading: QueueObservation | { readonly error: unknown }, start: number): Promise<ServiceTick> {
        if (read instanceof Error) return this.fail(s, read, start);
        const counts = read;
        s.readBack(counts, this.o.logger);
        let observation: QueueObservation | undefined;
        let decision: Decision & Partial<Pick<DemandDecision, "demand">>;
        let holdExpired = false;
        if ("error" in reading) {
            s.queueFailures++;
            const fallback = s.fallbackDecision(counts);
            if (!fallback) return this.fail(s, reading.error, start);
            this.o.logger?.warn({ service: s.name, queueFailures: s.queueFailures, fallback: fallback.desired, err: reading.error },
                `queue of ${s.name} unreadable ${s.queueFailures} ticks in a row; fallback desired ${fallback.desired}`);
            decision = fallback;
        } else {
            observation = reading;
            s.queueFailures = 0;
        }
        if (observation) {
            const d = s.decide(observation, counts, start);
            decision = d;
            holdExpired = d.deploymentHoldExpired;
        }
        let outcome: TickOutcome = "unchanged";
        if (decision!.desired !== counts.desired) {
            if (this.held(s.name)) {
                outcome = "held";
            } else {
                const change: Change | undefined = decision!.direction !== "none"
                    ? { direction: decision!.direction, at: start, from: counts.desired, to: decision!.desired }
                    : undefined;
                try {
                    const applied = await this.call(async (signal) => {
                        if (!(await this.pacing.describeServices.take(signal))) throw new Error("stopped before the write");
                        // Kept until apply() answers: if it throws, the write may still have happened.
                        s.unconfirmed = change;
                        return this.o.fleet.apply(s.name, decision!, counts, start, signal, async () => {
                            if (!(await this.pacing.updateService.take(signal))) throw new Error("stopped before the write");
                        });
                    });
                    s.unconfirmed = undefined;
                    outcome = applied.outcome;
                    if (applied.outcome === "updated" && change) s.record(change);
                } catch (error) {
                    return this.fail(s, error, start);
                }
            }
        }
        return this.report(s, observation, counts, decision!, outcome, holdExpired, start);
    }

    private report(s: ServiceScaler, observation: QueueObservation | undefined, counts: ServiceCounts, decision: TickReport["decision"],
        outcome: TickOutcome, holdExpired: boolean, start: number): ServiceTick {
        const end = this.clock();
        s.ticks++;
        s.failures = 0;
        s.lastSuccess = end;
        const controls: ControlsState = { paused: s.spec.settings.paused === true, fallbackActive: s.fallbackActive, activationHolding: s.activationHolding };
        const report: TickReport = { service: s.name, ...(observation ? { observation } : {}), counts, decision, outcome, tickMs: end - start, deploymentHoldExpired: holdExpired, controls };
        recordTick(report, s, end, { metrics: this.metricsOf.get(s.name), logger: this.o.logger, oldestMessageWarningSeconds: this.o.oldestMessageWarningSeconds, deploymentHoldMs: this.o.deploymentHoldMs });
        return { service: s.name, ok: true, report, at: end };
    }
}
