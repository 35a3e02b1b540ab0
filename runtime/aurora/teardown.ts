/**
 * Before `pulumi destroy`: removes the Aurora instances that are not in Pulumi's state, which RDS would
 * otherwise refuse to delete the cluster over (DeleteDBCluster fails while the cluster has instances;
 * RDS API reference, "DeleteDBCluster"). Those are the readers Application Auto Scaling added (named
 * `application-autoscaling-<uuid>`; Aurora user guide, "Amazon Aurora Auto Scaling with Aurora
 * Replicas") and the instances the class scaler created (tagged `class-scaler:created`). It first
 * deregisters the reader-count scalable target, so Application Auto Scaling adds no reader while the
 * stack goes; Pulumi deletes the target anyway. The stack's own writer and readers are left to Pulumi.
 */
import { DeregisterScalableTargetCommand, type ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { DeleteDBInstanceCommand, DescribeDBClustersCommand, DescribeDBInstancesCommand, type RDSClient } from "@aws-sdk/client-rds";
import { CLASS_SCALER_TAG_PREFIX } from "../../scaling/aurora";
import { apiCall, errorCode } from "../aws/call";
import type { Logger } from "../aws/logger";
import type { Sleep } from "../autoscaler/time";

/** Prefix of the readers Application Auto Scaling adds to an Aurora cluster. */
export const AUTO_SCALING_READER_PREFIX = "application-autoscaling-";

/** How often deletion is checked: an Aurora instance takes minutes to delete. */
export const TEARDOWN_POLL_MS = 15_000;
/** Longest wait for the instances to be gone. */
export const TEARDOWN_TIMEOUT_MS = 30 * 60_000;

export interface TeardownDeps {
    readonly rds: Pick<RDSClient, "send">;
    readonly autoscaling: Pick<ApplicationAutoScalingClient, "send">;
    readonly logger: Logger;
    readonly sleep: Sleep;
    readonly now: () => number;
}

export interface TeardownResult {
    /** Instances deleted (and gone when the call returns). */
    readonly removed: readonly string[];
    /** The stack's own instances, left for `pulumi destroy`. */
    readonly kept: readonly string[];
}

/** Whether an instance of the cluster is outside the stack's state: Application Auto Scaling's or the scaler's. */
export function outsideTheStack(id: string, tags: readonly { Key?: string; Value?: string }[]): boolean {
    return id.startsWith(AUTO_SCALING_READER_PREFIX) || tags.some((t) => t.Key === `${CLASS_SCALER_TAG_PREFIX}created` && t.Value === "true");
}

export async function teardownAurora(
    clusterIdentifier: string,
    d: TeardownDeps,
    o: { readonly pollMs?: number; readonly timeoutMs?: number } = {},
): Promise<TeardownResult> {
    const pollMs = o.pollMs ?? TEARDOWN_POLL_MS;
    const timeoutMs = o.timeoutMs ?? TEARDOWN_TIMEOUT_MS;
    try {
        await apiCall("DeregisterScalableTarget", () => d.autoscaling.send(new DeregisterScalableTargetCommand({
            ServiceNamespace: "rds", ResourceId: `cluster:${clusterIdentifier}`, ScalableDimension: "rds:cluster:ReadReplicaCount",
        })));
        d.logger.info({ event: "deregistered", cluster: clusterIdentifier }, "reader-count scaling stopped");
    } catch (error) {
        // Already gone (a second run, or a stack without reader scaling): nothing to stop.
        if (!/ObjectNotFound|ValidationException/.test(String((error as { code?: string }).code))) throw error;
    }
    const members = await apiCall("DescribeDBClusters", () => d.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterIdentifier })));
    const ids = (members.DBClusters?.[0]?.DBClusterMembers ?? []).map((m) => m.DBInstanceIdentifier!).filter(Boolean);
    const removed: string[] = [];
    const kept: string[] = [];
    for (const id of ids) {
        const out = await apiCall("DescribeDBInstances", () => d.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })));
        const tags = out.DBInstances?.[0]?.TagList ?? [];
        (outsideTheStack(id, tags) ? removed : kept).push(id);
    }
    for (const id of removed) {
        await apiCall("DeleteDBInstance", () => d.rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id })));
        d.logger.info({ event: "deleting", instance: id }, `deleting ${id}`);
    }
    const deadline = d.now() + timeoutMs;
    for (const id of removed) {
        for (;;) {
            const gone = await apiCall("DescribeDBInstances", () => d.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })))
                .then(() => false, (error: unknown) => {
                    if (errorCode((error as { cause?: unknown }).cause) === "DBInstanceNotFoundFault" || String(error).includes("DBInstanceNotFound")) return true;
                    throw error;
                });
            if (gone) break;
            if (d.now() >= deadline) throw new Error(`${id} is still being deleted after ${timeoutMs / 1000} s; run the teardown again before pulumi destroy`);
            await d.sleep(pollMs);
        }
        d.logger.info({ event: "deleted", instance: id }, `${id} deleted`);
    }
    return { removed, kept };
}
