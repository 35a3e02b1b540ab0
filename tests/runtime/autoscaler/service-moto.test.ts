/**
 * The whole autoscaler (startAutoscaler: SQS source, decision, ECS actuator, control loop, /healthz)
 * in real time against moto_server: SQS counts are exact and live there, and UpdateService changes
 * desiredCount at once, so what DescribeServices shows is exactly what the autoscaler wrote.
 *
 * One autoscaler runs through all cases in order: scale-up on a burst, step-by-step scale-down after
 * the queue empties, survival of a moto restart, and the bounds of every UpdateService it sent.
 */
import { expect } from "chai";
import { PurgeQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import type { AwsClients } from "../../../runtime/aws/clients";
import { createLogger } from "../../../runtime/aws/logger";
import { METRIC_NAMES } from "../../../runtime/autoscaler/metrics";
import { startAutoscaler, type RunningAutoscaler } from "../../../runtime/autoscaler/service";
import { parseSettings } from "../../../runtime/autoscaler/settings";
import { getHealth, pollHealth } from "../../helpers/health";
import {
    createFixture,
    describeDesired,
    motoClients,
    onUpdateService,
    pollUntil,
    sendBurst,
    startMoto,
    type Fixture,
    type FixtureOptions,
    type MotoServer,
    type UpdateServiceCall, stopAll } from "../../../local/moto-server";
import { recordAwsCalls } from "../../helpers/aws-call-recorder";

const INTERVAL_MS = 1_000;
const MIN = 1;
const MAX = 10;
const SCALE_UP_THRESHOLD = 10;
const SCALE_DOWN_THRESHOLD = 2;
const SCALE_UP_COOLDOWN_S = 1;
const SCALE_DOWN_COOLDOWN_S = 3;
const BURST = 45;
/** ceil(45 / 10) workers, below max so the bound does not decide it. */
const EXPECTED = Math.ceil(BURST / SCALE_UP_THRESHOLD);
/** Slack for the DescribeServices poll itself (every 50 ms) on top of "within 2 intervals". */
const POLL_TOLERANCE_MS = 250;

const FIXTURE: FixtureOptions = { cluster: "it-cluster", service: "it-worker", queue: "it-jobs", desiredCount: MIN, settled: true };

describe("integration: autoscaler against moto_server", function () {
    recordAwsCalls(__filename, "autoscaler", { cluster: FIXTURE.cluster, service: FIXTURE.service, queue: FIXTURE.queue });
    this.timeout(120_000);

    let moto: MotoServer | undefined;
    let clients: AwsClients;
    let setup: AwsClients | undefined;
    let fixture: Fixture;
    let autoscaler: RunningAutoscaler | undefined;
    const updates: UpdateServiceCall[] = [];
    const logLines: string[] = [];

    const desired = () => describeDesired(clients.ecs, fixture.cluster, fixture.service);

    /** Sends the burst and waits for DescribeServices to show EXPECTED; returns ms from landing to seen. */
    async function burstAndWaitForScaleUp(tag: string): Promise<{ seenMs: number; updateMs: number }> {
        await sendBurst(clients.sqs, fixture.queueUrl, BURST, tag);
        const landed = Date.now();
        const { elapsedMs } = await pollUntil(desired, (d) => d === EXPECTED, {
            timeoutMs: 2 * INTERVAL_MS + POLL_TOLERANCE_MS + 2_000,
            everyMs: 50,
            what: `desiredCount ${EXPECTED} after a burst of ${BURST}`,
        });
        const seenMs = Date.now() - landed;
        const firstUpdate = updates.find((u) => u.at >= landed - 1_000 && u.desiredCount === EXPECTED);
        expect(firstUpdate, "an UpdateService to the expected count").to.not.equal(undefined);
        expect(elapsedMs).to.be.at.most(seenMs);
        expect(seenMs, `desiredCount ${EXPECTED} seen ${seenMs} ms after the burst landed`).to.be.at.most(2 * INTERVAL_MS + POLL_TOLERANCE_MS);
        return { seenMs, updateMs: firstUpdate!.at - landed };
    }

    before(async function () {
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
        // The fixture is built with clients of its own, so that only the autoscaler's UpdateService calls are recorded.
        setup = motoClients(moto.endpoint);
        onUpdateService(clients.ecs, (call) => updates.push(call));
        fixture = await createFixture(setup, FIXTURE);
        const settings = parseSettings(
            {
                queueUrl: fixture.queueUrl,
                cluster: fixture.cluster,
                ecsService: fixture.service,
                min: String(MIN),
                max: String(MAX),
                scaleUpThreshold: String(SCALE_UP_THRESHOLD),
                scaleDownThreshold: String(SCALE_DOWN_THRESHOLD),
                scaleUpCooldown: String(SCALE_UP_COOLDOWN_S),
                scaleDownCooldown: String(SCALE_DOWN_COOLDOWN_S),
                // No cap on one scale-in: it goes as far as the stabilization window allows.
                scaleDownStep: String(MAX),
                interval: String(INTERVAL_MS / 1000),
                healthPort: "0",
            },
            {},
        );
        const logger = createLogger({ level: "info", destination: { write: (line: string) => void logLines.push(line) } });
        autoscaler = await startAutoscaler(settings, { ...clients, logger });
        const health = pollHealth(autoscaler.healthPort, 100);
        try {
            await health.waitFor(200, 5_000);
        } finally {
            await health.stop();
        }
    });

    afterEach(function () {
        if (this.currentTest?.state === "failed") {
            console.error(`last autoscaler log lines:\n${logLines.slice(-40).join("")}`);
        }
    });

    after(async () => {
        setup?.ecs.destroy();
        setup?.sqs.destroy();
        setup?.cloudwatch.destroy();
        await stopAll({ autoscaler, moto, clients });
    });

    it(`sets desiredCount to exactly ceil(${BURST}/${SCALE_UP_THRESHOLD}) = ${EXPECTED} within 2 intervals of a burst`, async function () {
        expect(await desired()).to.equal(MIN);
        const { seenMs, updateMs } = await burstAndWaitForScaleUp("up");
        this.test!.title += ` (UpdateService ${updateMs} ms, DescribeServices ${seenMs} ms after the burst)`;

        // It stays there: 45 messages are within [5 x 2, 5 x 10].
        const since = Date.now();
        await new Promise((r) => setTimeout(r, 2 * INTERVAL_MS + 200));
        expect(await desired()).to.equal(EXPECTED);
        expect(updates.filter((u) => u.at >= since)).to.deep.equal([]);
    });

    it(`goes down to exactly min ${MIN} in one step once the queue is empty and the scale-in window has passed`, async function () {
        await clients.sqs.send(new PurgeQueueCommand({ QueueUrl: fixture.queueUrl }));
        const attrs = await clients.sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: fixture.queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
        );
        expect(attrs.Attributes?.ApproximateNumberOfMessages).to.equal("0");
        const purged = Date.now();

        const observed: number[] = [EXPECTED];
        const boundMs = SCALE_DOWN_COOLDOWN_S * 1000 + 2 * INTERVAL_MS + 2_000;
        const { elapsedMs } = await pollUntil(
            async () => {
                const d = await desired();
                if (d !== observed[observed.length - 1]) observed.push(d);
                return d;
            },
            (d) => d === MIN,
            { timeoutMs: boundMs, everyMs: 100, what: `desiredCount back to min ${MIN}` },
        );
        this.test!.title += ` (${observed.join(" -> ")} in ${elapsedMs} ms)`;
        expect(observed).to.deep.equal([EXPECTED, MIN]);

        // One UpdateService, once the window no longer holds a recommendation of 5: the last one was made
        // on the last tick before the purge (at most one interval before it), however fast the queue emptied.
        const downs = updates.filter((u) => u.at >= purged);
        expect(downs.map((u) => u.desiredCount)).to.deep.equal([MIN]);
        expect(downs[0]!.at - purged).to.be.within(SCALE_DOWN_COOLDOWN_S * 1000 - INTERVAL_MS, SCALE_DOWN_COOLDOWN_S * 1000 + INTERVAL_MS + POLL_TOLERANCE_MS);

        // At min with no work: nothing more is sent.
        const since = Date.now();
        await new Promise((r) => setTimeout(r, 2 * INTERVAL_MS + 200));
        expect(await desired()).to.equal(MIN);
        expect(updates.filter((u) => u.at >= since)).to.deep.equal([]);
    });

    it("survives a moto restart: /healthz 503 during an outage longer than 3 intervals, 200 after recovery, and scales again", async function () {
        const running = autoscaler!;
        expect((await getHealth(running.healthPort)).status).to.equal(200);
        const health = pollHealth(running.healthPort, 200);
        try {
            const outageStart = Date.now();
            // Port closed for 4 intervals, then a fresh moto without the cluster, service or queue.
            await moto!.restart({ downtimeMs: 4 * INTERVAL_MS });
            const unhealthy = await health.waitFor(503, 3 * INTERVAL_MS + 3_000, outageStart);
            // 503 means the last successful tick is more than 3 intervals old.
            const report = JSON.parse(unhealthy.body!) as { status: string; lastSuccessfulTickAgeSeconds: number; maxAgeSeconds: number };
            expect(report.status).to.equal("stale");
            expect(report.maxAgeSeconds).to.equal((3 * INTERVAL_MS) / 1000);
            expect(report.lastSuccessfulTickAgeSeconds).to.be.above(report.maxAgeSeconds);
            expect(running.loop.consecutiveFailures).to.be.above(0);

            const recreated = await createFixture(setup!, FIXTURE);
            expect(recreated.queueUrl).to.equal(fixture.queueUrl);
            // The loop may be in a backoff wait; the next tick comes at most nextDelayMs() from now.
            const recoveryBoundMs = running.loop.nextDelayMs() + INTERVAL_MS + 2_000;
            const recreatedAt = Date.now();
            const healthy = await health.waitFor(200, recoveryBoundMs, recreatedAt);
            this.test!.title += ` (503 after ${unhealthy.at - outageStart} ms, 200 again ${healthy.at - recreatedAt} ms after re-creation)`;

            // The process and its HTTP server stayed up the whole time: every probe was answered.
            expect(health.answers.filter((a) => a.status === undefined)).to.deep.equal([]);
            const errors = await running.registry.getSingleMetric(METRIC_NAMES.apiErrors)!.get();
            expect(errors.values.reduce((sum, v) => sum + v.value, 0)).to.be.above(0);
        } finally {
            await health.stop();
        }

        expect(await desired()).to.equal(MIN);
        await burstAndWaitForScaleUp("after-restart");
    });

    it(`sent every UpdateService within [min ${MIN}, max ${MAX}], for the fixture's service only`, function () {
        // Up to 5, down to 1, up to 5 again after the restart.
        expect(updates.map((u) => u.desiredCount)).to.deep.equal([EXPECTED, MIN, EXPECTED]);
        for (const u of updates) {
            expect(u.cluster).to.equal(FIXTURE.cluster);
            expect(u.service).to.equal(FIXTURE.service);
            expect(Number.isInteger(u.desiredCount), JSON.stringify(u)).to.equal(true);
            expect(u.desiredCount).to.be.within(MIN, MAX);
        }
    });
});
