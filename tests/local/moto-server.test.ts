/**
 * The moto harness itself and the moto behaviours the autoscaler tests rely on: exact live SQS counts,
 * UpdateService taking effect at once, CloudWatch PutMetricData over JSON, and state loss on restart.
 */
import { expect } from "chai";
import * as http from "http";
import { GetMetricDataCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { GetQueueAttributesCommand, GetQueueUrlCommand, PurgeQueueCommand } from "@aws-sdk/client-sqs";
import { MotoServer, createFixture, describeDesired, motoClients, sendBurst, startMoto } from "../../local/moto-server";

function getStatus(url: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const req = http.get(url, { timeout: 2_000 }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", reject);
    });
}

describe("integration: moto_server harness", function () {
    this.timeout(60_000);
    let moto: MotoServer | undefined;

    before(async function () {
        moto = await startMoto();
    });

    after(async function () {
        await moto?.stop();
    });

    it("serves every client on one loopback endpoint, with exact SQS counts and instant UpdateService", async function () {
        const m = moto!;
        expect(m.endpoint).to.equal(`http://127.0.0.1:${m.port}`);
        const clients = motoClients(m.endpoint);
        const fx = await createFixture(clients, { cluster: "smoke", service: "worker", queue: "smoke-jobs", desiredCount: 1 });
        expect(fx.queueUrl).to.match(/\/123456789012\/smoke-jobs$/);
        expect(await describeDesired(clients.ecs, fx.cluster, fx.service)).to.equal(1);

        await sendBurst(clients.sqs, fx.queueUrl, 23);
        const attrs = await clients.sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: fx.queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
        );
        expect(attrs.Attributes?.ApproximateNumberOfMessages).to.equal("23");
        await clients.sqs.send(new PurgeQueueCommand({ QueueUrl: fx.queueUrl }));
        const after = await clients.sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: fx.queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
        );
        expect(after.Attributes?.ApproximateNumberOfMessages).to.equal("0");

        await clients.ecs.send(new UpdateServiceCommand({ cluster: fx.cluster, service: fx.service, desiredCount: 4 }));
        const svc = (await clients.ecs.send(new DescribeServicesCommand({ cluster: fx.cluster, services: [fx.service] }))).services![0];
        expect([svc.desiredCount, svc.runningCount, svc.pendingCount]).to.deep.equal([4, 4, 0]);

        const now = new Date();
        await clients.cloudwatch.send(
            new PutMetricDataCommand({
                Namespace: "Smoke",
                MetricData: [{ MetricName: "Depth", Dimensions: [{ Name: "Queue", Value: "q" }], Value: 7, Timestamp: now }],
            }),
        );
        const data = await clients.cloudwatch.send(
            new GetMetricDataCommand({
                StartTime: new Date(now.getTime() - 60_000),
                EndTime: new Date(now.getTime() + 60_000),
                MetricDataQueries: [
                    {
                        Id: "d",
                        MetricStat: {
                            Metric: { Namespace: "Smoke", MetricName: "Depth", Dimensions: [{ Name: "Queue", Value: "q" }] },
                            Period: 60,
                            Stat: "Maximum",
                        },
                    },
                ],
            }),
        );
        expect(data.MetricDataResults?.[0]?.Values).to.deep.equal([7]);
    });

    it("reset() wipes state; restart() keeps the port and loses state", async function () {
        const m = moto!;
        const clients = motoClients(m.endpoint);
        await createFixture(clients, { cluster: "r", service: "s", queue: "r-jobs", desiredCount: 2 });
        await m.reset();
        let err: unknown;
        await clients.sqs.send(new GetQueueUrlCommand({ QueueName: "r-jobs" })).catch((e: unknown) => (err = e));
        expect((err as Error | undefined)?.name).to.match(/QueueDoesNotExist|NonExistentQueue/);

        await createFixture(clients, { cluster: "r", service: "s", queue: "r-jobs", desiredCount: 2 });
        const port = m.port;
        await m.restart();
        expect(m.port).to.equal(port);
        expect(await getStatus(`${m.endpoint}/moto-api/data.json`)).to.equal(200);
        err = undefined;
        await clients.sqs.send(new GetQueueUrlCommand({ QueueName: "r-jobs" })).catch((e: unknown) => (err = e));
        expect((err as Error | undefined)?.name).to.match(/QueueDoesNotExist|NonExistentQueue/);
        const fx = await createFixture(clients, { cluster: "r", service: "s", queue: "r-jobs", desiredCount: 2 });
        expect(await describeDesired(clients.ecs, fx.cluster, fx.service)).to.equal(2);
    });

    it("stop() ends the process: the port no longer answers", async function () {
        const m = await startMoto();
        await m.stop();
        let err: unknown;
        await getStatus(`${m.endpoint}/moto-api/data.json`).catch((e: unknown) => (err = e));
        expect((err as NodeJS.ErrnoException | undefined)?.code).to.equal("ECONNREFUSED");
    });
});
