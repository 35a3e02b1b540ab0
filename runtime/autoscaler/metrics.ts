/**
 * The autoscaler's Prometheus metrics, in a Registry of their own (never prom-client's global one, so
 * two autoscalers in one process, or a test and the code under test, do not share counters). Every
 * figure of a scaled service carries `service` and `queue` labels; the tick's own figures do not.
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
    apiCalls: "autoscaler_api_calls_total",
    serviceSkips: "autoscaler_service_skipped_ticks_total",
    deploymentHoldExpired: "autoscaler_deployment_hold_expired_total",
    servicesRead: "autoscaler_services_read",
    tickDuration: "autoscaler_tick_duration_seconds",
    lastSuccessfulTick: "autoscaler_last_successful_tick_timestamp_seconds",
    chaosRuns: "autoscaler_chaos_runs_total",
    arrivalRate: "autoscaler_arrival_rate_messages_per_second",
    processingRate: "autoscaler_processing_rate_messages_per_second",
    rateContradicted: "autoscaler_configured_rate_contradicted",
    tasksStarting: "autoscaler_tasks_starting",
    tasksNeeded: "autoscaler_tasks_needed",
    windowMax: "autoscaler_stabilization_window_max_tasks",
    fallbackActive: "autoscaler_fallback_active",
    paused: "autoscaler_paused",
    activationHolding: "autoscaler_activation_holding",
    forecastLoad: "autoscaler_forecast_load_tasks",
    forecastTasks: "autoscaler_forecast_floor_tasks",
} as const;

/** The operational controls' state of one service at a tick (each 1 or 0 in the metrics). */
export interface ControlsState {
    readonly paused: boolean;
    readonly fallbackActive: boolean;
    readonly activationHolding: boolean;
}

type ServiceLabel = "service" | "queue";

/** The figures of one scaled service (labels service and queue). */
export interface ServiceMetrics {
    observation(o: QueueObservation): void;
    counts(c: ServiceCounts): void;
    decision(direction: string, reason: string): void;
    demand(d: Demand & { readonly windowMax: number; readonly forecast?: { readonly load: number; readonly tasks: number } }): void;
    action(outcome: Exclude<ApplyOutcome, "unchanged">): void;
    apiError(operation: string): void;
    /** The service was skipped this tick (its counts or its queue could not be read). */
    skipped(): void;
    deploymentHoldExpired(): void;
    lastSuccess(at: number): void;
    controls(c: ControlsState): void;
}

export class AutoscalerMetrics {
    readonly registry: Registry;
    private readonly queueMessages: Gauge<ServiceLabel | "state">;
    private readonly oldestAge: Gauge<ServiceLabel>;
    private readonly desired: Gauge<ServiceLabel>;
    private readonly running: Gauge<ServiceLabel>;
    private readonly pending: Gauge<ServiceLabel>;
    private readonly decisions: Counter<ServiceLabel | "direction" | "reason">;
    private readonly actions: Counter<ServiceLabel | "outcome">;
    private readonly apiErrors: Counter<"service" | "operation">;
    private readonly apiCalls: Counter<"operation">;
    private readonly skips: Counter<ServiceLabel>;
    private readonly holdExpired: Counter<ServiceLabel>;
    private readonly servicesRead: Gauge;
    private readonly tickDuration: Histogram;
    private readonly lastSuccessGauge: Gauge<"service">;
    private readonly chaosRuns: Counter<"kind" | "outcome">;
    private readonly arrivalRate: Gauge<ServiceLabel>;
    private readonly processingRate: Gauge<ServiceLabel>;
    private readonly rateContradicted: Gauge<ServiceLabel>;
    private readonly tasksStarting: Gauge<ServiceLabel>;
    private readonly tasksNeeded: Gauge<ServiceLabel>;
    private readonly windowMax: Gauge<ServiceLabel>;
    private readonly fallbackActive: Gauge<ServiceLabel>;
    private readonly paused: Gauge<ServiceLabel>;
    private readonly activationHolding: Gauge<ServiceLabel>;
    private readonly forecastLoad: Gauge<ServiceLabel>;
    private readonly forecastTasks: Gauge<ServiceLabel>;

    constructor(registry: Registry = new Registry()) {
        this.registry = registry;
        const registers = [registry];
        const sq = ["service", "queue"] as const;
        this.queueMessages = new Gauge({ name: METRIC_NAMES.queueMessages, help: "Messages in the queue by state: visible, in_flight, delayed", labelNames: [...sq, "state"], registers });
        this.oldestAge = new Gauge({ name: METRIC_NAMES.oldestMessageAge, help: "Age of the oldest message in the queue, seconds (SQS: from CloudWatch)", labelNames: sq, registers });
        this.desired = new Gauge({ name: METRIC_NAMES.desiredTasks, help: "Desired task count of the scaled service", labelNames: sq, registers });
        this.running = new Gauge({ name: METRIC_NAMES.runningTasks, help: "Running task count of the scaled service", labelNames: sq, registers });
        this.pending = new Gauge({ name: METRIC_NAMES.pendingTasks, help: "Pending task count of the scaled service", labelNames: sq, registers });
        this.decisions = new Counter({ name: METRIC_NAMES.decisions, help: "Scaling decisions by direction (up, down, none) and reason code", labelNames: [...sq, "direction", "reason"], registers });
        this.actions = new Counter({ name: METRIC_NAMES.actions, help: "What happened to decisions that change the desired count: updated, dry_run, external_change", labelNames: [...sq, "outcome"], registers });
        this.apiErrors = new Counter({ name: METRIC_NAMES.apiErrors, help: "Failed remote calls by operation and service (\"\" for calls of no one service)", labelNames: ["service", "operation"], registers });
        this.apiCalls = new Counter({ name: METRIC_NAMES.apiCalls, help: "Remote calls sent, by operation (to compare with the account's API rate limits)", labelNames: ["operation"], registers });
        this.skips = new Counter({ name: METRIC_NAMES.serviceSkips, help: "Ticks a service was skipped in because its counts or its queue could not be read", labelNames: sq, registers });
        this.holdExpired = new Counter({ name: METRIC_NAMES.deploymentHoldExpired, help: "Deployments that held scale-in longer than the deployment hold (scale-in went on)", labelNames: sq, registers });
        this.servicesRead = new Gauge({ name: METRIC_NAMES.servicesRead, help: "Services whose counts and queue were read in the last tick", registers });
        this.tickDuration = new Histogram({ name: METRIC_NAMES.tickDuration, help: "Duration of control-loop ticks over all services, seconds", buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers });
        this.lastSuccessGauge = new Gauge({ name: METRIC_NAMES.lastSuccessfulTick, help: "Time of the last tick that read the service, epoch seconds", labelNames: ["service"], registers });
        this.arrivalRate = new Gauge({ name: METRIC_NAMES.arrivalRate, help: "Messages arriving per second, estimated from successive readings", labelNames: sq, registers });
        this.processingRate = new Gauge({ name: METRIC_NAMES.processingRate, help: "Messages one task handles per second, configured or learned from the drain", labelNames: sq, registers });
        this.rateContradicted = new Gauge({ name: METRIC_NAMES.rateContradicted, help: "1 while the observed drain contradicts the configured processing rate (the learned one is used), else 0", labelNames: sq, registers });
        this.tasksStarting = new Gauge({ name: METRIC_NAMES.tasksStarting, help: "Tasks asked for and not running yet (capacity on the way)", labelNames: sq, registers });
        this.tasksNeeded = new Gauge({ name: METRIC_NAMES.tasksNeeded, help: "Tasks the arrival rate, the backlog and the work in flight need", labelNames: sq, registers });
        this.windowMax = new Gauge({ name: METRIC_NAMES.windowMax, help: "Highest recommendation of the scale-in stabilization window: scale-in goes no lower", labelNames: sq, registers });
        this.fallbackActive = new Gauge({ name: METRIC_NAMES.fallbackActive, help: "1 while the fallback count is set because the queue could not be read failureThreshold ticks in a row, else 0", labelNames: sq, registers });
        this.paused = new Gauge({ name: METRIC_NAMES.paused, help: "1 while the service is paused (its desired count is not changed), else 0", labelNames: sq, registers });
        this.activationHolding = new Gauge({ name: METRIC_NAMES.activationHolding, help: "1 while the service is kept at 0 below its activation threshold, else 0", labelNames: sq, registers });
        this.forecastLoad = new Gauge({ name: METRIC_NAMES.forecastLoad, help: "Work the learned profile forecasts to arrive at now + the task start delay, in tasks (arrival rate / processing rate)", labelNames: sq, registers });
        this.forecastTasks = new Gauge({ name: METRIC_NAMES.forecastTasks, help: "Tasks the forecast arrival rate needs: the floor the forecast sets", labelNames: sq, registers });
        this.chaosRuns = new Counter({ name: METRIC_NAMES.chaosRuns, help: "Failure simulations run, by kind and outcome", labelNames: ["kind", "outcome"], registers });
    }

    /** The figures of one service, labelled with its name and its queue's. */
    forService(service: string, queue: string): ServiceMetrics {
        const l = { service, queue };
        return {
            observation: (o) => {
                this.queueMessages.set({ ...l, state: "visible" }, o.visible);
                this.queueMessages.set({ ...l, state: "in_flight" }, o.inFlight);
                this.queueMessages.set({ ...l, state: "delayed" }, o.delayed);
                // No data point: leave the series out rather than report a made-up age.
                if (o.oldestAgeSeconds === undefined) this.oldestAge.remove(l);
                else this.oldestAge.set(l, o.oldestAgeSeconds);
            },
            counts: (c) => {
                this.desired.set(l, c.desired);
                this.running.set(l, c.running);
                this.pending.set(l, c.pending);
            },
            decision: (direction, reason) => this.decisions.inc({ ...l, direction, reason }),
            demand: (d) => {
                if (d.arrivalRate === undefined) this.arrivalRate.remove(l);
                else this.arrivalRate.set(l, d.arrivalRate);
                if (d.model.processingRate === undefined) this.processingRate.remove(l);
                else this.processingRate.set(l, d.model.processingRate);
                this.rateContradicted.set(l, d.model.rateContradicted ? 1 : 0);
                this.tasksStarting.set(l, d.starting);
                this.tasksNeeded.set(l, d.keep);
                this.windowMax.set(l, d.windowMax);
                if (d.forecast === undefined) {
                    this.forecastLoad.remove(l);
                    this.forecastTasks.remove(l);
                } else {
                    this.forecastLoad.set(l, d.forecast.load);
                    this.forecastTasks.set(l, d.forecast.tasks);
                }
            },
            controls: (c) => {
                this.paused.set(l, c.paused ? 1 : 0);
                this.fallbackActive.set(l, c.fallbackActive ? 1 : 0);
                this.activationHolding.set(l, c.activationHolding ? 1 : 0);
            },
            action: (outcome) => this.actions.inc({ ...l, outcome }),
            apiError: (operation) => this.apiErrors.inc({ service, operation }),
            skipped: () => this.skips.inc(l),
            deploymentHoldExpired: () => this.holdExpired.inc(l),
            lastSuccess: (at) => this.lastSuccessGauge.set({ service }, at / 1000),
        };
    }

    /** A failed call of no one service (a failure simulation, a tag read at start). */
    apiError(operation: string, service = ""): void {
        this.apiErrors.inc({ service, operation });
    }

    /** One remote call sent (retries included). */
    apiCall(operation: string): void {
        this.apiCalls.inc({ operation });
    }

    /** One tick over all services: its duration and how many services it read. */
    tick(durationMs: number, servicesRead: number): void {
        this.tickDuration.observe(durationMs / 1000);
        this.servicesRead.set(servicesRead);
    }

    chaosRun(kind: string, outcome: ChaosOutcome): void {
        this.chaosRuns.inc({ kind, outcome });
    }
}
