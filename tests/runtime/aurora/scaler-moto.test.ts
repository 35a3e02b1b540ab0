/**
 * The instance-class scaler against moto_server: a real Aurora PostgreSQL cluster record with a writer
 * and a reader, a real CloudWatch alarm whose state the test sets (moto never evaluates alarms), and
 * the scaler's RDS and CloudWatch clients from the runtime's own factory. moto applies ModifyDBInstance
 * at once and has no "creating"/"modifying" window for instances (shared/reference/moto.md, section 6),
 * so each operation runs to completion in one or two invocations; the waiting itself is covered by
 * the aws-sdk-client-mock tests.
 */
import { expect } from "chai";
import { CreateDBClusterCommand, CreateDBInstanceCommand, DescribeDBClustersCommand, DescribeDBInstancesCommand, type RDSClient } from "@aws-sdk/client-rds";
import { PutMetricAlarmCommand, SetAlarmStateCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { createCloudWatchClient, createRdsClient } from "../../../runtime/aws/clients";
import { createLogger } from "../../../runtime/aws/logger";
import { InstanceClassScaler, type Outcome } from "../../../runtime/aurora/scaler";
import { TAGS, type ScalerSettings } from "../../../runtime/aurora/operation";
import { writerWriteIopsSeries } from "../../../scaling/aurora";
import { motoClientOverrides, startMoto, type MotoServer } from "../../../local/moto-server";
import { recordAwsCalls } from "../../helpers/aws-call-recorder";

const CLUSTER = "it-aurora";
const WRITER = `${CLUSTER}-writer`;
const READER = `${CLUSTER}-reader-1`;
/** A reader Application Auto Scaling added: its name is `application-autoscaling-<uuid>`, not the cluster's. */
const AAS_READER = "application-autoscaling-0f1e2d3c-4b5a-4c69-8d7e-9fa0b1c2d3e4";
const ALARM = `${CLUSTER}-write-rate`;
const SMALL = "db.t4g.medium";
const LARGE = "db.r6g.large";

describe("integration: aurora instance-class scaler against moto_server", function () {
    recordAwsCalls(__filename, "aurora-class-scaler", { dbCluster: CLUSTER, alarm: ALARM });
    this.timeout(60_000);
    let moto: MotoServer | undefined;
    let rds: RDSClient;
    let cloudwatch: CloudWatchClient;
    /** Added to the real clock: lets the test step past the OK hold and the cooldown. */
    let offsetMs = 0;
    const logLines: any[] = [];

    const settings: ScalerSettings = {
        clusterIdentifier: CLUSTER, alarmName: ALARM, smallClass: SMALL, largeClass: LARGE,
        okSecondsBeforeScaleDown: 1800, cooldownSeconds: 3600, dryRun: false,
    };
    const scaler = () => new InstanceClassScaler(settings, {
        rds, cloudwatch,
        logger: createLogger({ level: "info", destination: { write: (l: string) => { logLines.push(JSON.parse(l)); } } }),
        now: () => Date.now() + offsetMs,
        // One invocation at a time here: the claim is written, read back and released without the settle wait.
        sleep: async () => {},
    });

    async function runToEnd(trigger: string): Promise<Outcome[]> {
        const outcomes: Outcome[] = [];
        for (let i = 0; i < 6; i++) {
            const out = await scaler().run(i === 0 ? trigger : "schedule");
            outcomes.push(out);
            if (out.result !== "waiting") return outcomes;
        }
        throw new Error(`operation did not finish in 6 invocations: ${JSON.stringify(outcomes)}`);
    }

    async function topology(): Promise<{ writer: string; classes: Record<string, string>; clusterTags: string[] }> {
        const c = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: CLUSTER }))).DBClusters![0];
        const classes: Record<string, string> = {};
        for (const m of c.DBClusterMembers ?? []) {
            const i = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: m.DBInstanceIdentifier }))).DBInstances![0];
            classes[i.DBInstanceIdentifier!] = i.DBInstanceClass!;
        }
        return {
            writer: c.DBClusterMembers!.find((m) => m.IsClusterWriter)!.DBInstanceIdentifier!,
            classes,
            clusterTags: (c.TagList ?? []).map((t) => t.Key!).sort(),
        };
    }

    before(async () => {
        moto = await startMoto();
        rds = createRdsClient(motoClientOverrides(moto.endpoint));
        cloudwatch = createCloudWatchClient(motoClientOverrides(moto.endpoint));
        await rds.send(new CreateDBClusterCommand({
            DBClusterIdentifier: CLUSTER, Engine: "aurora-postgresql", EngineVersion: "16.4",
            MasterUsername: "app_admin", ManageMasterUserPassword: true, StorageEncrypted: true,
        }));
        await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: WRITER, DBClusterIdentifier: CLUSTER, Engine: "aurora-postgresql", DBInstanceClass: SMALL, PromotionTier: 1 }));
        await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: READER, DBClusterIdentifier: CLUSTER, Engine: "aurora-postgresql", DBInstanceClass: SMALL, PromotionTier: 1 }));
        await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: AAS_READER, DBClusterIdentifier: CLUSTER, Engine: "aurora-postgresql", DBInstanceClass: SMALL, PromotionTier: 15 }));
        const series = writerWriteIopsSeries(CLUSTER);
        await cloudwatch.send(new PutMetricAlarmCommand({
            AlarmName: ALARM, Namespace: series.namespace, MetricName: series.metricName, Statistic: "Average",
            Dimensions: Object.entries(series.dimensions).map(([Name, Value]) => ({ Name, Value })),
            Threshold: 500, ComparisonOperator: "GreaterThanThreshold", Period: 300, EvaluationPeriods: 2,
        }));
    });

    after(async () => {
        rds?.destroy();
        cloudwatch?.destroy();
        await moto?.stop();
    });

    it("starts with a small writer, a small reader of the stack and one Application Auto Scaling added", async () => {
        expect(await topology()).to.deep.equal({ writer: WRITER, classes: { [WRITER]: SMALL, [READER]: SMALL, [AAS_READER]: SMALL }, clusterTags: [] });
    });

    it("scale-up on ALARM runs to completion: a new large writer, the old writer resized to large, the reader untouched", async () => {
        await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: "ALARM", StateReason: "integration test: sustained writes" }));
        const outcomes = await runToEnd("alarm");
        expect(outcomes.at(-1)!.result).to.equal("completed");
        const t = await topology();
        expect(t.writer).to.match(new RegExp(`^${CLUSTER}-up-[0-9a-z]+$`));
        expect(t.classes).to.deep.equal({ [WRITER]: LARGE, [READER]: SMALL, [AAS_READER]: SMALL, [t.writer]: LARGE });
        expect(t.clusterTags).to.deep.equal([TAGS.lastChange]);
        expect(logLines.filter((l) => l.event === "step").map((l) => l.call).filter(Boolean))
            .to.deep.equal(["CreateDBInstance", "FailoverDBCluster", "ModifyDBInstance", "AddTagsToResource"]);
    });

    it("an OK alarm inside the hold changes nothing", async () => {
        await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: "OK", StateReason: "integration test: load gone" }));
        const out = await scaler().run("alarm");
        expect(out.result).to.equal("idle");
        expect((out as { reason: string }).reason).to.match(/^alarm it-aurora-write-rate OK for \d+ s of the 1800 s needed before scaling down$/);
    });

    it("scale-down after the OK hold and the cooldown runs to completion: the original writer small again, the scaler's instance gone", async () => {
        offsetMs = 3600_000;
        logLines.length = 0;
        const outcomes = await runToEnd("schedule");
        expect(outcomes.at(-1)!.result).to.equal("completed");
        expect(await topology()).to.deep.equal({ writer: WRITER, classes: { [WRITER]: SMALL, [READER]: SMALL, [AAS_READER]: SMALL }, clusterTags: [TAGS.lastChange] });
        expect(logLines.filter((l) => l.event === "step").map((l) => l.call).filter(Boolean))
            .to.deep.equal(["ModifyDBInstance", "FailoverDBCluster", "DeleteDBInstance", "RemoveTagsFromResource"]);
    });
});
