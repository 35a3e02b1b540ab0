/**
 * An in-memory Aurora cluster behind aws-sdk-client-mock: the RDS and CloudWatch calls the instance-class
 * scaler makes, answered from state that changes the way AWS's does (a new or modified instance is
 * "creating"/"modifying" until the test lets it finish; a failover leaves the cluster "failing-over"
 * until then). Writing calls are recorded in order so tests can assert the sequence call by call.
 */
import { mockClient } from "aws-sdk-client-mock";
import {
    AddTagsToResourceCommand, CreateDBInstanceCommand, DeleteDBInstanceCommand, DescribeDBClustersCommand,
    DescribeDBInstancesCommand, FailoverDBClusterCommand, ModifyDBInstanceCommand, RDSClient, RemoveTagsFromResourceCommand,
} from "@aws-sdk/client-rds";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";

export const CLUSTER = "app-aurora";
export const ALARM = "app-aurora-write-rate";
const ARN = (kind: "cluster" | "db", id: string) => `arn:aws:rds:us-east-1:123456789012:${kind}:${id}`;

interface FakeInstance {
    id: string;
    cls: string;
    pendingCls?: string;
    status: string;
    tier: number;
    tags: Map<string, string>;
}

export interface WriteCall {
    readonly op: string;
    readonly input: any;
}

export class FakeAurora {
    readonly rds = mockClient(RDSClient);
    readonly cloudwatch = mockClient(CloudWatchClient);
    readonly instances = new Map<string, FakeInstance>();
    readonly clusterTags = new Map<string, string>();
    clusterStatus = "available";
    writer: string;
    alarm: { state: string; since: Date };
    readonly writes: WriteCall[] = [];

    constructor(o: { writerClass: string; readers: Record<string, string>; alarm: { state: string; since: Date } }) {
        this.writer = `${CLUSTER}-writer`;
        this.alarm = o.alarm;
        this.add(this.writer, o.writerClass, 1);
        for (const [id, cls] of Object.entries(o.readers)) this.add(id, cls, 1);
        this.install();
    }

    add(id: string, cls: string, tier: number, tags: Record<string, string> = {}, status = "available"): void {
        this.instances.set(id, { id, cls, status, tier, tags: new Map(Object.entries(tags)) });
    }

    /** Lets everything AWS was doing finish: instances available at their new class, failover done. */
    finishPending(): void {
        for (const i of this.instances.values()) {
            if (i.pendingCls) { i.cls = i.pendingCls; i.pendingCls = undefined; }
            i.status = "available";
        }
        this.clusterStatus = "available";
    }

    restore(): void {
        this.rds.restore();
        this.cloudwatch.restore();
    }

    private tagsOf(arn: string): Map<string, string> {
        if (arn === ARN("cluster", CLUSTER)) return this.clusterTags;
        const id = arn.split(":").pop()!;
        const i = this.instances.get(id);
        if (!i) throw Object.assign(new Error(`no resource ${arn}`), { name: "DBInstanceNotFoundFault" });
        return i.tags;
    }

    private install(): void {
        const notFound = (id: string) => Object.assign(new Error(`DBInstance ${id} not found`), { name: "DBInstanceNotFoundFault" });
        const describe = (i: FakeInstance) => ({
            DBInstanceIdentifier: i.id,
            DBInstanceArn: ARN("db", i.id),
            DBInstanceClass: i.cls,
            DBInstanceStatus: i.status,
            PromotionTier: i.tier,
            PendingModifiedValues: i.pendingCls ? { DBInstanceClass: i.pendingCls } : {},
            TagList: [...i.tags].map(([Key, Value]) => ({ Key, Value })),
        });
        this.rds.on(DescribeDBClustersCommand).callsFake(() => ({
            DBClusters: [{
                DBClusterIdentifier: CLUSTER,
                DBClusterArn: ARN("cluster", CLUSTER),
                Status: this.clusterStatus,
                DBClusterMembers: [...this.instances.values()].map((i) => ({ DBInstanceIdentifier: i.id, IsClusterWriter: i.id === this.writer, PromotionTier: i.tier })),
                TagList: [...this.clusterTags].map(([Key, Value]) => ({ Key, Value })),
            }],
        }));
        this.rds.on(DescribeDBInstancesCommand).callsFake((input) => {
            const i = this.instances.get(input.DBInstanceIdentifier);
            if (!i) throw notFound(input.DBInstanceIdentifier);
            return { DBInstances: [describe(i)] };
        });
        this.rds.on(CreateDBInstanceCommand).callsFake((input) => {
            this.writes.push({ op: "CreateDBInstance", input });
            this.add(input.DBInstanceIdentifier, input.DBInstanceClass, input.PromotionTier ?? 1,
                Object.fromEntries((input.Tags ?? []).map((t: any) => [t.Key, t.Value])), "creating");
            return { DBInstance: describe(this.instances.get(input.DBInstanceIdentifier)!) };
        });
        this.rds.on(ModifyDBInstanceCommand).callsFake((input) => {
            this.writes.push({ op: "ModifyDBInstance", input });
            const i = this.instances.get(input.DBInstanceIdentifier);
            if (!i) throw notFound(input.DBInstanceIdentifier);
            if (input.DBInstanceClass && input.DBInstanceClass !== i.cls) { i.pendingCls = input.DBInstanceClass; i.status = "modifying"; }
            if (input.PromotionTier !== undefined) i.tier = input.PromotionTier;
            return { DBInstance: describe(i) };
        });
        this.rds.on(FailoverDBClusterCommand).callsFake((input) => {
            this.writes.push({ op: "FailoverDBCluster", input });
            this.writer = input.TargetDBInstanceIdentifier;
            this.clusterStatus = "failing-over";
            return {};
        });
        this.rds.on(DeleteDBInstanceCommand).callsFake((input) => {
            this.writes.push({ op: "DeleteDBInstance", input });
            this.instances.delete(input.DBInstanceIdentifier);
            return {};
        });
        this.rds.on(AddTagsToResourceCommand).callsFake((input) => {
            this.writes.push({ op: "AddTagsToResource", input });
            const tags = this.tagsOf(input.ResourceName);
            for (const t of input.Tags) tags.set(t.Key, t.Value);
            return {};
        });
        this.rds.on(RemoveTagsFromResourceCommand).callsFake((input) => {
            this.writes.push({ op: "RemoveTagsFromResource", input });
            const tags = this.tagsOf(input.ResourceName);
            for (const k of input.TagKeys) tags.delete(k);
            return {};
        });
        this.cloudwatch.on(DescribeAlarmsCommand).callsFake(() => ({
            MetricAlarms: [{ AlarmName: ALARM, StateValue: this.alarm.state, StateUpdatedTimestamp: this.alarm.since }],
        }));
    }
}

export const clusterArn = ARN("cluster", CLUSTER);
export const instanceArn = (id: string) => ARN("db", id);
