/**
 * The AWS edge of scale-to-zero: what the functions read (service, listener rule, target health,
 * scalable target, RequestCount), how they carry out a decision, and the state metrics they publish.
 * Every call goes through apiCall, so a failure names its operation.
 */
import { DescribeScalableTargetsCommand, RegisterScalableTargetCommand, type ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { GetMetricDataCommand, PutMetricDataCommand, type CloudWatchClient, type GetMetricDataCommandInput, type MetricDatum, type PutMetricDataCommandInput } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, TagResourceCommand, UpdateServiceCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { DescribeRulesCommand, DescribeTargetHealthCommand, ModifyRuleCommand, type Action as RuleAction, type ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import {
    MARK_TAGS, REQUEST_COUNT_PERIOD_SECONDS, STATE_METRICS, requestLookbackSeconds, scalableResourceId, statusValue,
    type Action, type Decision, type Marks, type Observation, type RequestBucket, type ScaleToZeroTarget,
} from "../../scaling/scale-to-zero";
import { ALB_METRICS } from "../../aws/metrics";
import { ECS_DESIRED_COUNT, ECS_NAMESPACE } from "../../aws/scaling-ids";
import { apiCall } from "../aws/call";

/** The clients the functions use, from runtime/aws/clients.ts (tests pass mocks or moto clients). */
export interface ScaleToZeroClients {
    readonly ecs: Pick<ECSClient, "send">;
    readonly elbv2: Pick<ElasticLoadBalancingV2Client, "send">;
    readonly autoscaling: Pick<ApplicationAutoScalingClient, "send">;
    readonly cloudwatch: Pick<CloudWatchClient, "send">;
}

/** An observation, plus the service ARN that tags are written to. */
export interface Observed extends Observation {
    readonly serviceArn: string;
}

/** Where a rule's forward action sends requests: its one target group, or the only one with weight. */
function forwardTarget(actions: readonly RuleAction[] | undefined): string | undefined {
    const forward = (actions ?? []).find((a) => a.Type === "forward");
    if (!forward) return undefined;
    if (forward.TargetGroupArn) return forward.TargetGroupArn;
    const weighted = (forward.ForwardConfig?.TargetGroups ?? []).filter((g) => (g.Weight ?? 1) > 0);
    return weighted.length === 1 ? weighted[0].TargetGroupArn : undefined;
}

function parseMarks(tags: readonly { key?: string; value?: string }[] | undefined): Marks {
    const marks: Record<string, number> = {};
    for (const [field, key] of Object.entries(MARK_TAGS)) {
        const value = tags?.find((t) => t.key === key)?.value;
        const n = value === undefined ? NaN : Number(value);
        if (Number.isFinite(n)) marks[field] = n;
    }
    return marks;
}

/** Reads the service, the rule, the target health and the bounds at once. */
export async function observe(t: ScaleToZeroTarget, c: ScaleToZeroClients, now: number): Promise<Observed> {
    const resourceId = scalableResourceId(t);
    const [services, rules, health, targets] = await Promise.all([
        apiCall("DescribeServices", () => c.ecs.send(new DescribeServicesCommand({ cluster: t.cluster, services: [t.service], include: ["TAGS"] }))),
        apiCall("DescribeRules", () => c.elbv2.send(new DescribeRulesCommand({ RuleArns: [t.listenerRuleArn] }))),
        apiCall("DescribeTargetHealth", () => c.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: t.serviceTargetGroupArn }))),
        apiCall("DescribeScalableTargets", () => c.autoscaling.send(new DescribeScalableTargetsCommand({
            ServiceNamespace: ECS_NAMESPACE, ResourceIds: [resourceId], ScalableDimension: ECS_DESIRED_COUNT,
        }))),
    ]);
    const svc = services.services?.[0];
    if (!svc || svc.desiredCount === undefined || !svc.serviceArn) {
        throw new Error(`service ${t.cluster}/${t.service} not found (${JSON.stringify(services.failures ?? [])})`);
    }
    const rule = rules.Rules?.[0];
    if (!rule) throw new Error(`listener rule ${t.listenerRuleArn} not found`);
    const to = forwardTarget(rule.Actions);
    const target = (targets.ScalableTargets ?? []).find((s) => s.ResourceId === resourceId);
    return {
        now,
        serviceArn: svc.serviceArn,
        route: to === t.serviceTargetGroupArn ? "service" : to === t.wakeTargetGroupArn ? "wake" : "other",
        desiredCount: svc.desiredCount,
        healthyTargets: (health.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === "healthy").length,
        ...(target?.MinCapacity !== undefined && target.MaxCapacity !== undefined ? { bounds: { min: target.MinCapacity, max: target.MaxCapacity } } : {}),
        marks: parseMarks(svc.tags),
    };
}

/** The GetMetricData request of the idle check: the service target group's RequestCount, Sum per 60 s. */
export function requestCountQuery(t: ScaleToZeroTarget, now: number): GetMetricDataCommandInput {
    const period = REQUEST_COUNT_PERIOD_SECONDS * 1000;
    // Period boundaries, as CloudWatch aggregates them; the partial minute before the window counts too.
    const end = Math.ceil(now / period) * period;
    const start = Math.floor((now - requestLookbackSeconds(t) * 1000) / period) * period;
    return {
        StartTime: new Date(start),
        EndTime: new Date(end),
        ScanBy: "TimestampAscending",
        MetricDataQueries: [{
            Id: "requests",
            MetricStat: {
                Metric: {
                    Namespace: ALB_METRICS.namespace,
                    MetricName: ALB_METRICS.requestCount,
                    Dimensions: [
                        { Name: ALB_METRICS.loadBalancerDimension, Value: t.loadBalancerDimension },
                        { Name: ALB_METRICS.targetGroupDimension, Value: t.targetGroupDimension },
                    ],
                },
                Period: REQUEST_COUNT_PERIOD_SECONDS,
                Stat: "Sum",
            },
            ReturnData: true,
        }],
    };
}

/** RequestCount buckets; the ALB publishes nothing for a minute without requests, so absent minutes are zeros. */
export async function readRequests(t: ScaleToZeroTarget, c: ScaleToZeroClients, now: number): Promise<RequestBucket[]> {
    const input = requestCountQuery(t, now);
    const buckets: RequestBucket[] = [];
    let token: string | undefined;
    do {
        const out = await apiCall("GetMetricData", () => c.cloudwatch.send(new GetMetricDataCommand({ ...input, ...(token ? { NextToken: token } : {}) })));
        const result = out.MetricDataResults?.find((r) => r.Id === "requests");
        (result?.Timestamps ?? []).forEach((ts, i) => buckets.push({ at: new Date(ts).getTime(), value: result?.Values?.[i] ?? 0 }));
        token = out.NextToken;
    } while (token);
    return buckets;
}

/** Carries out the decision's actions in order; a failure stops there, and the next run starts from what it then observes. */
export async function apply(t: ScaleToZeroTarget, c: ScaleToZeroClients, observed: Observed, actions: readonly Action[]): Promise<void> {
    for (const action of actions) {
        switch (action.kind) {
            case "route":
                await apiCall("ModifyRule", () => c.elbv2.send(new ModifyRuleCommand({
                    RuleArn: t.listenerRuleArn,
                    Actions: [{ Type: "forward", TargetGroupArn: action.to === "service" ? t.serviceTargetGroupArn : t.wakeTargetGroupArn }],
                })));
                break;
            case "bounds":
                await apiCall("RegisterScalableTarget", () => c.autoscaling.send(new RegisterScalableTargetCommand({
                    ServiceNamespace: ECS_NAMESPACE,
                    ResourceId: scalableResourceId(t),
                    ScalableDimension: ECS_DESIRED_COUNT,
                    MinCapacity: action.bounds.min,
                    MaxCapacity: action.bounds.max,
                })));
                break;
            case "desired":
                await apiCall("UpdateService", () => c.ecs.send(new UpdateServiceCommand({ cluster: t.cluster, service: t.service, desiredCount: action.count })));
                break;
            case "mark":
                await apiCall("TagResource", () => c.ecs.send(new TagResourceCommand({
                    resourceArn: observed.serviceArn,
                    tags: Object.entries(action.marks).map(([field, at]) => ({ key: MARK_TAGS[field as keyof Marks], value: String(at) })),
                })));
                break;
        }
    }
}

/** The state metrics of one run: always ServiceStatus and ServiceDesiredCount, plus the latency or idle time of a transition. */
export function stateMetricData(t: ScaleToZeroTarget, d: Decision, now: number): PutMetricDataCommandInput {
    const base = [{ Name: "Service", Value: t.service }, { Name: "Cluster", Value: t.cluster }];
    const timestamp = new Date(now);
    const data: MetricDatum[] = [
        { MetricName: STATE_METRICS.status, Dimensions: base, Value: statusValue(d.status), Unit: "None", Timestamp: timestamp },
        { MetricName: STATE_METRICS.desiredCount, Dimensions: [...base, { Name: "Status", Value: d.status }], Value: d.desiredCount, Unit: "Count", Timestamp: timestamp },
    ];
    if (d.wakeLatencySeconds !== undefined) data.push({ MetricName: STATE_METRICS.wakeLatency, Dimensions: base, Value: d.wakeLatencySeconds, Unit: "Seconds", Timestamp: timestamp });
    if (d.idleSeconds !== undefined) data.push({ MetricName: STATE_METRICS.idle, Dimensions: base, Value: d.idleSeconds, Unit: "Seconds", Timestamp: timestamp });
    return { Namespace: t.namespace, MetricData: data };
}

export async function publishState(t: ScaleToZeroTarget, c: ScaleToZeroClients, d: Decision, now: number): Promise<void> {
    await apiCall("PutMetricData", () => c.cloudwatch.send(new PutMetricDataCommand(stateMetricData(t, d, now))));
}
