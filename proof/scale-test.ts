/**
 * The tests behind `autoscale scale-test <verify|scale-up|scale-down|all> --stack <name> --service <key>`:
 *
 *   verify      the live scalable target, policies and alarms against the stack's plan (read-only);
 *               one line per difference (key, expected, live); any fails the test
 *   scale-up    applies the load the service scales on (messages into its queue, HTTP with autocannon,
 *               or the custom metric) and measures, from the first load, the time to the first
 *               desired-count change, to the count the plan needs, and to that many running tasks
 *   scale-down  stops the load (publishes the LOW value for a custom metric) and measures the time
 *               back to the minimum
 *   all         verify, scale-up, scale-down
 *
 * The plan is checked against the stack before any AWS call; the report says what was measured, also
 * when a stop signal ended the run (the load is stopped first).
 */
import { DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { DescribeAlarmsCommand, type MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { ECS_DESIRED_COUNT, ECS_NAMESPACE, ecsResourceId, targetTrackingAlarmPrefix } from "../aws/scaling-ids";
import { ConfigError } from "../config/errors";
import type { StackConfig } from "../config/load";
import { loadStackFile } from "../config/stack-file";
import { apiCall } from "../runtime/aws/call";
import {
    createApplicationAutoScalingClient, createCloudWatchClient, createEcsClient, createSqsClient,
} from "../runtime/aws/clients";
import { realSleep } from "../runtime/autoscaler/time";
import { allPolicies } from "./evidence-collect";
import { MAX_HTTP_MS, MAX_MESSAGES, httpLoad, metricLoad, sqsLoad, type RunningLoad } from "../load/traffic";
import { plannedService, type PlannedService } from "./plan-aws";
import {
    loadKindOf, missedBudget, plannedCount, serviceCounts, watchCounts, type LoadKind, type PhaseResult,
} from "./scale-measure";
import { UsageError, parseCount, parseDuration } from "../input/usage";
import { differenceLines, verifyDifferences, type Difference, type LiveService } from "./verify-diff";

export const TESTS = ["verify", "scale-up", "scale-down", "all"] as const;
export type TestName = (typeof TESTS)[number];
/** Longest a phase waits for the counts. */
export const MAX_TIMEOUT_MS = 60 * 60_000;

export interface ScaleTestFlags {
    stack?: string;
    service?: string;
    load?: string;
    messages?: string;
    url?: string;
    connections: string;
    value?: string;
    every: string;
    expectScaleUp?: string;
    expectScaleDown?: string;
    timeout: string;
    poll: string;
    out: string;
    dryRun?: boolean;
}

/** Everything a run needs, checked before any AWS call. */
export interface ScaleTestPlan {
    readonly test: TestName;
    readonly stack: StackConfig;
    readonly serviceKey: string;
    readonly cluster: string;
    readonly service: string;
    readonly planned: PlannedService;
    readonly load: LoadKind;
    /** Messages (sqs) or the HIGH value (metric); connections for http. */
    readonly amount: number;
    readonly goal?: number;
    readonly url?: string;
    readonly everyMs: number;
    readonly expectScaleUpMs?: number;
    readonly expectScaleDownMs?: number;
    readonly timeoutMs: number;
    readonly pollMs: number;
    readonly out: string;
}

/** Parses and checks the flags against the stack (read from `root`); throws UsageError naming the flag. */
export function scaleTestPlan(test: string, flags: ScaleTestFlags, root?: string): ScaleTestPlan {
    if (!(TESTS as readonly string[]).includes(test)) throw new UsageError(`test: ${JSON.stringify(test)} must be one of ${TESTS.join(", ")}`);
    if (!flags.stack) throw new UsageError("--stack: (missing) the stack whose Pulumi.<stack>.yaml holds the plan is required");
    if (!flags.service) throw new UsageError("--service: (missing) the service's key in the stack config is required");
    let stack: StackConfig;
    try {
        stack = loadStackFile(flags.stack, {}, root);
    } catch (e) {
        throw new UsageError(`--stack: ${e instanceof ConfigError ? e.message : (e as Error).message}`);
    }
    const svc = stack.services[flags.service];
    if (!svc) throw new UsageError(`--service: "${flags.service}" is not a service of stack ${flags.stack}; expected one of ${Object.keys(stack.services).join(", ")}`);
    const planned = plannedService(svc.plan, stack.names.cluster, svc.name);
    const load = (flags.load ?? loadKindOf(stack, flags.service)) as LoadKind | undefined;
    if (load === undefined) throw new UsageError(`--load: (missing) service ${flags.service} consumes no queue, watches no custom metric and has no load balancer; say which load to apply`);
    if (!["sqs", "http", "metric"].includes(load)) throw new UsageError(`--load: ${JSON.stringify(load)} must be sqs, http or metric`);
    if (load === "sqs" && svc.consumesQueue === undefined) throw new UsageError(`--load: sqs needs a queue consumer; services.${flags.service}.consumesQueue is not set`);
    const tt = svc.plan.policies.find((p) => p.kind === "targetTracking" && p.metric.type === "custom");
    if (load === "metric" && !tt) throw new UsageError(`--load: metric needs a custom-metric target-tracking policy on ${flags.service} (customMetricTest.enabled)`);
    if (load === "http" && !flags.url) throw new UsageError("--url: (missing) the URL to send HTTP load to is required with --load http");

    let amount: number;
    if (load === "sqs") {
        const out = svc.plan.policies.find((p) => p.kind === "step" && p.direction === "out");
        // Default: enough messages for the maximum (the autoscaler, when its messages per task are known) or
        // for the largest step; else 100.
        const a = stack.autoscaler;
        const perTask = a.scaleUpThreshold ?? (a.processingRate === undefined ? undefined : a.acceptableAgeSeconds * a.processingRate);
        const dflt = svc.scaledBy === "queueAutoscaler" && perTask !== undefined ? Math.ceil(svc.plan.maxCapacity * perTask)
            : out && out.kind === "step" ? out.steps[out.steps.length - 1].lower ?? out.alarm.threshold : 100;
        amount = flags.messages !== undefined ? parseCount(flags.messages, "--messages", 1) : dflt;
        if (amount > MAX_MESSAGES) throw new UsageError(`--messages: ${amount} is more than ${MAX_MESSAGES} per run`);
    } else if (load === "metric") {
        const target = tt && tt.kind === "targetTracking" ? tt.targetValue : 0;
        amount = flags.value !== undefined ? Number(flags.value) : 2 * target;
        if (!Number.isFinite(amount)) throw new UsageError(`--value: ${JSON.stringify(flags.value)} is not a number`);
    } else {
        amount = parseCount(flags.connections, "--connections", 1);
    }
    const timeoutMs = parseDuration(flags.timeout, "--timeout");
    if (timeoutMs > MAX_TIMEOUT_MS) throw new UsageError(`--timeout: ${flags.timeout} is longer than ${MAX_TIMEOUT_MS / 60_000} min`);
    const pollMs = parseDuration(flags.poll, "--poll");
    if (pollMs < 100) throw new UsageError(`--poll: ${flags.poll} is under 100 ms`);
    const everyMs = parseDuration(flags.every, "--every");
    if (everyMs < 1_000) throw new UsageError(`--every: ${flags.every} is under 1 s`);
    const goal = plannedCount(stack, flags.service, load, amount);
    return {
        test: test as TestName, stack, serviceKey: flags.service, cluster: stack.names.cluster, service: svc.name, planned, load, amount,
        ...(goal !== undefined ? { goal } : {}),
        ...(flags.url ? { url: flags.url } : {}),
        everyMs, timeoutMs, pollMs, out: flags.out,
        ...(flags.expectScaleUp !== undefined ? { expectScaleUpMs: parseDuration(flags.expectScaleUp, "--expect-scale-up") } : {}),
        ...(flags.expectScaleDown !== undefined ? { expectScaleDownMs: parseDuration(flags.expectScaleDown, "--expect-scale-down") } : {}),
    };
}

/** What --dry-run prints: the plan, the load and the goals, one line each. */
export function dryRunText(p: ScaleTestPlan): string {
    const lines = [
        `stack ${p.stack.stack}, service ${p.serviceKey} (${p.planned.resourceId}), bounds ${p.planned.minCapacity}..${p.planned.maxCapacity}, scaled by ${p.stack.services[p.serviceKey].scaledBy}`,
        ...p.planned.policies.map((x) => `policy ${x.name} (${x.input.PolicyType})${x.alarm ? `, alarm ${x.alarm.AlarmName} ${x.alarm.ComparisonOperator} ${x.alarm.Threshold}` : ""}`),
    ];
    if (p.test !== "verify") {
        const what = p.load === "sqs" ? `${p.amount} messages into ${p.stack.queues[p.stack.services[p.serviceKey].consumesQueue!].name}`
            : p.load === "metric" ? `value ${p.amount} every ${p.everyMs / 1_000} s to the custom metric` : `HTTP to ${p.url} with ${p.amount} connections`;
        lines.push(`scale-up load: ${what}; planned desired count ${p.goal ?? "(not derivable: waiting for max)"}${p.expectScaleUpMs !== undefined ? `, budget ${p.expectScaleUpMs / 1_000} s` : ""}`);
        lines.push(`scale-down: stop the load${p.load === "metric" ? " (publish 0)" : ""}; wait for min ${p.planned.minCapacity}${p.expectScaleDownMs !== undefined ? `, budget ${p.expectScaleDownMs / 1_000} s` : ""}`);
        lines.push(`poll every ${p.pollMs} ms, give up after ${p.timeoutMs / 1_000} s per phase`);
    }
    return `${lines.join("\n")}\n`;
}

/** Reads the live target, policies and alarms of the planned service (read-only). */
export async function readLive(clients: { autoscaling: ReturnType<typeof createApplicationAutoScalingClient>; cloudwatch: ReturnType<typeof createCloudWatchClient> }, p: { cluster: string; service: string; planned: PlannedService }): Promise<LiveService> {
    const targets = await apiCall("DescribeScalableTargets", () => clients.autoscaling.send(new DescribeScalableTargetsCommand({
        ServiceNamespace: ECS_NAMESPACE, ResourceIds: [p.planned.resourceId], ScalableDimension: ECS_DESIRED_COUNT,
    })));
    const t = (targets.ScalableTargets ?? []).find((x) => x.ResourceId === p.planned.resourceId);
    const policies = await allPolicies(clients, p.planned.resourceId);
    const alarms: MetricAlarm[] = [];
    const tt = await apiCall("DescribeAlarms", () => clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: targetTrackingAlarmPrefix(ecsResourceId(p.cluster, p.service)) })));
    alarms.push(...(tt.MetricAlarms ?? []));
    const stepNames = p.planned.policies.flatMap((x) => (x.alarm?.AlarmName ? [x.alarm.AlarmName] : []));
    if (stepNames.length > 0) {
        const step = await apiCall("DescribeAlarms", () => clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: stepNames })));
        alarms.push(...(step.MetricAlarms ?? []).filter((a) => stepNames.includes(a.AlarmName ?? "")));
    }
    return { ...(t ? { target: { minCapacity: t.MinCapacity ?? 0, maxCapacity: t.MaxCapacity ?? 0 } } : {}), policies, alarms };
}

export interface ScaleTestReport {
    readonly stack: string;
    readonly service: string;
    readonly differences?: readonly Difference[];
    readonly results: PhaseResult[];
}

/**
 * Runs the test, writing the verify result through `out`; the report is filled in as it goes, so an
 * interrupted run still has what was measured. Resolves true when it passed: no difference, no budget
 * missed, not interrupted.
 */
export async function runScaleTest(p: ScaleTestPlan, out: (text: string) => void, signal: AbortSignal, report: ScaleTestReport, progress?: (line: string) => void): Promise<boolean> {
    const ecs = createEcsClient();
    const autoscaling = createApplicationAutoScalingClient();
    const cloudwatch = createCloudWatchClient();
    const sqs = createSqsClient();
    let load: RunningLoad | undefined;
    let passed = true;
    try {
        if (p.test === "verify" || p.test === "all") {
            const diffs = verifyDifferences(p.planned, await readLive({ autoscaling, cloudwatch }, p));
            (report as { differences?: Difference[] }).differences = diffs;
            out(diffs.length === 0 ? `verify: live target, policies and alarms match the plan of ${p.serviceKey}\n` : `${differenceLines(diffs).join("\n")}\n`);
            if (diffs.length > 0) passed = false;
        }
        const watch = async (phase: "scale-up" | "scale-down", goal: number, start: number, what: string, budgetMs?: number) => {
            const initial = (await serviceCounts(ecs, p.cluster, p.service)).desired;
            const measurement = await watchCounts(
                { cluster: p.cluster, service: p.service, goal, direction: phase === "scale-up" ? "up" : "down", start, pollMs: p.pollMs, timeoutMs: p.timeoutMs, initialDesired: initial },
                { ecs, clock: Date.now, sleep: realSleep, signal, ...(progress ? { progress } : {}) },
            );
            const r: PhaseResult = { phase, load: what, measurement, ...(budgetMs !== undefined ? { budgetMs } : {}) };
            report.results.push(r);
            if (missedBudget(r) || (measurement.ended !== undefined && budgetMs !== undefined)) passed = false;
            return r;
        };
        const series = p.stack.customMetricTest.series;
        if ((p.test === "scale-up" || p.test === "all") && !signal.aborted) {
            const start = Date.now();
            if (p.load === "sqs") {
                const queueName = p.stack.queues[p.stack.services[p.serviceKey].consumesQueue!].name;
                const url = (await apiCall("GetQueueUrl", () => sqs.send(new GetQueueUrlCommand({ QueueName: queueName })))).QueueUrl!;
                load = await sqsLoad(sqs, url, p.amount, `scale-test-${start}`);
            } else if (p.load === "metric") {
                load = metricLoad(cloudwatch, series!, p.amount, p.everyMs, p.timeoutMs);
            } else {
                load = httpLoad(p.url!, p.amount, Math.min(MAX_HTTP_MS, p.timeoutMs));
            }
            await watch("scale-up", p.goal ?? p.planned.maxCapacity, start, load.describe(), p.expectScaleUpMs);
        }
        if ((p.test === "scale-down" || p.test === "all") && !signal.aborted) {
            await load?.stop();
            load = undefined;
            const start = Date.now();
            // A custom metric scales in only on values below the target: publish the LOW phase of seed 000.
            if (p.load === "metric") load = metricLoad(cloudwatch, series!, 0, p.everyMs, p.timeoutMs);
            await watch("scale-down", p.planned.minCapacity, start, p.load === "metric" ? "value 0 to the custom metric" : "load stopped", p.expectScaleDownMs);
        }
    } finally {
        await load?.stop();
        ecs.destroy();
        autoscaling.destroy();
        cloudwatch.destroy();
        sqs.destroy();
    }
    return passed && !signal.aborted;
}
