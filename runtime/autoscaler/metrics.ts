/**
 * The autoscaler's Prometheus metrics, in a Registry of their own (never prom-client's global one, so
 * two autoscalers in one process, or a test and the code under test, do not share counters).
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ChaosOutcome } from "./chaos/types";
import type { ApplyOutcome } from "./actuator";
import type { Demand } from "./demand";
import type { QueueObservation, ServiceCounts } from "./types";

/** Names of every metric, for dashboards and tests. */
export const METRIC_NAMES = {
    queueMessages: "autoscaler_queue_messages",
    oldestMessageAge: "autoscaler_queue_oldest_message_age_seconds",
    desiredTasks: "autoscaler_service_desired_tasks",
    runningTasks: "autoscaler_service_running_tasks",
    pendingTasks: "autoscaler_service_pending_tasks",
    decisions: "autoscaler_decisions_total",
    actions: "autoscaler_actions_total",
    apiErrors: "autoscaler_api_errors_total",
    tickDuration: "autoscaler_tick_duration_seconds",
    lastSuccessfulTick: "autoscaler_last_successful_tick_timestamp_seconds",
    chaosRuns: "autoscaler_chaos_runs_total",
    arrivalRate: "autoscaler_arrival_rate_messages_per_second",
    processingRate: "autoscaler_processing_rate_messages_per_second",
    tasksStarting: "autoscaler_tasks_starting",
    tasksNeeded: "autoscaler_tasks_needed",
    windowMax: "autoscaler_stabilization_window_max_tasks",
} as const;

export interface MetricLabels {
    /** Queue name. */
    readonly queue: string;
    /** ECS service name. */
    readonly service: string;
}

export class AutoscalerMetrics {
    readonly registry: Registry;
    private readonly queueMessages: Gauge<"state">;
    private readonly oldestAge: Gauge;
    private readonly desired: Gauge;
    private readonly running: Gauge;
    private readonly pending: Gauge;
    private readonly decisions: Counter<"direction" | "reason">;
    private readonly actions: Counter<"outcome">;
    private readonly apiErrors: Counter<"operation">;
    private readonly tickDuration: Histogram;
    private readonly lastSuccess: Gauge;
    private readonly chaosRuns: Counter<"kind" | "outcome">;
    private readonly arrivalRate: Gauge;
    private readonly processingRate: Gauge;
    private readonly tasksStarting: Gauge;
    private readonly tasksNeeded: Gauge;
    private readonly windowMax: Gauge;

    constructor(labels: MetricLabels, registry: Registry = new Registry()) {
        this.registry = registry;
        registry.setDefaultLabels({ queue: labels.queue, service: labels.service });
        const registers = [registry];
        this.queueMessages = new Gauge({ name: METRIC_NAMES.queueMessages, help: "Messages in the queue by state: visible, in_flight, delayed", labelNames: ["state"], registers });
        this.oldestAge = new Gauge({ name: METRIC_NAMES.oldestMessageAge, help: "Age of the oldest message in the queue, seconds (SQS: from CloudWatch)", registers });
        this.desired = new Gauge({ name: METRIC_NAMES.desiredTasks, help: "Desired task count of the scaled service", registers });
        this.running = new Gauge({ name: METRIC_NAMES.runningTasks, help: "Running task count of the scaled service", registers });
        this.pending = new Gauge({ name: METRIC_NAMES.pendingTasks, help: "Pending task count of the scaled service", registers });
        this.decisions = new Counter({ name: METRIC_NAMES.decisions, help: "Scaling decisions by direction (up, down, none) and reason code", labelNames: ["direction", "reason"], registers });
        this.actions = new Counter({ name: METRIC_NAMES.actions, help: "What happened to decisions that change the desired count: updated, dry_run, external_change", labelNames: ["outcome"], registers });
        this.apiErrors = new Counter({ name: METRIC_NAMES.apiErrors, help: "Failed remote calls by operation", labelNames: ["operation"], registers });
        this.tickDuration = new Histogram({ name: METRIC_NAMES.tickDuration, help: "Duration of control-loop ticks, seconds", buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers });
        this.lastSuccess = new Gauge({ name: METRIC_NAMES.lastSuccessfulTick, help: "Time of the last successful tick, epoch seconds", registers });
        this.arrivalRate = new Gauge({ name: METRIC_NAMES.arrivalRate, help: "Messages arriving per second, estimated from successive readings", registers });
        this.processingRate = new Gauge({ name: METRIC_NAMES.processingRate, help: "Messages one task handles per second, configured or learned from the drain", registers });
        this.tasksStarting = new Gauge({ name: METRIC_NAMES.tasksStarting, help: "Tasks asked for and not running yet (capacity on the way)", registers });
        this.tasksNeeded = new Gauge({ name: METRIC_NAMES.tasksNeeded, help: "Tasks the arrival rate, the backlog and the work in flight need", registers });
        this.windowMax = new Gauge({ name: METRIC_NAMES.windowMax, help: "Highest recommendation of the scale-in stabilization window: scale-in goes no lower", registers });
        this.chaosRuns = new Counter({ name: METRIC_NAMES.chaosRuns, help: "Failure simulations run, by kind and outcome", labelNames: ["kind", "outcome"], registers });
    }

    observation(o: QueueObservation): void {
        this.queueMessages.set({ state: "visible" }, o.visible);
        this.queueMessages.set({ state: "in_flight" }, o.inFlight);
        this.queueMessages.set({ state: "delayed" }, o.delayed);
        // No data point: leave the series out rather than report a made-up age.
        if (o.oldestAgeSeconds === undefined) this.oldestAge.reset();
        else this.oldestAge.set(o.oldestAgeSeconds);
    }

    counts(c: ServiceCounts): void {
        this.desired.set(c.desired);
        this.running.set(c.running);
        this.pending.set(c.pending);
    }

    decision(direction: string, reason: string): void {
        this.decisions.inc({ direction, reason });
    }

    /** The figures behind a decision; a rate not known yet leaves its series out. */
    demand(d: Demand & { readonly windowMax: number }): void {
        if (d.arrivalRate === undefined) this.arrivalRate.reset();
        else this.arrivalRate.set(d.arrivalRate);
        if (d.model.processingRate === undefined) this.processingRate.reset();
        else this.processingRate.set(d.model.processingRate);
        this.tasksStarting.set(d.starting);
        this.tasksNeeded.set(d.keep);
        this.windowMax.set(d.windowMax);
    }

    action(outcome: Exclude<ApplyOutcome, "unchanged">): void {
        this.actions.inc({ outcome });
    }

    apiError(operation: string): void {
        this.apiErrors.inc({ operation });
    }

    tick(durationMs: number, succeededAt?: number): void {
        this.tickDuration.observe(durationMs / 1000);
        if (succeededAt !== undefined) this.lastSuccess.set(succeededAt / 1000);
    }

    chaosRun(kind: string, outcome: ChaosOutcome): void {
        this.chaosRuns.inc({ kind, outcome });
    }
}
