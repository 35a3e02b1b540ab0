/**
 * The emulator behind `autoscale emulate`: runs the simulator's engine (scaling/engine) against an AWS
 * endpoint that stores scaling policies and alarms but never acts on them (moto): it reads the scalable
 * targets and policies (Application Auto Scaling), the step alarms and the metric data (CloudWatch),
 * evaluates every alarm each period and reports its state with SetAlarmState, applies the policies'
 * decisions with UpdateService, and writes each scaling activity with its cause as one JSON line
 * (scaling/activity-record.ts) that `autoscale evidence --activities` reads where the endpoint has no
 * DescribeScalingActivities. Scheduled actions run on the virtual clock too (scheduled-actions.ts).
 *
 * Time runs `speed` times faster than the wall clock: a datapoint published at real time r counts at
 * virtual time start + (r - start) x speed, so 60-s periods, 3-of-3 alarms and 300-s cooldowns all
 * shrink by the same factor. A second of data is read once it is 2 s old (requests still in flight);
 * that wait, on the virtual clock, is the publication delay.
 *
 * Where it may run is emulator/endpoint.ts's business, checked before any AWS call.
 */
import {
    DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand, type ScalingPolicy,
} from "@aws-sdk/client-application-auto-scaling";
import {
    DescribeAlarmsCommand, GetMetricDataCommand, SetAlarmStateCommand, type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { ECS_DESIRED_COUNT, ECS_NAMESPACE, ecsResourceIdPrefix } from "../aws/scaling-ids";
import type { Logger } from "../runtime/aws/logger";
import { formatActivityRecord, taskChangeEvent } from "../scaling/activity-record";
import type { AlarmState, ComparisonOperator, TreatMissingData } from "../scaling/engine/alarm";
import { enginePoliciesFromAws, type DescribedAlarm, type DescribedPolicy, type MetricIdentity } from "../scaling/engine/from-aws";
import { engineParams, type EngineParams } from "../scaling/engine/params";
import { AwsScalingEngine } from "../scaling/engine/scaler";
import type { RelativeStep } from "../scaling/plan";
import type { Statistic } from "../scaling/metric-series";
import type { EvidenceClients } from "../proof/evidence-collect";
import { UsageError } from "../input/usage";
import { send } from "./call";
import { runScheduledActions } from "./scheduled-actions";

/** The emulator talks to the same three services evidence reads, through the same client shape. */
export type EmulatorClients = EvidenceClients;

export interface EmulatorOptions {
    readonly cluster: string;
    /** Only this service (default: every scalable target of the cluster). */
    readonly service?: string;
    readonly speed: number;
    /** Virtual seconds between two passes (default 10: the evaluation cadence of sub-minute alarms). */
    readonly tickSeconds?: number;
    /**
     * Real seconds a second of metric data is left before it is read, so PutMetricData requests still in
     * flight are not missed (default 2). On the virtual clock this is the publication delay.
     */
    readonly readLagSeconds?: number;
    readonly params?: EngineParams;
    /** The endpoint's URL, as messages name it. */
    readonly endpoint?: string;
    /** With no scalable target yet: wait for one (a progress line per look) instead of a NoScalableTargetError. */
    readonly wait?: boolean;
    /** Real ms between two looks for a scalable target while waiting (default 5000). */
    readonly waitPollMs?: number;
}

/** The endpoint holds no scalable target to emulate (the CLI exits 2 with its message). */
export class NoScalableTargetError extends UsageError {}

export interface EmulatorDeps extends EmulatorClients {
    /** Epoch ms. */
    readonly clock: () => number;
    readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    /** Appends one activity-record line. */
    readonly record: (line: string) => Promise<void>;
    readonly logger?: Logger;
    readonly signal?: AbortSignal;
    /** A progress line while waiting (on stderr in the CLI, so a JSON summary on stdout stays clean). */
    readonly progress?: (line: string) => void;
}

export interface EmulatorSummary {
    readonly targets: readonly string[];
    readonly activities: number;
    readonly alarmChanges: number;
    readonly skipped: readonly string[];
}

function identity(m: { Namespace?: string; MetricName?: string; Dimensions?: { Name?: string; Value?: string }[] }, statistic: string | undefined): MetricIdentity {
    return {
        namespace: m.Namespace ?? "", metricName: m.MetricName ?? "",
        dimensions: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name ?? "", d.Value ?? ""])),
        statistic: (statistic ?? "Average") as Statistic,
    };
}

function describedPolicy(p: ScalingPolicy): DescribedPolicy {
    const tt = p.TargetTrackingScalingPolicyConfiguration;
    const st = p.StepScalingPolicyConfiguration;
    const steps: RelativeStep[] = (st?.StepAdjustments ?? []).map((s) => ({
        ...(s.MetricIntervalLowerBound !== undefined ? { metricIntervalLowerBound: Number(s.MetricIntervalLowerBound) } : {}),
        ...(s.MetricIntervalUpperBound !== undefined ? { metricIntervalUpperBound: Number(s.MetricIntervalUpperBound) } : {}),
        scalingAdjustment: s.ScalingAdjustment ?? 0,
    }));
    const custom = tt?.CustomizedMetricSpecification;
    return {
        policyName: p.PolicyName ?? "", policyARN: p.PolicyARN ?? "", policyType: p.PolicyType ?? "",
        alarmNames: (p.Alarms ?? []).map((a) => a.AlarmName ?? ""),
        ...(tt ? {
            targetTracking: {
                targetValue: tt.TargetValue ?? 0,
                ...(custom?.MetricName ? { customized: identity(custom, custom.Statistic) } : {}),
                ...(tt.PredefinedMetricSpecification?.PredefinedMetricType ? { predefinedMetricType: tt.PredefinedMetricSpecification.PredefinedMetricType } : {}),
                ...(tt.ScaleOutCooldown !== undefined ? { scaleOutCooldown: tt.ScaleOutCooldown } : {}),
                ...(tt.ScaleInCooldown !== undefined ? { scaleInCooldown: tt.ScaleInCooldown } : {}),
                ...(tt.DisableScaleIn !== undefined ? { disableScaleIn: tt.DisableScaleIn } : {}),
            },
        } : {}),
        ...(st ? {
            step: {
                adjustmentType: (st.AdjustmentType ?? "ChangeInCapacity") as "ChangeInCapacity",
                stepAdjustments: steps,
                ...(st.MinAdjustmentMagnitude !== undefined ? { minAdjustmentMagnitude: st.MinAdjustmentMagnitude } : {}),
                ...(st.Cooldown !== undefined ? { cooldown: st.Cooldown } : {}),
                ...(st.MetricAggregationType ? { metricAggregationType: st.MetricAggregationType as "Average" } : {}),
            },
        } : {}),
    };
}

function describedAlarm(a: MetricAlarm): DescribedAlarm {
    return {
        name: a.AlarmName ?? "", actions: a.AlarmActions ?? [],
        metric: identity(a, a.Statistic),
        comparisonOperator: (a.ComparisonOperator ?? "GreaterThanThreshold") as ComparisonOperator,
        threshold: a.Threshold ?? 0, period: a.Period ?? 60, evaluationPeriods: a.EvaluationPeriods ?? 1,
        ...(a.DatapointsToAlarm !== undefined ? { datapointsToAlarm: a.DatapointsToAlarm } : {}),
        ...(a.TreatMissingData ? { treatMissingData: a.TreatMissingData as TreatMissingData } : {}),
    };
}

interface EmulatedTarget {
    readonly resourceId: string;
    readonly service: string;
    readonly engine: AwsScalingEngine;
    readonly reported: Map<string, string>;
}

/** Reads targets, policies and alarms, and builds one engine per scalable target. */
async function discover(o: EmulatorOptions, deps: EmulatorDeps, params: EngineParams, virtualStart: number) {
    const prefix = ecsResourceIdPrefix(o.cluster);
    const targets: EmulatedTarget[] = [];
    const metrics = new Map<string, MetricIdentity>();
    const skipped: string[] = [];
    let next: string | undefined;
    const found: { resourceId: string; min: number; max: number }[] = [];
    do {
        const page = await send("DescribeScalableTargets", (abortSignal) => deps.autoscaling.send(
            new DescribeScalableTargetsCommand({ ServiceNamespace: ECS_NAMESPACE, ...(next ? { NextToken: next } : {}) }), { abortSignal }));
        for (const t of page.ScalableTargets ?? []) {
            const id = t.ResourceId ?? "";
            if (!id.startsWith(prefix) || t.ScalableDimension !== ECS_DESIRED_COUNT) continue;
            if (o.service !== undefined && id !== `${prefix}${o.service}`) continue;
            found.push({ resourceId: id, min: t.MinCapacity ?? 0, max: t.MaxCapacity ?? 0 });
        }
        next = page.NextToken;
    } while (next);

    for (const t of found) {
        const policies: ScalingPolicy[] = [];
        let token: string | undefined;
        do {
            const page = await send("DescribeScalingPolicies", (abortSignal) => deps.autoscaling.send(new DescribeScalingPoliciesCommand({
                ServiceNamespace: ECS_NAMESPACE, ResourceId: t.resourceId, ...(token ? { NextToken: token } : {}),
            }), { abortSignal }));
            // moto matches ResourceId as a substring: keep the exact target's policies only.
            policies.push(...(page.ScalingPolicies ?? []).filter((p) => p.ResourceId === t.resourceId));
            token = page.NextToken;
        } while (token);
        const described = policies.map(describedPolicy);
        const alarms: DescribedAlarm[] = [];
        for (const p of described.filter((d) => d.policyType === "StepScaling")) {
            const r = await send("DescribeAlarms", (abortSignal) => deps.cloudwatch.send(new DescribeAlarmsCommand({ ActionPrefix: p.policyARN }), { abortSignal }));
            alarms.push(...(r.MetricAlarms ?? []).map(describedAlarm));
        }
        const converted = enginePoliciesFromAws(t.resourceId, described, alarms, params);
        skipped.push(...converted.skipped.map((s) => `${t.resourceId}: ${s}`));
        converted.metrics.forEach((m, id) => metrics.set(id, m));
        const engine = new AwsScalingEngine({ resourceId: t.resourceId, minCapacity: t.min, maxCapacity: t.max, policies: converted.policies }, params, virtualStart);
        const names = converted.policies.flatMap((p) => (p.kind === "step" ? [p.alarm.name] : [p.alarms.high.name, p.alarms.low.name]));
        const reported = new Map<string, string>();
        if (names.length > 0) {
            const r = await send("DescribeAlarms", (abortSignal) => deps.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }), { abortSignal }));
            for (const a of r.MetricAlarms ?? []) if (a.AlarmName && a.StateValue) reported.set(a.AlarmName, a.StateValue);
        }
        targets.push({ resourceId: t.resourceId, service: t.resourceId.slice(prefix.length), engine, reported });
    }
    return { targets, metrics, skipped };
}

/** The statistics to read per second so that the engine can rebuild the series' statistic exactly. */
function readStats(s: Statistic): Statistic[] {
    return s === "Average" ? ["Sum", "SampleCount"] : [s];
}

/**
 * Runs until `deps.signal` fires: each pass reads the new datapoints, evaluates the alarms that are due
 * on the virtual clock, reports changed alarm states, and applies and records at most one activity per
 * scalable target.
 */
export async function runEmulator(o: EmulatorOptions, deps: EmulatorDeps): Promise<EmulatorSummary> {
    if (!(o.speed > 0)) throw new UsageError(`--speed: ${o.speed} must be a number > 0`);
    const lag = o.readLagSeconds ?? 2;
    // A second is read `lag` s after it ends (and up to 1 s later, reads are by whole seconds): that is
    // the publication delay on the virtual clock, so an alarm never evaluates a period not read yet.
    const delay = (lag + 1) * o.speed;
    const params = o.params ?? engineParams({ publicationDelaySeconds: delay, highResolutionPublicationDelaySeconds: delay });
    const tick = o.tickSeconds ?? 10;
    let t0 = deps.clock();
    let found = await discover(o, deps, params, t0 / 1000);
    if (found.targets.length === 0) {
        const what = `${o.service !== undefined ? `ECS service ${o.service} of cluster ${o.cluster}` : `any ECS service of cluster ${o.cluster}`} at ${o.endpoint ?? "the endpoint"}`;
        if (!o.wait) {
            throw new NoScalableTargetError(`no scalable target for ${what} (DescribeScalableTargets holds none); create the stack there first (autoscale up), or pass --wait to wait for one`);
        }
        const waitStart = t0;
        while (found.targets.length === 0) {
            deps.progress?.(`waiting for a scalable target for ${what}: ${Math.round((deps.clock() - waitStart) / 1000)} s`);
            await deps.sleep(o.waitPollMs ?? 5_000, deps.signal);
            if (deps.signal?.aborted) return { targets: [], activities: 0, alarmChanges: 0, skipped: found.skipped };
            t0 = deps.clock();
            found = await discover(o, deps, params, t0 / 1000);
        }
        deps.progress?.(`found ${found.targets.length} scalable target${found.targets.length === 1 ? "" : "s"} after ${Math.round((t0 - waitStart) / 1000)} s`);
    }
    const virtual = (ms: number) => t0 / 1000 + ((ms - t0) / 1000) * o.speed;
    const { targets, metrics, skipped } = found;
    // Data is read in 1-s points: a period shorter than 1 real second would get none in some periods.
    for (const t of targets) {
        for (const p of t.engine.target.policies) {
            for (const a of p.kind === "step" ? [p.alarm] : [p.alarms.high, p.alarms.low]) {
                if (a.period / o.speed < 1) {
                    throw new UsageError(`--speed: ${o.speed} makes the ${a.period}-s period of alarm ${a.name} last ${(a.period / o.speed).toFixed(2)} s, ` +
                        `shorter than the 1-s datapoints read from the endpoint; use --speed <= ${a.period}`);
                }
            }
        }
    }
    for (const s of skipped) deps.logger?.warn({ skipped: s }, `not emulated: ${s}`);
    deps.logger?.info({ targets: targets.map((t) => t.resourceId), metrics: [...metrics.keys()], speed: o.speed }, `emulating ${targets.length} scalable targets at ${o.speed}x`);
    // Whole seconds already read, per metric id.
    const readUpTo = new Map<string, number>([...metrics.keys()].map((id) => [id, Math.floor(t0 / 1000 - lag)]));
    let activities = 0;
    let alarmChanges = 0;
    let lastPass = virtual(t0);
    const warned = new Set<string>();

    while (!deps.signal?.aborted) {
        const nowMs = deps.clock();
        const end = Math.floor(nowMs / 1000 - lag);
        for (const [id, m] of metrics) {
            const start = readUpTo.get(id)!;
            if (end <= start) continue;
            const stats = readStats(m.statistic);
            const r = await send("GetMetricData", (abortSignal) => deps.cloudwatch.send(new GetMetricDataCommand({
                StartTime: new Date(start * 1000), EndTime: new Date(end * 1000), ScanBy: "TimestampAscending",
                MetricDataQueries: stats.map((stat, i) => ({
                    Id: `q${i}`, ReturnData: true,
                    MetricStat: {
                        Metric: { Namespace: m.namespace, MetricName: m.metricName, Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })) },
                        Period: 1, Stat: stat,
                    },
                })),
            }), { abortSignal }));
            readUpTo.set(id, end);
            const series = stats.map((_, i) => {
                const res = (r.MetricDataResults ?? []).find((x) => x.Id === `q${i}`);
                const byTime = new Map<number, number>();
                (res?.Timestamps ?? []).forEach((ts, k) => byTime.set(Math.floor(new Date(ts).getTime() / 1000), res!.Values![k]));
                return byTime;
            });
            for (const [second, value] of series[0]) {
                if (second < start || second >= end) continue;
                const v = virtual(second * 1000 + 500);
                for (const t of targets) {
                    if (m.statistic === "Average") {
                        const count = series[1].get(second) ?? 0;
                        if (count > 0) t.engine.observe(id, v, value / count, count);
                    } else {
                        t.engine.observe(id, v, value);
                    }
                }
            }
        }

        const vnow = virtual(nowMs);
        for (const t of targets) {
            const d = await send("DescribeServices", (abortSignal) => deps.ecs.send(new DescribeServicesCommand({ cluster: o.cluster, services: [t.service] }), { abortSignal }));
            const svc = d.services?.[0];
            if (!svc) {
                deps.logger?.warn({ resourceId: t.resourceId }, "service not found; skipped this pass");
                continue;
            }
            const scheduled = await runScheduledActions({
                clients: deps, cluster: o.cluster, service: t.service, resourceId: t.resourceId, engine: t.engine,
                desired: svc.desiredCount ?? 0, tasks: (svc.runningCount ?? 0) + (svc.pendingCount ?? 0),
                fromMs: lastPass * 1000, toMs: vnow * 1000, clock: deps.clock, record: deps.record, warned, ...(deps.logger ? { logger: deps.logger } : {}),
            });
            activities += scheduled.fired;
            const desired = scheduled.desired;
            const result = t.engine.tick(vnow, { desired, running: svc.runningCount ?? 0 });
            for (const tr of result.transitions) {
                const state = tr.to as AlarmState;
                if (t.reported.get(tr.alarm) === state) continue;
                const points = tr.datapoints.map((x) => (x === null ? "missing" : String(Math.round(x * 1000) / 1000))).join(", ");
                await send("SetAlarmState", (abortSignal) => deps.cloudwatch.send(new SetAlarmStateCommand({
                    AlarmName: tr.alarm, StateValue: state,
                    StateReason: `Emulated evaluation: datapoints [${points}] (oldest first) -> ${state}`,
                }), { abortSignal }));
                t.reported.set(tr.alarm, state);
                alarmChanges++;
                deps.logger?.info({ alarm: tr.alarm, from: tr.from, to: state, datapoints: tr.datapoints }, `alarm ${tr.alarm} ${tr.from} -> ${state}`);
            }
            const a = result.activity;
            if (!a) continue;
            await send("UpdateService", (abortSignal) => deps.ecs.send(new UpdateServiceCommand({ cluster: o.cluster, service: t.service, desiredCount: a.newDesired }), { abortSignal }));
            // The endpoint keeps no service events (moto): record the one ECS's scheduler would, from the tasks it reported.
            const event = taskChangeEvent(t.service, scheduled.tasks, a.newDesired);
            const line = formatActivityRecord({
                time: new Date(deps.clock()).toISOString(), resourceId: t.resourceId, policy: a.policy, ...(a.alarm ? { alarm: a.alarm } : {}),
                oldDesired: a.oldDesired, newDesired: a.newDesired, cause: a.cause, ...(event ? { event } : {}),
            });
            await deps.record(line);
            activities++;
            deps.logger?.info({ resourceId: t.resourceId, policy: a.policy, alarm: a.alarm, oldDesired: a.oldDesired, newDesired: a.newDesired }, a.cause);
        }
        lastPass = vnow;
        await deps.sleep((tick * 1000) / o.speed, deps.signal);
    }
    return { targets: targets.map((t) => t.resourceId), activities, alarmChanges, skipped };
}
