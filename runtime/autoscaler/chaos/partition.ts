/**
 * partition: cuts the workers off their SQS queue for a while by adding a Deny statement for the
 * worker task role to the queue policy, then removes it.
 *
 * The statement carries its own expiry (`DateLessThan aws:CurrentTime`), so it stops denying anything
 * at the end of the partition even if this process is killed before it removes it; any later run
 * (or an autoscaler starting) removes statements whose expiry has passed.
 */
import { GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { apiCall } from "../../aws/call";
import { pause } from "../time";
import { restore, waitForRecovery } from "./common";
import type { ChaosContext, ChaosResult, FailureSimulation } from "./types";

/** Sid prefix of the Deny statements the partition adds; the expiry (epoch seconds) follows it. */
export const PARTITION_SID = "ecs-autoscaling-partition";
/** Actions the partition denies the worker role on the queue. */
export const PARTITION_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"] as const;

interface Statement {
    readonly Sid?: unknown;
    readonly Condition?: { readonly DateLessThan?: Record<string, unknown> };
    readonly [k: string]: unknown;
}

interface PolicyDoc {
    readonly Statement?: unknown;
    readonly [k: string]: unknown;
}

/** The Sid of a partition statement that expires at `expiresAt` (epoch ms). */
export function partitionSid(expiresAt: number): string {
    return `${PARTITION_SID}-${Math.ceil(expiresAt / 1000)}`;
}

function isPartition(s: Statement): boolean {
    return typeof s?.Sid === "string" && s.Sid.startsWith(PARTITION_SID);
}

/** Expiry (epoch ms) of a partition statement; 0 (long expired) for one without a readable one. */
function expiryOf(s: Statement): number {
    const at = s.Condition?.DateLessThan?.["aws:CurrentTime"];
    const ms = typeof at === "string" ? Date.parse(at) : NaN;
    return Number.isFinite(ms) ? ms : 0;
}

function parse(policy: string | undefined): { doc: PolicyDoc; statements: Statement[] } {
    if (policy === undefined || policy.trim() === "") return { doc: { Version: "2012-10-17" }, statements: [] };
    let doc: unknown;
    try {
        doc = JSON.parse(policy);
    } catch {
        throw new Error("the queue's Policy attribute is not JSON; refusing to change it");
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error("the queue's Policy attribute is not a policy document; refusing to change it");
    const d = doc as PolicyDoc;
    const statements = d.Statement === undefined ? [] : Array.isArray(d.Statement) ? d.Statement as Statement[] : [d.Statement as Statement];
    return { doc: d, statements };
}

function serialize(doc: PolicyDoc, statements: Statement[]): string {
    // No statement left: no policy, as the queue had before the first partition.
    return statements.length === 0 ? "" : JSON.stringify({ ...doc, Statement: statements });
}

/**
 * `policy` without the partition statements that have expired by `now`; `removed` counts them.
 * Throws when it is not a JSON policy document.
 */
export function clearExpiredPartitions(policy: string | undefined, now: number): { policy: string; removed: number; active: number } {
    const { doc, statements } = parse(policy);
    const keep = statements.filter((s) => !isPartition(s) || expiryOf(s) > now);
    const active = keep.filter(isPartition).length;
    const removed = statements.length - keep.length;
    return { policy: removed === 0 ? policy ?? "" : serialize(doc, keep), removed, active };
}

/**
 * The queue policy with a Deny statement for `workerRoleArn` that lapses at `expiresAt` (epoch ms),
 * after removing partition statements that expired by `now`. Throws when the policy is not a JSON
 * policy document, or when an unexpired partition statement is present (a partition is on).
 */
export function partitionPolicy(previous: string | undefined, queueArn: string, workerRoleArn: string, expiresAt: number, now: number): string {
    const { doc, statements } = parse(previous);
    const keep = statements.filter((s) => !isPartition(s) || expiryOf(s) > now);
    const active = keep.find(isPartition);
    if (active) {
        throw new Error(`the queue policy holds partition statement "${String(active.Sid)}", in force until ${new Date(expiryOf(active)).toISOString()}; another partition is on`);
    }
    const deny: Statement = {
        Sid: partitionSid(expiresAt),
        Effect: "Deny",
        Principal: { AWS: workerRoleArn },
        Action: [...PARTITION_ACTIONS],
        Resource: queueArn,
        // Denies only until expiresAt, whoever removes the statement (or nobody).
        Condition: { DateLessThan: { "aws:CurrentTime": new Date(expiresAt).toISOString() } },
    };
    return JSON.stringify({ ...doc, Statement: [...keep, deny] });
}

/** `current` without the statement `sid`. */
export function withoutStatement(current: string | undefined, sid: string): string {
    const { doc, statements } = parse(current);
    return serialize(doc, statements.filter((s) => s.Sid !== sid));
}

async function getPolicy(sqs: SQSClient, QueueUrl: string, signal?: AbortSignal): Promise<{ policy?: string; queueArn?: string }> {
    const attrs = await apiCall("GetQueueAttributes", () =>
        sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy", "QueueArn"] }), { abortSignal: signal }));
    return { policy: attrs.Attributes?.Policy, queueArn: attrs.Attributes?.QueueArn };
}

async function setPolicy(sqs: SQSClient, QueueUrl: string, policy: string, signal?: AbortSignal): Promise<void> {
    await apiCall("SetQueueAttributes", () => sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: policy } }), { abortSignal: signal }));
}

async function run(ctx: ChaosContext): Promise<ChaosResult> {
    const t = ctx.t;
    const sqs = t.sqs!;
    const QueueUrl = t.queueUrl!;
    const { policy: found, queueArn } = await getPolicy(sqs, QueueUrl);
    if (!queueArn) throw new Error(`GetQueueAttributes returned no QueueArn for ${QueueUrl}`);
    const now = ctx.clock();
    const expiresAt = now + ctx.partitionMs;
    const cleared = clearExpiredPartitions(found, now);
    // What the queue had, without leftovers of killed runs: what this run puts back.
    const previous = found === undefined ? undefined : cleared.policy;
    const written = partitionPolicy(found, queueArn, t.workerRoleArn!, expiresAt, now);
    const sid = partitionSid(expiresAt);
    await setPolicy(sqs, QueueUrl, written);
    const cutAt = ctx.clock();
    let lasted = 0;
    try {
        await pause(ctx.sleep, ctx.partitionMs, ctx.signal);
    } finally {
        lasted = ctx.clock() - cutAt;
        await restore(ctx, `the Policy of ${QueueUrl}`, async (signal) => {
            const current = (await getPolicy(sqs, QueueUrl, signal)).policy;
            // Unchanged since the cut: put back exactly what was there; else take out only our statement.
            await setPolicy(sqs, QueueUrl, current === written ? previous ?? "" : withoutStatement(current, sid), signal);
        }, `its Deny statement ${sid} lapses by itself at ${new Date(expiresAt).toISOString()}`);
    }
    const interrupted = ctx.signal?.aborted ?? false;
    const recovery = interrupted ? undefined : await waitForRecovery(ctx);
    return {
        outcome: interrupted || !recovery ? "interrupted" : "done",
        action: `denied ${t.workerRoleArn} ${PARTITION_ACTIONS.join(", ")} on ${queueArn} for ${lasted / 1000}s (statement ${sid}, lapsing by itself at ${new Date(expiresAt).toISOString()}), then restored the ${previous === undefined ? "absent" : "previous"} policy`,
        recovery,
        details: { queueArn, workerRoleArn: t.workerRoleArn, partitionSeconds: lasted / 1000, hadPolicy: previous !== undefined && previous !== "", expiredStatementsCleared: cleared.removed },
    };
}

/** Removes partition statements whose expiry has passed (left by runs that were killed). */
async function heal(ctx: ChaosContext): Promise<string | undefined> {
    const t = ctx.t;
    if (!t.sqs || !t.queueUrl) return undefined;
    const { policy } = await getPolicy(t.sqs, t.queueUrl);
    const cleared = clearExpiredPartitions(policy, ctx.clock());
    if (cleared.removed === 0) return undefined;
    await setPolicy(t.sqs, t.queueUrl, cleared.policy);
    return `removed ${cleared.removed} expired partition statement(s) from the policy of ${t.queueUrl}`;
}

export const partition: FailureSimulation = { kind: "partition", needs: ["sqs", "queueUrl", "workerRoleArn"], run, heal };
