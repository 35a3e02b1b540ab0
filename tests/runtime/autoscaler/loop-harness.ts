/**
 * The control loop's test fixtures: the worker service "worker" of cluster "main" on fake time, a queue
 * source whose readings a test sets, and the settings the loop's tests size with.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { EcsFleet } from "../../../runtime/autoscaler/actuator";
import { ControlLoop, type ControlLoopOptions, type TickReport } from "../../../runtime/autoscaler/loop";
import { defaultPacing } from "../../../runtime/autoscaler/pacing";
import type { DecisionSettings, LastActions, QueueObservation, QueueSource } from "../../../runtime/autoscaler/types";
import { decisionSettings } from "../../helpers/decision-settings";
import type { FakeTime } from "../support";

/**
 * The loop's tests size with the opt-in threshold rule (10 messages per task, scale-in below 2), whose
 * counts are plain, and a 90 s stabilization window, long enough to see the loop hold it.
 */
export const THRESHOLDS = { scaleUpThreshold: 10, scaleDownThreshold: 2 } as const;
export const SETTINGS: DecisionSettings = decisionSettings({ minCapacity: 1, countInFlight: false, ...THRESHOLDS, scaleDownCooldownMs: 90_000 });

/** A queue source whose readings the test sets. */
export class ScriptedSource implements QueueSource {
    readonly kind = "sqs" as const;
    readonly queueName = "work";
    calls = 0;
    next: Partial<QueueObservation> | (() => Promise<QueueObservation>) = { visible: 0 };
    constructor(private readonly t: FakeTime) {}
    async observe(signal?: AbortSignal): Promise<QueueObservation> {
        this.calls++;
        if (typeof this.next === "function") {
            const pending = this.next();
            // As the SDK does: an aborted call rejects at once.
            return signal ? Promise.race([pending, new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }))]) : pending;
        }
        return { visible: 0, inFlight: 0, delayed: 0, observedAt: this.t.now(), ...this.next };
    }
    async close(): Promise<void> {}
}

/** A loop over the one service "worker" of cluster "main", on fake time. */
export function workerLoop(t: FakeTime, ecs: ECSClient, o: {
    source: QueueSource; settings?: DecisionSettings; dryRun?: boolean; initialLastActions?: LastActions; logger?: ControlLoopOptions["logger"];
} & Partial<Omit<ControlLoopOptions, "services" | "fleet">>): ControlLoop {
    const { source, settings, dryRun, initialLastActions, logger, ...rest } = o;
    return new ControlLoop({
        services: [{ service: "worker", source, settings: settings ?? SETTINGS, ...(initialLastActions ? { initialLastActions } : {}) }],
        fleet: new EcsFleet({ ecs, cluster: "main", dryRun, logger }),
        intervalMs: 5_000, clock: t.now, sleep: t.sleep, pacing: defaultPacing(t.now, t.sleep), logger,
        ...rest,
    });
}

/** One tick; the worker's report (throws when the worker's tick failed). */
export async function tickWorker(loop: ControlLoop): Promise<TickReport> {
    const r = (await loop.tick()).services.get("worker")!;
    if (!r.ok) throw r.error;
    return r.report;
}
