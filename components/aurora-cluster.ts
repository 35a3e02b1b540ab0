/**
 * An Aurora PostgreSQL cluster that scales itself: the cluster (storage encrypted, master password
 * generated and kept by RDS in Secrets Manager), its writer and readers, a subnet group, a security
 * group that admits 5432 only from the given client security groups, Application Auto Scaling of the
 * reader count, the write-rate alarm and, in provisioned mode, the instance-class scaler (a Lambda fed
 * by the alarm through SNS and by a one-minute schedule). Every figure comes from the validated
 * plan (AuroraClusterPlan, scaling/aurora.ts, built by config/aurora.ts); nothing here restates a threshold.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RDS_NAMESPACE, RDS_READ_REPLICA_COUNT, rdsClusterResourceId } from "../aws/scaling-ids";
import { SERVERLESS_V2_CLASS, type AuroraClusterPlan, type ReplicaScalingPlan } from "../scaling/aurora";
import { AuroraClassScaler } from "./aurora-class-scaler";
import { throwIfAny } from "./input-errors";
import { targetTrackingConfiguration } from "./service-scaling";


/** PostgreSQL's port: the only one the security group opens. */
export const POSTGRES_PORT = 5432;

export { SCALER_SCHEDULE } from "./aurora-class-scaler";

export interface AuroraClusterArgs {
    /** The cluster's plan: names, engine, capacity, replica plan, alarm, scaler settings. Required. */
    readonly aurora: AuroraClusterPlan;
    /** VPC of the security group. Required. */
    readonly vpcId: pulumi.Input<string>;
    /** Subnets of the subnet group (RDS needs at least two availability zones). Required. */
    readonly subnetIds: pulumi.Input<string[]>;
    /**
     * Security groups of the services that use the database: each is admitted on 5432 and gets an
     * egress rule to the cluster's group on 5432. Required, at least one.
     */
    readonly clientSecurityGroupIds: readonly pulumi.Input<string>[];
    /** Topic the write-rate alarm notifies on ALARM and OK (the stack's alerts). Required. */
    readonly alertsTopicArn: pulumi.Input<string>;
    /**
     * KMS key the scaler topic is encrypted with; CloudWatch must be allowed to use it (the alerts
     * topic's key is). Defaults to no encryption.
     */
    readonly topicKmsKeyArn?: pulumi.Input<string>;
    /** Retention of the scaler's log group, in days. Required. */
    readonly logRetentionDays: number;
    /** Bundled scaler code; default: the scaler entry bundled by esbuild at deploy time. Tests pass a small stand-in. */
    readonly scalerCode?: pulumi.Input<pulumi.asset.Archive>;
}

export class AuroraCluster extends pulumi.ComponentResource {
    readonly cluster: aws.rds.Cluster;
    readonly instances: aws.rds.ClusterInstance[];
    readonly securityGroupId: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly readerEndpoint: pulumi.Output<string>;
    /** The Secrets Manager secret RDS keeps the master password in. */
    readonly masterUserSecretArn: pulumi.Output<string | undefined>;
    readonly writeAlarm: aws.cloudwatch.MetricAlarm;
    readonly replicaTarget?: aws.appautoscaling.Target;
    readonly replicaPolicies: Record<string, aws.appautoscaling.Policy>;
    readonly classScaler?: AuroraClassScaler;
    readonly scalerFunction?: aws.lambda.Function;

    constructor(name: string, args: AuroraClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        checkArgs(args);
        super("ecs-autoscaling:rds:AuroraCluster", name, {}, opts);
        const a = args.aurora;
        const n = a.names;
        const provisioned = a.capacity.mode === "provisioned" ? a.capacity : undefined;
        const serverless = a.capacity.mode === "serverlessV2" ? a.capacity : undefined;
        const scaler = a.classScaler;

        const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, {
            name: n.subnetGroup,
            subnetIds: args.subnetIds,
            description: `Subnets of Aurora cluster ${n.cluster}`,
        }, { parent: this });

        // No inline rules: each rule is its own resource. No egress: the database opens no connections.
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: `Aurora cluster ${n.cluster}: PostgreSQL from the ECS services only`,
        }, { parent: this });
        // Each client's way in, on both sides: the database admits it, and its own group (whose only
        // other egress is HTTPS) may open PostgreSQL to the database's group and nowhere else.
        args.clientSecurityGroupIds.forEach((sg, i) => {
            new aws.vpc.SecurityGroupIngressRule(`${name}-from-client-${i}`, {
                securityGroupId: securityGroup.id,
                description: `PostgreSQL from ECS service security group ${i}`,
                ipProtocol: "tcp",
                fromPort: POSTGRES_PORT,
                toPort: POSTGRES_PORT,
                referencedSecurityGroupId: sg,
            }, { parent: this });
            new aws.vpc.SecurityGroupEgressRule(`${name}-client-${i}-egress`, {
                securityGroupId: sg,
                description: `PostgreSQL to Aurora cluster ${n.cluster}`,
                ipProtocol: "tcp",
                fromPort: POSTGRES_PORT,
                toPort: POSTGRES_PORT,
                referencedSecurityGroupId: securityGroup.id,
            }, { parent: this });
        });

        // The scaler tags the cluster and instances and changes classes and promotion tiers; RDS applies
        // minor engine upgrades itself (auto minor version upgrade, on by default). `pulumi up` undoes neither.
        const scalerOwned = scaler ? ["tags", "tagsAll"] : [];
        const rdsOwned = ["engineVersion"];
        this.cluster = new aws.rds.Cluster(`${name}-cluster`, {
            clusterIdentifier: n.cluster,
            engine: a.engine,
            engineMode: "provisioned",
            engineVersion: a.engineVersion,
            databaseName: a.databaseName,
            masterUsername: a.masterUsername,
            // RDS generates the password and keeps it in Secrets Manager: it is in no config, code or state.
            manageMasterUserPassword: true,
            storageEncrypted: true,
            dbSubnetGroupName: subnetGroup.name,
            vpcSecurityGroupIds: [securityGroup.id],
            deletionProtection: a.deletionProtection,
            skipFinalSnapshot: !a.finalSnapshot,
            // Set once per cluster created (ignoreChanges keeps it): a second destroy cannot collide with the first.
            ...(a.finalSnapshot ? { finalSnapshotIdentifier: finalSnapshotName(n.cluster, Date.now()) } : {}),
            backupRetentionPeriod: a.backupRetentionDays,
            copyTagsToSnapshot: true,
            ...(serverless ? {
                serverlessv2ScalingConfiguration: {
                    minCapacity: serverless.minCapacity,
                    maxCapacity: serverless.maxCapacity,
                    ...(serverless.secondsUntilAutoPause !== undefined ? { secondsUntilAutoPause: serverless.secondsUntilAutoPause } : {}),
                },
            } : {}),
        }, { parent: this, ignoreChanges: [...rdsOwned, "finalSnapshotIdentifier", ...scalerOwned] });

        const instanceClass = provisioned ? provisioned.instanceClass : SERVERLESS_V2_CLASS;
        const instanceOptions = { parent: this, ignoreChanges: [...rdsOwned, ...(scaler ? ["instanceClass", "promotionTier", ...scalerOwned] : [])] };
        const instance = (resourceName: string, identifier: string, opts: pulumi.CustomResourceOptions) => new aws.rds.ClusterInstance(resourceName, {
            identifier,
            clusterIdentifier: this.cluster.id,
            engine: a.engine,
            engineVersion: a.engineVersion,
            instanceClass,
            promotionTier: 1,
            publiclyAccessible: false,
        }, opts);
        const writer = instance(`${name}-writer`, n.writer, instanceOptions);
        // Readers after the writer, so that the first instance, the writer, is the one named so.
        this.instances = [writer, ...Array.from({ length: a.readers }, (_, i) =>
            instance(`${name}-reader-${i + 1}`, `${n.readerPrefix}${i + 1}`, { ...instanceOptions, dependsOn: [writer] }))];

        this.replicaPolicies = {};
        if (a.replicaScaling) {
            const plan: ReplicaScalingPlan = a.replicaScaling;
            this.replicaTarget = new aws.appautoscaling.Target(`${name}-readers-target`, {
                serviceNamespace: RDS_NAMESPACE,
                scalableDimension: RDS_READ_REPLICA_COUNT,
                resourceId: this.cluster.clusterIdentifier.apply(rdsClusterResourceId),
                minCapacity: plan.minCapacity,
                maxCapacity: plan.maxCapacity,
            }, { parent: this, dependsOn: this.instances });
            for (const policy of plan.policies) {
                this.replicaPolicies[policy.name] = new aws.appautoscaling.Policy(`${name}-${policy.name}`, {
                    name: `${n.cluster}-${policy.name}`,
                    policyType: "TargetTrackingScaling",
                    resourceId: this.replicaTarget.resourceId,
                    scalableDimension: this.replicaTarget.scalableDimension,
                    serviceNamespace: this.replicaTarget.serviceNamespace,
                    targetTrackingScalingPolicyConfiguration: targetTrackingConfiguration(policy, undefined),
                }, { parent: this, dependsOn: [this.replicaTarget], deleteBeforeReplace: true });
            }
        }


        // Provisioned mode with the class scaler: the function and the topic the write-rate alarm feeds.
        this.classScaler = scaler ? new AuroraClassScaler(`${name}-scaler`, {
            clusterIdentifier: n.cluster,
            clusterArn: this.cluster.arn,
            subnetGroupName: n.subnetGroup,
            engine: a.engine,
            engineVersion: a.engineVersion,
            writeAlarmName: n.writeAlarm,
            functionName: n.scalerFunction,
            topicName: n.scalerTopic,
            topicKmsKeyArn: args.topicKmsKeyArn,
            smallClass: scaler.smallClass,
            largeClass: scaler.largeClass,
            okSecondsBeforeScaleDown: scaler.okSecondsBeforeScaleDown,
            cooldownSeconds: scaler.cooldownSeconds,
            dryRun: scaler.dryRun,
            reservedConcurrency: scaler.reservedConcurrency,
            logRetentionDays: args.logRetentionDays,
            code: args.scalerCode,
        }, { parent: this }) : undefined;
        this.scalerFunction = this.classScaler?.function;

        const series = a.writeAlarm.series;
        const actions = [args.alertsTopicArn, ...(this.classScaler ? [this.classScaler.topicArn] : [])];
        this.writeAlarm = new aws.cloudwatch.MetricAlarm(`${name}-write-rate`, {
            name: n.writeAlarm,
            alarmDescription: `Writes to ${n.cluster}: ${series.namespace} ${series.metricName} (${series.statistic}, ` +
                `${Object.entries(series.dimensions).map(([k, v]) => `${k}=${v}`).join(", ")}) > ${a.writeAlarm.threshold}/s ` +
                `for ${a.writeAlarm.evaluationPeriods} periods of ${a.writeAlarm.period} s` +
                (scaler ? `; the instance-class scaler moves the writer to ${scaler.largeClass}, and back to ${scaler.smallClass} after ${scaler.okSecondsBeforeScaleDown} s OK.` : "."),
            namespace: series.namespace,
            metricName: series.metricName,
            statistic: series.statistic,
            dimensions: { ...series.dimensions },
            threshold: a.writeAlarm.threshold,
            comparisonOperator: a.writeAlarm.comparisonOperator,
            period: a.writeAlarm.period,
            evaluationPeriods: a.writeAlarm.evaluationPeriods,
            datapointsToAlarm: a.writeAlarm.datapointsToAlarm,
            treatMissingData: a.writeAlarm.treatMissingData,
            alarmActions: actions,
            okActions: actions,
        }, { parent: this });

        this.securityGroupId = securityGroup.id;
        this.endpoint = this.cluster.endpoint;
        this.readerEndpoint = this.cluster.readerEndpoint;
        this.masterUserSecretArn = this.cluster.masterUserSecrets.apply((s) => s?.[0]?.secretArn);
        this.registerOutputs({
            clusterArn: this.cluster.arn,
            endpoint: this.endpoint,
            readerEndpoint: this.readerEndpoint,
            masterUserSecretArn: this.masterUserSecretArn,
            securityGroupId: this.securityGroupId,
            writeAlarm: this.writeAlarm,
            replicaTarget: this.replicaTarget,
            replicaPolicies: this.replicaPolicies,
            scalerFunction: this.scalerFunction,
        });
    }
}

/** `<cluster>-final-<creation time, base 36>`: unique per cluster created, within RDS's identifier rules. */
export function finalSnapshotName(cluster: string, createdAtMs: number): string {
    return `${cluster}-final-${createdAtMs.toString(36)}`;
}

function checkArgs(args: AuroraClusterArgs): void {
    throwIfAny(`AuroraCluster ${args.aurora.names.cluster}`, args.clientSecurityGroupIds.length === 0 ? [{
        propertyPath: "clientSecurityGroupIds",
        reason: `is [], which admits no one on ${POSTGRES_PORT}; pass the security groups of the ECS services that use the database`,
    }] : []);
}
