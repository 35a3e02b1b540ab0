import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { expect } from "chai";
import { createServer } from "net";
import type { AddressInfo } from "net";
import { main } from "../../cli/autoscale";
import type { CliIo } from "../../cli/io";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/work";

/** An io that records output and lets the test send the stop signal. */
function testIo(env: NodeJS.ProcessEnv = {}) {
    const out: string[] = [];
    const err: string[] = [];
    let stop: ((reason: string) => void) | undefined;
    let removed = 0;
    const io: CliIo = {
        env: { AUTOSCALER_LOG_LEVEL: "silent", ...env },
        out: (s) => out.push(s),
        err: (s) => err.push(s),
        onStopSignal(onStop) {
            stop = onStop;
            return () => {
                removed++;
            };
        },
    };
    return { io, out: () => out.join(""), err: () => err.join(""), stop: (reason: string) => stop!(reason), removed: () => removed };
}

describe("autoscale command", () => {
    // Every client the command builds is mocked: nothing leaves the process. The mocks are installed
    // when this suite starts, not when the file loads, so they never answer another file's clients.
    let ecsMock: AwsClientStub<ECSClient>;
    let sqsMock: AwsClientStub<SQSClient>;
    let cwMock: AwsClientStub<CloudWatchClient>;
    before(() => {
        ecsMock = mockClient(ECSClient);
        sqsMock = mockClient(SQSClient);
        cwMock = mockClient(CloudWatchClient);
    });
    const awsCalls = () => ecsMock.calls().length + sqsMock.calls().length + cwMock.calls().length;
    afterEach(() => {
        ecsMock.reset();
        sqsMock.reset();
        cwMock.reset();
    });
    after(() => {
        ecsMock.restore();
        sqsMock.restore();
        cwMock.restore();
    });

    const run = ["autoscaler", "run", "--queue-url", QUEUE_URL, "--cluster", "main", "--ecs-service", "worker"];

    it("rejects a bad flag with exit code 2, naming the flag, the value and the rule, before any AWS call", async () => {
        const t = testIo();
        expect(await main([...run, "--min", "-1", "--max", "3"], t.io)).to.equal(2);
        expect(t.err()).to.equal('error: --min: "-1" must be a whole number >= 0\n');
        expect(awsCalls()).to.equal(0);
    });

    it("rejects min above max", async () => {
        const t = testIo();
        expect(await main([...run, "--min", "5", "--max", "3"], t.io)).to.equal(2);
        expect(t.err()).to.equal("error: --min (5) must be <= --max (3)\n");
    });

    it("ignores generic environment variables (PORT, MAX, MIN, SERVICE, CLUSTER, INTERVAL): only AUTOSCALER_* ones set flags", async () => {
        const generic = { PORT: "9999", MAX: "7", MIN: "5", SERVICE: "other", CLUSTER: "other", INTERVAL: "1", HEALTH_PORT: "1", QUEUE_URL: QUEUE_URL };
        const saved = Object.fromEntries(Object.keys(generic).map((k) => [k, process.env[k]]));
        Object.assign(process.env, generic);
        try {
            // MAX=7 would have satisfied --max: it is still missing, and nothing else is read from them.
            const t = testIo(generic);
            expect(await main(["autoscaler", "run", "--queue-url", QUEUE_URL], t.io)).to.equal(2);
            expect(t.err()).to.equal([
                "error: --cluster: (missing) is required (or set AUTOSCALER_CLUSTER)",
                "error: --ecs-service: (missing) is required (or set AUTOSCALER_ECS_SERVICE)",
                "error: --max: (missing) is required (or set AUTOSCALER_MAX)",
                "",
            ].join("\n"));
            const help = testIo(generic);
            expect(await main(["autoscaler", "run", "--help"], help.io)).to.equal(0);
            expect(help.out()).to.not.match(/current: /);
            expect(awsCalls()).to.equal(0);
        } finally {
            for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
        }
    });

    it("names the environment variable a bad value came from", async () => {
        const t = testIo({ AUTOSCALER_MAX: "ten" });
        expect(await main(run, t.io)).to.equal(2);
        expect(t.err()).to.equal('error: --max (env AUTOSCALER_MAX): "ten" must be a whole number >= 0\n');
    });

    it("requires exactly one of --queue-url and --rabbitmq-url", async () => {
        const t = testIo();
        expect(await main(["autoscaler", "run", "--cluster", "main", "--ecs-service", "worker", "--max", "3"], t.io)).to.equal(2);
        expect(t.err()).to.equal("error: --queue-url or --rabbitmq-url: (missing) exactly one is required (or set AUTOSCALER_QUEUE_URL / AUTOSCALER_RABBITMQ_URL)\n");
    });

    it("rejects an unknown flag with exit code 2", async () => {
        const t = testIo();
        expect(await main([...run, "--max", "3", "--bogus"], t.io)).to.equal(2);
        expect(t.err()).to.match(/^error: unknown option '--bogus'\n/);
        expect(awsCalls()).to.equal(0);
    });

    it("exits 2 without a command", async () => {
        const t = testIo();
        expect(await main([], t.io)).to.equal(2);
        expect(t.err()).to.include("Usage: autoscale");
    });

    it("lists every flag with its environment variable in --help, exit 0", async () => {
        const t = testIo();
        expect(await main(["autoscaler", "run", "--help"], t.io)).to.equal(0);
        for (const line of ["--queue-url <url>", "(env: AUTOSCALER_QUEUE_URL)", "--rabbitmq-queue <name>", "--scale-down-cooldown <seconds>",
            "(a whole number >= 0 and <= 86400) (default: 10, env: AUTOSCALER_SCALE_DOWN_COOLDOWN)", "--acceptable-age <seconds>", "(default: 60, env: AUTOSCALER_ACCEPTABLE_AGE)", "--processing-rate <messages/s>",
            "--count-in-flight [bool]", "(default: true, env: AUTOSCALER_COUNT_IN_FLIGHT)", "--chaos-partition-duration <seconds>", "--worker-role-arn <arn>", "(env: AUTOSCALER_WORKER_ROLE_ARN)",
            "--log-level <level>", "(default: \"info\", env: AUTOSCALER_LOG_LEVEL)"]) {
            expect(t.out().replace(/\s+/g, " ")).to.include(line);
        }
    });

    it("refuses a failure simulation without --chaos-allowed, exit 2, no AWS call", async () => {
        const t = testIo();
        expect(await main(["chaos", "stop-task", "--cluster", "main", "--ecs-service", "worker"], t.io)).to.equal(2);
        expect(t.err()).to.equal('error: --chaos-allowed: failure simulation "stop-task" is refused unless --chaos-allowed is given or AUTOSCALER_CHAOS_ALLOWED=true\n');
        expect(awsCalls()).to.equal(0);
    });

    it("runs one failure simulation when allowed and prints its report as one JSON line", async () => {
        ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
        ecsMock.on(DescribeTasksCommand).resolves({ tasks: [] });
        const t = testIo({ AUTOSCALER_CHAOS_ALLOWED: "true" });
        expect(await main(["chaos", "stop-task", "--cluster", "main", "--ecs-service", "worker", "--json"], t.io)).to.equal(0);
        const report = JSON.parse(t.out());
        expect([report.kind, report.outcome, report.action]).to.deep.equal(["stop-task", "nothing_to_do", "no running task of service worker to stop"]);
        expect(ecsMock.commandCalls(ListTasksCommand)[0]!.args[0].input).to.deep.include({ cluster: "main", serviceName: "worker", desiredStatus: "RUNNING" });
        expect(t.removed()).to.equal(1);
    });

    it("runs the autoscaler until the stop signal, then exits 0", async () => {
        let updated!: () => void;
        const firstUpdate = new Promise<void>((resolve) => (updated = resolve));
        ecsMock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: "worker", desiredCount: 1, runningCount: 1, pendingCount: 0 }] });
        ecsMock.on(UpdateServiceCommand).callsFake(() => {
            updated();
            return {};
        });
        sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "35", ApproximateNumberOfMessagesNotVisible: "0", ApproximateNumberOfMessagesDelayed: "0" } });
        cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
        const t = testIo();
        // The opt-in threshold rule (10 messages per task) sizes the first update: 35 messages need 4.
        const exit = main([...run, "--max", "10", "--health-port", "0", "--scale-up-threshold", "10"], t.io);
        await firstUpdate;
        t.stop("SIGTERM");
        expect(await exit).to.equal(0);
        expect(ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).to.deep.equal([{ cluster: "main", service: "worker", desiredCount: 4 }]);
        expect(t.removed()).to.equal(1);
        expect(t.err()).to.equal("");
    });

    it("names --health-port when its port is taken, exit 2", async () => {
        const taken = createServer();
        await new Promise<void>((resolve) => taken.listen(0, resolve));
        const port = (taken.address() as AddressInfo).port;
        try {
            ecsMock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: "worker", desiredCount: 1, runningCount: 1, pendingCount: 0 }] });
            sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0", ApproximateNumberOfMessagesDelayed: "0" } });
            cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
            const t = testIo();
            expect(await main([...run, "--max", "10", "--health-port", String(port)], t.io)).to.equal(2);
            expect(t.err()).to.equal(`error: --health-port: ${port} is in use by another process; give a free port, or 0 for any free one\n`);
        } finally {
            await new Promise((resolve) => taken.close(resolve));
        }
    });
});
