/**
 * Failure simulation: stop a worker task, drain the service, or cut the workers off their SQS queue
 * for a while; each run reports what it did and how long the service took to recover. One file per
 * kind (stop-task.ts, drain.ts, partition.ts), each a FailureSimulation (types.ts).
 *
 * Off by default and refused unless `allowed` is true: a refused run throws ChaosNotAllowedError
 * before any API call. Every disruption is undone when the run ends, also when it is interrupted
 * (abort the `signal`) or fails; and because a process can be killed before that, each disruption
 * also heals without it (an expiring policy statement, a restore count kept on the service) and
 * healLeftovers() undoes what a killed run left.
 */
import { MIN_PARTITION_SECONDS } from "../../../aws/api-limits";
import { operationOf } from "../../aws/call";
import { pause, realSleep } from "../time";
import { drain } from "./drain";
import { partition } from "./partition";
import { stopTask } from "./stop-task";
import {
    CHAOS_KINDS, ChaosNotAllowedError,
    type ChaosContext, type ChaosKind, type ChaosOptions, type ChaosOutcome, type ChaosReport, type ChaosSchedule, type ChaosTarget, type FailureSimulation,
} from "./types";

export * from "./types";
export { PARTITION_ACTIONS, PARTITION_SID, clearExpiredPartitions, partitionPolicy, partitionSid } from "./partition";
export { STOP_TASK_REASON } from "./stop-task";

/** Every simulation, by kind. */
export const SIMULATIONS: Readonly<Record<ChaosKind, FailureSimulation>> = { "stop-task": stopTask, drain, partition };

function context(target: ChaosTarget, options: Omit<ChaosOptions, "allowed">): ChaosContext {
    return {
        t: target,
        clock: options.clock ?? Date.now,
        sleep: options.sleep ?? realSleep,
        logger: options.logger,
        random: options.random ?? Math.random,
        signal: options.signal,
        pollMs: options.pollIntervalMs ?? 5_000,
        recoveryTimeoutMs: options.recoveryTimeoutMs ?? 300_000,
        drainTimeoutMs: options.drainTimeoutMs ?? 300_000,
        partitionMs: options.partitionDurationMs ?? MIN_PARTITION_SECONDS * 1000,
    };
}

/**
 * Runs one failure simulation and logs its report. Refused (ChaosNotAllowedError, no API call) unless
 * options.allowed; partition also needs target.sqs, queueUrl and workerRoleArn.
 */
export async function runChaos(kind: ChaosKind, target: ChaosTarget, options: ChaosOptions): Promise<ChaosReport> {
    if (!options.allowed) throw new ChaosNotAllowedError(kind);
    const sim = SIMULATIONS[kind];
    if (!sim) throw new Error(`unknown failure simulation "${kind}"; expected one of ${CHAOS_KINDS.join(", ")}`);
    const missing = sim.needs.filter((k) => !target[k]);
    if (missing.length > 0) throw new Error(`failure simulation "${kind}" needs ${missing.join(", ")}`);
    const ctx = context(target, options);
    const startedAt = ctx.clock();
    const result = await sim.run(ctx);
    const report: ChaosReport = { kind, startedAt, durationMs: ctx.clock() - startedAt, ...result };
    ctx.logger?.info({ chaos: kind, outcome: report.outcome, action: report.action, durationMs: report.durationMs, recovery: report.recovery, ...report.details },
        `failure simulation ${kind}: ${report.action}${report.recovery ? `; ${report.recovery.text}` : ""}`);
    return report;
}

/**
 * Undoes what earlier runs left behind when they were killed before restoring (a drained service, an
 * expired partition statement), whatever simulations are enabled now. Needs no permission flag: it
 * only ever restores. Returns what it did, one line per simulation that had something to heal.
 */
export async function healLeftovers(target: ChaosTarget, options: Omit<ChaosOptions, "allowed"> = {}): Promise<string[]> {
    const ctx = context(target, options);
    const done: string[] = [];
    for (const sim of Object.values(SIMULATIONS)) {
        const what = await sim.heal(ctx);
        if (what !== undefined) {
            ctx.logger?.warn({ chaos: sim.kind, healed: what }, `failure simulation ${sim.kind}: ${what}`);
            done.push(what);
        }
    }
    return done;
}

export interface ChaosSchedulerOptions extends Omit<ChaosOptions, "signal" | "partitionDurationMs"> {
    readonly target: ChaosTarget;
    readonly schedule: ChaosSchedule;
    /** Told about every run's outcome ("failed" when it threw), e.g. to count it. */
    readonly onRun?: (kind: ChaosKind, outcome: ChaosOutcome, error?: unknown) => void;
    /** Wraps drain runs, e.g. ControlLoop.hold, so the autoscaler does not undo the drain meanwhile. */
    readonly hold?: <T>(run: () => Promise<T>) => Promise<T>;
}

/**
 * Runs the enabled simulations on their intervals, one at a time, on the injected clock and sleep.
 * A failed run is logged and reported and the schedule goes on. stop() cuts the current wait short,
 * lets the current run restore what it disrupted, and resolves after that.
 */
export class ChaosScheduler {
    private readonly o: ChaosSchedulerOptions;
    private readonly abort = new AbortController();
    private running?: Promise<void>;
    /** Reports of the runs so far, oldest first. */
    readonly reports: ChaosReport[] = [];

    constructor(options: ChaosSchedulerOptions) {
        this.o = options;
    }

    /** The kinds that are enabled, with their intervals. */
    enabledKinds(): { kind: ChaosKind; intervalMs: number }[] {
        const s = this.o.schedule;
        const all: { kind: ChaosKind; enabled: boolean; intervalMs: number }[] = [
            { kind: "stop-task", ...s.stopTask },
            { kind: "drain", ...s.drain },
            { kind: "partition", ...s.partition },
        ];
        return all.filter((k) => k.enabled).map(({ kind, intervalMs }) => ({ kind, intervalMs }));
    }

    /** Starts the schedule; throws ChaosNotAllowedError if a kind is enabled but simulation is not allowed. */
    start(): void {
        const kinds = this.enabledKinds();
        if (kinds.length === 0 || this.running) return;
        if (!this.o.allowed) throw new ChaosNotAllowedError(kinds.map((k) => k.kind).join(", "));
        this.running = this.run(kinds);
    }

    stop(): Promise<void> {
        this.abort.abort();
        return this.running ?? Promise.resolve();
    }

    private async run(kinds: { kind: ChaosKind; intervalMs: number }[]): Promise<void> {
        const clock = this.o.clock ?? Date.now;
        const sleep = this.o.sleep ?? realSleep;
        const signal = this.abort.signal;
        const due = new Map(kinds.map((k) => [k.kind, clock() + k.intervalMs]));
        while (!signal.aborted) {
            const [kind, at] = [...due.entries()].reduce((a, b) => (b[1] < a[1] ? b : a));
            const wait = at - clock();
            if (wait > 0 && !(await pause(sleep, wait, signal))) break;
            await this.runOne(kind, signal);
            due.set(kind, clock() + kinds.find((k) => k.kind === kind)!.intervalMs);
        }
    }

    private async runOne(kind: ChaosKind, signal: AbortSignal): Promise<void> {
        const options: ChaosOptions = { ...this.o, signal, partitionDurationMs: this.o.schedule.partition.durationMs };
        const go = () => runChaos(kind, this.o.target, options);
        try {
            const report = await (kind === "drain" && this.o.hold ? this.o.hold(go) : go());
            this.reports.push(report);
            this.o.onRun?.(kind, report.outcome);
        } catch (error) {
            this.o.onRun?.(kind, "failed", error);
            this.o.logger?.error({ chaos: kind, err: error, operation: operationOf(error) }, `failure simulation ${kind} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
    }
}
