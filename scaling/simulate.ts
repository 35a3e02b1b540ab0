/**
 * The closed loop: a trace drives a workload, the workload's signals drive a controller, the
 * controller's desired count drives the Fargate service, whose running tasks drive the workload. Any
 * controller fits: Application Auto Scaling (the engine), the queue autoscaler (its real decision
 * function, plugged in from runtime/), or the oracle. Pure: simulated seconds, no timers, no I/O.
 */
import { FargateService } from "./engine/fargate";
import type { EngineParams } from "./engine/params";
import { arrivalsBetween, type Trace } from "./traces";
import { QueueWorkload, RequestWorkload, type WorkloadSignals, type WorkloadSpec } from "./workloads";

export interface ControllerView {
    /** Seconds since the start. */
    readonly now: number;
    readonly signals: WorkloadSignals;
    readonly desired: number;
    readonly running: number;
    readonly pending: number;
}

export interface ControllerAction {
    readonly desired: number;
    readonly reason: string;
}

export interface Controller {
    readonly name: string;
    /** Called once per tick, after the workload has moved; returns a new desired count or nothing. */
    tick(view: ControllerView): ControllerAction | undefined;
}

/** What "within target" means: every message handled within `seconds`, or utilization <= `percent`. */
export type ServiceTarget =
    | { readonly kind: "age"; readonly seconds: number }
    | { readonly kind: "utilization"; readonly percent: number };

export interface LoopOptions {
    readonly trace: Trace;
    readonly workload: WorkloadSpec;
    readonly target: ServiceTarget;
    /** Seconds per tick. */
    readonly tickSeconds: number;
    readonly initialDesired: number;
    readonly params: Pick<EngineParams, "taskStartSeconds" | "launchRatePerMinute">;
    /** Series resolution for charts, seconds (default: 30 or the tick, whichever is larger). */
    readonly sampleSeconds?: number;
    /** The oracle's running tasks per tick, to measure time below needed capacity. */
    readonly need?: readonly number[];
    /** Called with the fraction done, at most every 1 %. */
    readonly onProgress?: (fraction: number) => void;
}

export interface SeriesPoint {
    /** Seconds. */
    readonly t: number;
    /** Arrival rate, units/s (bursts spread over the sample). */
    readonly load: number;
    readonly desired: number;
    readonly running: number;
    readonly backlog: number;
}

/** Figures of the measured part of a run: after the trace's history (`Trace.historySeconds`). */
export interface RunMetrics {
    /** Longest stretch with fewer running tasks than the oracle needed, seconds. */
    readonly timeToCapacitySeconds: number;
    /** Message wait (arrival to processing) percentiles, seconds; queue workloads only. */
    readonly waitP50Seconds?: number;
    readonly waitP95Seconds?: number;
    readonly waitMaxSeconds?: number;
    /** Seconds with the oldest message older than the target age, or demand above the target utilization. */
    readonly timeAboveTargetSeconds: number;
    /** Running plus starting tasks, integrated: what Fargate bills. */
    readonly taskMinutes: number;
    readonly desiredChanges: number;
}

export interface RunAction {
    readonly t: number;
    readonly from: number;
    readonly to: number;
    readonly reason: string;
}

export interface RunResult {
    readonly controller: string;
    readonly metrics: RunMetrics;
    readonly series: readonly SeriesPoint[];
    readonly actions: readonly RunAction[];
    /** Running tasks at each tick. */
    readonly running: readonly number[];
}

export function tickCount(o: Pick<LoopOptions, "trace" | "tickSeconds">): number {
    if (!(o.tickSeconds > 0)) throw new Error(`tick ${o.tickSeconds} must be > 0 seconds`);
    return Math.ceil(o.trace.duration / o.tickSeconds);
}

export function runClosedLoop(controller: Controller, o: LoopOptions): RunResult {
    const dt = o.tickSeconds;
    const n = tickCount(o);
    const service = new FargateService(o.initialDesired, o.params);
    const queue = o.workload.kind === "queue" ? new QueueWorkload(o.workload) : undefined;
    const requests = o.workload.kind === "requests" ? new RequestWorkload(o.workload) : undefined;
    const sampleEvery = Math.max(1, Math.round(Math.max(o.sampleSeconds ?? 30, dt) / dt));
    const series: SeriesPoint[] = [];
    const actions: RunAction[] = [];
    const runningAt: number[] = new Array(n);
    let taskSeconds = 0;
    let aboveTarget = 0;
    let belowNeed = 0;
    let longestBelowNeed = 0;
    let sampleArrivals = 0;
    let lastProgress = -1;
    let changes = 0;
    const measureFrom = o.trace.historySeconds ?? 0;

    for (let i = 0; i < n; i++) {
        const t = i * dt;
        service.advance(t);
        const measured = t >= measureFrom;
        if (measured && t - dt < measureFrom) queue?.restartWaits();
        const arrivals = arrivalsBetween(o.trace, t, t + dt);
        sampleArrivals += arrivals;
        const signals = queue ? queue.step(t, dt, arrivals, service.running) : requests!.step(t, dt, arrivals, service.running);
        runningAt[i] = service.running;
        if (measured) taskSeconds += (service.running + service.pending) * dt;
        if (measured && (o.target.kind === "age" ? signals.oldestAge > o.target.seconds : (signals.demandUtilization ?? (arrivals > 0 ? Infinity : 0)) > o.target.percent)) {
            aboveTarget += dt;
        }
        if (measured && o.need && service.running < o.need[i]) {
            belowNeed += dt;
            longestBelowNeed = Math.max(longestBelowNeed, belowNeed);
        } else {
            belowNeed = 0;
        }
        const action = controller.tick({ now: t + dt, signals, desired: service.desired, running: service.running, pending: service.pending });
        if (action && action.desired !== service.desired) {
            actions.push({ t: t + dt, from: service.desired, to: action.desired, reason: action.reason });
            service.setDesired(t + dt, action.desired);
            if (measured) changes++;
        }
        if (i % sampleEvery === sampleEvery - 1 || i === n - 1) {
            const span = (i % sampleEvery + 1) * dt;
            series.push({ t: t + dt, load: sampleArrivals / span, desired: service.desired, running: service.running, backlog: queue ? queue.backlog : 0 });
            sampleArrivals = 0;
        }
        if (o.onProgress) {
            const pct = Math.floor((100 * (i + 1)) / n);
            if (pct !== lastProgress) { lastProgress = pct; o.onProgress(pct / 100); }
        }
    }
    queue?.finish(n * dt);
    const metrics: RunMetrics = {
        timeToCapacitySeconds: longestBelowNeed,
        ...(queue ? { waitP50Seconds: queue.waits.quantile(0.5), waitP95Seconds: queue.waits.quantile(0.95), waitMaxSeconds: queue.waits.max } : {}),
        timeAboveTargetSeconds: aboveTarget,
        taskMinutes: taskSeconds / 60,
        desiredChanges: changes,
    };
    return { controller: controller.name, metrics, series, actions, running: runningAt };
}

