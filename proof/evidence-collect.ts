/**
 * Reads every artifact of seed 000's proof checklist for one ECS service, with read-only calls only:
 * DescribeScalableTargets, DescribeScalingPolicies, ListMetrics, GetMetricData, DescribeAlarms,
 * DescribeAlarmHistory, DescribeScalingActivities and DescribeServices. A call the endpoint does not
 * offer (moto answers DescribeScalingActivities and DescribeAlarmHistory with HTTP 500) makes its item
 * unavailable instead of failing the run; the scaling activities then come from an activity record
 * (scaling/activity-record.ts) when one is given, and so do the service events when the endpoint
 * records none.
 */
import {
    DescribeScalableTargetsCommand, DescribeScalingActivitiesCommand, DescribeScalingPoliciesCommand,
    type ApplicationAutoScalingClient, type ScalingPolicy as AwsScalingPolicy,
} from "@aws-sdk/client-application-auto-scaling";
import {
    DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricDataCommand, ListMetricsCommand,
    type CloudWatchClient, type MetricAlarm, type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, type ECSClient, type ServiceEvent } from "@aws-sdk/client-ecs";
import { apiCall } from "../runtime/aws/call";
import { endpointAnswerOf } from "../runtime/aws/endpoint-answer";
import { cloudWatchDimensions } from "../runtime/aws/cloudwatch";
import { CONTAINER_INSIGHTS_METRICS } from "../aws/metrics";
import { ECS_DESIRED_COUNT, ECS_NAMESPACE, ecsResourceId, targetTrackingAlarmPrefix } from "../aws/scaling-ids";
import { parseActivityRecords } from "../scaling/activity-record";
import { metricSeries, type Statistic } from "../scaling/metric-series";
import {
    dedupeSeries,
    type ActivitySource, type ActivityView, type AlarmView, type EvidenceData, type ListedSeries, type PolicyView,
} from "./evidence-judge";

/** Period of the datapoints read back: CloudWatch's standard resolution, the one target tracking evaluates. */
export const DATAPOINT_PERIOD_S = 60;

export interface EvidenceClients {
    readonly autoscaling: Pick<ApplicationAutoScalingClient, "send">;
    readonly cloudwatch: Pick<CloudWatchClient, "send">;
    readonly ecs: Pick<ECSClient, "send">;
}

export interface CollectOptions {
    readonly cluster: string;
    readonly service: string;
    readonly start: Date;
    readonly end: Date;
    /** Period of the datapoints read, seconds; default DATAPOINT_PERIOD_S. */
    readonly periodS?: number;
    /** Contents and name of an activity record, read when the endpoint has no DescribeScalingActivities. */
    readonly activityRecord?: { readonly file: string; readonly text: string };
}

export interface Point {
    readonly time: string;
    readonly value: number;
}

export interface CollectedEvidence {
    readonly data: EvidenceData;
    /** Desired and running task counts over the window, for the chart. */
    readonly capacity: { readonly desired: readonly Point[]; readonly running: readonly Point[] };
}

/**
 * True when the endpoint does not implement the call: an HTTP 5xx whose body is not an AWS error (moto's
 * NotImplementedError page, which the SDK fails to parse), or an unknown-operation error code.
 */
export function isUnavailableCall(error: unknown): boolean {
    // An HTML 5xx page is what the client factory turns into an EndpointAnswerError.
    const answer = endpointAnswerOf(error);
    if (answer?.status !== undefined && answer.status >= 500) return true;
    const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
    const name = e?.name ?? "";
    if (["UnknownOperationException", "InvalidAction", "NotImplemented", "NotImplementedException"].includes(name)) return true;
    const status = e?.$metadata?.httpStatusCode;
    return status !== undefined && status >= 500 && (name === "SyntaxError" || /not ?implemented|deserializ/i.test(`${name} ${e?.message ?? ""}`));
}

/** Every policy on exactly `resourceId` (all pages). */
export async function allPolicies(c: Pick<EvidenceClients, "autoscaling">, resourceId: string): Promise<AwsScalingPolicy[]> {
    const out: AwsScalingPolicy[] = [];
    let token: string | undefined;
    do {
        const page = await apiCall("DescribeScalingPolicies", () => c.autoscaling.send(new DescribeScalingPoliciesCommand({
            ServiceNamespace: ECS_NAMESPACE, ResourceId: resourceId, ScalableDimension: ECS_DESIRED_COUNT, NextToken: token,
        })));
        out.push(...(page.ScalingPolicies ?? []));
        token = page.NextToken;
    } while (token);
    // moto matches ResourceId as a substring (service/c/s also matches service/c/s-2): keep exact ones.
    return out.filter((p) => p.ResourceId === resourceId);
}

function policyView(p: AwsScalingPolicy): PolicyView {
    const tt = p.TargetTrackingScalingPolicyConfiguration;
    const cm = tt?.CustomizedMetricSpecification;
    return {
        name: p.PolicyName ?? "",
        arn: p.PolicyARN ?? "",
        type: p.PolicyType ?? "",
        ...(tt?.TargetValue !== undefined ? { targetValue: tt.TargetValue } : {}),
        ...(cm?.MetricName && cm.Namespace ? {
            customSeries: metricSeries({
                namespace: cm.Namespace,
                metricName: cm.MetricName,
                dimensions: Object.fromEntries((cm.Dimensions ?? []).map((d) => [d.Name ?? "", d.Value ?? ""])),
                statistic: (cm.Statistic ?? "Average") as Statistic,
                ...(cm.Unit ? { unit: cm.Unit } : {}),
            }),
        } : {}),
        ...(tt?.PredefinedMetricSpecification?.PredefinedMetricType ? { predefinedMetric: tt.PredefinedMetricSpecification.PredefinedMetricType } : {}),
        alarmNames: (p.Alarms ?? []).map((a) => a.AlarmName ?? ""),
    };
}

async function listSeries(c: EvidenceClients, namespace: string, metricName: string): Promise<ListedSeries[]> {
    const out: ListedSeries[] = [];
    let token: string | undefined;
    do {
        const page = await apiCall("ListMetrics", () => c.cloudwatch.send(new ListMetricsCommand({ Namespace: namespace, MetricName: metricName, NextToken: token })));
        for (const m of page.Metrics ?? []) {
            out.push({
                namespace: m.Namespace ?? "",
                metricName: m.MetricName ?? "",
                dimensions: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name ?? "", d.Value ?? ""])),
            });
        }
        token = page.NextToken;
    } while (token);
    return dedupeSeries(out);
}

async function alarmsOf(c: EvidenceClients, policies: readonly PolicyView[], o: CollectOptions): Promise<AlarmView[]> {
    const found = new Map<string, MetricAlarm>();
    const add = (list: MetricAlarm[] | undefined) => list?.forEach((a) => a.AlarmName && found.set(a.AlarmName, a));
    const prefix = targetTrackingAlarmPrefix(ecsResourceId(o.cluster, o.service));
    add((await apiCall("DescribeAlarms", () => c.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix })))).MetricAlarms);
    for (const p of policies.filter((x) => x.type === "StepScaling" && x.arn)) {
        add((await apiCall("DescribeAlarms", () => c.cloudwatch.send(new DescribeAlarmsCommand({ ActionPrefix: p.arn })))).MetricAlarms);
    }
    const views: AlarmView[] = [];
    let historyAvailable = true;
    for (const a of found.values()) {
        let history: AlarmView["history"];
        if (historyAvailable) {
            try {
                const h = await c.cloudwatch.send(new DescribeAlarmHistoryCommand({
                    AlarmName: a.AlarmName, HistoryItemType: "StateUpdate", StartDate: o.start, EndDate: o.end, ScanBy: "TimestampAscending",
                }));
                history = (h.AlarmHistoryItems ?? []).map((i) => ({ time: i.Timestamp?.toISOString() ?? "", summary: i.HistorySummary ?? "" }));
            } catch (error) {
                if (!isUnavailableCall(error)) throw error;
                historyAvailable = false;
            }
        }
        views.push({
            name: a.AlarmName ?? "",
            state: a.StateValue ?? "",
            ...(a.StateReason ? { stateReason: a.StateReason } : {}),
            ...(a.StateUpdatedTimestamp ? { stateUpdated: a.StateUpdatedTimestamp.toISOString() } : {}),
            actions: a.AlarmActions ?? [],
            ...(history !== undefined ? { history } : {}),
        });
    }
    return views.sort((x, y) => x.name.localeCompare(y.name));
}

/** `Setting desired count to 4.` (the description Application Auto Scaling writes) -> 4. */
function desiredFromDescription(text: string | undefined): number | undefined {
    const m = /desired count to (\d+)/i.exec(text ?? "");
    return m ? Number(m[1]) : undefined;
}

async function activitiesOf(c: EvidenceClients, resourceId: string, o: CollectOptions): Promise<ActivitySource> {
    try {
        const items: ActivityView[] = [];
        let token: string | undefined;
        do {
            const page = await c.autoscaling.send(new DescribeScalingActivitiesCommand({
                ServiceNamespace: ECS_NAMESPACE, ResourceId: resourceId, ScalableDimension: ECS_DESIRED_COUNT, NextToken: token,
            }));
            for (const a of page.ScalingActivities ?? []) {
                if (a.StartTime === undefined || a.StartTime < o.start || a.StartTime > o.end) continue;
                const newDesired = desiredFromDescription(a.Description);
                items.push({ time: a.StartTime.toISOString(), description: a.Description ?? "", cause: a.Cause ?? "", ...(newDesired !== undefined ? { newDesired } : {}) });
            }
            token = page.NextToken;
        } while (token);
        items.sort((x, y) => x.time.localeCompare(y.time));
        // AWS gives the new count only; the one before is the previous activity's.
        return { kind: "api", activities: items.map((x, i) => (i > 0 && items[i - 1].newDesired !== undefined ? { ...x, oldDesired: items[i - 1].newDesired } : x)) };
    } catch (error) {
        if (!isUnavailableCall(error)) throw new Error(`DescribeScalingActivities failed: ${(error as Error).message}`);
    }
    if (!o.activityRecord) {
        return { kind: "unavailable", reason: "the endpoint has no DescribeScalingActivities (HTTP 500, not implemented) and no --activities record was given" };
    }
    const { records, problems } = parseActivityRecords(o.activityRecord.text);
    if (problems.length > 0) throw new Error(`--activities ${o.activityRecord.file}: ${problems.join("; ")}`);
    const activities = records
        .filter((r) => r.resourceId === resourceId && Date.parse(r.time) >= o.start.getTime() && Date.parse(r.time) <= o.end.getTime())
        .sort((x, y) => x.time.localeCompare(y.time))
        .map((r) => ({
            time: new Date(r.time).toISOString(),
            description: `Setting desired count to ${r.newDesired} (was ${r.oldDesired}) by policy ${r.policy}`,
            cause: r.cause,
            oldDesired: r.oldDesired,
            newDesired: r.newDesired,
        }));
    return { kind: "record", file: o.activityRecord.file, activities };
}

/**
 * The service's ECS events in the window. An endpoint that records none at all (moto; AWS always has at
 * least a steady-state event) falls back to the events an activity record carries, marked with its file.
 */
function eventsOf(apiEvents: readonly ServiceEvent[], resourceId: string, o: CollectOptions): EvidenceData["serviceEvents"] {
    const start = o.start.toISOString();
    const end = o.end.toISOString();
    const inWindow = (list: { time: string; message: string }[]) =>
        list.filter((e) => e.time >= start && e.time <= end).sort((a, b) => a.time.localeCompare(b.time));
    if (apiEvents.length > 0 || !o.activityRecord) {
        const events = apiEvents.map((e) => ({ time: e.createdAt?.toISOString() ?? "", message: e.message ?? "" }));
        return { all: events.length, inWindow: inWindow(events) };
    }
    const { records, problems } = parseActivityRecords(o.activityRecord.text);
    if (problems.length > 0) throw new Error(`--activities ${o.activityRecord.file}: ${problems.join("; ")}`);
    const events = records
        .filter((r) => r.resourceId === resourceId && r.event !== undefined)
        .map((r) => ({ time: new Date(r.time).toISOString(), message: r.event! }));
    return { all: events.length, inWindow: inWindow(events), record: o.activityRecord.file };
}

/** Reads every artifact; throws (naming the operation) only when a call that should work fails. */
export async function collectEvidence(c: EvidenceClients, o: CollectOptions): Promise<CollectedEvidence> {
    const resourceId = ecsResourceId(o.cluster, o.service);
    const targets = await apiCall("DescribeScalableTargets", () => c.autoscaling.send(new DescribeScalableTargetsCommand({
        ServiceNamespace: ECS_NAMESPACE, ResourceIds: [resourceId], ScalableDimension: ECS_DESIRED_COUNT,
    })));
    const t = (targets.ScalableTargets ?? []).find((x) => x.ResourceId === resourceId);
    const policies = (await allPolicies(c, resourceId)).map(policyView);
    const custom = policies.filter((p) => p.customSeries);

    const listedMetrics: Record<string, ListedSeries[]> = {};
    for (const p of custom) listedMetrics[p.name] = await listSeries(c, p.customSeries!.namespace, p.customSeries!.metricName);

    // One GetMetricData for every custom series and, for the chart, Container Insights' task counts.
    const queries: MetricDataQuery[] = custom.map((p, i) => ({
        Id: `m${i}`,
        MetricStat: {
            Metric: { Namespace: p.customSeries!.namespace, MetricName: p.customSeries!.metricName, Dimensions: cloudWatchDimensions(p.customSeries!) },
            Period: o.periodS ?? DATAPOINT_PERIOD_S,
            Stat: p.customSeries!.statistic,
        },
    }));
    const insights = (id: string, metric: string): MetricDataQuery => ({
        Id: id,
        MetricStat: {
            Metric: {
                Namespace: CONTAINER_INSIGHTS_METRICS.namespace, MetricName: metric,
                Dimensions: [{ Name: CONTAINER_INSIGHTS_METRICS.clusterDimension, Value: o.cluster }, { Name: CONTAINER_INSIGHTS_METRICS.serviceDimension, Value: o.service }],
            },
            Period: o.periodS ?? DATAPOINT_PERIOD_S,
            Stat: "Average",
        },
    });
    queries.push(insights("desired", CONTAINER_INSIGHTS_METRICS.desiredTaskCount), insights("running", CONTAINER_INSIGHTS_METRICS.runningTaskCount));
    const results = new Map<string, Point[]>();
    let token: string | undefined;
    do {
        const page = await apiCall("GetMetricData", () => c.cloudwatch.send(new GetMetricDataCommand({
            MetricDataQueries: queries, StartTime: o.start, EndTime: o.end, ScanBy: "TimestampAscending", NextToken: token,
        })));
        for (const r of page.MetricDataResults ?? []) {
            const points = results.get(r.Id ?? "") ?? [];
            (r.Timestamps ?? []).forEach((ts, i) => points.push({ time: ts.toISOString(), value: r.Values?.[i] ?? NaN }));
            results.set(r.Id ?? "", points);
        }
        token = page.NextToken;
    } while (token);
    const byTime = (a: Point, b: Point) => a.time.localeCompare(b.time);
    const datapoints: Record<string, Point[]> = {};
    custom.forEach((p, i) => (datapoints[p.name] = (results.get(`m${i}`) ?? []).sort(byTime)));

    const alarms = await alarmsOf(c, policies, o);
    const activities = await activitiesOf(c, resourceId, o);

    const described = await apiCall("DescribeServices", () => c.ecs.send(new DescribeServicesCommand({ cluster: o.cluster, services: [o.service] })));
    const svc = described.services?.find((s) => s.serviceName === o.service);
    const serviceEvents = eventsOf(svc?.events ?? [], resourceId, o);
    const end = o.end.toISOString();

    // Desired count over the window: Container Insights where it exists, else the activities' steps.
    let desired: Point[] = (results.get("desired") ?? []).sort(byTime);
    if (desired.length === 0 && activities.kind !== "unavailable") {
        const steps = activities.activities.filter((x) => x.newDesired !== undefined);
        if (steps.length > 0 && steps[0].oldDesired !== undefined) desired.push({ time: o.start.toISOString(), value: steps[0].oldDesired });
        desired.push(...steps.map((x) => ({ time: x.time, value: x.newDesired! })));
    }
    const running: Point[] = (results.get("running") ?? []).sort(byTime);
    if (svc?.desiredCount !== undefined) desired = [...desired, { time: end, value: svc.desiredCount }];
    if (svc?.runningCount !== undefined) running.push({ time: end, value: svc.runningCount });

    return {
        data: {
            cluster: o.cluster,
            service: o.service,
            resourceId,
            window: { start: o.start.toISOString(), end },
            ...(t ? { target: { minCapacity: t.MinCapacity ?? 0, maxCapacity: t.MaxCapacity ?? 0 } } : {}),
            policies,
            listedMetrics,
            datapoints,
            alarms,
            activities,
            serviceEvents,
            ...(svc ? { serviceCounts: { desired: svc.desiredCount ?? 0, running: svc.runningCount ?? 0, pending: svc.pendingCount ?? 0 } } : {}),
        },
        capacity: { desired, running },
    };
}
