/**
 * The contract every failure simulation meets (one file per kind beside this one), and what a run
 * reports. Nothing here imports the metrics or the scheduler, so chaos and metrics never import each
 * other.
 */
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "../../aws/logger";
import type { Sleep } from "../time";

export const CHAOS_KINDS = ["stop-task", "drain", "partition"] as const;
export type ChaosKind = (typeof CHAOS_KINDS)[number];

/** "done": the disruption happened; "nothing_to_do": nothing to disrupt; "interrupted": stopped mid-run (and restored); "failed": an error. */
export type ChaosOutcome = "done" | "nothing_to_do" | "interrupted" | "failed";

/** Refused run: failure simulation is not allowed. */
export class ChaosNotAllowedError extends Error {
    constructor(kind: string) {
        super(`failure simulation "${kind}" refused: failure simulation is not allowed (set --chaos-allowed or AUTOSCALER_CHAOS_ALLOWED=true)`);
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

/** What one run of a simulation returns; runChaos adds the kind and the timing. */
export type ChaosResult = Omit<ChaosReport, "kind" | "startedAt" | "durationMs">;

/** Everything a simulation runs with, defaults applied. */
export interface ChaosContext {
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

/**
 * One failure simulation. `run` disrupts and undoes; `heal` undoes what an earlier run left behind
 * when it was killed before it could (SIGKILL after ECS's stop timeout), and says what it did
 * (undefined when there was nothing to heal). Both may be called at any time, by a later process.
 */
export interface FailureSimulation {
    readonly kind: ChaosKind;
    /** Target fields the simulation needs besides ecs, cluster and service. */
    readonly needs: readonly ("sqs" | "queueUrl" | "workerRoleArn")[];
    run(ctx: ChaosContext): Promise<ChaosResult>;
    heal(ctx: ChaosContext): Promise<string | undefined>;
}

/** The schedule of each kind: off unless enabled; every `intervalMs` when on. */
export interface ChaosSchedule {
    readonly stopTask: { readonly enabled: boolean; readonly intervalMs: number };
    readonly drain: { readonly enabled: boolean; readonly intervalMs: number };
    readonly partition: { readonly enabled: boolean; readonly intervalMs: number; readonly durationMs: number };
}
