/**
 * The instance-class scaler's edge: reads the cluster, its instances and the write alarm, asks the pure
 * core (operation.ts) what to do, and runs the steps of one class change as far as they can go without
 * waiting. Each invocation (the alarm's SNS notification, or the one-minute schedule) resumes the
 * operation recorded on the cluster's tag, so a crash between two calls resumes where it stopped and
 * never starts a second operation. Every step is one JSON log line; dry-run makes no writing call.
 */
import {
    AddTagsToResourceCommand, CreateDBInstanceCommand, DeleteDBInstanceCommand, DescribeDBClustersCommand,
    DescribeDBInstancesCommand, FailoverDBClusterCommand, ModifyDBInstanceCommand, RemoveTagsFromResourceCommand,
    type DBCluster, type DBInstance, type RDSClient, type Tag,
} from "@aws-sdk/client-rds";
import { DescribeAlarmsCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { randomUUID } from "node:crypto";
import { setTimeout as sleepFor } from "node:timers/promises";
import { AURORA_POSTGRESQL_ENGINE } from "../../scaling/aurora";
import { apiCall } from "../aws/call";
import type { Logger } from "../aws/logger";
import {
    AlarmState, CLAIM_LEASE_SECONDS, CLAIM_SETTLE_MS, Decision, Operation, ScalerSettings, TAGS, candidateIdentifier, decide,
    decodeClaim, decodeLastChange, decodeOperation, encodeClaim, encodeLastChange, encodeOperation,
} from "./operation";

export interface ScalerDeps {
    readonly rds: RDSClient;
    readonly cloudwatch: CloudWatchClient;
    readonly logger: Logger;
    /** Epoch milliseconds. */
    readonly now: () => number;
    /** Waits while a claim settles; default: real time. */
    readonly sleep?: (ms: number) => Promise<void>;
    /** This invocation's claim token; default: a random UUID. */
    readonly token?: string;
}

/** How an invocation ended. */
export type Outcome =
    | { readonly result: "idle"; readonly reason: string }
    | { readonly result: "waiting"; readonly step: Operation["step"]; readonly reason: string }
    | { readonly result: "completed"; readonly operation: Operation }
    | { readonly result: "dry-run"; readonly wouldDo: string };

interface ClusterView {
    readonly arn: string;
    readonly status: string;
    readonly writer: string;
    readonly members: readonly string[];
    readonly tags: ReadonlyMap<string, string>;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export class InstanceClassScaler {
    constructor(private readonly s: ScalerSettings, private readonly d: ScalerDeps) {}

    /**
     * One invocation: claim the cluster (operation.ts, Claim), decide, then start or resume an operation
     * and advance it until it must wait, and release the claim. Dry-run writes nothing, so claims nothing.
     */
    async run(trigger: string): Promise<Outcome> {
        const first = await this.cluster();
        if (this.s.dryRun) return this.act(trigger, first);
        const token = this.d.token ?? randomUUID();
        const claimed = await this.claim(trigger, first, token);
        if (!("arn" in claimed)) return claimed;
        try {
            return await this.act(trigger, claimed);
        } finally {
            await this.release(trigger, claimed.arn, token);
        }
    }

    /** The cluster as read back after this invocation's claim settled, or why another invocation acts instead. */
    private async claim(trigger: string, cluster: ClusterView, token: string): Promise<ClusterView | Outcome> {
        const log = this.d.logger;
        const now = seconds(this.d.now());
        const held = decodeClaim(cluster.tags.get(TAGS.claim) ?? "");
        if (held !== undefined && held.until > now && held.by !== token) {
            const reason = `invocation ${held.by} holds the cluster until ${held.until}; this one (${trigger}) does nothing`;
            log.info({ event: "claim-held", trigger, claim: held }, reason);
            return { result: "idle", reason };
        }
        const value = encodeClaim({ by: token, until: now + CLAIM_LEASE_SECONDS });
        await apiCall("AddTagsToResource", () => this.d.rds.send(new AddTagsToResourceCommand({ ResourceName: cluster.arn, Tags: [{ Key: TAGS.claim, Value: value }] })));
        await (this.d.sleep ?? ((ms: number) => sleepFor(ms)))(CLAIM_SETTLE_MS);
        const after = await this.cluster();
        const read = decodeClaim(after.tags.get(TAGS.claim) ?? "");
        if (read?.by !== token) {
            const reason = `invocation ${read?.by ?? "(none)"} claimed the cluster at the same time; this one (${trigger}) does nothing`;
            log.info({ event: "claim-lost", trigger, claim: read }, reason);
            return { result: "idle", reason };
        }
        log.info({ event: "claimed", trigger, claim: read }, `claimed ${this.s.clusterIdentifier}`);
        return after;
    }

    /** Removes this invocation's claim; a failure is logged, and the claim lapses at its lease. */
    private async release(trigger: string, clusterArn: string, token: string): Promise<void> {
        try {
            const current = decodeClaim((await this.cluster()).tags.get(TAGS.claim) ?? "");
            if (current?.by !== token) return;
            await apiCall("RemoveTagsFromResource", () => this.d.rds.send(new RemoveTagsFromResourceCommand({ ResourceName: clusterArn, TagKeys: [TAGS.claim] })));
        } catch (error) {
            this.d.logger.error({ event: "claim-release-failed", trigger, err: error }, `claim not released; it lapses after ${CLAIM_LEASE_SECONDS} s`);
        }
    }

    private async act(trigger: string, cluster: ClusterView): Promise<Outcome> {
        const log = this.d.logger;
        const opTag = cluster.tags.get(TAGS.operation);
        let operation: Operation | undefined;
        if (opTag !== undefined) {
            try {
                operation = decodeOperation(opTag);
            } catch (error) {
                // Never guess: an unreadable operation is reported and nothing else is done.
                const reason = (error as Error).message;
                log.error({ event: "operation-unreadable", trigger, cluster: this.s.clusterIdentifier, reason }, "operation tag unreadable; nothing done");
                return { result: "idle", reason };
            }
        }
        const alarm = await this.alarm();
        const writer = await this.instance(cluster.writer);
        const lastChangeTag = cluster.tags.get(TAGS.lastChange);
        const decision: Decision = decide({
            now: seconds(this.d.now()),
            alarm,
            writerClass: writer?.DBInstanceClass ?? "(unknown)",
            operation,
            lastChange: lastChangeTag !== undefined ? decodeLastChange(lastChangeTag) : undefined,
        }, this.s);
        log.info({ event: "decision", trigger, cluster: this.s.clusterIdentifier, alarm: alarm.state, alarmSince: alarm.since, writer: cluster.writer, writerClass: writer?.DBInstanceClass, ...decision }, decision.reason);

        if (decision.action === "none") return { result: "idle", reason: decision.reason };
        if (decision.action === "start") {
            operation = await this.plan(decision, cluster);
            if (this.s.dryRun) {
                const wouldDo = `start ${operation.direction}: ${operation.createCandidate ? "create" : "modify"} ${operation.candidate} as ${operation.toClass}, fail over to it, then ${operation.oldWriter} is retired`;
                log.info({ event: "dry-run", step: "start", operation }, wouldDo);
                return { result: "dry-run", wouldDo };
            }
            await this.saveOperation(cluster.arn, operation);
            log.info({ event: "operation-started", operation }, `operation ${operation.direction} started`);
        } else if (trigger === "alarm") {
            log.warn({ event: "refused", operation: decision.operation }, `alarm notification during an operation: ${decision.reason}`);
        }
        return this.advance(operation!, cluster.arn);
    }

    /** Chooses the candidate: a standby former writer already in the cluster, else a new instance. */
    private async plan(d: Extract<Decision, { action: "start" }>, cluster: ClusterView): Promise<Operation> {
        const startedAt = seconds(this.d.now());
        const readers = cluster.members.filter((m) => m !== cluster.writer);
        const instances = await Promise.all(readers.map((id) => this.instance(id)));
        const tagged = (i: DBInstance | undefined, key: string) => (i?.TagList ?? []).some((t) => t.Key === key);
        const standby = instances.find((i) => tagged(i, TAGS.standby));
        const base = { direction: d.direction, step: "prepare" as const, fromClass: d.fromClass, toClass: d.toClass, oldWriter: cluster.writer, startedAt };
        return standby?.DBInstanceIdentifier
            ? { ...base, candidate: standby.DBInstanceIdentifier, createCandidate: false }
            : { ...base, candidate: candidateIdentifier(this.s.clusterIdentifier, d.direction, startedAt), createCandidate: true };
    }

    /** Runs steps until one has to wait for AWS or the operation is done. */
    private async advance(start: Operation, clusterArn: string): Promise<Outcome> {
        let op = start;
        for (;;) {
            const next = await this.step(op, clusterArn);
            if (next.kind === "wait") {
                this.d.logger.info({ event: "waiting", step: op.step, operation: op }, next.reason);
                return { result: "waiting", step: op.step, reason: next.reason };
            }
            if (next.kind === "dry-run") return { result: "dry-run", wouldDo: next.wouldDo };
            if (next.kind === "done") return { result: "completed", operation: op };
            op = next.operation;
            await this.saveOperation(clusterArn, op);
        }
    }

    private async step(op: Operation, clusterArn: string): Promise<
        { kind: "next"; operation: Operation } | { kind: "wait"; reason: string } | { kind: "done" } | { kind: "dry-run"; wouldDo: string }> {
        const log = this.d.logger;
        const dry = (wouldDo: string) => {
            log.info({ event: "dry-run", step: op.step, operation: op }, wouldDo);
            return { kind: "dry-run" as const, wouldDo };
        };
        switch (op.step) {
            case "prepare": {
                const existing = await this.instance(op.candidate);
                if (op.createCandidate && existing === undefined) {
                    if (this.s.dryRun) return dry(`create ${op.candidate} (${op.toClass}, promotion tier 0)`);
                    // Promotion tier 0: the candidate is also first in line for an unplanned failover.
                    const input = {
                        DBInstanceIdentifier: op.candidate,
                        DBClusterIdentifier: this.s.clusterIdentifier,
                        Engine: AURORA_POSTGRESQL_ENGINE,
                        DBInstanceClass: op.toClass,
                        PromotionTier: 0,
                        // Like the stack's own instances; the role may create no other kind.
                        PubliclyAccessible: false,
                        Tags: [{ Key: TAGS.created, Value: "true" }],
                    };
                    await apiCall("CreateDBInstance", () => this.d.rds.send(new CreateDBInstanceCommand(input)));
                    log.info({ event: "step", step: op.step, call: "CreateDBInstance", input }, `created ${op.candidate} as ${op.toClass}`);
                } else if (existing === undefined) {
                    throw new Error(`candidate ${op.candidate} no longer exists; operation ${encodeOperation(op)} cannot go on (remove tag ${TAGS.operation} after checking the cluster)`);
                } else if (existing.DBInstanceClass !== op.toClass || existing.PromotionTier !== 0) {
                    if (this.s.dryRun) return dry(`modify ${op.candidate} to ${op.toClass}, promotion tier 0`);
                    const input = { DBInstanceIdentifier: op.candidate, DBInstanceClass: op.toClass, PromotionTier: 0, ApplyImmediately: true };
                    await apiCall("ModifyDBInstance", () => this.d.rds.send(new ModifyDBInstanceCommand(input)));
                    log.info({ event: "step", step: op.step, call: "ModifyDBInstance", input }, `modifying ${op.candidate} to ${op.toClass}`);
                } else {
                    log.info({ event: "step", step: op.step, candidate: op.candidate }, `${op.candidate} is already ${op.toClass}`);
                }
                return { kind: "next", operation: { ...op, step: "wait-candidate" } };
            }
            case "wait-candidate": {
                const cluster = await this.cluster();
                if (cluster.writer === op.candidate) {
                    // A failover already requested before a crash: do not request another.
                    log.info({ event: "step", step: op.step, candidate: op.candidate }, `${op.candidate} is already the writer`);
                    return { kind: "next", operation: { ...op, step: "wait-failover" } };
                }
                const c = await this.instance(op.candidate);
                const ready = c !== undefined && c.DBInstanceStatus === "available" && c.DBInstanceClass === op.toClass
                    && c.PendingModifiedValues?.DBInstanceClass === undefined && cluster.status === "available";
                if (!ready) {
                    return { kind: "wait", reason: `${op.candidate} is ${c?.DBInstanceStatus ?? "missing"} as ${c?.DBInstanceClass ?? "?"} (cluster ${cluster.status}); failover waits for available ${op.toClass}` };
                }
                if (this.s.dryRun) return dry(`fail over ${this.s.clusterIdentifier} to ${op.candidate}`);
                const input = { DBClusterIdentifier: this.s.clusterIdentifier, TargetDBInstanceIdentifier: op.candidate };
                await apiCall("FailoverDBCluster", () => this.d.rds.send(new FailoverDBClusterCommand(input)));
                log.info({ event: "step", step: op.step, call: "FailoverDBCluster", input }, `failing over to ${op.candidate}`);
                return { kind: "next", operation: { ...op, step: "wait-failover" } };
            }
            case "wait-failover": {
                const cluster = await this.cluster();
                const old = await this.instance(op.oldWriter);
                const settled = cluster.writer === op.candidate && cluster.status === "available"
                    && (old === undefined || old.DBInstanceStatus === "available");
                if (!settled) {
                    return { kind: "wait", reason: `writer is ${cluster.writer} (cluster ${cluster.status}, ${op.oldWriter} ${old?.DBInstanceStatus ?? "missing"}); waiting for ${op.candidate} to be the writer` };
                }
                log.info({ event: "step", step: op.step, writer: cluster.writer }, `${op.candidate} is the writer`);
                return { kind: "next", operation: { ...op, step: "retire-old-writer" } };
            }
            case "retire-old-writer": {
                const old = await this.instance(op.oldWriter);
                const created = (old?.TagList ?? []).some((t) => t.Key === TAGS.created);
                if (this.s.dryRun) return dry(old === undefined ? "finish" : created ? `delete ${op.oldWriter}` : `modify ${op.oldWriter} to ${op.toClass}`);
                if (old !== undefined && created) {
                    const input = { DBInstanceIdentifier: op.oldWriter };
                    await apiCall("DeleteDBInstance", () => this.d.rds.send(new DeleteDBInstanceCommand(input)));
                    log.info({ event: "step", step: op.step, call: "DeleteDBInstance", input }, `removed ${op.oldWriter}, created by the scaler`);
                } else if (old !== undefined) {
                    // The stack's own instance is kept (deleting it would fight the stack) at the new class,
                    // and marked as the first candidate for the change back.
                    if (old.DBInstanceClass !== op.toClass) {
                        const input = { DBInstanceIdentifier: op.oldWriter, DBInstanceClass: op.toClass, ApplyImmediately: true };
                        await apiCall("ModifyDBInstance", () => this.d.rds.send(new ModifyDBInstanceCommand(input)));
                        log.info({ event: "step", step: op.step, call: "ModifyDBInstance", input }, `modifying ${op.oldWriter} to ${op.toClass}`);
                    }
                    const tagInput = { ResourceName: old.DBInstanceArn!, Tags: [{ Key: TAGS.standby, Value: "true" }] };
                    await apiCall("AddTagsToResource", () => this.d.rds.send(new AddTagsToResourceCommand(tagInput)));
                    log.info({ event: "step", step: op.step, call: "AddTagsToResource", input: tagInput }, `${op.oldWriter} is the standby`);
                }
                const candidate = await this.instance(op.candidate);
                if (candidate && (candidate.TagList ?? []).some((t) => t.Key === TAGS.standby)) {
                    const input = { ResourceName: candidate.DBInstanceArn!, TagKeys: [TAGS.standby] };
                    await apiCall("RemoveTagsFromResource", () => this.d.rds.send(new RemoveTagsFromResourceCommand(input)));
                    log.info({ event: "step", step: op.step, call: "RemoveTagsFromResource", input }, `${op.candidate} is the writer, no longer the standby`);
                }
                const done = { direction: op.direction, at: seconds(this.d.now()) };
                const addInput = { ResourceName: clusterArn, Tags: [{ Key: TAGS.lastChange, Value: encodeLastChange(done) }] };
                await apiCall("AddTagsToResource", () => this.d.rds.send(new AddTagsToResourceCommand(addInput)));
                const removeInput = { ResourceName: clusterArn, TagKeys: [TAGS.operation] };
                await apiCall("RemoveTagsFromResource", () => this.d.rds.send(new RemoveTagsFromResourceCommand(removeInput)));
                log.info({ event: "operation-completed", operation: op, lastChange: done }, `operation ${op.direction} completed: writer ${op.candidate} is ${op.toClass}`);
                return { kind: "done" };
            }
        }
    }

    private async saveOperation(clusterArn: string, op: Operation): Promise<void> {
        const input = { ResourceName: clusterArn, Tags: [{ Key: TAGS.operation, Value: encodeOperation(op) }] };
        await apiCall("AddTagsToResource", () => this.d.rds.send(new AddTagsToResourceCommand(input)));
        this.d.logger.info({ event: "operation-saved", step: op.step, tag: input.Tags[0] }, `operation at step ${op.step}`);
    }

    private async cluster(): Promise<ClusterView> {
        const out = await apiCall("DescribeDBClusters", () =>
            this.d.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: this.s.clusterIdentifier })));
        const c: DBCluster | undefined = out.DBClusters?.[0];
        if (!c?.DBClusterArn) throw new Error(`DescribeDBClusters ${this.s.clusterIdentifier}: no such cluster`);
        const members = (c.DBClusterMembers ?? []).map((m) => m.DBInstanceIdentifier!).filter(Boolean);
        const writer = (c.DBClusterMembers ?? []).find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
        if (!writer) throw new Error(`cluster ${this.s.clusterIdentifier} has no writer`);
        return { arn: c.DBClusterArn, status: c.Status ?? "unknown", writer, members, tags: tagMap(c.TagList) };
    }

    private async instance(id: string): Promise<DBInstance | undefined> {
        try {
            const out = await this.d.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
            return out.DBInstances?.[0];
        } catch (error) {
            if ((error as { name?: string }).name === "DBInstanceNotFoundFault") return undefined;
            return apiCall("DescribeDBInstances", () => Promise.reject(error));
        }
    }

    private async alarm(): Promise<{ state: AlarmState; since: number }> {
        const out = await apiCall("DescribeAlarms", () =>
            this.d.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [this.s.alarmName] })));
        const a = out.MetricAlarms?.find((m) => m.AlarmName === this.s.alarmName);
        if (!a?.StateValue) throw new Error(`DescribeAlarms ${this.s.alarmName}: no such alarm`);
        const since = a.StateUpdatedTimestamp ? seconds(a.StateUpdatedTimestamp.getTime()) : seconds(this.d.now());
        return { state: a.StateValue as AlarmState, since };
    }
}

function tagMap(tags: Tag[] | undefined): Map<string, string> {
    return new Map((tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ""]));
}
