import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type GetMetricDataCommandInput } from "@aws-sdk/client-cloudwatch";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { EventEmitter } from "node:events";
import { rabbitmqQueueDepthSeries } from "../../../scaling/metric-series";
import { ApiCallError } from "../../../runtime/aws/call";
import { RabbitMqQueueSource, redactUrl, type OwnedRabbitMqChannel, type RabbitMqConnection } from "../../../runtime/autoscaler/sources/rabbitmq";
import { queueNameFromUrl, SqsQueueSource } from "../../../runtime/autoscaler/sources/sqs";
import { OldestAges } from "../../../runtime/autoscaler/sources/sqs-oldest-ages";
import { CLIENT_CONFIG, sdkError } from "../support";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/work";
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const clock = () => NOW;

describe("SqsQueueSource", () => {
    const sqs = new SQSClient(CLIENT_CONFIG);
    const cloudwatch = new CloudWatchClient(CLIENT_CONFIG);
    const sqsMock = mockClient(sqs);
    const cwMock = mockClient(cloudwatch);
    afterEach(() => {
        sqsMock.reset();
        cwMock.reset();
    });

    function counts(visible: string, notVisible: string, delayed: string): void {
        sqsMock.on(GetQueueAttributesCommand).resolves({
            Attributes: { ApproximateNumberOfMessages: visible, ApproximateNumberOfMessagesNotVisible: notVisible, ApproximateNumberOfMessagesDelayed: delayed },
        });
    }

    it("names the queue by the last segment of its URL", () => {
        expect(queueNameFromUrl(QUEUE_URL)).to.equal("work");
        expect(queueNameFromUrl("http://127.0.0.1:5000/123456789012/jobs-dlq/")).to.equal("jobs-dlq");
        expect(() => queueNameFromUrl("arn:aws:sqs:us-east-1:1:q")).to.throw('not an SQS queue URL: "arn:aws:sqs:us-east-1:1:q"');
    });

    it("reads visible, in-flight and delayed counts with one GetQueueAttributes call", async () => {
        counts("42", "7", "3");
        cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "oldest", Values: [], Timestamps: [] }] });
        const source = new SqsQueueSource({ sqs, cloudwatch, queueUrl: QUEUE_URL, clock });
        const o = await source.observe();
        expect(o).to.deep.equal({ visible: 42, inFlight: 7, delayed: 3, observedAt: NOW });
        expect(source.queueName).to.equal("work");
        const calls = sqsMock.commandCalls(GetQueueAttributesCommand);
        expect(calls).to.have.length(1);
        expect(calls[0]!.args[0].input).to.deep.equal({
            QueueUrl: QUEUE_URL,
            AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
        });
    });

    it("reads the oldest message age from CloudWatch: MetricStat Maximum, period 60, newest point", async () => {
        counts("5", "0", "0");
        cwMock.on(GetMetricDataCommand).resolves({
            MetricDataResults: [{ Id: "oldest", Values: [95, 120, 30], Timestamps: [new Date(NOW - 120_000), new Date(NOW - 60_000), new Date(NOW - 180_000)] }],
        });
        const source = new SqsQueueSource({ sqs, cloudwatch, queueUrl: QUEUE_URL, clock });
        const o = await source.observe();
        expect(o.oldestAgeSeconds).to.equal(120);
        const input = cwMock.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
        expect(input).to.deep.equal({
            StartTime: new Date(NOW - 300_000),
            EndTime: new Date(NOW),
            ScanBy: "TimestampDescending",
            MetricDataQueries: [{
                Id: "oldest",
                ReturnData: true,
                MetricStat: {
                    Metric: { Namespace: "AWS/SQS", MetricName: "ApproximateAgeOfOldestMessage", Dimensions: [{ Name: "QueueName", Value: "work" }] },
                    Period: 60,
                    Stat: "Maximum",
                },
            }],
        });
    });

    it("leaves the age undefined when CloudWatch has no data point", async () => {
        counts("1", "0", "0");
        cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "oldest", Values: [], Timestamps: [] }] });
        const o = await new SqsQueueSource({ sqs, cloudwatch, queueUrl: QUEUE_URL, clock }).observe();
        expect(o).to.not.have.property("oldestAgeSeconds");
    });

    it("does not call CloudWatch without a CloudWatch client", async () => {
        counts("1", "2", "3");
        const o = await new SqsQueueSource({ sqs, queueUrl: QUEUE_URL, clock }).observe();
        expect(o).to.deep.equal({ visible: 1, inFlight: 2, delayed: 3, observedAt: NOW });
        expect(cwMock.calls()).to.have.length(0);
    });

    it("still observes when GetMetricData fails, and reports that failure", async () => {
        counts("4", "0", "0");
        cwMock.on(GetMetricDataCommand).rejects(sdkError("AccessDenied", "not authorized to perform cloudwatch:GetMetricData"));
        const reported: ApiCallError[] = [];
        const o = await new SqsQueueSource({ sqs, cloudwatch, queueUrl: QUEUE_URL, clock, onAuxiliaryError: (e) => reported.push(e) }).observe();
        expect(o.visible).to.equal(4);
        expect(reported.map((e) => [e.operation, e.code])).to.deep.equal([["GetMetricData", "AccessDenied"]]);
    });

    it("fails the observation with the operation named when GetQueueAttributes fails", async () => {
        sqsMock.on(GetQueueAttributesCommand).rejects(sdkError("ThrottlingException", "Rate exceeded"));
        cwMock.on(GetMetricDataCommand).resolves({});
        const error = await new SqsQueueSource({ sqs, cloudwatch, queueUrl: QUEUE_URL, clock }).observe().then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(ApiCallError);
        expect([(error as ApiCallError).operation, (error as ApiCallError).code, (error as ApiCallError).throttling]).to.deep.equal(["GetQueueAttributes", "ThrottlingException", true]);
    });

    it("rejects a count that is not a number", async () => {
        sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "1" } });
        const error = await new SqsQueueSource({ sqs, queueUrl: QUEUE_URL, clock }).observe().then(() => undefined, (e: unknown) => e as Error);
        expect(error?.message).to.equal('GetQueueAttributes returned ApproximateNumberOfMessagesNotVisible=undefined; expected a count');
    });
});

/** A channel that answers checkQueue from a script and records close(). */
class FakeChannel extends EventEmitter implements OwnedRabbitMqChannel {
    readonly checked: string[] = [];
    closed = 0;
    constructor(private readonly answers: (() => Promise<{ queue: string; messageCount: number; consumerCount: number }>)[]) {
        super();
    }
    checkQueue(queue: string) {
        this.checked.push(queue);
        const next = this.answers.shift();
        if (!next) throw new Error("no scripted answer");
        return next();
    }
    async close() {
        this.closed++;
    }
}

class FakeConnection extends EventEmitter implements RabbitMqConnection {
    readonly channels: FakeChannel[] = [];
    closed = 0;
    constructor(private readonly makeChannel: () => FakeChannel) {
        super();
    }
    async createChannel() {
        const ch = this.makeChannel();
        this.channels.push(ch);
        return ch;
    }
    async close() {
        this.closed++;
    }
}

const ok = (messageCount: number, consumerCount: number) => () => Promise.resolve({ queue: "jobs", messageCount, consumerCount });
const notFound = () => () => Promise.reject(Object.assign(new Error("Operation failed: QueueDeclare; 404 (NOT-FOUND) with message \"NOT_FOUND - no queue 'jobs'\""), { code: 404 }));

describe("RabbitMqQueueSource", () => {
    const cloudwatch = new CloudWatchClient(CLIENT_CONFIG);
    const cwMock = mockClient(cloudwatch);
    afterEach(() => cwMock.reset());

    it("reads ready messages and consumers with checkQueue on an injected channel", async () => {
        cwMock.on(PutMetricDataCommand).resolves({});
        const channel = new FakeChannel([ok(42, 3)]);
        const source = new RabbitMqQueueSource({ queueName: "jobs", channel, cloudwatch, clock });
        const o = await source.observe();
        expect(o).to.deep.equal({ visible: 42, inFlight: 0, delayed: 0, consumers: 3, observedAt: NOW });
        expect(channel.checked).to.deep.equal(["jobs"]);
        expect([source.kind, source.queueName]).to.deep.equal(["rabbitmq", "jobs"]);
    });

    it("publishes the depth as the rabbitmqQueueDepthSeries data point", async () => {
        cwMock.on(PutMetricDataCommand).resolves({});
        await new RabbitMqQueueSource({ queueName: "jobs", channel: new FakeChannel([ok(42, 3)]), cloudwatch, clock }).observe();
        const series = rabbitmqQueueDepthSeries("jobs");
        const calls = cwMock.commandCalls(PutMetricDataCommand);
        expect(calls).to.have.length(1);
        expect(calls[0]!.args[0].input).to.deep.equal({
            Namespace: series.namespace,
            MetricData: [{
                MetricName: series.metricName,
                Dimensions: [{ Name: "Queue", Value: "jobs" }],
                Value: 42,
                Unit: "Count",
                Timestamp: new Date(NOW),
            }],
        });
        expect([series.namespace, series.metricName]).to.deep.equal(["ECSAutoscaling", "RabbitMQQueueDepth"]);
    });

    it("still observes when PutMetricData fails, and reports that failure", async () => {
        cwMock.on(PutMetricDataCommand).rejects(sdkError("InternalServiceError", "boom", 500));
        const reported: string[] = [];
        const o = await new RabbitMqQueueSource({
            queueName: "jobs", channel: new FakeChannel([ok(9, 1)]), cloudwatch, clock, onAuxiliaryError: (e) => reported.push(`${e.operation}:${e.code}`),
        }).observe();
        expect(o.visible).to.equal(9);
        expect(reported).to.deep.equal(["PutMetricData:InternalServiceError"]);
    });

    it("publishes nothing without a CloudWatch client", async () => {
        await new RabbitMqQueueSource({ queueName: "jobs", channel: new FakeChannel([ok(1, 0)]), clock }).observe();
        expect(cwMock.calls()).to.have.length(0);
    });

    it("fails the observation with operation checkQueue when the queue is missing, and publishes nothing", async () => {
        const source = new RabbitMqQueueSource({ queueName: "jobs", channel: new FakeChannel([notFound()]), cloudwatch, clock });
        const error = await source.observe().then(() => undefined, (e: unknown) => e as ApiCallError);
        expect(error).to.be.instanceOf(ApiCallError);
        expect(error!.operation).to.equal("checkQueue");
        expect(cwMock.calls()).to.have.length(0);
    });

    it("connects on first use, opens a new channel after a failed check, reconnects after the connection closes", async () => {
        cwMock.on(PutMetricDataCommand).resolves({});
        const script = [[ok(5, 1), notFound()], [ok(6, 1)], [ok(7, 2)]];
        const connections: FakeConnection[] = [];
        const urls: string[] = [];
        const connect = async (url: string) => {
            urls.push(url);
            const c = new FakeConnection(() => new FakeChannel(script.shift()!));
            connections.push(c);
            return c;
        };
        const source = new RabbitMqQueueSource({ queueName: "jobs", url: "amqp://guest:guest@localhost:5672", connect, cloudwatch, clock });
        expect(urls).to.deep.equal([]);
        expect((await source.observe()).visible).to.equal(5);
        await source.observe().then(() => expect.fail("should fail"), (e: ApiCallError) => expect(e.operation).to.equal("checkQueue"));
        expect(connections[0]!.channels[0]!.closed).to.equal(1);
        expect((await source.observe()).visible).to.equal(6);
        expect([connections.length, connections[0]!.channels.length]).to.deep.equal([1, 2]);

        connections[0]!.emit("error", new Error("connection reset"));
        connections[0]!.emit("close");
        expect((await source.observe()).visible).to.equal(7);
        expect(urls).to.deep.equal(["amqp://guest:guest@localhost:5672", "amqp://guest:guest@localhost:5672"]);

        await source.close();
        expect([connections[1]!.closed, connections[1]!.channels[0]!.closed]).to.deep.equal([1, 1]);
        await source.observe().then(() => expect.fail("closed"), (e: Error) => expect(e.message).to.equal('RabbitMQ source for queue "jobs" is closed'));
    });

    it("reports a failed connect as operation connect", async () => {
        const source = new RabbitMqQueueSource({
            queueName: "jobs", url: "amqp://localhost:1", clock,
            connect: () => Promise.reject(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })),
        });
        const error = await source.observe().then(() => undefined, (e: unknown) => e as ApiCallError);
        expect([error!.operation, error!.code]).to.deep.equal(["connect", "ECONNREFUSED"]);
    });

    it("needs exactly one of url and channel", () => {
        expect(() => new RabbitMqQueueSource({ queueName: "jobs" })).to.throw("RabbitMqQueueSource needs exactly one of url or channel");
        expect(() => new RabbitMqQueueSource({ queueName: "jobs", url: "amqp://x", channel: new FakeChannel([]) })).to.throw("exactly one of url or channel");
    });

    it("redacts the password of a broker URL", () => {
        expect(redactUrl("amqps://user:s3cr3t@mq.example.com:5671/vhost")).to.equal("amqps://user:***@mq.example.com:5671/vhost");
        expect(redactUrl("amqp://localhost")).to.equal("amqp://localhost");
    });
});

describe("OldestAges: the oldest-message age of many queues in one call", () => {
    const cloudwatch = new CloudWatchClient(CLIENT_CONFIG);
    const cwMock = mockClient(cloudwatch);
    afterEach(() => cwMock.reset());

    it("reads 600 queues in two GetMetricData calls (500 queries at most each), once per minute, and maps each answer to its queue", async () => {
        let now = 10_000_000;
        cwMock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
            MetricDataResults: input.MetricDataQueries!.map((q) => ({
                Id: q.Id, Values: [Number(q.MetricStat!.Metric!.Dimensions![0]!.Value!.slice(1)), 1], Timestamps: [new Date(now - 60_000), new Date(now - 120_000)],
            })),
        }));
        const ages = new OldestAges({ cloudwatch, clock: () => now });
        const names = Array.from({ length: 600 }, (_, i) => `q${i}`);
        for (const n of names) ages.add(n);
        const first = await Promise.all(names.map((n) => ages.ageOf(n)));
        expect(first).to.deep.equal(names.map((_, i) => i));
        const calls = cwMock.commandCalls(GetMetricDataCommand);
        expect(calls.map((c) => c.args[0].input.MetricDataQueries!.length)).to.deep.equal([500, 100]);
        expect(calls[0]!.args[0].input.MetricDataQueries![0]).to.deep.include({ Id: "q0", ReturnData: true });
        now += 59_000;
        await ages.ageOf("q7");
        expect(cwMock.commandCalls(GetMetricDataCommand)).to.have.length(2);
        now += 1_000;
        expect(await ages.ageOf("q7")).to.equal(7);
        expect(cwMock.commandCalls(GetMetricDataCommand)).to.have.length(4);
    });
});
