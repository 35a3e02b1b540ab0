/**
 * Contracts between the autoscaler's parts: queue sources, the pure decision engine, the actuator and
 * the control loop. Times are epoch milliseconds from an injected clock.
 */
import type { DemandMemory } from "./demand";
import type { ArrivalProfile, ForecastSettings } from "./forecast";

/** One reading of a queue. */
export interface QueueObservation {
    /** Messages available for retrieval (SQS ApproximateNumberOfMessages / RabbitMQ ready messages). */
    readonly visible: number;
    /** Received but not yet deleted or acknowledged (SQS ApproximateNumberOfMessagesNotVisible). */
    readonly inFlight: number;
    /** Delayed messages (SQS ApproximateNumberOfMessagesDelayed; 0 for RabbitMQ). */
    readonly delayed: number;
    /** Age of the oldest message in seconds, when the source can tell (SQS: CloudWatch only). */
    readonly oldestAgeSeconds?: number;
    /** Consumers attached (RabbitMQ only). */
    readonly consumers?: number;
    readonly observedAt: number;
}

/** A queue the autoscaler watches; one implementation per file under sources/. */
export interface QueueSource {
    readonly kind: "sqs" | "rabbitmq";
    /** A human-readable name of the queue, for logs and metric labels. */
    readonly queueName: string;
    /** One reading; `signal` aborts the calls it makes. */
    observe(signal?: AbortSignal): Promise<QueueObservation>;
    close(): Promise<void>;
}

/** ECS service counts as DescribeServices reports them. */
export interface ServiceCounts {
    readonly desired: number;
    readonly running: number;
    readonly pending: number;
    /** An ECS deployment is rolling out (more than one deployment, or the primary's rollout IN_PROGRESS). */
    readonly deploymentInProgress?: boolean;
    /**
     * How long the service's tasks last took from launch to running, ms, as its own ECS events show it
     * (service-events.ts); unset when they show none. The decision prefers it to what it learns itself.
     */
    readonly taskStartMs?: number;
}

/** A service as DescribeServices reports it: its ARN (for tags) and its counts. */
export interface ServiceState extends ServiceCounts {
    readonly arn: string;
}

export interface DecisionSettings {
    readonly minCapacity: number;
    readonly maxCapacity: number;
    /** Opt-in threshold rule: also scale up when work > workers x this (sized ceil(work / this)); unset: none. */
    readonly scaleUpThreshold?: number;
    /** Opt-in threshold rule: scale down only while work < workers x this; 0: only when there is no work; unset: none. */
    readonly scaleDownThreshold?: number;
    readonly scaleUpCooldownMs: number;
    /** The scale-in stabilization window: scale in no lower than the highest recommendation within it. */
    readonly scaleDownCooldownMs: number;
    /** Tasks removed per scale-down at most; unset: as many as the window allows. */
    readonly scaleDownStep?: number;
    /** How long a message may wait, seconds; unset: the settings table's default (scaling/autoscaler-settings.ts). */
    readonly acceptableAgeSeconds?: number;
    /** Messages one task handles per second; unset: learned from the observed drain (so is a configured one the drain contradicts). */
    readonly processingRate?: number;
    /** Count in-flight messages as work (default true). Either way the last worker stays while any is in flight. */
    readonly countInFlight: boolean;
    /** Paused: the desired count is never changed (readings, decisions and metrics go on); unset: false. */
    readonly paused?: boolean;
    /** Activation: a service at 0 stays at 0 while fewer messages than this are visible; unset: any message wakes it. */
    readonly activationMessages?: number;
    /** The arrival forecast (forecast.ts); unset: off. */
    readonly forecast?: ForecastSettings;
}

/** What the autoscaler itself last did; changes made by others are read back from the service. */
export interface LastActions {
    readonly scaleUp?: { readonly at: number; readonly from: number; readonly to: number };
    readonly scaleDown?: { readonly at: number; readonly from: number; readonly to: number };
}

export type Direction = "up" | "down" | "none";

export interface Decision {
    readonly direction: Direction;
    /** The desired count to set (equal to the current desired count when direction is "none"). */
    readonly desired: number;
    readonly reason: { readonly code: string; readonly text: string };
}

export interface DecisionInput {
    readonly observation: QueueObservation;
    readonly counts: ServiceCounts;
    readonly settings: DecisionSettings;
    readonly last: LastActions;
    readonly now: number;
    /** What the previous decision remembered (its `memory`); none on the first tick. */
    readonly memory?: DemandMemory;
    /** The learned arrival profile, read when settings.forecast is enabled. */
    readonly profile?: ArrivalProfile;
}

/** Where a scaled service reads its queue: SQS by URL, or a RabbitMQ queue. */
export type SourceSettings =
    | { readonly kind: "sqs"; readonly queueUrl: string }
    | { readonly kind: "rabbitmq"; readonly url: string; readonly queue: string };

/** One scaled service: its queue or queues, and its own decision settings. */
export interface ScaledServiceSettings {
    readonly service: string;
    /** One source per queue it consumes. */
    readonly sources: readonly SourceSettings[];
    readonly decision: DecisionSettings;
    /** After failureThreshold ticks in a row without a queue reading, set replicas (KEDA's fallback). */
    readonly fallback?: { readonly failureThreshold: number; readonly replicas: number };
}
