/**
 * The RabbitMQ queue source against the local broker (127.0.0.1:5672, guest/guest): its reading of a
 * queue drives the same decision as an SQS reading, and the whole autoscaler (ECS and CloudWatch on a
 * moto_server started here) sets the exact desired count and publishes the depth as the series
 * `rabbitmqQueueDepthSeries(queue)`.
 */
import { expect } from "chai";
import * as amqp from "amqplib";
import { GetMetricDataCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { dimensionList, rabbitmqQueueDepthSeries } from "../../../scaling/metric-series";
import type { AwsClients } from "../../../runtime/aws/clients";
import { createLogger } from "../../../runtime/aws/logger";
import { decide } from "../../../runtime/autoscaler/decision";
import { startAutoscaler, type RunningAutoscaler } from "../../../runtime/autoscaler/service";
import { parseSettings } from "../../../runtime/autoscaler/settings";
import { RabbitMqQueueSource } from "../../../runtime/autoscaler/sources/rabbitmq";
import type { DecisionSettings } from "../../../runtime/autoscaler/types";
import { createFixture, describeDesired, motoClients, onUpdateService, pollUntil, startMoto, type Fixture, type MotoServer, type UpdateServiceCall, stopAll } from "../../../local/moto-server";

const RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672";
const MESSAGES = 37;
const INTERVAL_MS = 1_000;
const SETTINGS: DecisionSettings = {
    minCapacity: 1,
    maxCapacity: 10,
    scaleUpThreshold: 10,
    scaleDownThreshold: 2,
    scaleUpCooldownMs: 1_000,
    scaleDownCooldownMs: 3_000,
    countInFlight: true,
    // The settings table's default, which parseSettings always fills in.
    acceptableAgeSeconds: 60,
};
/** ceil(37 / 10) */
const EXPECTED = 4;

async function connectBroker(): Promise<amqp.ChannelModel> {
    try {
        return await amqp.connect(RABBITMQ_URL, { timeout: 5_000 });
    } catch (err) {
        throw new Error(
            `RabbitMQ is not reachable at 127.0.0.1:5672 (${RABBITMQ_URL.replace(/:[^:@]*@/, ":***@")}): ${(err as Error).message}. ` +
                "These tests need a local broker; start one (e.g. rabbitmq-server -detached) and run them again.",
        );
    }
}

describe("integration: autoscaler with a RabbitMQ queue", function () {
    this.timeout(60_000);

    const queue = `it-autoscaler-${process.pid}-${Date.now()}`;
    let connection: amqp.ChannelModel | undefined;
    let channel: amqp.ConfirmChannel | undefined;

    before(async function () {
        connection = await connectBroker();
        connection.on("error", () => undefined);
        channel = await connection.createConfirmChannel();
        await channel.assertQueue(queue, { durable: false, autoDelete: true });
        for (let i = 0; i < MESSAGES; i++) channel.sendToQueue(queue, Buffer.from(`job-${i}`));
        await channel.waitForConfirms();
        const ch = channel;
        await pollUntil(() => ch.checkQueue(queue), (q) => q.messageCount === MESSAGES, {
            timeoutMs: 5_000,
            everyMs: 50,
            what: `${MESSAGES} ready messages in ${queue}`,
        });
    });

    after(async function () {
        try {
            await channel?.deleteQueue(queue);
        } finally {
            await channel?.close().catch(() => undefined);
            await connection?.close().catch(() => undefined);
        }
    });

    it(`observes ${MESSAGES} ready messages and decides ${EXPECTED} workers from 1 (threshold ${SETTINGS.scaleUpThreshold})`, async function () {
        const source = new RabbitMqQueueSource({ url: RABBITMQ_URL, queueName: queue });
        try {
            const observation = await source.observe();
            expect(observation).to.include({ visible: MESSAGES, inFlight: 0, delayed: 0, consumers: 0 });
            const now = Date.now();
            const decision = decide({ observation, counts: { desired: 1, running: 1, pending: 0 }, settings: SETTINGS, last: {}, now });
            expect(decision.direction).to.equal("up");
            expect(decision.desired).to.equal(EXPECTED);
            expect(decision.reason.code).to.equal("backlog_high");
            // At 4 workers, 37 messages are within [4 x 2, 4 x 10]: nothing more to do.
            const settled = decide({ observation, counts: { desired: EXPECTED, running: EXPECTED, pending: 0 }, settings: SETTINGS, last: {}, now });
            expect(settled).to.deep.include({ direction: "none", desired: EXPECTED });
        } finally {
            await source.close();
        }
    });

    describe("the whole autoscaler, ECS and CloudWatch on moto_server", function () {
        let moto: MotoServer | undefined;
        let clients: AwsClients | undefined;
        let fixture: Fixture;
        let autoscaler: RunningAutoscaler | undefined;
        const updates: UpdateServiceCall[] = [];
        const logLines: string[] = [];

        before(async function () {
            moto = await startMoto();
            clients = motoClients(moto.endpoint);
            onUpdateService(clients.ecs, (call) => updates.push(call));
            fixture = await createFixture(clients, { cluster: "rmq-cluster", service: "rmq-worker", queue: "rmq-unused", desiredCount: 1 });
        });

        afterEach(function () {
            if (this.currentTest?.state === "failed") console.error(`last autoscaler log lines:\n${logLines.slice(-40).join("")}`);
        });

        after(() => stopAll({ autoscaler, moto, clients }));

        it(`sets desiredCount to exactly ${EXPECTED} and publishes the depth ${MESSAGES} to CloudWatch`, async function () {
            const c = clients!;
            const settings = parseSettings(
                {
                    rabbitmqUrl: RABBITMQ_URL,
                    rabbitmqQueue: queue,
                    cluster: fixture.cluster,
                    ecsService: fixture.service,
                    min: String(SETTINGS.minCapacity),
                    max: String(SETTINGS.maxCapacity),
                    scaleUpThreshold: String(SETTINGS.scaleUpThreshold),
                    scaleDownThreshold: String(SETTINGS.scaleDownThreshold),
                    scaleUpCooldown: String(SETTINGS.scaleUpCooldownMs / 1000),
                    scaleDownCooldown: String(SETTINGS.scaleDownCooldownMs / 1000),
                    interval: String(INTERVAL_MS / 1000),
                    healthPort: "0",
                },
                {},
            );
            expect(settings.services[0]!.decision).to.deep.equal(SETTINGS);
            const started = Date.now();
            autoscaler = await startAutoscaler(settings, {
                rabbitMq: (options) => new RabbitMqQueueSource(options),
                ecs: c.ecs,
                sqs: c.sqs,
                cloudwatch: c.cloudwatch,
                logger: createLogger({ level: "info", destination: { write: (line: string) => void logLines.push(line) } }),
            });
            // The first tick runs at once; allow it and one more.
            await pollUntil(() => describeDesired(c.ecs, fixture.cluster, fixture.service), (d) => d === EXPECTED, {
                timeoutMs: 2 * INTERVAL_MS + 1_000,
                everyMs: 50,
                what: `desiredCount ${EXPECTED}`,
            });
            this.test!.title += ` (${Date.now() - started} ms after start)`;
            expect(updates.map((u) => u.desiredCount)).to.deep.equal([EXPECTED]);

            // A few more ticks: it stays at 4 and keeps publishing.
            await new Promise((r) => setTimeout(r, 2 * INTERVAL_MS + 200));
            expect(await describeDesired(c.ecs, fixture.cluster, fixture.service)).to.equal(EXPECTED);
            expect(updates.map((u) => u.desiredCount)).to.deep.equal([EXPECTED]);

            const series = rabbitmqQueueDepthSeries(queue);
            const dimensions = dimensionList(series).map(({ name, value }) => ({ Name: name, Value: value }));
            const listed = await c.cloudwatch.send(
                new ListMetricsCommand({ Namespace: series.namespace, MetricName: series.metricName, Dimensions: dimensions }),
            );
            expect(listed.Metrics ?? []).to.have.length.above(0);
            for (const m of listed.Metrics ?? []) {
                expect(m).to.deep.include({ Namespace: series.namespace, MetricName: series.metricName, Dimensions: dimensions });
            }

            const now = Date.now();
            const data = await c.cloudwatch.send(
                new GetMetricDataCommand({
                    StartTime: new Date(now - 5 * 60_000),
                    EndTime: new Date(now + 60_000),
                    MetricDataQueries: [
                        {
                            Id: "depth",
                            MetricStat: {
                                Metric: { Namespace: series.namespace, MetricName: series.metricName, Dimensions: dimensions },
                                Period: 60,
                                Stat: series.statistic,
                                Unit: series.unit as "Count",
                            },
                        },
                    ],
                }),
            );
            const values = data.MetricDataResults?.find((r) => r.Id === "depth")?.Values ?? [];
            expect(values).to.have.length.above(0);
            expect(values.every((v) => v === MESSAGES), `values ${JSON.stringify(values)}`).to.equal(true);
        });
    });
});
