/**
 * AuroraCluster under Pulumi mocks: the cluster, instances, subnet and security groups, the reader-count
 * target and policy, the write-rate alarm with its actions, and in provisioned mode the scaler's topic,
 * subscription, invoke permissions and a role limited to the cluster's and its instances' ARNs.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_ENTRIES, bundleLambda } from "../../bundle/esbuild";
import { AuroraCluster, POSTGRES_PORT } from "../../components/aurora-cluster";
import { StackConfig, loadStackConfig } from "../../config/load";
import { ACCOUNT, REGION, allRegistered, named, ofType, recorded, setupMocks } from "../helpers/pulumi-mocks";
import { rawProjectConfig } from "../helpers/stack-files";

const T = {
    cluster: "aws:rds/cluster:Cluster",
    instance: "aws:rds/clusterInstance:ClusterInstance",
    subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    target: "aws:appautoscaling/target:Target",
    policy: "aws:appautoscaling/policy:Policy",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    subscription: "aws:sns/topicSubscription:TopicSubscription",
    fn: "aws:lambda/function:Function",
    permission: "aws:lambda/permission:Permission",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rule: "aws:cloudwatch/eventRule:EventRule",
    eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
};

const ALERTS = `arn:aws:sns:${REGION}:${ACCOUNT}:ecs-autoscaling-staging-alerts`;
const CLIENT_SGS = ["sg-api", "sg-worker"];
const STAND_IN = new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => 0;") });

function stackConfig(stack: string, overrides: Record<string, unknown> = {}): StackConfig {
    return loadStackConfig(rawProjectConfig(stack, overrides), { project: "ecs-autoscaling", stack });
}

async function build(config: StackConfig, clientSecurityGroupIds: string[] = CLIENT_SGS): Promise<AuroraCluster> {
    const db = new AuroraCluster("aurora", {
        aurora: config.aurora!,
        vpcId: "vpc-1",
        subnetIds: ["subnet-a", "subnet-b"],
        clientSecurityGroupIds,
        alertsTopicArn: ALERTS,
        logRetentionDays: 30,
        scalerCode: STAND_IN,
    });
    await allRegistered();
    return db;
}

const policyDoc = (r: { inputs: any }, key = "policy") => JSON.parse(r.inputs[key]);

describe("AuroraCluster", () => {
    beforeEach(() => setupMocks());

    describe("staging (provisioned, class scaler on)", () => {
        const C = "ecs-autoscaling-staging-aurora";
        const clusterArn = `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${C}`;
        const instancesArn = `arn:aws:rds:${REGION}:${ACCOUNT}:db:${C}-*`;
        const alarmArn = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${C}-write-rate`;
        const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:${C}-class-scaler`;
        const fnArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${C}-class-scaler`;
        beforeEach(async () => { await build(stackConfig("staging")); });

        it("creates an encrypted Aurora PostgreSQL cluster whose password RDS keeps in Secrets Manager, protected, with a final snapshot", () => {
            const c = named(T.cluster, "aurora-cluster").inputs;
            expect(c).to.deep.include({
                clusterIdentifier: C, engine: "aurora-postgresql", engineMode: "provisioned", engineVersion: "16.4",
                databaseName: "app", masterUsername: "app_admin", manageMasterUserPassword: true, storageEncrypted: true,
                dbSubnetGroupName: `${C}-subnets`, vpcSecurityGroupIds: ["aurora-sg-id"],
                deletionProtection: true, skipFinalSnapshot: false, backupRetentionPeriod: 7,
            });
            // Unique per cluster created (the creation time in base 36), so a second destroy cannot collide with the first.
            expect(c.finalSnapshotIdentifier).to.match(new RegExp(`^${C}-final-[0-9a-z]{8}$`));
            expect(c).to.not.have.property("masterPassword");
            expect(c).to.not.have.property("serverlessv2ScalingConfiguration");
            expect(JSON.stringify(recorded.map((r) => r.inputs))).to.not.match(/masterPassword|"password"/i);
        });

        it("creates the writer first, then one reader, both db.t4g.medium with promotion tier 1", () => {
            expect(ofType(T.instance).map((r) => [r.name, r.inputs.identifier, r.inputs.instanceClass, r.inputs.promotionTier, r.inputs.clusterIdentifier, r.inputs.publiclyAccessible]))
                .to.deep.equal([
                    ["aurora-writer", `${C}-writer`, "db.t4g.medium", 1, C, false],
                    ["aurora-reader-1", `${C}-reader-1`, "db.t4g.medium", 1, C, false],
                ]);
        });

        it("puts the cluster in a subnet group of the given subnets", () => {
            expect(named(T.subnetGroup, "aurora-subnets").inputs).to.deep.include({ name: `${C}-subnets`, subnetIds: ["subnet-a", "subnet-b"] });
        });

        it("admits 5432 only from its clients' security groups, from no CIDR, opens no egress of its own, and gives each client the way out to it", () => {
            expect(named(T.sg, "aurora-sg").inputs.vpcId).to.equal("vpc-1");
            expect(named(T.sg, "aurora-sg").inputs).to.not.have.property("ingress");
            expect(ofType(T.ingress).map((r) => [r.inputs.securityGroupId, r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.referencedSecurityGroupId, r.inputs.cidrIpv4]))
                .to.deep.equal([
                    ["aurora-sg-id", "tcp", POSTGRES_PORT, POSTGRES_PORT, "sg-api", undefined],
                    ["aurora-sg-id", "tcp", POSTGRES_PORT, POSTGRES_PORT, "sg-worker", undefined],
                ]);
            // The database's group has none; each client's group gets 5432 to the database's group only.
            expect(ofType(T.egress).map((r) => [r.inputs.securityGroupId, r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.referencedSecurityGroupId, r.inputs.cidrIpv4]))
                .to.deep.equal([
                    ["sg-api", "tcp", POSTGRES_PORT, POSTGRES_PORT, "aurora-sg-id", undefined],
                    ["sg-worker", "tcp", POSTGRES_PORT, POSTGRES_PORT, "aurora-sg-id", undefined],
                ]);
        });

        it("registers rds:cluster:ReadReplicaCount 1-5 and tracks 75 connections per reader with 300 s cooldowns", () => {
            expect(named(T.target, "aurora-readers-target").inputs).to.deep.include({
                serviceNamespace: "rds", scalableDimension: "rds:cluster:ReadReplicaCount", resourceId: `cluster:${C}`, minCapacity: 1, maxCapacity: 5,
            });
            const p = named(T.policy, "aurora-readers-connections").inputs;
            expect(p).to.deep.include({ name: `${C}-readers-connections`, policyType: "TargetTrackingScaling", serviceNamespace: "rds", scalableDimension: "rds:cluster:ReadReplicaCount", resourceId: `cluster:${C}` });
            expect(p.targetTrackingScalingPolicyConfiguration).to.deep.equal({
                targetValue: 75, scaleOutCooldown: 300, scaleInCooldown: 300, disableScaleIn: false,
                predefinedMetricSpecification: { predefinedMetricType: "RDSReaderAverageDatabaseConnections" },
            });
        });

        it("alarms on the writer's WriteIOPS over 500/s for 2 periods of 300 s, to the alerts topic and the scaler, on ALARM and OK", () => {
            const a = named(T.alarm, "aurora-write-rate").inputs;
            expect(a).to.deep.include({
                name: `${C}-write-rate`, namespace: "AWS/RDS", metricName: "WriteIOPS", statistic: "Average",
                dimensions: { DBClusterIdentifier: C, Role: "WRITER" }, threshold: 500, comparisonOperator: "GreaterThanThreshold",
                period: 300, evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: "notBreaching",
            });
            expect(a.alarmActions).to.deep.equal([ALERTS, topicArn]);
            expect(a.okActions).to.deep.equal([ALERTS, topicArn]);
        });

        it("lets only the write alarm of this account publish to the scaler topic", () => {
            const doc = policyDoc(named(T.topicPolicy, "aurora-scaler-topic-policy"));
            expect(doc.Statement).to.deep.equal([{
                Sid: "WriteRateAlarmOnly", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: topicArn,
                Condition: { ArnEquals: { "aws:SourceArn": alarmArn }, StringEquals: { "aws:SourceAccount": ACCOUNT } },
            }]);
        });

        it("subscribes the scaler Lambda to the topic, lets SNS and the one-minute schedule invoke it, and nothing else", () => {
            expect(named(T.subscription, "aurora-scaler-subscription").inputs).to.deep.include({ topic: topicArn, protocol: "lambda", endpoint: fnArn });
            expect(ofType(T.permission).map((r) => [r.inputs.function, r.inputs.action, r.inputs.principal, r.inputs.sourceArn])).to.deep.equal([
                [`${C}-class-scaler`, "lambda:InvokeFunction", "sns.amazonaws.com", topicArn],
                [`${C}-class-scaler`, "lambda:InvokeFunction", "events.amazonaws.com", `arn:aws:events:${REGION}:${ACCOUNT}:rule/${C}-class-scaler-tick`],
            ]);
            expect(named(T.rule, "aurora-scaler-schedule").inputs.scheduleExpression).to.equal("rate(1 minute)");
            expect(named(T.eventTarget, "aurora-scaler-tick").inputs).to.deep.include({ rule: `${C}-class-scaler-tick`, arn: fnArn });
        });

        it("runs the scaler on nodejs22.x, one invocation at a time, with its settings from config", () => {
            const f = named(T.fn, "aurora-scaler").inputs;
            expect(f).to.deep.include({ name: `${C}-class-scaler`, runtime: "nodejs22.x", handler: "index.handler", timeout: 60 });
            // No reserved concurrency unless aurora.classScaler.reservedConcurrency: tests/stacks/aws-facts.test.ts.
            expect(f).to.not.have.property("reservedConcurrentExecutions");
            expect(f.environment.variables).to.deep.equal({
                CLUSTER_IDENTIFIER: C, ALARM_NAME: `${C}-write-rate`, SMALL_INSTANCE_CLASS: "db.t4g.medium", LARGE_INSTANCE_CLASS: "db.r6g.large",
                OK_SECONDS_BEFORE_SCALE_DOWN: "1800", COOLDOWN_SECONDS: "3600", DRY_RUN: "false",
            });
        });

        it("gives the scaler a role only this function of this account assumes, limited to the cluster's and its instances' ARNs", () => {
            const trust = policyDoc(named(T.role, "aurora-scaler-role"), "assumeRolePolicy");
            expect(trust.Statement).to.deep.equal([{
                Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": fnArn } },
            }]);
            const doc = policyDoc(named(T.rolePolicy, "aurora-scaler-policy"));
            const rds = doc.Statement.filter((s: any) => [].concat(s.Action).some((a: string) => a.startsWith("rds:")));
            // Which call each statement is needed for, and that it allows nothing else: tests/stacks/iam-simulation.test.ts.
            const db = (id: string) => `arn:aws:rds:${REGION}:${ACCOUNT}:db:${id}`;
            const own = [db("ecs-autoscaling-staging-aurora-up-*"), db("ecs-autoscaling-staging-aurora-down-*")];
            expect(rds.map((s: any) => [s.Sid, s.Resource, s.Condition])).to.deep.equal([
                ["ReadCluster", clusterArn, undefined],
                ["ReadMembers", [instancesArn, db("application-autoscaling-*")], undefined],
                ["CreateCandidate", [
                    clusterArn, ...own, `arn:aws:rds:${REGION}:${ACCOUNT}:pg:default.aurora-postgresql16`,
                    `arn:aws:rds:${REGION}:${ACCOUNT}:og:default:aurora-postgresql-16`, `arn:aws:rds:${REGION}:${ACCOUNT}:subgrp:ecs-autoscaling-staging-aurora-subnets`,
                ], { Bool: { "rds:PubliclyAccessible": "false" }, StringEquals: { "aws:RequestTag/class-scaler:created": "true" } }],
                ["ResizeMembers", instancesArn, undefined],
                ["MoveWriter", [clusterArn, instancesArn], undefined],
                ["RecordOperation", clusterArn, { "ForAllValues:StringEquals": { "aws:TagKeys": ["class-scaler:operation", "class-scaler:last-change", "class-scaler:claim"] }, Null: { "aws:TagKeys": "false" } }],
                ["MarkStandby", instancesArn, { "ForAllValues:StringEquals": { "aws:TagKeys": ["class-scaler:standby"] }, Null: { "aws:TagKeys": "false" } }],
                ["RemoveOwnInstances", own, { StringEquals: { "rds:db-tag/class-scaler:created": "true" } }],
            ]);
            expect(doc.Statement.find((s: any) => s.Sid === "ReadWriteAlarm")).to.deep.include({ Action: "cloudwatch:DescribeAlarms", Resource: alarmArn });
            expect(JSON.stringify(doc)).to.not.include('"*"');
        });
    });

    it("localstack: no deletion protection, no final snapshot", async () => {
        await build(stackConfig("localstack"));
        const c = named(T.cluster, "aurora-cluster").inputs;
        expect([c.deletionProtection, c.skipFinalSnapshot, c.finalSnapshotIdentifier]).to.deep.equal([false, true, undefined]);
    });

    it("serverlessV2: 0-8 ACU with auto-pause after 600 s, db.serverless instances, no class scaler, alarm to the alerts topic only", async () => {
        const aurora = { mode: "serverlessV2", engineVersion: "16.4", minCapacity: 0, maxCapacity: 8, secondsUntilAutoPause: 600, deletionProtection: false, finalSnapshot: false };
        await build(stackConfig("staging", { aurora }));
        expect(named(T.cluster, "aurora-cluster").inputs.serverlessv2ScalingConfiguration).to.deep.equal({ minCapacity: 0, maxCapacity: 8, secondsUntilAutoPause: 600 });
        expect(ofType(T.instance).map((r) => r.inputs.instanceClass)).to.deep.equal(["db.serverless", "db.serverless"]);
        expect([ofType(T.fn).length, ofType(T.topic).length, ofType(T.subscription).length]).to.deep.equal([0, 0, 0]);
        expect(named(T.alarm, "aurora-write-rate").inputs.alarmActions).to.deep.equal([ALERTS]);
        expect(named(T.policy, "aurora-readers-cpu").inputs.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification)
            .to.deep.equal({ predefinedMetricType: "RDSReaderAverageCPUUtilization" });
    });

    it("no reader scaling when readReplicaScaling.enabled is false", async () => {
        const a = JSON.parse(rawProjectConfig("staging").aurora);
        a.readReplicaScaling.enabled = false;
        await build(stackConfig("staging", { aurora: a }));
        expect([ofType(T.target).length, ofType(T.policy).length]).to.deep.equal([0, 0]);
    });

    it("refuses to build a database nobody may reach", () => {
        expect(() => new AuroraCluster("aurora", {
            aurora: stackConfig("staging").aurora!, vpcId: "vpc-1", subnetIds: ["a", "b"], clientSecurityGroupIds: [], alertsTopicArn: ALERTS, logRetentionDays: 1, scalerCode: STAND_IN,
        })).to.throw("AuroraCluster ecs-autoscaling-staging-aurora: clientSecurityGroupIds is [], which admits no one on 5432; pass the security groups of the ECS services that use the database");
    });

    it("bundles the scaler with esbuild into one file that exports the handler and carries no Pulumi code", async () => {
        const text = await bundleLambda(LAMBDA_ENTRIES.auroraScaler);
        expect(text).to.not.include("@pulumi/");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scaler-bundle-"));
        try {
            fs.writeFileSync(path.join(dir, "index.js"), text);
            const mod = require(path.join(dir, "index.js"));
            expect(typeof mod.handler).to.equal("function");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
