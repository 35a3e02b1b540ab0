/**
 * The CloudWatch dashboard of the stack's scaling, as plain data built from the scaling plans. Every
 * line drawn on it (a target, a step bound, an alarm threshold) is read from the same plan the scaling
 * policies and alarms are built from, so the picture cannot disagree with what is deployed.
 */
import { CONTAINER_INSIGHTS_METRICS, ECS_METRICS, ECS_PREDEFINED_METRICS, SQS_METRICS } from "../aws/metrics";
import { MetricSeries, seriesKey, sqsVisibleMessagesSeries } from "../scaling/metric-series";
import { autoscalerSeries, type AutoscalerMetricName } from "../scaling/autoscaler-metrics";
import {
    BACKLOG_PER_TASK_EXPRESSION, BACKLOG_PER_TASK_IDS, PredefinedMetricType, ServiceScalingPlan, StepScalingPolicy, TargetTrackingPolicy, stepFor,
} from "../scaling/plan";

/** What the dashboard draws of one service. */
export interface DashboardService {
    /** The service's key in the stack, its widgets' title. */
    readonly key: string;
    /** Physical ECS service name: the ServiceName dimension. */
    readonly name: string;
    /** Key of the queue it consumes (under `queues`), if any. */
    readonly consumesQueue?: string;
    /** Who sets its desired count. */
    readonly scaledBy: "applicationAutoScaling" | "queueAutoscaler";
    /** Its bounds and policies: the targets and thresholds drawn on its widgets. */
    readonly plan: ServiceScalingPlan;
}

export interface DashboardInput {
    readonly region: string;
    /** Physical cluster name: the ClusterName dimension. Undefined when the stack creates no ECS cluster: no cluster widget. */
    readonly clusterName?: string;
    readonly services: readonly DashboardService[];
    /**
     * The stack's queues: key -> physical queue name. Each queue consumer gets a widget of its queue's
     * depth against its tasks, all consumers side by side in one row; a queue nobody consumes is drawn
     * next to the cluster widget.
     */
    readonly queues?: Readonly<Record<string, string>>;
}

export interface MetricOptions {
    readonly stat?: string;
    readonly period?: number;
    readonly label?: string;
    /** Which y axis the line is drawn against (CloudWatch's default is left). */
    readonly yAxis?: "left" | "right";
    /** Metric math: the line's id, whether it is drawn, and (for an expression line) its expression. */
    readonly id?: string;
    readonly visible?: boolean;
    readonly expression?: string;
}

/** `[namespace, metricName, dim1, value1, ..., options]`, the dashboard body's metric form. */
export type MetricLine = readonly (string | MetricOptions)[];

export interface HorizontalAnnotation {
    readonly label: string;
    readonly value: number;
    readonly color?: string;
}

export interface MetricWidget {
    readonly type: "metric";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: {
        readonly title: string;
        readonly region: string;
        readonly view: "timeSeries";
        readonly stacked: false;
        readonly period: number;
        readonly metrics: readonly MetricLine[];
        readonly yAxis?: AxisRanges;
        readonly annotations?: { readonly horizontal: readonly HorizontalAnnotation[] };
    };
}

interface AxisRanges {
    readonly left: { readonly min?: number; readonly max?: number };
    readonly right?: { readonly min?: number; readonly max?: number };
}

export interface DashboardBody {
    readonly widgets: readonly MetricWidget[];
}

/** Dashboard grid: 24 units wide; widgets are a quarter of a row wide unless they say otherwise. */
const GRID_WIDTH = 24;
const WIDGET_WIDTH = 6;
const WIDGET_HEIGHT = 6;
/** Default widget period: one minute, the resolution of the ECS and SQS metrics drawn. */
const PERIOD = 60;
export const SCALE_OUT_COLOR = "#d62728";
export const SCALE_IN_COLOR = "#2ca02c";

/** A series as a metric line, with its own statistic unless the options say otherwise. */
export function metricLine(series: MetricSeries, options: MetricOptions = {}): MetricLine {
    const dims = Object.entries(series.dimensions).flat();
    return [series.namespace, series.metricName, ...dims, { stat: series.statistic, ...options }];
}

/**
 * The lines a step policy draws on the series it watches: one per distinct step bound (the alarm
 * threshold is the outermost one), labelled with the step that applies from there on. Scale-out steps
 * apply from their lower bound up (>=); a scale-in step covers values up to and including its upper
 * bound (<=), the threshold included, since the scale-in alarm fires at <= its threshold.
 */
export function stepAnnotations(policy: StepScalingPolicy): HorizontalAnnotation[] {
    const bounds = new Set<number>([policy.alarm.threshold]);
    for (const s of policy.steps) {
        if (s.lower !== undefined) bounds.add(s.lower);
        if (s.upper !== undefined) bounds.add(s.upper);
    }
    const out: HorizontalAnnotation[] = [];
    for (const value of [...bounds].sort((a, b) => a - b)) {
        const step = stepFor(policy, value);
        if (!step) continue;
        if (policy.direction === "out") {
            out.push({ label: `scale out +${step.change} (>= ${value})`, value, color: SCALE_OUT_COLOR });
        } else {
            out.push({ label: `scale in ${step.change} (<= ${value})`, value, color: SCALE_IN_COLOR });
        }
    }
    return out;
}

interface WidgetSpec {
    readonly title: string;
    readonly metrics: readonly MetricLine[];
    readonly yAxis?: AxisRanges;
    readonly annotations?: readonly HorizontalAnnotation[];
    /** Grid units; defaults to WIDGET_WIDTH. */
    readonly width?: number;
}

const OWNER_LABEL: Record<DashboardService["scaledBy"], string> = {
    applicationAutoScaling: "Application Auto Scaling",
    queueAutoscaler: "queue autoscaler",
};

/**
 * One widget per queue consumer: visible and in-flight messages of its queue (left axis) against its
 * running and desired tasks (right axis), titled with who owns its desired count. The consumers share
 * one row, so workers scaled by different owners can be compared side by side.
 */
function consumerWidgets(input: DashboardInput): WidgetSpec[] {
    const consumers = input.services.filter((s) => s.consumesQueue !== undefined && input.queues?.[s.consumesQueue] !== undefined);
    const width = Math.max(WIDGET_WIDTH, Math.floor(GRID_WIDTH / Math.max(consumers.length, 1)));
    return consumers.map((service) => {
        const queueName = input.queues![service.consumesQueue!];
        const dims = [CONTAINER_INSIGHTS_METRICS.clusterDimension, input.clusterName ?? "", CONTAINER_INSIGHTS_METRICS.serviceDimension, service.name];
        return {
            title: `${service.key} (${OWNER_LABEL[service.scaledBy]}): ${queueName} messages vs tasks`,
            metrics: [
                [SQS_METRICS.namespace, SQS_METRICS.visible, SQS_METRICS.queueDimension, queueName, { stat: "Maximum", label: "visible messages" }],
                [SQS_METRICS.namespace, SQS_METRICS.notVisible, SQS_METRICS.queueDimension, queueName, { stat: "Maximum", label: "in-flight messages" }],
                [CONTAINER_INSIGHTS_METRICS.namespace, CONTAINER_INSIGHTS_METRICS.runningTaskCount, ...dims, { stat: "Average", label: "running tasks", yAxis: "right" }],
                [CONTAINER_INSIGHTS_METRICS.namespace, CONTAINER_INSIGHTS_METRICS.desiredTaskCount, ...dims, { stat: "Average", label: "desired tasks", yAxis: "right" }],
            ],
            yAxis: { left: { min: 0 }, right: { min: 0, max: service.plan.maxCapacity } },
            width,
        };
    });
}

/**
 * A row for each service the queue autoscaler scales, with its own figures (embedded metric format in
 * its logs, scaling/autoscaler-metrics.ts): the work it reads against the tasks it sees and decides, and
 * its scaling actions against its failed ticks, expired deployment holds and tick duration.
 */
function autoscalerRows(input: DashboardInput): WidgetSpec[][] {
    return input.services.filter((s) => s.scaledBy === "queueAutoscaler").map((service) => {
        const line = (name: AutoscalerMetricName, label: string, extra: MetricOptions = {}) => metricLine(autoscalerSeries(service.name, name), { label, ...extra });
        return [
            {
                title: `queue autoscaler (${service.key}): work and tasks`,
                metrics: [
                    line("QueueVisible", "visible messages"),
                    line("QueueInFlight", "in-flight messages"),
                    line("RunningTasks", "running tasks", { yAxis: "right" }),
                    line("DesiredTasks", "desired tasks", { yAxis: "right" }),
                    line("DecidedTasks", "decided tasks", { yAxis: "right" }),
                ],
                yAxis: { left: { min: 0 }, right: { min: 0, max: service.plan.maxCapacity } },
                width: 2 * WIDGET_WIDTH,
            },
            {
                title: `queue autoscaler (${service.key}): actions and failed ticks`,
                metrics: [
                    line("ScalingActions", "desired-count changes"),
                    line("TickFailures", "failed ticks"),
                    line("DeploymentHoldExpired", "deployments past the hold"),
                    line("TickDuration", "tick duration (ms)", { yAxis: "right" }),
                ],
                yAxis: { left: { min: 0 }, right: { min: 0 } },
                width: 2 * WIDGET_WIDTH,
            },
        ];
    });
}

export function dashboardBody(input: DashboardInput): DashboardBody {
    const rows: WidgetSpec[][] = [];
    const { clusterName, region } = input;
    const serviceDims = (service: DashboardService) => [ECS_METRICS.clusterDimension, clusterName ?? "", ECS_METRICS.serviceDimension, service.name];

    const clusterRow: WidgetSpec[] = clusterName === undefined ? [] : [{
        title: `${clusterName}: reserved CPU and memory`,
        metrics: [
            [ECS_METRICS.namespace, ECS_METRICS.cpuReservation, ECS_METRICS.clusterDimension, clusterName, { stat: "Average", label: "CPU reserved %" }],
            [ECS_METRICS.namespace, ECS_METRICS.memoryReservation, ECS_METRICS.clusterDimension, clusterName, { stat: "Average", label: "memory reserved %" }],
        ],
        yAxis: { left: { min: 0, max: 100 } },
    }];
    rows.push(clusterRow);

    const drawnSeries = new Set<string>();
    for (const service of input.services) {
        const policies = service.plan.policies;
        const trackingOf = (type: PredefinedMetricType) => policies.filter((p): p is TargetTrackingPolicy =>
            p.kind === "targetTracking" && p.metric.type === "predefined" && p.metric.predefinedMetricType === type);
        const targets = (type: PredefinedMetricType, what: string): HorizontalAnnotation[] => {
            const list = trackingOf(type);
            return list.map((p) => ({ label: list.length > 1 ? `${what} target (${p.name})` : `${what} target`, value: p.targetValue }));
        };

        const row: WidgetSpec[] = [
            {
                title: `${service.key}: running vs desired tasks`,
                metrics: [
                    [CONTAINER_INSIGHTS_METRICS.namespace, CONTAINER_INSIGHTS_METRICS.runningTaskCount, ...serviceDims(service), { stat: "Average", label: "running" }],
                    [CONTAINER_INSIGHTS_METRICS.namespace, CONTAINER_INSIGHTS_METRICS.desiredTaskCount, ...serviceDims(service), { stat: "Average", label: "desired" }],
                ],
                yAxis: { left: { min: 0 } },
                annotations: [
                    { label: "min capacity", value: service.plan.minCapacity },
                    { label: "max capacity", value: service.plan.maxCapacity },
                ],
            },
            {
                title: `${service.key}: CPU utilization`,
                metrics: [[ECS_METRICS.namespace, ECS_METRICS.cpu, ...serviceDims(service), { stat: "Average", label: "CPU %" }]],
                yAxis: { left: { min: 0, max: 100 } },
                annotations: targets(ECS_PREDEFINED_METRICS.cpu, "CPU"),
            },
            {
                title: `${service.key}: memory utilization`,
                metrics: [[ECS_METRICS.namespace, ECS_METRICS.memory, ...serviceDims(service), { stat: "Average", label: "memory %" }]],
                yAxis: { left: { min: 0, max: 100 } },
                annotations: targets(ECS_PREDEFINED_METRICS.memory, "Memory"),
            },
        ];

        for (const p of policies) {
            if (p.kind !== "targetTracking" || p.metric.type !== "custom") continue;
            const series = p.metric.series;
            row.push({
                title: `${service.key}: ${series.metricName} (target tracking ${p.name})`,
                metrics: [metricLine(series, { label: series.metricName })],
                yAxis: { left: { min: 0 } },
                annotations: [{ label: `${p.name} target`, value: p.targetValue }],
            });
        }

        // Backlog per task: the policy's own metric math (m1 / m2 hidden, e1 drawn) against its target.
        for (const p of policies) {
            if (p.kind !== "backlogPerTask") continue;
            row.push({
                title: `${service.key}: backlog per task (${p.name})`,
                metrics: [
                    metricLine(p.backlog, { id: BACKLOG_PER_TASK_IDS.backlog, visible: false }),
                    metricLine(p.runningTasks, { id: BACKLOG_PER_TASK_IDS.runningTasks, visible: false }),
                    [{ expression: BACKLOG_PER_TASK_EXPRESSION, id: BACKLOG_PER_TASK_IDS.backlogPerTask, label: "messages per running task" }],
                ],
                yAxis: { left: { min: 0 } },
                annotations: [{ label: `${p.name} target`, value: p.targetValue }],
            });
        }

        // One widget per watched series, with every step policy on that series drawn on it.
        const stepGroups = new Map<string, StepScalingPolicy[]>();
        for (const p of policies) {
            if (p.kind !== "step") continue;
            const key = seriesKey(p.series);
            stepGroups.set(key, [...(stepGroups.get(key) ?? []), p]);
        }
        for (const [key, group] of stepGroups) {
            const series = group[0].series;
            drawnSeries.add(key);
            row.push({
                title: `${service.key}: ${series.metricName} (step scaling ${[...new Set(group.map((p) => p.name))].join(", ")})`,
                metrics: [metricLine(series, { period: group[0].alarm.period, label: series.metricName })],
                yAxis: { left: { min: 0 } },
                annotations: group.flatMap(stepAnnotations),
            });
        }
        rows.push(row);
    }

    const consumers = consumerWidgets(input);
    if (consumers.length > 0) rows.splice(1, 0, consumers);
    rows.splice(consumers.length > 0 ? 2 : 1, 0, ...autoscalerRows(input));
    const consumed = new Set(input.services.map((s) => s.consumesQueue));
    for (const [key, queueName] of Object.entries(input.queues ?? {})) {
        const depth = sqsVisibleMessagesSeries(queueName);
        if (!consumed.has(key) && !drawnSeries.has(seriesKey(depth))) {
            clusterRow.push({
                title: `${queueName}: visible messages`,
                metrics: [metricLine(depth, { label: "visible messages" })],
                yAxis: { left: { min: 0 } },
            });
        }
    }

    const widgets: MetricWidget[] = [];
    let y = 0;
    for (const row of rows) {
        let x = 0;
        for (const spec of row) {
            const width = spec.width ?? WIDGET_WIDTH;
            if (x + width > GRID_WIDTH) { x = 0; y += WIDGET_HEIGHT; }
            widgets.push({
                type: "metric",
                x,
                y,
                width,
                height: WIDGET_HEIGHT,
                properties: {
                    title: spec.title,
                    region,
                    view: "timeSeries",
                    stacked: false,
                    period: PERIOD,
                    metrics: spec.metrics,
                    ...(spec.yAxis ? { yAxis: spec.yAxis } : {}),
                    ...(spec.annotations && spec.annotations.length > 0 ? { annotations: { horizontal: spec.annotations } } : {}),
                },
            });
            x += width;
        }
        if (row.length > 0) y += WIDGET_HEIGHT;
    }
    return { widgets };
}
