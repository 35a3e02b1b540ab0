/**
 * Seed 000's proof workflow end to end on moto_server, with `autoscale emulate` doing what moto does
 * not (evaluate alarms, run the policy, set the desired count): a custom-metric target-tracking policy
 * (target 100) on a service with bounds 2..4; HIGH values (200) published until desired reaches 4, LOW
 * values (0) until it is back at 2; then `autoscale evidence` judges the proof, the scaling activities
 * taken from the emulator's record.
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { appendFile } from "fs/promises";
import { tmpdir } from "os";
import * as path from "path";
import {
    PutScalingPolicyCommand, RegisterScalableTargetCommand, type ApplicationAutoScalingClient,
} from "@aws-sdk/client-application-auto-scaling";
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { runEmulator, type EmulatorSummary } from "../../emulator/emulate";
import { runEvidence } from "../../proof/evidence";
import { realSleep } from "../../runtime/autoscaler/time";
import { putMetricDataInput } from "../../load/publish-plan";
import { createApplicationAutoScalingClient, type AwsClients } from "../../runtime/aws/clients";
import { createLogger } from "../../runtime/aws/logger";
import { parseActivityRecords } from "../../scaling/activity-record";
import { syntheticLoadSeries } from "../../scaling/metric-series";
import { createFixture, describeDesired, motoClientOverrides, motoClients, pollUntil, startMoto, stopAll, type MotoServer } from "../../local/moto-server";

const CLUSTER = "proof-cluster";
const SERVICE = "proof-api";
const RESOURCE_ID = `service/${CLUSTER}/${SERVICE}`;
const POLICY = `${SERVICE}-synthetic-load`;
const TARGET = 100;
const HIGH = 200;
const LOW = 0;
/** 60 virtual seconds per real second: a 60-s period lasts 1 s, 15 of them 15 s, a 300-s cooldown 5 s. */
const SPEED = 60;
const PUBLISH_EVERY_MS = 200;

describe("integration: seed 000's proof workflow on moto_server with autoscale emulate", function () {
    this.timeout(180_000);

    let moto: MotoServer | undefined;
    let clients: AwsClients | undefined;
    let autoscaling: ApplicationAutoScalingClient | undefined;
    let dir: string;

    before(async () => {
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
        autoscaling = createApplicationAutoScalingClient(motoClientOverrides(moto.endpoint));
        dir = mkdtempSync(path.join(tmpdir(), "emulate-"));
    });

    after(async () => {
        autoscaling?.destroy();
        await stopAll({ moto, clients });
        rmSync(dir, { recursive: true, force: true });
    });

    it("scales 2 -> 4 on HIGH and back to 2 on LOW, and evidence passes every item, the activities and service events taken from the emulator's record", async function () {
        const c = clients!;
        await createFixture(c, { cluster: CLUSTER, service: SERVICE, queue: "proof-unused", desiredCount: 2 });
        // moto never starts a service's tasks (running 0, pending 2 forever); UpdateService sets running =
        // desired. Target tracking starts from the running count [E1], so the service must show 2 running.
        await c.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, desiredCount: 2 }));
        await autoscaling!.send(new RegisterScalableTargetCommand({
            ServiceNamespace: "ecs", ResourceId: RESOURCE_ID, ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 2, MaxCapacity: 4,
        }));
        const series = syntheticLoadSeries("seed-000", CLUSTER, SERVICE);
        await autoscaling!.send(new PutScalingPolicyCommand({
            PolicyName: POLICY, ServiceNamespace: "ecs", ResourceId: RESOURCE_ID, ScalableDimension: "ecs:service:DesiredCount",
            PolicyType: "TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration: {
                TargetValue: TARGET,
                CustomizedMetricSpecification: {
                    Namespace: series.namespace, MetricName: series.metricName, Statistic: series.statistic,
                    Dimensions: Object.entries(series.dimensions).map(([Name, Value]) => ({ Name, Value })),
                },
            },
        }));
        const since = new Date(Date.now() - 1000).toISOString();

        const record = path.join(dir, "activities.jsonl");
        const stop = new AbortController();
        const emulator: Promise<EmulatorSummary> = runEmulator({ cluster: CLUSTER, speed: SPEED }, {
            autoscaling: autoscaling!, cloudwatch: c.cloudwatch, ecs: c.ecs,
            clock: Date.now, sleep: realSleep, record: (line) => appendFile(record, `${line}\n`), signal: stop.signal,
            // LOG_LEVEL=debug shows every alarm change and activity.
            logger: createLogger({ name: "emulate", level: process.env.LOG_LEVEL ?? "silent" }),
        });
        let value = HIGH;
        let publishing = true;
        const publisher = (async () => {
            while (publishing) {
                await c.cloudwatch.send(new PutMetricDataCommand(putMetricDataInput(series, value, new Date())));
                await realSleep(PUBLISH_EVERY_MS);
            }
        })();
        const desired = () => describeDesired(c.ecs, CLUSTER, SERVICE);
        try {
            const up = await pollUntil(desired, (d) => d === 4, { timeoutMs: 60_000, everyMs: 100, what: "desiredCount 4 while HIGH is published" });
            this.test!.title += ` (4 after ${(up.elapsedMs / 1000).toFixed(1)} s of HIGH`;
            value = LOW;
            const down = await pollUntil(desired, (d) => d === 2, { timeoutMs: 90_000, everyMs: 100, what: "desiredCount 2 while LOW is published" });
            this.test!.title += `, 2 after ${(down.elapsedMs / 1000).toFixed(1)} s of LOW at ${SPEED}x)`;
        } finally {
            publishing = false;
            await publisher;
            stop.abort();
        }
        const summary = await emulator;
        expect(summary.targets).to.deep.equal([RESOURCE_ID]);
        expect(summary.skipped).to.deep.equal([]);

        // The record: one scale-out by AlarmHigh, one scale-in by AlarmLow, with their causes.
        const { records, problems } = parseActivityRecords(readFileSync(record, "utf8"));
        expect(problems).to.deep.equal([]);
        expect(records.map((r) => [r.resourceId, r.policy, r.oldDesired, r.newDesired])).to.deep.equal([
            [RESOURCE_ID, POLICY, 2, 4],
            [RESOURCE_ID, POLICY, 4, 2],
        ]);
        expect(records[0].alarm).to.match(new RegExp(`^TargetTracking-${RESOURCE_ID}-AlarmHigh-`));
        expect(records[1].alarm).to.match(new RegExp(`^TargetTracking-${RESOURCE_ID}-AlarmLow-`));
        expect(records[0].cause).to.contain(`metric ${HIGH} > target ${TARGET}`);
        // moto keeps no service events; the record carries the ones ECS's scheduler would have written.
        expect(records.map((r) => r.event)).to.deep.equal([`(service ${SERVICE}) has started 2 tasks.`, `(service ${SERVICE}) has stopped 2 running tasks.`]);

        // Evidence, with the activities from the record (moto has no DescribeScalingActivities).
        // At 60x one real second is one virtual minute, so the datapoints are read at 1 s to show HIGH and LOW apart.
        const { report } = await runEvidence({ cluster: CLUSTER, service: SERVICE, since, activities: record, period: "1s", out: path.join(dir, "evidence") },
            { autoscaling: autoscaling!, cloudwatch: c.cloudwatch, ecs: c.ecs }, Date.now());
        const verdicts = report.verdicts.map((v) => `${v.status} ${v.item}: ${v.detail}`);
        expect(report.verdicts.map((v) => v.item)).to.deep.equal([
            "scalable-target", `policy ${POLICY}`, `series-match ${POLICY}`, `metric ${POLICY}`, `datapoints ${POLICY}`, `alarms ${POLICY}`, "scaling-activities", "service-events",
        ]);
        expect(report.verdicts.filter((v) => v.status !== "PASS"), verdicts.join("\n")).to.deep.equal([]);
        const [, above, below] = /; (\d+) above and (\d+) below the target/.exec(report.verdicts.find((v) => v.item === `datapoints ${POLICY}`)!.detail)!.map(Number);
        expect(above, "datapoints above the target").to.be.greaterThan(0);
        expect(below, "datapoints below the target").to.be.greaterThan(0);
        expect(report.verdicts.find((v) => v.item === "scaling-activities")!.detail).to.match(/^activity record .*activities\.jsonl: 2 activities \(1 out, 1 in\)/);
        expect(report.verdicts.find((v) => v.item === "service-events")!.detail).to.match(
            new RegExp(`^activity record .*activities\\.jsonl \\(the endpoint records no service events\\): 2 events about tasks started or stopped; latest: \\(service ${SERVICE}\\) has stopped 2 running tasks\\.$`));
    });
});
