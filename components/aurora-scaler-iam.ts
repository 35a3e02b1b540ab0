/**
 * The Aurora instance-class scaler's permissions: read the cluster, its members and the write alarm;
 * create a private candidate instance of its own; resize and fail over to the cluster's instances; keep
 * its operation record in tags; delete only instances it created. Each statement is needed by a call
 * the scaler makes, and none allows more (tests/stacks/iam-simulation.test.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { CLASS_SCALER_TAG_PREFIX } from "../scaling/aurora";
import { writeLogsStatement } from "./task-iam";

export interface ClassScalerPolicyInputs {
    readonly partition: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly account: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    /** Cluster identifier: the stack's instances and the scaler's start with it. */
    readonly cluster: string;
    readonly subnetGroup: string;
    readonly engine: string;
    readonly engineVersion: string;
    readonly alarmArn: pulumi.Input<string>;
    readonly logGroupArn: pulumi.Input<string>;
}

/**
 * The parameter group and option group RDS gives an instance that names none: `default.<engine><major>`
 * and `default:<engine>-<major>` (RDS user guide, "Default parameter groups" and "Working with option
 * groups"), from the major version of the cluster's engine.
 */
export function defaultInstanceGroups(engine: string, engineVersion: string): { parameterGroup: string; optionGroup: string } {
    const major = engineVersion.split(".")[0];
    return { parameterGroup: `default.${engine}${major}`, optionGroup: `default:${engine}-${major}` };
}

export function classScalerStatements(i: ClassScalerPolicyInputs): pulumi.Input<object>[] {
    const { partition, region, account, clusterArn, alarmArn } = i;
    const rdsArn = (kind: string, id: pulumi.Input<string>) => pulumi.interpolate`arn:${partition}:rds:${region}:${account}:${kind}:${id}`;
    // The stack's writer and readers and the ones the scaler creates start with the cluster
    // identifier; the ones the scaler creates are `<cluster>-up-<time>` / `<cluster>-down-<time>`
    // (runtime/aurora/operation.ts).
    const instancesArn = rdsArn("db", `${i.cluster}-*`);
    const ownInstancesArns = [rdsArn("db", `${i.cluster}-up-*`), rdsArn("db", `${i.cluster}-down-*`)];
    // Readers Application Auto Scaling adds are named `application-autoscaling-<uuid>` (Aurora
    // user guide, "Amazon Aurora Auto Scaling with Aurora Replicas"): the scaler reads them as
    // members of the cluster, and changes none.
    const autoScalingReadersArn = rdsArn("db", "application-autoscaling-*");
    const groups = defaultInstanceGroups(i.engine, i.engineVersion);
    const tagged = (keys: string[]) => ({ "ForAllValues:StringEquals": { "aws:TagKeys": keys }, Null: { "aws:TagKeys": "false" } });
    return [
        writeLogsStatement(i.logGroupArn),
        { Sid: "ReadWriteAlarm", Effect: "Allow", Action: "cloudwatch:DescribeAlarms", Resource: alarmArn },
        { Sid: "ReadCluster", Effect: "Allow", Action: "rds:DescribeDBClusters", Resource: clusterArn },
        { Sid: "ReadMembers", Effect: "Allow", Action: "rds:DescribeDBInstances", Resource: [instancesArn, autoScalingReadersArn] },
        {
            // RDS authorises CreateDBInstance on the instance, its cluster and the parameter,
            // option and subnet groups it gets (RDS user guide, "Identity-based policy
            // examples"): the engine's defaults and the cluster's subnet group. Only a
            // private instance, marked as the scaler's own.
            Sid: "CreateCandidate",
            Effect: "Allow",
            Action: "rds:CreateDBInstance",
            Resource: [clusterArn, ...ownInstancesArns, rdsArn("pg", groups.parameterGroup), rdsArn("og", groups.optionGroup), rdsArn("subgrp", i.subnetGroup)],
            Condition: {
                Bool: { "rds:PubliclyAccessible": "false" },
                StringEquals: { [`aws:RequestTag/${CLASS_SCALER_TAG_PREFIX}created`]: "true" },
            },
        },
        { Sid: "ResizeMembers", Effect: "Allow", Action: "rds:ModifyDBInstance", Resource: instancesArn },
        { Sid: "MoveWriter", Effect: "Allow", Action: "rds:FailoverDBCluster", Resource: [clusterArn, instancesArn] },
        {
            // The operation record, the last change and an invocation's claim, on the cluster.
            Sid: "RecordOperation",
            Effect: "Allow",
            Action: ["rds:AddTagsToResource", "rds:RemoveTagsFromResource"],
            Resource: clusterArn,
            Condition: tagged([`${CLASS_SCALER_TAG_PREFIX}operation`, `${CLASS_SCALER_TAG_PREFIX}last-change`, `${CLASS_SCALER_TAG_PREFIX}claim`]),
        },
        {
            // The standby mark on an instance; never the `created` mark, which would make an
            // instance of the stack deletable below.
            Sid: "MarkStandby",
            Effect: "Allow",
            Action: ["rds:AddTagsToResource", "rds:RemoveTagsFromResource"],
            Resource: instancesArn,
            Condition: tagged([`${CLASS_SCALER_TAG_PREFIX}standby`]),
        },
        {
            // Only instances the scaler itself created can be deleted.
            Sid: "RemoveOwnInstances",
            Effect: "Allow",
            Action: "rds:DeleteDBInstance",
            Resource: ownInstancesArns,
            Condition: { StringEquals: { [`rds:db-tag/${CLASS_SCALER_TAG_PREFIX}created`]: "true" } },
        },
    ];
}
