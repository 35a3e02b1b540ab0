/**
 * What `scale-test scale-up` and `scale-down` measure, and against what: the desired count the plan
 * needs for the load applied (from the same rules that decide it: the queue autoscaler's
 * workersNeeded, a step policy's step, target tracking's proportional rule), and the times, from the
 * first load (or its end), to the first desired-count change, to the planned desired count and to that
 * many running tasks. The polling loop takes injected time, so it is tested without waiting.
 */
import { DescribeServicesCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { workersNeeded } from "../runtime/autoscaler/decision";
import { apiCall } from "../runtime/aws/call";
import type { StackConfig } from "../config/load";
import { stepFor } from "../scaling/plan";
import { formatMs } from "../input/usage";

export type LoadKind = "sqs" | "http" | "metric";

/** The load a service scales on: its queue if it consumes one, the custom metric of its policy, or HTTP. */
export function loadKindOf(stack: StackConfig, serviceKey: string): LoadKind | undefined {
    const svc = stack.services[serviceKey];
    if (svc.consumesQueue !== undefined) return "sqs";
    if (svc.plan.policies.some((p) => p.kind === "targetTracking" && p.metric.type === "custom")) return "metric";
    if (svc.loadBalancer) return "http";
    return undefined;
}

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, n));

/**
 * The desired count the plan needs for `amount` of load, starting from the service's minimum:
 * messages for a queue consumer, the published value for a custom metric. Undefined when the plan
 * has no rule that maps this load to a count (HTTP: utilisation depends on the workload).
 */
export function plannedCount(stack: StackConfig, serviceKey: string, kind: LoadKind, amount: number): number | undefined {
    const svc = stack.services[serviceKey];
    const { minCapacity: min, maxCapacity: max } = svc.plan;
    if (kind === "sqs") {
        if (svc.scaledBy === "queueAutoscaler") {
            // The autoscaler's own sizing needs the processing rate: its opt-in threshold, or the age x a configured rate.
            const a = stack.autoscaler;
            const perTask = a.scaleUpThreshold ?? (a.processingRate === undefined ? undefined : a.acceptableAgeSeconds * a.processingRate);
            return perTask === undefined ? undefined : clamp(workersNeeded(amount, perTask), min, max);
        }
        const out = svc.plan.policies.find((p) => p.kind === "step" && p.direction === "out");
        if (out && out.kind === "step") {
            const step = stepFor(out, amount);
            return step ? clamp(min + step.change, min, max) : min;
        }
        return undefined;
    }
    if (kind === "metric") {
        const tt = svc.plan.policies.find((p) => p.kind === "targetTracking" && p.metric.type === "custom");
        // Target tracking sizes capacity in proportion to metric / target (Application Auto Scaling user guide).
        if (tt && tt.kind === "targetTracking") return clamp(Math.ceil(Math.max(min, 1) * amount / tt.targetValue), min, max);
    }
    return undefined;
}

export interface CountSample {
    /** ms since the start of the measurement. */
    readonly at: number;
    readonly desired: number;
    readonly running: number;
}

export interface Measurement {
    /** What the counts were waited for: the planned count (scale-up) or min (scale-down). */
    readonly goal: number;
    readonly initialDesired: number;
    /** ms from the start to the first desired count different from the initial one. */
    readonly firstChangeMs?: number;
    /** ms to desired == goal (>= for scale-up, <= for scale-down). */
    readonly desiredMs?: number;
    /** ms to running at the goal. */
    readonly runningMs?: number;
    readonly samples: readonly CountSample[];
    /** Why the wait ended before the goal: "timeout" or the stop signal's reason. */
    readonly ended?: string;
}

export interface WatchDeps {
    readonly ecs: Pick<ECSClient, "send">;
    readonly clock: () => number;
    readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    readonly signal?: AbortSignal;
    /** A progress line per reading (`scale-up: 35 s: desired 4, running 2 of goal 5`), so a phase that takes minutes is not silent. */
    readonly progress?: (line: string) => void;
}

/** Desired and running of one service. */
export async function serviceCounts(ecs: Pick<ECSClient, "send">, cluster: string, service: string): Promise<{ desired: number; running: number }> {
    const out = await apiCall("DescribeServices", () => ecs.send(new DescribeServicesCommand({ cluster, services: [service] })));
    const svc = out.services?.find((s) => s.serviceName === service);
    if (!svc) throw new Error(`DescribeServices: service ${service} not found in cluster ${cluster} (${JSON.stringify(out.failures ?? [])})`);
    return { desired: svc.desiredCount ?? 0, running: svc.runningCount ?? 0 };
}

/**
 * Polls the service every `pollMs` from `start` until running reaches `goal` in `direction`, the
 * timeout passes, or the signal fires; records when each threshold was first seen.
 */
export async function watchCounts(
    o: { cluster: string; service: string; goal: number; direction: "up" | "down"; start: number; pollMs: number; timeoutMs: number; initialDesired: number },
    deps: WatchDeps,
): Promise<Measurement> {
    const reached = (n: number) => (o.direction === "up" ? n >= o.goal : n <= o.goal);
    const samples: CountSample[] = [];
    let firstChangeMs: number | undefined;
    let desiredMs: number | undefined;
    let runningMs: number | undefined;
    let ended: string | undefined;
    for (;;) {
        const c = await serviceCounts(deps.ecs, o.cluster, o.service);
        const at = deps.clock() - o.start;
        samples.push({ at, desired: c.desired, running: c.running });
        deps.progress?.(`${o.direction === "up" ? "scale-up" : "scale-down"}: ${Math.round(at / 1000)} s: desired ${c.desired}, running ${c.running} of goal ${o.goal}`);
        if (firstChangeMs === undefined && c.desired !== o.initialDesired) firstChangeMs = at;
        if (desiredMs === undefined && reached(c.desired)) desiredMs = at;
        if (runningMs === undefined && desiredMs !== undefined && reached(c.running)) runningMs = at;
        if (runningMs !== undefined) break;
        if (deps.signal?.aborted) {
            ended = String(deps.signal.reason ?? "aborted");
            break;
        }
        if (at >= o.timeoutMs) {
            ended = "timeout";
            break;
        }
        await deps.sleep(o.pollMs, deps.signal);
    }
    return {
        goal: o.goal, initialDesired: o.initialDesired, samples,
        ...(firstChangeMs !== undefined ? { firstChangeMs } : {}),
        ...(desiredMs !== undefined ? { desiredMs } : {}),
        ...(runningMs !== undefined ? { runningMs } : {}),
        ...(ended !== undefined ? { ended } : {}),
    };
}

export interface PhaseResult {
    readonly phase: "scale-up" | "scale-down";
    readonly load: string;
    readonly measurement: Measurement;
    /** The budget given with --expect-scale-up / --expect-scale-down, ms. */
    readonly budgetMs?: number;
}

/** True when a budget was given and the planned running count was not reached within it. */
export function missedBudget(r: PhaseResult): boolean {
    if (r.budgetMs === undefined) return false;
    return r.measurement.runningMs === undefined || r.measurement.runningMs > r.budgetMs;
}

/** The table of measured times next to the expectation. */
export function resultTable(results: readonly PhaseResult[]): string {
    const rows: string[][] = [["phase", "measure", "measured", "expected"]];
    for (const r of results) {
        const m = r.measurement;
        const budget = r.budgetMs !== undefined ? `<= ${formatMs(r.budgetMs)}${missedBudget(r) ? " MISSED" : " met"}` : "";
        const target = r.phase === "scale-up" ? `planned ${m.goal}` : `min ${m.goal}`;
        rows.push([r.phase, `first desired change (from ${m.initialDesired})`, formatMs(m.firstChangeMs), ""]);
        rows.push([r.phase, `desired at ${target}`, formatMs(m.desiredMs), ""]);
        rows.push([r.phase, `running at ${target}`, formatMs(m.runningMs), budget]);
        if (m.ended) rows.push([r.phase, `ended early: ${m.ended}`, formatMs(m.samples[m.samples.length - 1]?.at), ""]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}
