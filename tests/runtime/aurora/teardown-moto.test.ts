/**
 * Teardown of a stack's Aurora cluster against moto_server: the cluster as the stack creates it (its
 * writer and reader), two readers Application Auto Scaling added and a writer the class scaler created;
 * `autoscale aurora teardown` removes the three instances Pulumi does not know, and then Pulumi's own
 * deletes (its instances, then the cluster with a final snapshot) succeed and leave nothing.
 *
 * AWS refuses DeleteDBCluster while the cluster has instances (RDS API reference, DeleteDBCluster:
 * InvalidDBClusterStateFault) and while deletion protection is on; the test checks that moto refuses
 * the same before the teardown, so the success after it means something.
 */
import { expect } from "chai";
import { RegisterScalableTargetCommand, DescribeScalableTargetsCommand, type ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import {
    CreateDBClusterCommand, CreateDBInstanceCommand, DeleteDBClusterCommand, DeleteDBInstanceCommand, DescribeDBClustersCommand,
    DescribeDBInstancesCommand, FailoverDBClusterCommand, ModifyDBClusterCommand, type RDSClient,
} from "@aws-sdk/client-rds";
import { createApplicationAutoScalingClient, createRdsClient } from "../../../runtime/aws/clients";
import { createLogger } from "../../../runtime/aws/logger";
import { teardownAurora } from "../../../runtime/aurora/teardown";
import { motoClientOverrides, startMoto, type MotoServer } from "../../../local/moto-server";
import { main } from "../../../cli/autoscale";

const CLUSTER = "td-aurora";
const STACK_WRITER = `${CLUSTER}-writer`;
const STACK_READER = `${CLUSTER}-reader-1`;
const AAS_READERS = ["application-autoscaling-0f1e2d3c-4b5a-4c69-8d7e-9fa0b1c2d3e4", "application-autoscaling-5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"];
/** The class scaler's instance, now the writer (a finished scale-up). */
const SCALER_WRITER = `${CLUSTER}-up-mz3k9a1b`;

describe("integration: Aurora teardown against moto_server", function () {
    this.timeout(60_000);
    let moto: MotoServer | undefined;
    let rds: RDSClient;
    let autoscaling: ApplicationAutoScalingClient;

    const members = async () => ((await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: CLUSTER }))).DBClusters?.[0]?.DBClusterMembers ?? [])
        .map((m) => m.DBInstanceIdentifier!).sort();
    const instances = async () => ((await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? []).map((i) => i.DBInstanceIdentifier!).sort();
    const refusal = (p: Promise<unknown>) => p.then(() => "accepted", (e: { name?: string }) => e.name ?? "error");

    before(async () => {
        moto = await startMoto();
        rds = createRdsClient(motoClientOverrides(moto.endpoint));
        autoscaling = createApplicationAutoScalingClient(motoClientOverrides(moto.endpoint));
        await rds.send(new CreateDBClusterCommand({
            DBClusterIdentifier: CLUSTER, Engine: "aurora-postgresql", EngineVersion: "16.4", MasterUsername: "app_admin",
            ManageMasterUserPassword: true, StorageEncrypted: true, DeletionProtection: true,
        }));
        const instance = (id: string, tier: number, tags: { Key: string; Value: string }[] = []) => rds.send(new CreateDBInstanceCommand({
            DBInstanceIdentifier: id, DBClusterIdentifier: CLUSTER, Engine: "aurora-postgresql", DBInstanceClass: "db.t4g.medium", PromotionTier: tier, Tags: tags,
        }));
        await instance(STACK_WRITER, 1);
        await instance(STACK_READER, 1);
        for (const id of AAS_READERS) await instance(id, 15);
        await instance(SCALER_WRITER, 0, [{ Key: "class-scaler:created", Value: "true" }]);
        await rds.send(new FailoverDBClusterCommand({ DBClusterIdentifier: CLUSTER, TargetDBInstanceIdentifier: SCALER_WRITER }));
        await autoscaling.send(new RegisterScalableTargetCommand({
            ServiceNamespace: "rds", ResourceId: `cluster:${CLUSTER}`, ScalableDimension: "rds:cluster:ReadReplicaCount", MinCapacity: 1, MaxCapacity: 5,
        }));
    });

    after(async () => {
        rds?.destroy();
        autoscaling?.destroy();
        await moto?.stop();
    });

    it("before the teardown, the cluster cannot be deleted: deletion protection, then instances Pulumi does not delete", async () => {
        expect(await members()).to.deep.equal([...AAS_READERS, SCALER_WRITER, STACK_READER, STACK_WRITER].sort());
        expect(await refusal(rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: CLUSTER, SkipFinalSnapshot: true })))).to.equal("InvalidParameterCombination");
        // The README's first step: deletion protection off (pulumi config set + pulumi up).
        await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: CLUSTER, DeletionProtection: false, ApplyImmediately: true }));
        // Pulumi deletes only its own instances; with the others still there the cluster stays.
        expect(await refusal(rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: CLUSTER, SkipFinalSnapshot: true })))).to.equal("InvalidDBClusterStateFault");
    });

    it("autoscale aurora teardown removes Application Auto Scaling's readers and the scaler's writer, stops reader scaling, and keeps the stack's instances", async () => {
        const logger = createLogger({ level: "silent" });
        const r = await teardownAurora(CLUSTER, { rds, autoscaling, logger, now: Date.now, sleep: async () => undefined });
        expect({ removed: [...r.removed].sort(), kept: [...r.kept].sort() }).to.deep.equal({
            removed: [...AAS_READERS, SCALER_WRITER].sort(),
            kept: [STACK_READER, STACK_WRITER],
        });
        expect(await instances()).to.deep.equal([STACK_READER, STACK_WRITER]);
        expect((await autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "rds" }))).ScalableTargets).to.deep.equal([]);
    });

    it("then pulumi destroy's deletes succeed: the stack's instances, then the cluster with its final snapshot, and nothing is left", async () => {
        for (const id of [STACK_READER, STACK_WRITER]) await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id }));
        await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: CLUSTER, FinalDBSnapshotIdentifier: `${CLUSTER}-final-mz3k9a1b` }));
        expect(await instances()).to.deep.equal([]);
        expect(await refusal(rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: CLUSTER })))).to.equal("DBClusterNotFoundFault");
    });

    it("a run after the cluster is gone fails, naming the call that found no cluster", async () => {
        const error = await teardownAurora(CLUSTER, { rds, autoscaling, logger: createLogger({ level: "silent" }), now: Date.now, sleep: async () => undefined })
            .then(() => undefined, (e: Error) => e.message);
        expect(error).to.match(/^DescribeDBClusters failed: DBClusterNotFoundFault: /);
    });

    it("`autoscale aurora teardown` without --cluster is one line, exit 2, before any AWS call", async () => {
        const err: string[] = [];
        const code = await main(["aurora", "teardown"], { env: {}, out: () => undefined, err: (x) => err.push(x), onStopSignal: () => () => undefined });
        expect([code, err.join("")]).to.deep.equal([2, "error: --cluster: (missing) is required\n"]);
    });

    it("`autoscale aurora teardown --cluster` against the endpoint prints what it removed and what it left for Pulumi", async () => {
        await rds.send(new CreateDBClusterCommand({ DBClusterIdentifier: "td-cli", Engine: "aurora-postgresql", EngineVersion: "16.4", MasterUsername: "app_admin", ManageMasterUserPassword: true }));
        for (const id of ["td-cli-writer", AAS_READERS[0]]) {
            await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: id, DBClusterIdentifier: "td-cli", Engine: "aurora-postgresql", DBInstanceClass: "db.t4g.medium" }));
        }
        const out: string[] = [];
        const env = { AWS_ENDPOINT_URL: moto!.endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", LOG_LEVEL: "silent" };
        const saved = { ...process.env };
        Object.assign(process.env, env);
        let code: number;
        try {
            code = await main(["aurora", "teardown", "--cluster", "td-cli", "--json"], { env, out: (x) => out.push(x), err: () => undefined, onStopSignal: () => () => undefined });
        } finally {
            for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
        }
        expect([code, JSON.parse(out.join(""))]).to.deep.equal([0, { cluster: "td-cli", removed: [AAS_READERS[0]], leftForPulumi: ["td-cli-writer"] }]);
    });
});
