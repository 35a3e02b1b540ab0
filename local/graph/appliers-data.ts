/**
 * Queues (SQS), alarms, dashboards and log groups (CloudWatch, CloudWatch Logs), and the Aurora cluster
 * (RDS) in the endpoint, through the SDK clients the runtime uses.
 */
import {
    DeleteAlarmsCommand, DeleteDashboardsCommand, DescribeAlarmsCommand, GetDashboardCommand, PutDashboardCommand, PutMetricAlarmCommand,
} from "@aws-sdk/client-cloudwatch";
import {
    CreateLogGroupCommand, DeleteLogGroupCommand, DescribeLogGroupsCommand, PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
    CreateDBClusterCommand, CreateDBInstanceCommand, CreateDBSubnetGroupCommand, DeleteDBClusterCommand, DeleteDBInstanceCommand,
    DeleteDBSubnetGroupCommand, DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeDBSubnetGroupsCommand,
} from "@aws-sdk/client-rds";
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { found, ignoreMissing, type Applier } from "./applier";

/** The provider's queue inputs as SQS attribute names. */
function queueAttributes(inputs: any): Record<string, string> {
    const map: Record<string, string> = {
        visibilityTimeoutSeconds: "VisibilityTimeout", messageRetentionSeconds: "MessageRetentionPeriod", delaySeconds: "DelaySeconds",
        receiveWaitTimeSeconds: "ReceiveMessageWaitTimeSeconds", redrivePolicy: "RedrivePolicy", sqsManagedSseEnabled: "SqsManagedSseEnabled",
        kmsMasterKeyId: "KmsMasterKeyId", fifoQueue: "FifoQueue",
    };
    const out: Record<string, string> = {};
    for (const [k, attr] of Object.entries(map)) if (inputs[k] !== undefined) out[attr] = String(inputs[k]);
    return out;
}

const queue: Applier = {
    async create(ctx, name, inputs) {
        const queueName = inputs.name ?? ctx.autoName(name, 80);
        const r = await ctx.clients.sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: queueAttributes(inputs) }));
        const url = r.QueueUrl ?? "";
        return { id: url, outputs: { url, name: queueName, arn: `arn:aws:sqs:${ctx.region}:${ctx.account}:${queueName}` } };
    },
    exists: (ctx, _id, o) => found(async () => (await ctx.clients.sqs.send(new GetQueueUrlCommand({ QueueName: o.name }))).QueueUrl !== undefined),
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.sqs.send(new DeleteQueueCommand({ QueueUrl: id }))),
};

const redriveAllowPolicy: Applier = {
    async create(ctx, _name, inputs) {
        await ctx.clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: inputs.queueUrl, Attributes: { RedriveAllowPolicy: inputs.redriveAllowPolicy } }));
        return { id: inputs.queueUrl, outputs: {} };
    },
    // moto accepts the attribute but never reports it back: the queue that carries it is what can be checked.
    exists: (ctx, id) => found(async () => (await ctx.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: id, AttributeNames: ["All"] }))).Attributes !== undefined),
    // Deleting the policy resource resets the queue to SQS's default (any source queue may redrive).
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: id, Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "allowAll" }) } }))),
};

const metricAlarm: Applier = {
    upsert: true,
    async create(ctx, name, inputs) {
        const alarmName = inputs.name ?? ctx.autoName(name);
        await ctx.clients.cloudwatch.send(new PutMetricAlarmCommand({
            AlarmName: alarmName, AlarmDescription: inputs.alarmDescription, AlarmActions: inputs.alarmActions, OKActions: inputs.okActions,
            InsufficientDataActions: inputs.insufficientDataActions, ComparisonOperator: inputs.comparisonOperator, EvaluationPeriods: inputs.evaluationPeriods,
            DatapointsToAlarm: inputs.datapointsToAlarm, MetricName: inputs.metricName, Namespace: inputs.namespace, Period: inputs.period,
            Statistic: inputs.statistic, ExtendedStatistic: inputs.extendedStatistic, Threshold: inputs.threshold, TreatMissingData: inputs.treatMissingData,
            Unit: inputs.unit, Dimensions: Object.entries(inputs.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value: String(Value) })),
        }));
        return { id: alarmName, outputs: { name: alarmName, arn: `arn:aws:cloudwatch:${ctx.region}:${ctx.account}:alarm:${alarmName}` } };
    },
    exists: (ctx, id) => found(async () => ((await ctx.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [id] }))).MetricAlarms ?? []).some((a) => a.AlarmName === id)),
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [id] }))),
};

const dashboard: Applier = {
    upsert: true,
    async create(ctx, _name, inputs) {
        await ctx.clients.cloudwatch.send(new PutDashboardCommand({ DashboardName: inputs.dashboardName, DashboardBody: inputs.dashboardBody }));
        return { id: inputs.dashboardName, outputs: { dashboardArn: `arn:aws:cloudwatch::${ctx.account}:dashboard/${inputs.dashboardName}` } };
    },
    exists: (ctx, id) => found(async () => (await ctx.clients.cloudwatch.send(new GetDashboardCommand({ DashboardName: id }))).DashboardName === id),
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.cloudwatch.send(new DeleteDashboardsCommand({ DashboardNames: [id] }))),
};

const logGroup: Applier = {
    async create(ctx, name, inputs) {
        const groupName = inputs.name ?? ctx.autoName(name, 512);
        await ctx.clients.logs.send(new CreateLogGroupCommand({ logGroupName: groupName }));
        if (inputs.retentionInDays) await ctx.clients.logs.send(new PutRetentionPolicyCommand({ logGroupName: groupName, retentionInDays: inputs.retentionInDays }));
        return { id: groupName, outputs: { name: groupName, arn: `arn:aws:logs:${ctx.region}:${ctx.account}:log-group:${groupName}` } };
    },
    exists: (ctx, id) => found(async () => ((await ctx.clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: id }))).logGroups ?? []).some((g) => g.logGroupName === id)),
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.logs.send(new DeleteLogGroupCommand({ logGroupName: id }))),
};

const dbSubnetGroup: Applier = {
    async create(ctx, name, inputs) {
        const groupName = inputs.name ?? ctx.autoName(name);
        const r = await ctx.clients.rds.send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: groupName, DBSubnetGroupDescription: inputs.description ?? "Managed by Pulumi", SubnetIds: inputs.subnetIds }));
        return { id: groupName, outputs: { name: groupName, arn: r.DBSubnetGroup?.DBSubnetGroupArn } };
    },
    exists: (ctx, id) => found(async () => ((await ctx.clients.rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: id }))).DBSubnetGroups ?? []).length > 0),
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.rds.send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: id }))),
};

const dbCluster: Applier = {
    async create(ctx, name, inputs) {
        const id = inputs.clusterIdentifier ?? ctx.autoName(name, 63);
        const r = await ctx.clients.rds.send(new CreateDBClusterCommand({
            DBClusterIdentifier: id, Engine: inputs.engine, EngineVersion: inputs.engineVersion, EngineMode: inputs.engineMode,
            DatabaseName: inputs.databaseName, DBSubnetGroupName: inputs.dbSubnetGroupName, VpcSecurityGroupIds: inputs.vpcSecurityGroupIds,
            MasterUsername: inputs.masterUsername, ManageMasterUserPassword: inputs.manageMasterUserPassword, StorageEncrypted: inputs.storageEncrypted,
            BackupRetentionPeriod: inputs.backupRetentionPeriod, CopyTagsToSnapshot: inputs.copyTagsToSnapshot,
            // Deletion protection would stop `autoscale down` from removing the local copy; the stack file's value is kept in the outputs.
            DeletionProtection: false,
            ...(inputs.serverlessv2ScalingConfiguration ? { ServerlessV2ScalingConfiguration: { MinCapacity: inputs.serverlessv2ScalingConfiguration.minCapacity, MaxCapacity: inputs.serverlessv2ScalingConfiguration.maxCapacity } } : {}),
        }));
        const c = r.DBCluster;
        return {
            id, outputs: {
                clusterIdentifier: id, arn: c?.DBClusterArn, endpoint: c?.Endpoint, readerEndpoint: c?.ReaderEndpoint, port: c?.Port,
                masterUserSecrets: (c?.MasterUserSecret ? [{ secretArn: c.MasterUserSecret.SecretArn, secretStatus: c.MasterUserSecret.SecretStatus, kmsKeyId: c.MasterUserSecret.KmsKeyId ?? "" }] : []),
                clusterResourceId: c?.DbClusterResourceId,
            },
        };
    },
    exists: (ctx, id) => found(async () => ((await ctx.clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters ?? []).length > 0),
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: id, SkipFinalSnapshot: true }))),
};

const dbInstance: Applier = {
    async create(ctx, name, inputs) {
        const id = inputs.identifier ?? ctx.autoName(name, 63);
        const r = await ctx.clients.rds.send(new CreateDBInstanceCommand({
            DBInstanceIdentifier: id, DBClusterIdentifier: inputs.clusterIdentifier, Engine: inputs.engine, EngineVersion: inputs.engineVersion,
            DBInstanceClass: inputs.instanceClass, PromotionTier: inputs.promotionTier, PubliclyAccessible: inputs.publiclyAccessible,
        }));
        const i = r.DBInstance;
        return { id, outputs: { identifier: id, arn: i?.DBInstanceArn, endpoint: i?.Endpoint?.Address, writer: i?.DBInstanceIdentifier !== undefined } };
    },
    exists: (ctx, id) => found(async () => ((await ctx.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances ?? []).length > 0),
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id, SkipFinalSnapshot: true }))),
};

export const DATA_APPLIERS: Record<string, Applier> = {
    "aws:sqs/queue:Queue": queue,
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": redriveAllowPolicy,
    "aws:cloudwatch/metricAlarm:MetricAlarm": metricAlarm,
    "aws:cloudwatch/dashboard:Dashboard": dashboard,
    "aws:cloudwatch/logGroup:LogGroup": logGroup,
    "aws:rds/subnetGroup:SubnetGroup": dbSubnetGroup,
    "aws:rds/cluster:Cluster": dbCluster,
    "aws:rds/clusterInstance:ClusterInstance": dbInstance,
};
