/**
 * runtime/aurora/scaler.ts against a fake RDS and CloudWatch (aws-sdk-client-mock): scale-up and
 * scale-down, the cooldown, one invocation at a time, resuming after a crash, and dry runs.
 */
import { expect } from "chai";
import { RDSClient } from "@aws-sdk/client-rds";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { InstanceClassScaler } from "../../../runtime/aurora/scaler";
import {
    CLAIM_LEASE_SECONDS, CLAIM_SETTLE_MS, ScalerSettings, TAGS, decodeClaim, encodeClaim, encodeOperation, Operation,
} from "../../../runtime/aurora/operation";
import { captureLogs, CLIENT_CONFIG } from "../support";
import { ALARM, CLUSTER, FakeAurora, clusterArn, instanceArn } from "./fake-rds";
import { recordAwsCalls } from "../../helpers/aws-call-recorder";
import { SMALL, LARGE, WRITER, READER, T0, T0s, settings } from "./scaler-fixture";

describe("aurora instance-class scaler (aws-sdk-client-mock)", () => {
    recordAwsCalls(__filename, "aurora-class-scaler", { dbCluster: CLUSTER, alarm: ALARM });
    let world: FakeAurora;
    let now = T0;
    const logs = captureLogs();
    const scaler = (s: Partial<ScalerSettings> = {}) => new InstanceClassScaler({ ...settings, ...s }, {
        rds: new RDSClient(CLIENT_CONFIG),
        cloudwatch: new CloudWatchClient(CLIENT_CONFIG),
        logger: logs.logger,
        now: () => now,
        sleep: async () => {},
        token: "test-invocation",
    });
    /** The writes of the class change; each invocation's claim and its release are tested on their own below. */
    const isClaim = (w: { input: any }) => [...(w.input.Tags ?? []).map((t: any) => t.Key), ...(w.input.TagKeys ?? [])].includes(TAGS.claim);
    const writes = () => world.writes.filter((w) => !isClaim(w)).map((w) => [w.op, w.input]);
    const opTag = (step: Operation["step"], o: Partial<Operation> = {}) => encodeOperation({
        direction: "up", step, fromClass: SMALL, toClass: LARGE, oldWriter: WRITER,
        candidate: `${CLUSTER}-up-${T0s.toString(36)}`, createCandidate: true, startedAt: T0s, ...o,
    });

    beforeEach(() => {
        now = T0;
        logs.lines.length = 0;
    });
    afterEach(() => world.restore());

    it("scale-up: creates a large tier-0 reader, fails over once it is available, resizes the old writer and records the change", async () => {
        world = new FakeAurora({ writerClass: SMALL, readers: { [READER]: SMALL }, alarm: { state: "ALARM", since: new Date(T0 - 60_000) } });
        const cand = `${CLUSTER}-up-${T0s.toString(36)}`;

        const first = await scaler().run("alarm");
        expect(first).to.deep.include({ result: "waiting", step: "wait-candidate" });
        expect(writes()).to.deep.equal([
            ["AddTagsToResource", { ResourceName: clusterArn, Tags: [{ Key: TAGS.operation, Value: opTag("prepare") }] }],
            ["CreateDBInstance", { DBInstanceIdentifier: cand, DBClusterIdentifier: CLUSTER, Engine: "aurora-postgresql", DBInstanceClass: LARGE, PromotionTier: 0, PubliclyAccessible: false, Tags: [{ Key: TAGS.created, Value: "true" }] }],
            ["AddTagsToResource", { ResourceName: clusterArn, Tags: [{ Key: TAGS.operation, Value: opTag("wait-candidate") }] }],
        ]);

        // Still creating: a scheduled tick changes nothing.
        world.writes.length = 0;
        now += 60_000;
        expect(await scaler().run("schedule")).to.deep.include({ result: "waiting", step: "wait-candidate" });
        expect(writes()).to.deep.equal([]);

        world.finishPending();
        now += 60_000;
        expect(await scaler().run("schedule")).to.deep.include({ result: "waiting", step: "wait-failover" });
        expect(writes()).to.deep.equal([
            ["FailoverDBCluster", { DBClusterIdentifier: CLUSTER, TargetDBInstanceIdentifier: cand }],
            ["AddTagsToResource", { ResourceName: clusterArn, Tags: [{ Key: TAGS.operation, Value: opTag("wait-failover") }] }],
        ]);

        world.writes.length = 0;
        world.finishPending();
        now += 60_000;
        const done = await scaler().run("schedule");
        expect(done.result).to.equal("completed");
        expect(writes()).to.deep.equal([
            ["AddTagsToResource", { ResourceName: clusterArn, Tags: [{ Key: TAGS.operation, Value: opTag("retire-old-writer") }] }],
            ["ModifyDBInstance", { DBInstanceIdentifier: WRITER, DBInstanceClass: LARGE, ApplyImmediately: true }],
            ["AddTagsToResource", { ResourceName: instanceArn(WRITER), Tags: [{ Key: TAGS.standby, Value: "true" }] }],
            ["AddTagsToResource", { ResourceName: clusterArn, Tags: [{ Key: TAGS.lastChange, Value: `dir=up at=${T0s + 180}` }] }],
            ["RemoveTagsFromResource", { ResourceName: clusterArn, TagKeys: [TAGS.operation] }],
        ]);
        world.finishPending();
        expect(world.writer).to.equal(cand);
        expect(Object.fromEntries([...world.instances.values()].map((i) => [i.id, i.cls]))).to.deep.equal({ [WRITER]: LARGE, [READER]: SMALL, [cand]: LARGE });
        expect([...world.clusterTags.keys()]).to.deep.equal([TAGS.lastChange]);
        // Every step is one JSON line with an event name.
        expect(logs.lines.filter((l) => l.event === "step").map((l) => l.call ?? l.step)).to.deep.equal(
            ["CreateDBInstance", "FailoverDBCluster", "wait-failover", "ModifyDBInstance", "AddTagsToResource"]);
    });

    it("scale-down after the alarm has been OK for 30 minutes: resizes the standby to small, fails back, removes the instance it created", async () => {
        const cand = `${CLUSTER}-up-${T0s.toString(36)}`;
        world = new FakeAurora({ writerClass: LARGE, readers: { [READER]: SMALL }, alarm: { state: "OK", since: new Date(T0 - 1800_000) } });
        world.add(cand, LARGE, 0, { [TAGS.created]: "true" });
        world.instances.get(WRITER)!.tags.set(TAGS.standby, "true");
        world.writer = cand;
        world.clusterTags.set(TAGS.lastChange, `dir=up at=${T0s - 7200}`);
        const down = (step: Operation["step"]) => opTag(step, { direction: "down", fromClass: LARGE, toClass: SMALL, oldWriter: cand, candidate: WRITER, createCandidate: false });

        expect(await scaler().run("alarm")).to.deep.include({ result: "waiting", step: "wait-candidate" });
        expect(writes()).to.deep.equal([
            ["AddTagsToResource", { ResourceName: clusterArn, Tags: [{ Key: TAGS.operation, Value: down("prepare") }] }],
            ["ModifyDBInstance", { DBInstanceIdentifier: WRITER, DBInstanceClass: SMALL, PromotionTier: 0, ApplyImmediately: true }],
            ["AddTagsToResource", { ResourceName: clusterArn, Tags: [{ Key: TAGS.operation, Value: down("wait-candidate") }] }],
        ]);
        world.writes.length = 0;
        world.finishPending();
        expect(await scaler().run("schedule")).to.deep.include({ result: "waiting", step: "wait-failover" });
        world.finishPending();
        expect((await scaler().run("schedule")).result).to.equal("completed");
        expect(writes()).to.deep.equal([
            ["FailoverDBCluster", { DBClusterIdentifier: CLUSTER, TargetDBInstanceIdentifier: WRITER }],
            ["AddTagsToResource", { ResourceName: clusterArn, Tags: [{ Key: TAGS.operation, Value: down("wait-failover") }] }],
            ["AddTagsToResource", { ResourceName: clusterArn, Tags: [{ Key: TAGS.operation, Value: down("retire-old-writer") }] }],
            ["DeleteDBInstance", { DBInstanceIdentifier: cand }],
            ["RemoveTagsFromResource", { ResourceName: instanceArn(WRITER), TagKeys: [TAGS.standby] }],
            ["AddTagsToResource", { ResourceName: clusterArn, Tags: [{ Key: TAGS.lastChange, Value: `dir=down at=${T0s}` }] }],
            ["RemoveTagsFromResource", { ResourceName: clusterArn, TagKeys: [TAGS.operation] }],
        ]);
        expect(world.writer).to.equal(WRITER);
        expect(Object.fromEntries([...world.instances.values()].map((i) => [i.id, i.cls]))).to.deep.equal({ [WRITER]: SMALL, [READER]: SMALL });
    });

    it("does not scale down before the alarm has been OK for okSecondsBeforeScaleDown", async () => {
        world = new FakeAurora({ writerClass: LARGE, readers: { [READER]: SMALL }, alarm: { state: "OK", since: new Date(T0 - 1799_000) } });
        const out = await scaler().run("schedule");
        expect(out).to.deep.equal({ result: "idle", reason: `alarm ${ALARM} OK for 1799 s of the 1800 s needed before scaling down` });
        expect(writes()).to.deep.equal([]);
    });

    it("a second alarm during an operation is refused: the operation is resumed, no second one starts", async () => {
        world = new FakeAurora({ writerClass: SMALL, readers: { [READER]: SMALL }, alarm: { state: "ALARM", since: new Date(T0 - 60_000) } });
        const cand = `${CLUSTER}-up-${T0s.toString(36)}`;
        world.add(cand, LARGE, 0, { [TAGS.created]: "true" }, "creating");
        world.clusterTags.set(TAGS.operation, opTag("wait-candidate"));
        now = T0 + 120_000;
        const out = await scaler().run("alarm");
        expect(out).to.deep.include({ result: "waiting", step: "wait-candidate" });
        expect(writes()).to.deep.equal([]);
        const refused = logs.lines.filter((l) => l.event === "refused");
        expect(refused).to.have.length(1);
        expect(refused[0].msg).to.equal(`alarm notification during an operation: operation up (${SMALL} -> ${LARGE}) started at ${T0s} is at step wait-candidate; no second operation starts`);
        expect([...world.instances.keys()]).to.have.length(3);
    });

    it("cooldown: no change within cooldownSeconds of the last one, a change right after it", async () => {
        world = new FakeAurora({ writerClass: SMALL, readers: { [READER]: SMALL }, alarm: { state: "ALARM", since: new Date(T0 - 60_000) } });
        world.clusterTags.set(TAGS.lastChange, `dir=down at=${T0s - 3599}`);
        expect(await scaler().run("alarm")).to.deep.equal({
            result: "idle",
            reason: `cooldown: last change (down) finished 3599 s ago, 3600 s needed; alarm ${ALARM} is ALARM since ${T0s - 60}`,
        });
        expect(writes()).to.deep.equal([]);
        now += 1000;
        expect(await scaler().run("schedule")).to.deep.include({ result: "waiting", step: "wait-candidate" });
        expect(writes().map(([op]) => op)).to.deep.equal(["AddTagsToResource", "CreateDBInstance", "AddTagsToResource"]);
    });

    describe("one invocation at a time, without reserved concurrency: the claim on the cluster", () => {
        /** Scalers whose settle waits all end together, once every one of them has written its claim. */
        function contenders(tokens: string[]): InstanceClassScaler[] {
            let waiting = 0;
            let release!: () => void;
            const allWritten = new Promise<void>((r) => { release = r; });
            return tokens.map((token) => new InstanceClassScaler(settings, {
                rds: new RDSClient(CLIENT_CONFIG), cloudwatch: new CloudWatchClient(CLIENT_CONFIG), logger: logs.logger, now: () => now, token,
                sleep: async (ms) => {
                    expect(ms).to.equal(CLAIM_SETTLE_MS);
                    if (++waiting === tokens.length) release();
                    await allWritten;
                },
            }));
        }

        it("an alarm notification and a schedule tick at the same moment: one creates the candidate, the other does nothing", async () => {
            world = new FakeAurora({ writerClass: SMALL, readers: { [READER]: SMALL }, alarm: { state: "ALARM", since: new Date(T0 - 60_000) } });
            const [a, b] = contenders(["sns-1", "tick-1"]);
            const [fromAlarm, fromTick] = await Promise.all([a.run("alarm"), b.run("schedule")]);
            expect(fromAlarm).to.deep.equal({ result: "idle", reason: "invocation tick-1 claimed the cluster at the same time; this one (alarm) does nothing" });
            expect(fromTick).to.deep.include({ result: "waiting", step: "wait-candidate" });
            expect(world.writes.filter((w) => w.op === "CreateDBInstance")).to.have.length(1);
            expect(logs.lines.filter((l) => l.event === "operation-started")).to.have.length(1);
            expect(world.writes.filter(isClaim).map((w) => [w.op, w.input.Tags?.[0]?.Value ?? w.input.TagKeys])).to.deep.equal([
                ["AddTagsToResource", `by=sns-1 until=${T0s + CLAIM_LEASE_SECONDS}`],
                ["AddTagsToResource", `by=tick-1 until=${T0s + CLAIM_LEASE_SECONDS}`],
                ["RemoveTagsFromResource", [TAGS.claim]],
            ]);
            expect(world.clusterTags.has(TAGS.claim)).to.equal(false);
        });

        it("two invocations resuming the same operation: only one fails over", async () => {
            world = new FakeAurora({ writerClass: SMALL, readers: { [READER]: SMALL }, alarm: { state: "ALARM", since: new Date(T0 - 60_000) } });
            world.add(`${CLUSTER}-up-${T0s.toString(36)}`, LARGE, 0, { [TAGS.created]: "true" }, "available");
            world.clusterTags.set(TAGS.operation, opTag("wait-candidate"));
            const outcomes = await Promise.all(contenders(["a", "b", "c"]).map((s, i) => s.run(i === 0 ? "alarm" : "schedule")));
            expect(outcomes.filter((o) => o.result === "idle")).to.have.length(2);
            expect(world.writes.filter((w) => w.op === "FailoverDBCluster")).to.have.length(1);
        });

        it("a live claim of another invocation: nothing is read past the cluster and nothing is written", async () => {
            world = new FakeAurora({ writerClass: SMALL, readers: { [READER]: SMALL }, alarm: { state: "ALARM", since: new Date(T0 - 60_000) } });
            world.clusterTags.set(TAGS.claim, `by=other until=${T0s + 1}`);
            expect(await scaler().run("alarm")).to.deep.equal({ result: "idle", reason: `invocation other holds the cluster until ${T0s + 1}; this one (alarm) does nothing` });
            expect(world.writes).to.deep.equal([]);
        });

        it("a lapsed claim (its invocation crashed) is taken over", async () => {
            world = new FakeAurora({ writerClass: SMALL, readers: { [READER]: SMALL }, alarm: { state: "ALARM", since: new Date(T0 - 60_000) } });
            world.clusterTags.set(TAGS.claim, `by=crashed until=${T0s}`);
            expect(await scaler().run("alarm")).to.deep.include({ result: "waiting", step: "wait-candidate" });
            expect(world.writes.filter((w) => w.op === "CreateDBInstance")).to.have.length(1);
            expect(world.clusterTags.has(TAGS.claim)).to.equal(false);
        });

        it("the claim round-trips and uses only characters RDS allows in tag values", () => {
            const value = encodeClaim({ by: "3f1e2d3c-4b5a-4c69-8d7e-9fa0b1c2d3e4", until: T0s + CLAIM_LEASE_SECONDS });
            expect(decodeClaim(value)).to.deep.equal({ by: "3f1e2d3c-4b5a-4c69-8d7e-9fa0b1c2d3e4", until: T0s + CLAIM_LEASE_SECONDS });
            expect(value).to.match(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u);
        });
    });

    it("crash after CreateDBInstance, before the tag moved on: resumes from the tag without creating a second instance", async () => {
        world = new FakeAurora({ writerClass: SMALL, readers: { [READER]: SMALL }, alarm: { state: "ALARM", since: new Date(T0 - 60_000) } });
        const cand = `${CLUSTER}-up-${T0s.toString(36)}`;
        world.add(cand, LARGE, 0, { [TAGS.created]: "true" }, "available");
        world.clusterTags.set(TAGS.operation, opTag("prepare"));
        now = T0 + 300_000;
        expect(await scaler().run("schedule")).to.deep.include({ result: "waiting", step: "wait-failover" });
        expect(writes()).to.deep.equal([
            ["AddTagsToResource", { ResourceName: clusterArn, Tags: [{ Key: TAGS.operation, Value: opTag("wait-candidate") }] }],
            ["FailoverDBCluster", { DBClusterIdentifier: CLUSTER, TargetDBInstanceIdentifier: cand }],
            ["AddTagsToResource", { ResourceName: clusterArn, Tags: [{ Key: TAGS.operation, Value: opTag("wait-failover") }] }],
        ]);
    });

    it("crash after FailoverDBCluster, before the tag moved on: sees the candidate is the writer and does not fail over again", async () => {
        world = new FakeAurora({ writerClass: SMALL, readers: { [READER]: SMALL }, alarm: { state: "OK", since: new Date(T0) } });
        const cand = `${CLUSTER}-up-${T0s.toString(36)}`;
        world.add(cand, LARGE, 0, { [TAGS.created]: "true" });
        world.writer = cand;
        world.clusterTags.set(TAGS.operation, opTag("wait-candidate"));
        const out = await scaler().run("schedule");
        expect(out.result).to.equal("completed");
        expect(world.writes.map((w) => w.op)).to.not.include("FailoverDBCluster");
        expect(world.writes.map((w) => w.op)).to.not.include("CreateDBInstance");
        expect(world.instances.get(WRITER)!.pendingCls).to.equal(LARGE);
    });

    it("an unreadable operation tag is reported and nothing is done", async () => {
        world = new FakeAurora({ writerClass: SMALL, readers: {}, alarm: { state: "ALARM", since: new Date(T0) } });
        world.clusterTags.set(TAGS.operation, "dir=sideways step=prepare");
        const out = await scaler().run("alarm");
        expect(out.result).to.equal("idle");
        expect(writes()).to.deep.equal([]);
        expect(logs.lines.filter((l) => l.event === "operation-unreadable")).to.have.length(1);
    });

    it("dry-run: decides and logs what it would do, and makes no writing call, also when resuming", async () => {
        world = new FakeAurora({ writerClass: SMALL, readers: { [READER]: SMALL }, alarm: { state: "ALARM", since: new Date(T0 - 60_000) } });
        const cand = `${CLUSTER}-up-${T0s.toString(36)}`;
        expect(await scaler({ dryRun: true }).run("alarm")).to.deep.equal({
            result: "dry-run",
            wouldDo: `start up: create ${cand} as ${LARGE}, fail over to it, then ${WRITER} is retired`,
        });
        world.add(cand, LARGE, 0, { [TAGS.created]: "true" });
        world.clusterTags.set(TAGS.operation, opTag("wait-candidate"));
        expect(await scaler({ dryRun: true }).run("schedule")).to.deep.equal({ result: "dry-run", wouldDo: `fail over ${CLUSTER} to ${cand}` });
        expect(writes()).to.deep.equal([]);
        const readOnly = ["DescribeDBClustersCommand", "DescribeDBInstancesCommand"];
        expect(world.rds.calls().map((c) => c.args[0].constructor.name).filter((n) => !readOnly.includes(n))).to.deep.equal([]);
    });
});
