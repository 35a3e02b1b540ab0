/**
 * The actuator: reads the ECS service's counts and writes its desired count, and nothing else.
 *
 * The autoscaler is not the only writer of a service's desired count (an operator, a deployment, a
 * failure simulation). So the counts are read fresh on every tick, and just before UpdateService
 * they are read again: if the desired count moved since the tick's read, the write is skipped and
 * reported as an external change, and the next tick decides from the new value.
 */
import { DescribeServicesCommand, UpdateServiceCommand, type ECSClient, type Service } from "@aws-sdk/client-ecs";
import { DESCRIBE_SERVICES_MAX_PER_CALL } from "../../aws/api-limits";
import { apiCall, ApiCallError, type ApiErrorListener } from "../aws/call";
import type { Logger } from "../aws/logger";
import { taskStartFromEvents } from "./service-events";
import { formatAction, TAG_LAST_SCALE_DOWN, TAG_LAST_SCALE_UP, writeTags } from "./service-tags";
import { chunks, mapBounded, type CallScope, type TokenBucket } from "./pacing";
import type { Decision, ServiceCounts, ServiceState } from "./types";

export interface EcsActuatorOptions {
    readonly ecs: ECSClient;
    /** Cluster name or ARN. */
    readonly cluster: string;
    /** Service name. */
    readonly service: string;
    /** Log decisions, never call UpdateService; default false. */
    readonly dryRun?: boolean;
    readonly logger?: Logger;
    /** Epoch ms for the action tags; default Date.now. */
    readonly clock?: () => number;
    /** Told when the action tag could not be written (the write of the desired count goes on). */
    readonly onAuxiliaryError?: ApiErrorListener;
}

/**
 * What apply() did:
 * - "unchanged": the decision keeps the desired count; no call made;
 * - "updated": UpdateService set `desired`;
 * - "dry_run": a change was decided but not written;
 * - "external_change": the desired count was changed by someone else since the tick read it
 *   (`observedDesired`); nothing written.
 */
export type ApplyOutcome = "unchanged" | "updated" | "dry_run" | "external_change";

export interface ApplyResult {
    readonly outcome: ApplyOutcome;
    /** The desired count the service has after apply (as far as this actuator knows). */
    readonly desired: number;
    /** The desired count found by the re-read, when it differed from the tick's read. */
    readonly observedDesired?: number;
}

/** The service is missing or not describable. */
export class ServiceNotFoundError extends Error {
    constructor(cluster: string, service: string, reason: string) {
        super(`ECS service "${service}" in cluster "${cluster}" not found: ${reason}`);
        this.name = "ServiceNotFoundError";
    }
}

/** A service of a DescribeServices answer as the autoscaler reads it. */
function stateOf(svc: Service): ServiceState {
    const deployments = svc.deployments ?? [];
    // A rolling deployment shows as a second deployment beside the PRIMARY one; with the circuit
    // breaker on, the PRIMARY's rolloutState stays IN_PROGRESS until its tasks are healthy.
    const primary = deployments.find((d) => d.status === "PRIMARY");
    const deploymentInProgress = deployments.length > 1 || primary?.rolloutState === "IN_PROGRESS";
    const taskStartMs = taskStartFromEvents(svc.events);
    return {
        arn: svc.serviceArn ?? "",
        desired: svc.desiredCount ?? 0,
        running: svc.runningCount ?? 0,
        pending: svc.pendingCount ?? 0,
        deploymentInProgress,
        ...(taskStartMs === undefined ? {} : { taskStartMs }),
    };
}

/**
 * DescribeServices for one service: its ARN, desired, running and pending counts, and whether a
 * deployment is in progress. A missing service fails with an ApiCallError (operation
 * DescribeServices) whose cause is a ServiceNotFoundError. `signal` aborts the call.
 */
export async function describeServiceCounts(ecs: ECSClient, cluster: string, service: string, signal?: AbortSignal): Promise<ServiceState> {
    const out = await apiCall("DescribeServices", () => ecs.send(new DescribeServicesCommand({ cluster, services: [service] }), { abortSignal: signal }));
    const svc = out.services?.find((s) => s.serviceName === service || s.serviceArn === service)
        ?? (out.services?.length === 1 ? out.services[0] : undefined);
    if (!svc) {
        const reason = out.failures?.[0]?.reason ?? "not in the DescribeServices answer";
        throw new ApiCallError("DescribeServices", new ServiceNotFoundError(cluster, service, reason));
    }
    return stateOf(svc);
}

/**
 * DescribeServices for many services, `DESCRIBE_SERVICES_MAX_PER_CALL` (10) per call, at most
 * `concurrency` calls at once, each taking a token of `bucket` first. Every service gets its state or
 * its own error: a failed call fails only its ten, a missing service only itself.
 */
export async function describeServicesBatched(
    ecs: ECSClient, cluster: string, services: readonly string[],
    o: { readonly call?: CallScope | undefined; readonly bucket?: TokenBucket | undefined; readonly concurrency?: number | undefined } = {},
): Promise<Map<string, ServiceState | ApiCallError>> {
    const result = new Map<string, ServiceState | ApiCallError>();
    const call: CallScope = o.call ?? ((fn) => fn(new AbortController().signal));
    await mapBounded(chunks(services, DESCRIBE_SERVICES_MAX_PER_CALL), o.concurrency ?? 4, async (batch) => {
        try {
            const out = await call(async (signal) => {
                if (o.bucket && !(await o.bucket.take(signal))) throw new Error("stopped before the call was sent");
                return apiCall("DescribeServices", () => ecs.send(new DescribeServicesCommand({ cluster, services: batch }), { abortSignal: signal }));
            });
            for (const name of batch) {
                const svc = out.services?.find((s) => s.serviceName === name || s.serviceArn === name);
                if (svc) {
                    result.set(name, stateOf(svc));
                } else {
                    const failure = out.failures?.find((f) => f.arn === name || f.arn?.endsWith(`/${name}`));
                    result.set(name, new ApiCallError("DescribeServices", new ServiceNotFoundError(cluster, name, failure?.reason ?? "not in the DescribeServices answer")));
                }
            }
        } catch (error) {
            const e = error instanceof ApiCallError ? error : new ApiCallError("DescribeServices", error);
            for (const name of batch) result.set(name, e);
        }
    });
    return result;
}

/** UpdateService with only the desired count: `{ cluster, service, desiredCount }`. */
export async function setDesiredCount(ecs: ECSClient, cluster: string, service: string, desiredCount: number, signal?: AbortSignal): Promise<void> {
    await apiCall("UpdateService", () => ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount }), { abortSignal: signal }));
}

export class EcsActuator {
    readonly cluster: string;
    readonly service: string;
    readonly dryRun: boolean;
    private readonly ecs: ECSClient;
    private readonly logger?: Logger;
    private readonly clock: () => number;
    private readonly onAuxiliaryError?: ApiErrorListener;

    constructor(options: EcsActuatorOptions) {
        this.ecs = options.ecs;
        this.clock = options.clock ?? Date.now;
        this.onAuxiliaryError = options.onAuxiliaryError;
        this.cluster = options.cluster;
        this.service = options.service;
        this.dryRun = options.dryRun ?? false;
        this.logger = options.logger;
    }

    /** DescribeServices for this one service: desired, running and pending counts. */
    readCounts(signal?: AbortSignal): Promise<ServiceState> {
        return describeServiceCounts(this.ecs, this.cluster, this.service, signal);
    }

    /**
     * Carries out a decision taken on `read` (the counts read at the start of the tick).
     * UpdateService is sent only when the desired count changes, not in dry-run mode, and only if a
     * fresh DescribeServices still shows the desired count of `read`. Before the write, the action
     * is recorded in a tag on the service (`at` is the tick's start), so that a restarted autoscaler
     * keeps its cooldowns; a failed tag write is reported and does not stop the scaling.
     */
    async apply(decision: Decision, read: ServiceCounts, at: number = this.clock(), signal?: AbortSignal, beforeWrite?: () => Promise<void>): Promise<ApplyResult> {
        if (decision.desired === read.desired) return { outcome: "unchanged", desired: read.desired };
        const change = { from: read.desired, to: decision.desired, direction: decision.direction, reason: decision.reason.code };
        if (this.dryRun) {
            this.logger?.info({ ...change, dryRun: true }, `dry run: would set desired count of ${this.service} from ${read.desired} to ${decision.desired}`);
            return { outcome: "dry_run", desired: read.desired };
        }
        const fresh = await this.readCounts(signal);
        if (fresh.desired !== read.desired) {
            this.logger?.warn({ ...change, observedDesired: fresh.desired },
                `desired count of ${this.service} changed from ${read.desired} to ${fresh.desired} by someone else; not overwritten, next tick decides from ${fresh.desired}`);
            return { outcome: "external_change", desired: fresh.desired, observedDesired: fresh.desired };
        }
        if (fresh.arn !== "" && decision.direction !== "none") {
            const key = decision.direction === "up" ? TAG_LAST_SCALE_UP : TAG_LAST_SCALE_DOWN;
            try {
                await writeTags(this.ecs, fresh.arn, { [key]: formatAction({ at, from: read.desired, to: decision.desired }) }, signal);
            } catch (error) {
                if (!(error instanceof ApiCallError)) throw error;
                this.onAuxiliaryError?.(error);
            }
        }
        await beforeWrite?.();
        await setDesiredCount(this.ecs, this.cluster, this.service, decision.desired, signal);
        this.logger?.info(change, `set desired count of ${this.service} from ${read.desired} to ${decision.desired} (${decision.reason.code})`);
        return { outcome: "updated", desired: decision.desired };
    }
}

/**
 * The loop's view of a cluster's services: their counts, ten services per DescribeServices call, and
 * one EcsActuator per service for the writes.
 */
export class EcsFleet {
    private readonly actuators = new Map<string, EcsActuator>();

    constructor(private readonly o: Omit<EcsActuatorOptions, "service"> & { readonly describeBucket?: TokenBucket }) {}

    actuator(service: string): EcsActuator {
        let a = this.actuators.get(service);
        if (!a) {
            a = new EcsActuator({ ...this.o, service });
            this.actuators.set(service, a);
        }
        return a;
    }

    describe(services: readonly string[], call: CallScope): Promise<Map<string, ServiceState | ApiCallError>> {
        return describeServicesBatched(this.o.ecs, this.o.cluster, services, { call, bucket: this.o.describeBucket });
    }

    apply(service: string, decision: Decision, read: ServiceCounts, at: number, signal: AbortSignal, beforeWrite: () => Promise<void>): Promise<ApplyResult> {
        return this.actuator(service).apply(decision, read, at, signal, beforeWrite);
    }
}
