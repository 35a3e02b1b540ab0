/**
 * Failure simulation: stop a worker task, drain the service, or cut the workers off their SQS queue
 * for a while; each run reports what it did and how long the service took to recover.
 *
 * Off by default and refused unless `allowed` is true: a refused run throws ChaosNotAllowedError
 * before any API call. Every disruption is undone in a `finally`, so an interrupted wait (stop,
 * SIGTERM: abort the `signal`) or an error still restores what was there before.
 */
import { DescribeTasksCommand, ListTasksCommand, StopTaskCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { apiCall, operationOf } from "../aws/call";
import type { Logger } from "../aws/logger";
import { describeServiceCounts, setDesiredCount } from "./actuator";
import type { AutoscalerMetrics } from "./metrics";
import { pause, realSleep, type Sleep } from "./time";
import type { ServiceCounts } from "./types";

export const CHAOS_KINDS = ["stop-task", "drain", "partition"] as const;
export type ChaosKind = (typeof CHAOS_KINDS)[number];

/** "done": the disruption happened; "nothing_to_do": nothing to disrupt; "interrupted": stopped mid-run (and restored); "failed": an error. */
export type ChaosOutcome = "done" | "nothing_to_do" | "interrupted" | "failed";

/** Sid of the Deny statement the partition adds to the queue policy. */
export const PARTITION_SID = "ecs-autoscaling-partition";
/** Actions the partition denies the worker role on the queue. */
export const PARTITION_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"] as const;
/** The reason StopTask records (visible in the stopped task's `stoppedReason`). */
export const STOP_TASK_REASON = "ecs-autoscaling failure simulation (stop-task): worker stopped on purpose";

/** Refused run: failure simulation is not allowed. */
export class ChaosNotAllowedError extends Error {
    constructor(kind: string) {
        super(`failure simulation "${kind}" refused: failure simulation is not allowed (set --chaos-allowed or CHAOS_ALLOWED=true)`);
        this.name = "ChaosNotAllowedError";
    }
}

/** What a failure simulation acts on. */
export interface ChaosTarget {
    readonly ecs: ECSClient;
    /** Cluster name or ARN. */
    readonly cluster: string;
    /** Service name (its tasks have group `service:<name>`). */
    readonly service: string;
    /** Partition only. */
    readonly sqs?: SQSClient;
    /** Partition only: the queue the workers read. */
    readonly queueUrl?: string;
    /** Partition only: the worker task role ARN the Deny statement names. */
    readonly workerRoleArn?: string;
}

export interface ChaosOptions {
    /** Must be true, or every run is refused. */
    readonly allowed: boolean;
    /** Epoch milliseconds; default Date.now. */
    readonly clock?: () => number;
    /** Default: real time. */
    readonly sleep?: Sleep;
    readonly logger?: Logger;
    /** [0, 1); picks the task to stop; default Math.random. */
    readonly random?: () => number;
    /** Aborting it cuts waits short; what was disrupted is restored before the run returns. */
    readonly signal?: AbortSignal;
    /** DescribeServices polling interval while draining and measuring recovery, ms; default 5000. */
    readonly pollIntervalMs?: number;
    /** How long to wait for recovery (running >= desired), ms; default 300000. */
    readonly recoveryTimeoutMs?: number;
    /** How long a drain waits for running to reach 0 before restoring, ms; default 300000. */
    readonly drainTimeoutMs?: number;
    /** How long the partition lasts, ms; default 60000. */
    readonly partitionDurationMs?: number;
}

export interface Recovery {
    readonly recovered: boolean;
    /** Seconds from the end of the disruption until running >= desired (or until giving up). */
    readonly seconds: number;
    readonly text: string;
}

export interface ChaosReport {
    readonly kind: ChaosKind;
    readonly outcome: ChaosOutcome;
    /** What the run did, in words. */
    readonly action: string;
    readonly startedAt: number;
    readonly durationMs: number;
    /** Measured after the disruption ended; absent when nothing was disrupted or the run was interrupted. */
    readonly recovery?: Recovery;
    readonly details: Readonly<Record<string, unknown>>;
}

interface Context {
    readonly t: ChaosTarget;
    readonly clock: () => number;
    readonly sleep: Sleep;
    readonly logger?: Logger;
    readonly random: () => number;
    readonly signal?: AbortSignal;
    readonly pollMs: number;
    readonly recoveryTimeoutMs: number;
    readonly drainTimeoutMs: number;
    readonly partitionMs: number;
}

type Result = Omit<ChaosReport, "kind" | "startedAt" | "durationMs">;

/**
 * Runs one failure simulation and logs its report. Refused (ChaosNotAllowedError, no API call) unless
 * options.allowed; partition also needs target.sqs, queueUrl and workerRoleArn.
 */
export async function runChaos(kind: ChaosKind, target: ChaosTarget, options: ChaosOptions): Promise<ChaosReport> {
    if (!options.allowed) throw new ChaosNotAllowedError(kind);
    if (!(CHAOS_KINDS as readonly string[]).includes(kind)) {
        throw new Error(`unknown failure simulation "${kind}"; expected one of ${CHAOS_KINDS.join(", ")}`);
    }
    if (kind === "partition") {
        const missing = (["sqs", "queueUrl", "workerRoleArn"] as const).filter((k) => !target[k]);
        if (missing.length > 0) throw new Error(`failure simulation "partition" needs ${missing.join(", ")}`);
    }
    const ctx: Context = {
        t: target,
        clock: options.clock ?? Date.now,
        sleep: options.sleep ?? realSleep,
        logger: options.logger,
        random: options.random ?? Math.random,
        signal: options.signal,
        pollMs: options.pollIntervalMs ?? 5_000,
        recoveryTimeoutMs: options.recoveryTimeoutMs ?? 300_000,
        drainTimeoutMs: options.drainTimeoutMs ?? 300_000,
        partitionMs: options.partitionDurationMs ?? 60_000,
    };
    const startedAt = ctx.clock();
    const result = kind === "stop-task" ? await stopTask(ctx) : kind === "drain" ? await drain(ctx) : await partition(ctx);
    const report: ChaosReport = { kind, startedAt, durationMs: ctx.clock() - startedAt, ...result };
    ctx.logger?.info({ chaos: kind, outcome: report.outcome, action: report.action, durationMs: report.durationMs, recovery: report.recovery, ...report.details },
        `failure simulation ${kind}: ${report.action}${report.recovery ? `; ${report.recovery.text}` : ""}`);
    return report;
}

function describeCounts(t: ChaosTarget): Promise<ServiceCounts> {
    return describeServiceCounts(t.ecs, t.cluster, t.service);
}

function setDesired(t: ChaosTarget, desiredCount: number): Promise<void> {
    return setDesiredCount(t.ecs, t.cluster, t.service, desiredCount);
}

/**
 * Undo step: tried up to 5 times, 1 s, 2 s, 4 s, 8 s apart, on the injected sleep but never cut short
 * (a restore must not be abandoned because the process is stopping).
 */
async function restore(ctx: Context, what: string, action: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        try {
            await action();
            return;
        } catch (error) {
            if (attempt >= 5) {
                ctx.logger?.error({ err: error, attempt }, `failure simulation could not restore ${what}; restore it by hand`);
                throw error;
            }
            ctx.logger?.warn({ err: error, attempt }, `restoring ${what} failed; retrying`);
            await ctx.sleep(1000 * 2 ** (attempt - 1));
        }
    }
}

/** Polls DescribeServices until running >= desired, bounded by the recovery timeout. */
async function waitForRecovery(ctx: Context): Promise<Recovery | undefined> {
    const start = ctx.clock();
    let lastError: string | undefined;
    for (;;) {
        try {
            const c = await describeCounts(ctx.t);
            if (c.running >= c.desired) {
                const seconds = (ctx.clock() - start) / 1000;
                return { recovered: true, seconds, text: `recovered in ${seconds}s (running ${c.running} >= desired ${c.desired})` };
            }
            lastError = undefined;
        } catch (error) {
            lastError = error instanceof Error ? error.message : String(error);
        }
        const elapsed = ctx.clock() - start;
        if (elapsed >= ctx.recoveryTimeoutMs) {
            const limit = ctx.recoveryTimeoutMs / 1000;
            return { recovered: false, seconds: elapsed / 1000, text: `not recovered within ${limit}s${lastError ? ` (last error: ${lastError})` : ""}` };
        }
        if (!(await pause(ctx.sleep, Math.min(ctx.pollMs, ctx.recoveryTimeoutMs - elapsed), ctx.signal))) return undefined;
    }
}

async function stopTask(ctx: Context): Promise<Result> {
    const { t } = ctx;
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
        const page = await apiCall("ListTasks", () =>
            t.ecs.send(new ListTasksCommand({ cluster: t.cluster, serviceName: t.service, desiredStatus: "RUNNING", nextToken })));
        arns.push(...(page.taskArns ?? []));
        nextToken = page.nextToken;
    } while (nextToken);
    // ListTasks' serviceName filter is not honoured everywhere (moto ignores it): keep the service's
    // own tasks by their group.
    const group = `service:${t.service}`;
    const workers: string[] = [];
    for (let i = 0; i < arns.length; i += 100) {
        const batch = arns.slice(i, i + 100);
        const out = await apiCall("DescribeTasks", () => t.ecs.send(new DescribeTasksCommand({ cluster: t.cluster, tasks: batch })));
        for (const task of out.tasks ?? []) if (task.group === group && task.taskArn) workers.push(task.taskArn);
    }
    if (workers.length === 0) {
        return { outcome: "nothing_to_do", action: `no running task of service ${t.service} to stop`, details: { listed: arns.length } };
    }
    const task = workers[Math.min(workers.length - 1, Math.floor(ctx.random() * workers.length))]!;
    await apiCall("StopTask", () => t.ecs.send(new StopTaskCommand({ cluster: t.cluster, task, reason: STOP_TASK_REASON })));
    const recovery = await waitForRecovery(ctx);
    return {
        outcome: recovery ? "done" : "interrupted",
        action: `stopped task ${task} (1 of ${workers.length} running)`,
        recovery,
        details: { task, candidates: workers.length },
    };
}

async function drain(ctx: Context): Promise<Result> {
    const { t } = ctx;
    const before = await describeCounts(t);
    if (before.desired === 0) {
        return { outcome: "nothing_to_do", action: `service ${t.service} already has desired 0`, details: { previousDesired: 0 } };
    }
    let drained = false;
    let waitedMs = 0;
    await setDesired(t, 0);
    try {
        const start = ctx.clock();
        for (;;) {
            const c = await describeCounts(t);
            waitedMs = ctx.clock() - start;
            if (c.running === 0) {
                drained = true;
                break;
            }
            if (waitedMs >= ctx.drainTimeoutMs) break;
            if (!(await pause(ctx.sleep, Math.min(ctx.pollMs, ctx.drainTimeoutMs - waitedMs), ctx.signal))) break;
        }
    } finally {
        await restore(ctx, `desired count ${before.desired} of ${t.service}`, () => setDesired(t, before.desired));
    }
    const interrupted = ctx.signal?.aborted ?? false;
    const recovery = interrupted ? undefined : await waitForRecovery(ctx);
    const drainText = drained ? `drained to 0 running in ${waitedMs / 1000}s` : `running did not reach 0 within ${waitedMs / 1000}s`;
    return {
        outcome: interrupted || !recovery ? "interrupted" : "done",
        action: `set desired of ${t.service} from ${before.desired} to 0, ${drainText}, restored desired ${before.desired}`,
        recovery,
        details: { previousDesired: before.desired, drained, drainSeconds: waitedMs / 1000 },
    };
}

/**
 * The queue policy with the partition's Deny statement added. `previous` is the queue's current
 * Policy attribute (undefined when it has none). Throws when it is not a JSON policy document, or
 * already holds the partition statement (a partition that was never restored).
 */
export function partitionPolicy(previous: string | undefined, queueArn: string, workerRoleArn: string): string {
    const deny = {
        Sid: PARTITION_SID,
        Effect: "Deny",
        Principal: { AWS: workerRoleArn },
        Action: [...PARTITION_ACTIONS],
        Resource: queueArn,
    };
    if (previous === undefined || previous.trim() === "") {
        return JSON.stringify({ Version: "2012-10-17", Statement: [deny] });
    }
    let doc: { Statement?: unknown };
    try {
        doc = JSON.parse(previous);
    } catch {
        throw new Error("the queue's Policy attribute is not JSON; refusing to change it");
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error("the queue's Policy attribute is not a policy document; refusing to change it");
    const statements = doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    if (statements.some((s: { Sid?: unknown }) => s && s.Sid === PARTITION_SID)) {
        throw new Error(`the queue policy already holds statement "${PARTITION_SID}": an earlier partition was not restored; remove that statement first`);
    }
    return JSON.stringify({ ...doc, Statement: [...statements, deny] });
}

async function partition(ctx: Context): Promise<Result> {
    const t = ctx.t;
    const sqs = t.sqs!;
    const QueueUrl = t.queueUrl!;
    const attrs = await apiCall("GetQueueAttributes", () =>
        sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy", "QueueArn"] })));
    const previous = attrs.Attributes?.Policy;
    const queueArn = attrs.Attributes?.QueueArn;
    if (!queueArn) throw new Error(`GetQueueAttributes returned no QueueArn for ${QueueUrl}`);
    const policy = partitionPolicy(previous, queueArn, t.workerRoleArn!);
    await apiCall("SetQueueAttributes", () => sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: policy } })));
    const cutAt = ctx.clock();
    let lasted = 0;
    try {
        await pause(ctx.sleep, ctx.partitionMs, ctx.signal);
    } finally {
        lasted = ctx.clock() - cutAt;
        await restore(ctx, `the Policy of ${QueueUrl}`, async () => {
            await apiCall("SetQueueAttributes", () => sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: previous ?? "" } })));
        });
    }
    const interrupted = ctx.signal?.aborted ?? false;
    const recovery = interrupted ? undefined : await waitForRecovery(ctx);
    return {
        outcome: interrupted || !recovery ? "interrupted" : "done",
        action: `denied ${t.workerRoleArn} ${PARTITION_ACTIONS.join(", ")} on ${queueArn} for ${lasted / 1000}s, then restored the ${previous === undefined ? "absent" : "previous"} policy`,
        recovery,
        details: { queueArn, workerRoleArn: t.workerRoleArn, partitionSeconds: lasted / 1000, hadPolicy: previous !== undefined },
    };
}

/** The schedule of each kind: off unless enabled; every `intervalMs` when on. */
export interface ChaosSchedule {
    readonly stopTask: { readonly enabled: boolean; readonly intervalMs: number };
    readonly drain: { readonly enabled: boolean; readonly intervalMs: number };
    readonly partition: { readonly enabled: boolean; readonly intervalMs: number; readonly durationMs: number };
}

export interface ChaosSchedulerOptions extends Omit<ChaosOptions, "signal" | "partitionDurationMs"> {
    readonly target: ChaosTarget;
    readonly schedule: ChaosSchedule;
    readonly metrics?: AutoscalerMetrics;
    /** Wraps drain runs, e.g. ControlLoop.hold, so the autoscaler does not undo the drain meanwhile. */
    readonly hold?: <T>(run: () => Promise<T>) => Promise<T>;
}

/**
 * Runs the enabled simulations on their intervals, one at a time, on the injected clock and sleep.
 * A failed run is logged and counted and the schedule goes on. stop() cuts the current wait short,
 * lets the current run restore what it disrupted, and resolves after that.
 */
export class ChaosScheduler {
    private readonly o: ChaosSchedulerOptions;
    private readonly abort = new AbortController();
    private running?: Promise<void>;
    /** Reports of the runs so far, oldest first. */
    readonly reports: ChaosReport[] = [];

    constructor(options: ChaosSchedulerOptions) {
        this.o = options;
    }

    /** The kinds that are enabled, with their intervals. */
    enabledKinds(): { kind: ChaosKind; intervalMs: number }[] {
        const s = this.o.schedule;
        const all: { kind: ChaosKind; enabled: boolean; intervalMs: number }[] = [
            { kind: "stop-task", ...s.stopTask },
            { kind: "drain", ...s.drain },
            { kind: "partition", ...s.partition },
        ];
        return all.filter((k) => k.enabled).map(({ kind, intervalMs }) => ({ kind, intervalMs }));
    }

    /** Starts the schedule; throws ChaosNotAllowedError if a kind is enabled but simulation is not allowed. */
    start(): void {
        const kinds = this.enabledKinds();
        if (kinds.length === 0 || this.running) return;
        if (!this.o.allowed) throw new ChaosNotAllowedError(kinds.map((k) => k.kind).join(", "));
        this.running = this.run(kinds);
    }

    stop(): Promise<void> {
        this.abort.abort();
        return this.running ?? Promise.resolve();
    }

    private async run(kinds: { kind: ChaosKind; intervalMs: number }[]): Promise<void> {
        const clock = this.o.clock ?? Date.now;
        const sleep = this.o.sleep ?? realSleep;
        const signal = this.abort.signal;
        const due = new Map(kinds.map((k) => [k.kind, clock() + k.intervalMs]));
        while (!signal.aborted) {
            const [kind, at] = [...due.entries()].reduce((a, b) => (b[1] < a[1] ? b : a));
            const wait = at - clock();
            if (wait > 0 && !(await pause(sleep, wait, signal))) break;
            await this.runOne(kind, signal);
            due.set(kind, clock() + kinds.find((k) => k.kind === kind)!.intervalMs);
        }
    }

    private async runOne(kind: ChaosKind, signal: AbortSignal): Promise<void> {
        const options: ChaosOptions = { ...this.o, signal, partitionDurationMs: this.o.schedule.partition.durationMs };
        const go = () => runChaos(kind, this.o.target, options);
        try {
            const report = await (kind === "drain" && this.o.hold ? this.o.hold(go) : go());
            this.reports.push(report);
            this.o.metrics?.chaosRun(kind, report.outcome);
        } catch (error) {
            this.o.metrics?.chaosRun(kind, "failed");
            this.o.metrics?.apiError(operationOf(error));
            this.o.logger?.error({ chaos: kind, err: error, operation: operationOf(error) }, `failure simulation ${kind} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
    }
}
