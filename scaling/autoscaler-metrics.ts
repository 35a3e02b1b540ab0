/**
 * The figures the queue autoscaler publishes to CloudWatch (embedded metric format in its log lines,
 * so they need no API call and no ingress), in the project's namespace with one dimension, Service
 * (the scaled service's name). The runtime writes them and the dashboard draws them from here.
 */
import { metricSeries, PROJECT_NAMESPACE, type MetricSeries, type Statistic } from "./metric-series";

/** Metric name -> unit and the statistic the dashboard reads it with. */
export const AUTOSCALER_METRICS = {
    /** Messages available in the queue at the tick. */
    QueueVisible: { unit: "Count", statistic: "Maximum" },
    /** Messages received and not yet deleted. */
    QueueInFlight: { unit: "Count", statistic: "Maximum" },
    /** The service's desired count as the tick read it. */
    DesiredTasks: { unit: "Count", statistic: "Maximum" },
    /** The service's running count as the tick read it. */
    RunningTasks: { unit: "Count", statistic: "Maximum" },
    /** The desired count the tick decided. */
    DecidedTasks: { unit: "Count", statistic: "Maximum" },
    /** 1 for a tick that changed the desired count, else 0. */
    ScalingActions: { unit: "Count", statistic: "Sum" },
    /** 1 for a tick that failed, else 0. */
    TickFailures: { unit: "Count", statistic: "Sum" },
    /** 1 on the tick a deployment of the service outlasted the deployment hold (scale-in no longer held), else 0. */
    DeploymentHoldExpired: { unit: "Count", statistic: "Sum" },
    /** 1 while the fallback count is set (the queue unreadable failureThreshold ticks in a row), else 0. */
    FallbackActive: { unit: "Count", statistic: "Maximum" },
    /** 1 while the service is paused (its desired count is not changed), else 0. */
    Paused: { unit: "Count", statistic: "Maximum" },
    /** 1 while the service is kept at 0 below its activation threshold, else 0. */
    ActivationHolding: { unit: "Count", statistic: "Maximum" },
    /** Arrival rate estimated at the tick, messages per second. */
    ArrivalRate: { unit: "Count/Second", statistic: "Average" },
    /** The work arriving, in tasks: arrival rate / processing rate (what the forecast learns and reads back). */
    ArrivalTasks: { unit: "Count", statistic: "Average" },
    /** Tasks the forecast arrival rate needs (the forecast's floor). */
    ForecastTasks: { unit: "Count", statistic: "Maximum" },
    /** Duration of the tick. */
    TickDuration: { unit: "Milliseconds", statistic: "Maximum" },
} as const satisfies Record<string, { unit: string; statistic: Statistic }>;

export type AutoscalerMetricName = keyof typeof AUTOSCALER_METRICS;

/** Dimension name of every autoscaler metric. */
export const AUTOSCALER_METRIC_DIMENSION = "Service";

/** One autoscaler figure of one scaled service. */
export function autoscalerSeries(service: string, name: AutoscalerMetricName): MetricSeries {
    const m = AUTOSCALER_METRICS[name];
    return metricSeries({
        namespace: PROJECT_NAMESPACE,
        metricName: name,
        dimensions: { [AUTOSCALER_METRIC_DIMENSION]: service },
        statistic: m.statistic,
        unit: m.unit,
    });
}
