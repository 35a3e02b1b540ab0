/**
 * The queue autoscaler in the simulator's closed loop, deciding as the control loop does: through the
 * loop's ServiceScaler (runtime/autoscaler/service-scaler.ts), so the pure decision (decide) and the
 * guards the loop puts around it (the stabilization window, the deployment hold, the cooldown rules)
 * are what is simulated. Every `intervalSeconds` it reads the queue as GetQueueAttributes reports it
 * (visible, in flight) and the service's counts, decides, and records its own changes as the loop does.
 * With `forecast` it learns the arrival profile from its own readings as the deployed one does (and may
 * start from a profile learned before, `profile`); the simulated time 0 is the epoch millisecond
 * `startEpochMs`, which places the trace in the week. Not part of the deployed bundle; the simulator
 * and benchmarks use it.
 */
import { DEFAULT_ENGINE_PARAMS } from "../../scaling/engine/params";
import { runClosedLoop, type Controller, type ControllerView, type RunResult, type ServiceTarget } from "../../scaling/simulate";
import type { Trace } from "../../scaling/traces";
import type { ArrivalProfile, ForecastSettings } from "./forecast";
import { ServiceScaler } from "./service-scaler";
import type { DecisionSettings, QueueSource } from "./types";

/** The simulated queue: the simulator hands its readings to the decision, nothing calls it. */
const SIMULATED_QUEUE: QueueSource = {
    kind: "sqs",
    queueName: "simulated",
    observe: () => Promise.reject(new Error("the simulated queue is read by the simulator, not observed")),
    close: () => Promise.resolve(),
};

/** The forecast of a simulated queue autoscaler. */
export interface SimulatedForecast {
    readonly settings: ForecastSettings;
    /** The profile it starts from (learned before the run); unset: none. */
    readonly profile?: ArrivalProfile;
    /** The epoch millisecond of the run's time 0 (where the trace sits in the week); default 0. */
    readonly startEpochMs?: number;
}

/**
 * `taskStartSeconds`: the launch-to-running time the simulated service's own ECS events show (a
 * deployment started its tasks before the run), passed as the counts' taskStartMs; unset: none shown.
 * `forecast`: the forecast on, as `autoscaler.services.<key>.forecast` turns it on.
 */
export function queueAutoscalerController(settings: DecisionSettings, intervalSeconds: number, taskStartSeconds?: number, forecast?: SimulatedForecast): Controller & { readonly profile: ArrivalProfile | undefined } {
    if (!(intervalSeconds > 0)) throw new Error(`interval ${intervalSeconds} must be > 0 seconds`);
    const scaler = new ServiceScaler({
        service: "simulated",
        source: SIMULATED_QUEUE,
        settings: forecast ? { ...settings, forecast: forecast.settings } : settings,
        ...(forecast?.profile ? { initialProfile: forecast.profile } : {}),
    });
    const epoch = forecast?.startEpochMs ?? 0;
    let nextAt = 0;
    return {
        name: forecast?.settings.enabled ? "queue-autoscaler+forecast" : "queue-autoscaler",
        /** The profile learned so far (with the forecast on). */
        get profile() {
            return scaler.profile;
        },
        tick(view: ControllerView) {
            if (view.now + 1e-9 < nextAt) return undefined;
            nextAt = view.now + intervalSeconds;
            const now = epoch + Math.round(view.now * 1000);
            const decision = scaler.decide(
                { visible: view.signals.visible, inFlight: view.signals.inFlight, delayed: 0, oldestAgeSeconds: view.signals.oldestAge, observedAt: now },
                { desired: view.desired, running: view.running, pending: view.pending, ...(taskStartSeconds === undefined ? {} : { taskStartMs: taskStartSeconds * 1000 }) },
                now,
            );
            if (decision.desired === view.desired) return undefined;
            scaler.record({ direction: decision.desired > view.desired ? "up" : "down", at: now, from: view.desired, to: decision.desired });
            return { desired: decision.desired, reason: `${decision.reason.code}: ${decision.reason.text}` };
        },
    };
}

export interface QueueLoopOptions {
    readonly trace: Trace;
    readonly settings: DecisionSettings;
    /** The autoscaler's tick, seconds. */
    readonly intervalSeconds: number;
    /** Messages one worker task processes per second. */
    readonly workerRate: number;
    /** Seconds from a desired-count increase until the new task runs. */
    readonly startDelaySeconds: number;
    /** Target message age for "time above target" and the oracle, seconds. */
    readonly targetAgeSeconds: number;
    /** Simulation tick, seconds (default 1). */
    readonly tickSeconds?: number;
    /** Desired count at the start (default: the settings' min). */
    readonly initialDesired?: number;
    /** Oracle running tasks per tick, for time-to-capacity. */
    readonly need?: readonly number[];
    /** The arrival forecast on (and the profile it starts from); unset: off. */
    readonly forecast?: SimulatedForecast;
}

/**
 * The closed-loop run of the queue autoscaler: trace + settings + worker rate + start delay -> metrics
 * (message wait percentiles, task-minutes, desired-count changes) and the series to chart.
 */
export function simulateQueueAutoscaler(o: QueueLoopOptions): RunResult {
    const target: ServiceTarget = { kind: "age", seconds: o.targetAgeSeconds };
    // The trace's own clock places it in the week, unless the forecast says otherwise.
    const forecast = o.forecast ? { ...o.forecast, startEpochMs: o.forecast.startEpochMs ?? o.trace.epochMs ?? 0 } : undefined;
    return runClosedLoop(queueAutoscalerController(o.settings, o.intervalSeconds, o.startDelaySeconds, forecast), {
        trace: o.trace,
        workload: { kind: "queue", perTaskRate: o.workerRate },
        target,
        tickSeconds: o.tickSeconds ?? 1,
        initialDesired: o.initialDesired ?? o.settings.minCapacity,
        params: { taskStartSeconds: o.startDelaySeconds, launchRatePerMinute: DEFAULT_ENGINE_PARAMS.launchRatePerMinute },
        ...(o.need ? { need: o.need } : {}),
    });
}
