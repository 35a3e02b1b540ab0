/**
 * The scaling plan: bounds, policies and the series they watch, as plain validated data. The config
 * module builds it once; components turn it into AWS resources, the runtime and tools read thresholds
 * and metric names from it, and the simulator replays load against it.
 */
import { INT32_MAX, INT32_MIN, MAX_STEPS_PER_POLICY } from "../aws/limits";
import type { PredefinedMetricType, PredictiveMetricPairType } from "../aws/metrics";
import { MetricSeries } from "./metric-series";

export type { PredefinedMetricType, PredictiveMetricPairType };

export interface Cooldowns {
    /** Seconds after a scale-out before another scale-out that is not larger (AWS default: aws/defaults.ts). */
    readonly scaleOut: number;
    /** Seconds after a scale-in before another scale-in (AWS default: aws/defaults.ts). */
    readonly scaleIn: number;
}

export interface TargetTrackingPolicy {
    readonly kind: "targetTracking";
    /** Short name, unique within the service; the AWS policy is named `<service>-<name>`. */
    readonly name: string;
    readonly metric:
        | { readonly type: "predefined"; readonly predefinedMetricType: PredefinedMetricType }
        | { readonly type: "custom"; readonly series: MetricSeries };
    readonly targetValue: number;
    readonly cooldowns: Cooldowns;
    readonly disableScaleIn: boolean;
}

/**
 * One step in absolute metric values: applies while lower <= value < upper above the threshold and
 * lower < value <= upper below it (Application Auto Scaling user guide, step scaling: "the lower bound
 * is inclusive and the upper bound exclusive" above the breach threshold, the reverse below it). The
 * alarms are built so that the boundary value a step names is inside it: the scale-out alarm fires at
 * >= its threshold, the scale-in alarm at <= its threshold (as CDK's scaleOnMetric does). A missing
 * bound is infinite.
 */
export interface StepInterval {
    readonly lower?: number;
    readonly upper?: number;
    /** Tasks added (positive) or removed (negative). */
    readonly change: number;
}

export type ComparisonOperator =
    | "GreaterThanOrEqualToThreshold"
    | "LessThanOrEqualToThreshold";

/** The alarm operator of a direction: the threshold value belongs to the step that names it. */
export function stepComparisonOperator(direction: "out" | "in"): ComparisonOperator {
    return direction === "out" ? "GreaterThanOrEqualToThreshold" : "LessThanOrEqualToThreshold";
}

export interface StepAlarm {
    readonly threshold: number;
    readonly comparisonOperator: ComparisonOperator;
    /** Alarm period in seconds. */
    readonly period: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    readonly treatMissingData: "missing" | "notBreaching" | "breaching" | "ignore";
}

/** A step adjustment as AWS stores it: bounds relative to the alarm threshold. */
export interface RelativeStep {
    readonly metricIntervalLowerBound?: number;
    readonly metricIntervalUpperBound?: number;
    readonly scalingAdjustment: number;
}

export interface StepScalingPolicy {
    readonly kind: "step";
    /** `<name>-out` or `<name>-in` is appended per direction. */
    readonly name: string;
    readonly direction: "out" | "in";
    readonly series: MetricSeries;
    /** Absolute intervals, ascending by metric value. */
    readonly steps: readonly StepInterval[];
    readonly alarm: StepAlarm;
    readonly cooldown: number;
    readonly metricAggregationType: "Average" | "Minimum" | "Maximum";
}

/**
 * Target tracking on backlog per task (Application Auto Scaling user guide, "Create a target tracking
 * scaling policy using metric math"): m1 = the queue's visible messages, m2 = the service's running
 * tasks (Container Insights), e1 = "m1 / m2", the only query that returns data. The target is the
 * acceptable backlog per task: acceptable latency / seconds per message, or an explicit value.
 */
export interface BacklogPerTaskPolicy {
    readonly kind: "backlogPerTask";
    /** Short name, unique within the service; the AWS policy is named `<service>-<name>`. */
    readonly name: string;
    /** m1: AWS/SQS ApproximateNumberOfMessagesVisible of the queue (QueueName), with its statistic. */
    readonly backlog: MetricSeries;
    /** m2: ECS/ContainerInsights RunningTaskCount of the service (ClusterName, ServiceName), with its statistic. */
    readonly runningTasks: MetricSeries;
    /** Messages per running task the policy keeps e1 at. */
    readonly targetValue: number;
    readonly cooldowns: Cooldowns;
    readonly disableScaleIn: boolean;
}

/** The metric math ids of a backlog-per-task policy, as the AWS user guide's example names them. */
export const BACKLOG_PER_TASK_IDS = { backlog: "m1", runningTasks: "m2", backlogPerTask: "e1" } as const;

/** The labels of m1, m2 and e1 (shown in the console and in DescribeScalingPolicies). */
export const BACKLOG_PER_TASK_LABELS = { backlog: "Visible messages in the queue", runningTasks: "Running tasks of the service", backlogPerTask: "Backlog per task" } as const;

/** The expression of e1: backlog divided by running tasks. */
export const BACKLOG_PER_TASK_EXPRESSION = `${BACKLOG_PER_TASK_IDS.backlog} / ${BACKLOG_PER_TASK_IDS.runningTasks}`;

/** One query of a backlog-per-task policy's metric math: a series it reads, or the expression over them. */
export type BacklogPerTaskQuery = { readonly id: string; readonly label: string; readonly returnData: boolean } &
    ({ readonly series: MetricSeries; readonly expression?: undefined } | { readonly expression: string; readonly series?: undefined });

/** m1 and m2 read, e1 = m1 / m2 returned: ReturnData true on e1 only (AWS tracks the one query that returns data). */
export function backlogPerTaskQueries(p: BacklogPerTaskPolicy): readonly BacklogPerTaskQuery[] {
    return [
        { id: BACKLOG_PER_TASK_IDS.backlog, label: BACKLOG_PER_TASK_LABELS.backlog, series: p.backlog, returnData: false },
        { id: BACKLOG_PER_TASK_IDS.runningTasks, label: BACKLOG_PER_TASK_LABELS.runningTasks, series: p.runningTasks, returnData: false },
        { id: BACKLOG_PER_TASK_IDS.backlogPerTask, label: BACKLOG_PER_TASK_LABELS.backlogPerTask, expression: BACKLOG_PER_TASK_EXPRESSION, returnData: true },
    ];
}

/**
 * Predictive scaling (PutScalingPolicy with PredictiveScalingPolicyConfiguration): AWS forecasts the
 * load metric from up to 14 days of history and sets a capacity floor for each hour so the scaling
 * metric sits at the target. A metric pair names both metrics at once; custom metrics give the scaling
 * metric (a per-task average, like utilization) and the load metric (the total the tasks share).
 */
export interface PredictivePolicy {
    readonly kind: "predictive";
    /** Short name, unique within the service; the AWS policy is named `<service>-<name>`. */
    readonly name: string;
    readonly metric:
        | { readonly type: "pair"; readonly pair: PredictiveMetricPairType }
        | { readonly type: "custom"; readonly scaling: MetricSeries; readonly load: MetricSeries };
    /** Target value of the scaling metric. */
    readonly targetValue: number;
    /** ForecastOnly publishes forecasts without acting; ForecastAndScale sets the forecast floor. */
    readonly mode: "ForecastOnly" | "ForecastAndScale";
    /** Seconds ahead of each forecast hour that its capacity is applied. */
    readonly schedulingBufferTime: number;
    /** HonorMaxCapacity caps the forecast at the maximum; IncreaseMaxCapacity may exceed it by maxCapacityBuffer. */
    readonly maxCapacityBreachBehavior: "HonorMaxCapacity" | "IncreaseMaxCapacity";
    /** Percent of the forecast capacity (0-100) the maximum may grow to; set only with IncreaseMaxCapacity. */
    readonly maxCapacityBuffer?: number;
}

/** Query ids of a predictive policy's custom scaling and load metrics (each a single query, no math). */
export const PREDICTIVE_METRIC_IDS = { scaling: "scaling", load: "load" } as const;

export type ScalingPolicy = TargetTrackingPolicy | StepScalingPolicy | BacklogPerTaskPolicy | PredictivePolicy;

/** Every CloudWatch series a policy reads (none for predefined metrics, which AWS resolves itself). */
export function policySeries(p: ScalingPolicy): MetricSeries[] {
    switch (p.kind) {
        case "targetTracking": return p.metric.type === "custom" ? [p.metric.series] : [];
        case "step": return [p.series];
        case "backlogPerTask": return [p.backlog, p.runningTasks];
        case "predictive": return p.metric.type === "custom" ? [p.metric.scaling, p.metric.load] : [];
    }
}

/** Whether a plan reads Container Insights metrics, so its cluster must turn Container Insights on. */
export function planNeedsContainerInsights(plan: Pick<ServiceScalingPlan, "policies">): boolean {
    return plan.policies.some((p) => p.kind === "backlogPerTask");
}

export interface ServiceScalingPlan {
    /** Logical service name from config (api, worker, gateway, ...). */
    readonly service: string;
    readonly minCapacity: number;
    readonly maxCapacity: number;
    readonly policies: readonly ScalingPolicy[];
    /** Scheduled changes of the bounds; none when absent. */
    readonly scheduledActions?: readonly ScheduledActionPlan[];
}

/**
 * Checks one direction's step list and returns every broken rule as a sentence. Rules come from
 * Application Auto Scaling: intervals may not overlap or leave gaps, the scale-out list must reach
 * +infinity and the scale-in list -infinity, and every step needs an adjustment in its direction.
 */
export function stepListProblems(direction: "out" | "in", steps: readonly StepInterval[]): string[] {
    const problems: string[] = [];
    if (steps.length === 0) return ["steps: [] must list at least one step (a step scaling policy needs at least one step adjustment)"];
    if (steps.length > MAX_STEPS_PER_POLICY) {
        problems.push(`steps: ${steps.length} steps exceed the Application Auto Scaling quota of ${MAX_STEPS_PER_POLICY} step adjustments per step scaling policy`);
    }
    steps.forEach((s, i) => {
        if (s.change === undefined || s.change === null || !Number.isInteger(s.change) || s.change === 0
            || s.change < INT32_MIN || s.change > INT32_MAX) {
            problems.push(`steps[${i}].change: ${String(s.change)} must be a non-zero whole number within AWS's 32-bit integer range (ScalingAdjustment, ${INT32_MIN} to ${INT32_MAX})`);
        } else if (direction === "out" && s.change < 0) {
            problems.push(`steps[${i}].change: ${s.change} must be positive in a scale-out list`);
        } else if (direction === "in" && s.change > 0) {
            problems.push(`steps[${i}].change: ${s.change} must be negative in a scale-in list`);
        }
        if (s.lower !== undefined && s.upper !== undefined && !(s.lower < s.upper)) {
            problems.push(`steps[${i}]: lower (${s.lower}) must be < upper (${s.upper})`);
        }
    });
    for (let i = 1; i < steps.length; i++) {
        const prev = steps[i - 1];
        const cur = steps[i];
        if (prev.upper === undefined || cur.lower === undefined) {
            problems.push(`steps[${i}]: intervals must be sorted ascending and closed between neighbours ` +
                `(steps[${i - 1}].upper=${String(prev.upper)}, steps[${i}].lower=${String(cur.lower)})`);
        } else if (cur.lower < prev.upper) {
            problems.push(`steps[${i}]: lower (${cur.lower}) overlaps steps[${i - 1}] (upper ${prev.upper}); ` +
                "intervals must be sorted ascending without overlap");
        } else if (cur.lower > prev.upper) {
            problems.push(`steps[${i}]: lower (${cur.lower}) leaves a gap after steps[${i - 1}] (upper ${prev.upper})`);
        }
    }
    const first = steps[0];
    const last = steps[steps.length - 1];
    if (direction === "out") {
        if (first.lower === undefined) problems.push("steps[0]: lower is required; it becomes the scale-out alarm threshold");
        if (last.upper !== undefined) {
            problems.push(`steps[${steps.length - 1}]: upper (${last.upper}) must be omitted so the last scale-out step reaches +infinity`);
        }
    } else {
        if (last.upper === undefined) problems.push(`steps[${steps.length - 1}]: upper is required; it becomes the scale-in alarm threshold`);
        if (first.lower !== undefined) {
            problems.push(`steps[0]: lower (${first.lower}) must be omitted so the first scale-in step reaches -infinity`);
        }
    }
    return problems;
}

/**
 * Scale-out and scale-in bands of one series must not meet: the scale-out alarm fires at >= its
 * threshold and the scale-in alarm at <= its threshold, so a scale-in threshold at or above the
 * scale-out threshold puts both alarms in ALARM at once and the two policies undo each other.
 */
export function bandOverlapProblem(outThreshold: number, inThreshold: number, outLabel = "the scale-out threshold"): string | undefined {
    if (inThreshold < outThreshold) return undefined;
    const where = outThreshold === inThreshold ? `at ${outThreshold}` : `from ${outThreshold} to ${inThreshold}`;
    return `must be < ${outLabel} (${outThreshold}): scale-out and scale-in bands may not overlap ` +
        `(${where} both alarms would be in ALARM and the policies would undo each other)`;
}

/** The alarm threshold implied by a valid step list: the lowest scale-out bound or the highest scale-in bound. */
export function stepThreshold(direction: "out" | "in", steps: readonly StepInterval[]): number {
    const edge = direction === "out" ? steps[0].lower : steps[steps.length - 1].upper;
    if (edge === undefined) throw new Error(`step list for scale-${direction} has no threshold edge`);
    return edge;
}

/** Converts absolute intervals to AWS step adjustments, relative to the alarm threshold. */
export function relativeSteps(policy: StepScalingPolicy): RelativeStep[] {
    const t = policy.alarm.threshold;
    return policy.steps.map((s) => ({
        ...(s.lower !== undefined ? { metricIntervalLowerBound: s.lower - t } : {}),
        ...(s.upper !== undefined ? { metricIntervalUpperBound: s.upper - t } : {}),
        scalingAdjustment: s.change,
    }));
}

/**
 * The step whose interval holds `value`, or undefined. Above the threshold a step covers
 * [lower, upper); below it, (lower, upper] (Application Auto Scaling user guide, step scaling).
 */
export function stepFor(policy: Pick<StepScalingPolicy, "direction" | "steps">, value: number): StepInterval | undefined {
    return policy.steps.find((s) => stepContains(policy.direction, s, value));
}

/** Whether `value` lies in `step` for a policy of that direction (see stepFor). */
export function stepContains(direction: "out" | "in", s: StepInterval, value: number): boolean {
    return direction === "out"
        ? (s.lower === undefined || value >= s.lower) && (s.upper === undefined || value < s.upper)
        : (s.lower === undefined || value > s.lower) && (s.upper === undefined || value <= s.upper);
}

/**
 * The step AWS runs for a metric value when the alarm has fired: the alarm must be in ALARM for that
 * value (>= threshold out, <= threshold in) and the value's offset from the threshold selects the
 * step adjustment by its relative bounds. Undefined when the alarm would not fire.
 */
export function awsStepFor(policy: StepScalingPolicy, value: number): RelativeStep | undefined {
    const t = policy.alarm.threshold;
    const firing = policy.alarm.comparisonOperator === "GreaterThanOrEqualToThreshold" ? value >= t : value <= t;
    if (!firing) return undefined;
    const offset = value - t;
    return relativeSteps(policy).find((s) => policy.direction === "out"
        ? (s.metricIntervalLowerBound === undefined || offset >= s.metricIntervalLowerBound) && (s.metricIntervalUpperBound === undefined || offset < s.metricIntervalUpperBound)
        : (s.metricIntervalLowerBound === undefined || offset > s.metricIntervalLowerBound) && (s.metricIntervalUpperBound === undefined || offset <= s.metricIntervalUpperBound));
}

/** A step's interval in words, boundaries included as AWS includes them ("50 to under 100", "10 and under"). */
export function describeStepRange(direction: "out" | "in", step: StepInterval): string {
    const { lower, upper } = step;
    if (direction === "out") {
        if (lower !== undefined && upper !== undefined) return `${lower} to under ${upper}`;
        if (lower !== undefined) return `${lower} and over`;
        return `under ${upper}`;
    }
    if (lower !== undefined && upper !== undefined) return `over ${lower} up to ${upper}`;
    if (upper !== undefined) return `${upper} and under`;
    return `over ${lower}`;
}

/**
 * A scheduled action (PutScheduledAction): at each firing of `schedule` in `timezone`, the scalable
 * target's minimum and/or maximum become these values; desired follows only when it falls outside them.
 */
export interface ScheduledActionPlan {
    /** Unique within the service; the AWS name is `<service>-<name>`. */
    readonly name: string;
    /** `at(...)`, `rate(...)` or `cron(...)` (scaling/schedule.ts). */
    readonly schedule: string;
    /** IANA time zone the at and cron expressions are read in. */
    readonly timezone: string;
    readonly minCapacity?: number;
    readonly maxCapacity?: number;
    /** ISO 8601 instants bounding a recurring schedule. */
    readonly startTime?: string;
    readonly endTime?: string;
}
