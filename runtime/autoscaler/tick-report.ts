/**
 * What one tick of one service reports: the reading, the counts, the decision, what was done and the
 * controls it left. The control loop makes it; the tick log (tick-log.ts) records it.
 */
import type { ApplyOutcome } from "./actuator";
import type { DemandDecision } from "./decision";
import type { ControlsState } from "./metrics";
import type { Decision, QueueObservation, ServiceCounts } from "./types";

/** "held": a change was decided while actuation was held (see ControlLoop.hold); nothing written. "fallback": the fallback count was set. */
export type TickOutcome = ApplyOutcome | "held";

export interface TickReport {
    readonly service: string;
    readonly observation?: QueueObservation;
    readonly counts: ServiceCounts;
    readonly decision: Decision & Partial<Pick<DemandDecision, "demand">>;
    readonly outcome: TickOutcome;
    readonly tickMs: number;
    /** The deployment hold of the service ran out on this tick. */
    readonly deploymentHoldExpired: boolean;
    /** Pause, fallback and activation, as this tick left them. */
    readonly controls: ControlsState;
}
