/**
 * The metric publisher behind `autoscale metric publish`: sends a publish plan (load/publish-plan.ts)
 * datapoint by datapoint on an absolute schedule, or lists the exact requests it would send.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { apiCall } from "../runtime/aws/call";
import { seriesKey } from "../scaling/metric-series";
import { pointOffsetMs, putMetricDataInput, type PublishPlan } from "./publish-plan";

/** A progress display for one phase. */
export interface PhaseProgress {
    update(sent: number): void;
    stop(): void;
}

export interface PublishDeps {
    readonly cloudwatch: Pick<CloudWatchClient, "send">;
    /** Epoch ms. */
    readonly clock: () => number;
    /** Waits, or less when the signal fires. */
    readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    readonly progress: (label: string, total: number) => PhaseProgress;
    readonly signal?: AbortSignal;
}

export interface PublishSummary {
    readonly series: string;
    readonly sent: number;
    readonly planned: number;
    readonly phases: readonly { readonly value: number; readonly planned: number; readonly sent: number }[];
    /** The stop reason when it was interrupted. */
    readonly interrupted?: string;
}

/**
 * Sends every datapoint of the plan at its offset from the start (absolute schedule, so slow calls do
 * not stretch the phases). Stops between datapoints when `signal` fires.
 */
export async function publishPlan(plan: PublishPlan, deps: PublishDeps): Promise<PublishSummary> {
    const start = deps.clock();
    const sentPerPhase = plan.phases.map(() => 0);
    let interrupted: string | undefined;
    outer: for (let p = 0; p < plan.phases.length; p++) {
        const phase = plan.phases[p];
        const bar = deps.progress(`phase ${p + 1}/${plan.phases.length} value ${phase.value}`, phase.points);
        try {
            for (let i = 0; i < phase.points; i++) {
                const wait = start + pointOffsetMs(plan, p, i) - deps.clock();
                if (wait > 0) await deps.sleep(wait, deps.signal);
                if (deps.signal?.aborted) {
                    interrupted = String(deps.signal.reason ?? "aborted");
                    break outer;
                }
                const input = putMetricDataInput(plan.series, phase.value, new Date(deps.clock()), plan.everyMs);
                await apiCall("PutMetricData", () => deps.cloudwatch.send(new PutMetricDataCommand(input)));
                sentPerPhase[p]++;
                bar.update(sentPerPhase[p]);
            }
        } finally {
            bar.stop();
        }
    }
    return {
        series: seriesKey(plan.series),
        sent: sentPerPhase.reduce((a, b) => a + b, 0),
        planned: plan.totalPoints,
        phases: plan.phases.map((ph, i) => ({ value: ph.value, planned: ph.points, sent: sentPerPhase[i] })),
        ...(interrupted !== undefined ? { interrupted } : {}),
    };
}

/** The exact requests of a plan, as if it started at `start`, one JSON line each. */
export function dryRunLines(plan: PublishPlan, start: number): string[] {
    const lines: string[] = [];
    plan.phases.forEach((phase, p) => {
        for (let i = 0; i < phase.points; i++) {
            const offset = pointOffsetMs(plan, p, i);
            lines.push(JSON.stringify({ offsetSeconds: offset / 1_000, phase: p + 1, input: putMetricDataInput(plan.series, phase.value, new Date(start + offset), plan.everyMs) }));
        }
    });
    return lines;
}
