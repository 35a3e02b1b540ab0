/**
 * Where the stack says production: data is encrypted at rest and what holds it refuses deletion.
 * Aurora clusters are storage-encrypted with deletion protection, load balancers refuse deletion,
 * queues and topics are encrypted (SSE-SQS or a KMS key; a KMS key for SNS, which has no default).
 */
import { logicalName, ofType, type ProjectPolicy, type Violation } from "../graph";

export const productionProtection: ProjectPolicy = {
    name: "production-encryption-and-deletion-protection",
    description: "In a production stack, Aurora, queues and topics are encrypted, and Aurora and load balancers refuse deletion.",
    check(resources, context) {
        if (!context.production) return [];
        const violations: Violation[] = [];
        const fail = (urn: string, message: string) => violations.push({ urn, message: `production stack ${context.stack}: ${message}` });
        for (const c of ofType(resources, "aws:rds/cluster:Cluster")) {
            if (c.props.storageEncrypted !== true) fail(c.urn, `Aurora cluster ${c.props.clusterIdentifier ?? logicalName(c)} is not storage-encrypted (storageEncrypted: true)`);
            if (c.props.deletionProtection !== true) fail(c.urn, `Aurora cluster ${c.props.clusterIdentifier ?? logicalName(c)} has no deletion protection (aurora.deletionProtection: true)`);
        }
        for (const lb of ofType(resources, "aws:lb/loadBalancer:LoadBalancer")) {
            if (lb.props.enableDeletionProtection !== true) fail(lb.urn, `load balancer ${lb.props.name ?? logicalName(lb)} has no deletion protection (loadBalancer.deletionProtection: true)`);
        }
        for (const q of ofType(resources, "aws:sqs/queue:Queue")) {
            if (q.props.sqsManagedSseEnabled !== true && !q.props.kmsMasterKeyId) fail(q.urn, `queue ${q.props.name ?? logicalName(q)} is not encrypted at rest (sqsManagedSseEnabled or kmsMasterKeyId)`);
        }
        for (const t of ofType(resources, "aws:sns/topic:Topic")) {
            if (!t.props.kmsMasterKeyId) fail(t.urn, `topic ${t.props.name ?? logicalName(t)} is not encrypted at rest (kmsMasterKeyId)`);
        }
        return violations;
    },
};
