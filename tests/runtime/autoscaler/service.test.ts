import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, ECSClient, ListTagsForResourceCommand, TagResourceCommand, UpdateServiceCommand, type UpdateServiceCommandInput } from "@aws-sdk/client-ecs";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { ChaosNotAllowedError } from "../../../runtime/autoscaler/chaos";
import { METRIC_NAMES } from "../../../runtime/autoscaler/metrics";
import { PreflightError, startAutoscaler, type RunningAutoscaler } from "../../../runtime/autoscaler/service";
import { parseSettings, type AutoscalerSettings } from "../../../runtime/autoscaler/settings";
import { captureLogs, CLIENT_CONFIG, fakeTime, httpGet, sdkError, type FakeTime } from "../support";
import { recordAwsCalls } from "../../helpers/aws-call-recorder";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/work";

describe("startAutoscaler", () => {
    recordAwsCalls(__filename, "autoscaler", { cluster: "main", service: "worker", queue: "work" });
    const ecs = new ECSClient(CLIENT_CONFIG);
    const sqs = new SQSClient(CLIENT_CONFIG);
    const cloudwatch = new CloudWatchClient(CLIENT_CONFIG);
    const ecsMock = mockClient(ecs);
    const sqsMock = mockClient(sqs);
    const cwMock = mockClient(cloudwatch);
    let t: FakeTime;
    let running: RunningAutoscaler | undefined;
    let svc: { desired: number; running: number };
    let visible: number;
    let queueFails: boolean;

    const settings = (flags: Record<string, string | boolean> = {}): AutoscalerSettings =>
        parseSettings({ queueUrl: QUEUE_URL, cluster: "main", ecsService: "worker", min: "1", max: "10", healthPort: "0", scaleUpThreshold: "10", scaleDownThreshold: "2", ...flags }, {});

    async function start(s: AutoscalerSettings, logs = captureLogs()): Promise<RunningAutoscaler> {
        running = await startAutoscaler(s, { ecs, sqs, cloudwatch, clock: t.now, sleep: t.sleep, logger: logs.logger });
        await t.settle();
        return running;
    }

    async function advance(ms: number): Promise<void> {
        await t.advance(ms);
        await t.settle();
    }

    beforeEach(() => {
        t = fakeTime(2_000_000);
        svc = { desired: 1, running: 1 };
        visible = 42;
        queueFails = false;
        ecsMock.on(DescribeServicesCommand).callsFake(() => ({
            services: [{ serviceName: "worker", desiredCount: svc.desired, runningCount: svc.running, pendingCount: 0 }],
        }));
        ecsMock.on(UpdateServiceCommand).callsFake((input: UpdateServiceCommandInput) => {
            svc.desired = input.desiredCount!;
            return {};
        });
        sqsMock.on(GetQueueAttributesCommand).callsFake(() => {
            if (queueFails) throw sdkError("ThrottlingException", "Rate exceeded");
            return { Attributes: { ApproximateNumberOfMessages: String(visible), ApproximateNumberOfMessagesNotVisible: "3", ApproximateNumberOfMessagesDelayed: "1" } };
        });
        cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "oldest", Values: [75], Timestamps: [new Date(1_940_000)] }] });
    });
    afterEach(async () => {
        await running?.stop();
        running = undefined;
        ecsMock.reset();
        sqsMock.reset();
        cwMock.reset();
    });

    it("ticks at once, scales, and answers /healthz 200 while ticks succeed, 503 once the last good tick is older than 3 intervals", async () => {
        const a = await start(settings());
        expect(a.healthPort).to.be.greaterThan(0);
        expect(ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).to.deep.equal([{ cluster: "main", service: "worker", desiredCount: 5 }]);

        let health = await httpGet(a.healthPort, "/healthz");
        expect([health.status, health.type, JSON.parse(health.body)]).to.deep.equal([200, "application/json",
            { status: "ok", lastSuccessfulTickAgeSeconds: 0, maxAgeSeconds: 15, consecutiveFailures: 0, servicesRead: 1,
                services: { worker: { status: "ok", lastSuccessfulTickAgeSeconds: 0, consecutiveFailures: 0, paused: false, fallbackActive: false, consecutiveQueueFailures: 0, activationHolding: false } } }]);

        queueFails = true;
        await advance(5_000); // tick at +5 s fails; next in 10 s
        await advance(10_000); // tick at +15 s fails; next in 20 s
        health = await httpGet(a.healthPort, "/healthz");
        expect([health.status, JSON.parse(health.body).lastSuccessfulTickAgeSeconds]).to.deep.equal([200, 15]);

        await advance(1_000);
        health = await httpGet(a.healthPort, "/healthz");
        expect(health.status).to.equal(503);
        expect(JSON.parse(health.body)).to.deep.equal({
            status: "stale",
            lastSuccessfulTickAgeSeconds: 16,
            maxAgeSeconds: 15,
            consecutiveFailures: 2,
            lastError: "GetQueueAttributes failed: ThrottlingException: Rate exceeded",
            servicesRead: 0,
            services: { worker: { status: "stale", lastSuccessfulTickAgeSeconds: 16, consecutiveFailures: 2, lastError: "GetQueueAttributes failed: ThrottlingException: Rate exceeded", paused: false, fallbackActive: false, consecutiveQueueFailures: 2, activationHolding: false } },
        });

        queueFails = false;
        await advance(19_000); // tick at +35 s succeeds
        health = await httpGet(a.healthPort, "/healthz");
        expect([health.status, JSON.parse(health.body).lastSuccessfulTickAgeSeconds]).to.deep.equal([200, 0]);
    });

    it("is unhealthy before its first successful tick", async () => {
        queueFails = true;
        const a = await start(settings());
        const health = await httpGet(a.healthPort, "/healthz");
        expect(health.status).to.equal(503);
        expect(JSON.parse(health.body)).to.deep.include({ status: "stale", lastSuccessfulTickAgeSeconds: null, consecutiveFailures: 1 });
    });

    it("serves /metrics in Prometheus format from its own registry with every metric", async () => {
        const a = await start(settings());
        const metrics = await httpGet(a.healthPort, "/metrics");
        expect(metrics.status).to.equal(200);
        expect(metrics.type).to.equal("text/plain; version=0.0.4; charset=utf-8");
        for (const name of Object.values(METRIC_NAMES)) expect(metrics.body).to.include(`# TYPE ${name} `);
        const lines = metrics.body.split("\n");
        expect(lines).to.include.members([
            'autoscaler_queue_messages{service="worker",queue="work",state="visible"} 42',
            'autoscaler_queue_messages{service="worker",queue="work",state="in_flight"} 3',
            'autoscaler_queue_messages{service="worker",queue="work",state="delayed"} 1',
            'autoscaler_queue_oldest_message_age_seconds{service="worker",queue="work"} 75',
            'autoscaler_service_desired_tasks{service="worker",queue="work"} 1',
            'autoscaler_service_running_tasks{service="worker",queue="work"} 1',
            'autoscaler_decisions_total{service="worker",queue="work",direction="up",reason="backlog_high"} 1',
            'autoscaler_actions_total{service="worker",queue="work",outcome="updated"} 1',
            'autoscaler_tick_duration_seconds_count 1',
            'autoscaler_services_read 1',
            'autoscaler_last_successful_tick_timestamp_seconds{service="worker"} 2000',
        ]);
        expect(await a.registry.metrics()).to.equal(metrics.body);
        // Nothing leaks into prom-client's global registry.
        const { register } = await import("prom-client");
        expect(register.getMetricsAsArray().filter((m) => m.name.startsWith("autoscaler_"))).to.deep.equal([]);
    });

    it("serves only the metrics named by ?name=, and 404 for a name it does not have", async () => {
        const a = await start(settings());
        const one = await httpGet(a.healthPort, `/metrics?name=${METRIC_NAMES.servicesRead}&name=${METRIC_NAMES.runningTasks}`);
        expect([one.status, one.type]).to.deep.equal([200, "text/plain; version=0.0.4; charset=utf-8"]);
        expect(one.body).to.equal([
            "# HELP autoscaler_services_read Services whose counts and queue were read in the last tick",
            "# TYPE autoscaler_services_read gauge",
            "autoscaler_services_read 1",
            "",
            "# HELP autoscaler_service_running_tasks Running task count of the scaled service",
            "# TYPE autoscaler_service_running_tasks gauge",
            'autoscaler_service_running_tasks{service="worker",queue="work"} 1',
            "",
        ].join("\n"));
        const unknown = await httpGet(a.healthPort, "/metrics?name=autoscaler_services_read&name=nope");
        expect([unknown.status, JSON.parse(unknown.body)]).to.deep.equal([404, { error: 'name: ["autoscaler_services_read","nope"] names a metric the autoscaler does not have' }]);
    });

    it("answers 404 elsewhere", async () => {
        const a = await start(settings());
        const res = await httpGet(a.healthPort, "/");
        expect([res.status, JSON.parse(res.body)]).to.deep.equal([404, { error: "not found", paths: ["/healthz", "/metrics"] }]);
    });

    it("in dry-run mode never calls UpdateService", async () => {
        const logs = captureLogs();
        await start(settings({ dryRun: true }), logs);
        await advance(5_000);
        await advance(5_000);
        // One start-up check of the queue, then three ticks.
        expect(sqsMock.commandCalls(GetQueueAttributesCommand)).to.have.length(4);
        expect(ecsMock.commandCalls(UpdateServiceCommand)).to.have.length(0);
        expect(logs.withMsg("tick").map((l) => [l.direction, l.to, l.outcome])).to.deep.equal([["up", 5, "dry_run"], ["up", 5, "dry_run"], ["up", 5, "dry_run"]]);
    });

    it("stop() finishes, closes the HTTP server and ticks no more", async () => {
        const logs = captureLogs();
        const a = await start(settings(), logs);
        await a.stop();
        running = undefined;
        const error = await httpGet(a.healthPort, "/healthz").then(() => undefined, (e: NodeJS.ErrnoException) => e.code);
        expect(error).to.equal("ECONNREFUSED");
        const calls = sqsMock.commandCalls(GetQueueAttributesCommand).length;
        await advance(60_000);
        expect(sqsMock.commandCalls(GetQueueAttributesCommand)).to.have.length(calls);
        expect(logs.lines.map((l) => l.msg).slice(-1)).to.deep.equal(["autoscaler stopped"]);
        await a.stop();
    });

    it("logs its settings once at start, with the health port", async () => {
        const logs = captureLogs();
        const a = await start(settings(), logs);
        const started = logs.withMsg("autoscaler started for worker on queue work");
        expect(started).to.have.length(1);
        expect(started[0]).to.deep.include({ healthPort: a.healthPort, cluster: "main", service: "worker", intervalMs: 5_000, dryRun: false });
        expect(started[0]!.source).to.deep.equal({ kind: "sqs", queueUrl: QUEUE_URL });
        expect(started[0]!.chaos).to.deep.equal({ allowed: false, enabled: [] });
    });

    it("logs every tick's figures in CloudWatch embedded metric format, and a failed tick as one failure", async () => {
        const logs = captureLogs();
        await start(settings(), logs);
        const first = logs.withMsg("metrics")[0]!;
        expect(first).to.deep.equal({
            level: 30,
            msg: "metrics",
            _aws: {
                Timestamp: 2_000_000,
                CloudWatchMetrics: [{
                    Namespace: "ECSAutoscaling",
                    Dimensions: [["Service"]],
                    Metrics: [
                        { Name: "QueueVisible", Unit: "Count" }, { Name: "QueueInFlight", Unit: "Count" }, { Name: "DesiredTasks", Unit: "Count" },
                        { Name: "RunningTasks", Unit: "Count" }, { Name: "DecidedTasks", Unit: "Count" }, { Name: "ScalingActions", Unit: "Count" },
                        { Name: "TickFailures", Unit: "Count" }, { Name: "TickDuration", Unit: "Milliseconds" }, { Name: "DeploymentHoldExpired", Unit: "Count" },
                        { Name: "Paused", Unit: "Count" }, { Name: "FallbackActive", Unit: "Count" }, { Name: "ActivationHolding", Unit: "Count" },
                    ],
                }],
            },
            Service: "worker",
            QueueVisible: 42,
            QueueInFlight: 3,
            DesiredTasks: 1,
            RunningTasks: 1,
            DecidedTasks: 5,
            ScalingActions: 1,
            TickFailures: 0,
            TickDuration: 0,
            DeploymentHoldExpired: 0,
            Paused: 0,
            FallbackActive: 0,
            ActivationHolding: 0,
        });
        queueFails = true;
        await advance(5_000);
        const failed = logs.withMsg("metrics")[1]!;
        expect([failed.TickFailures, failed.ScalingActions, failed._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)])
            .to.deep.equal([1, 0, ["TickFailures", "ScalingActions", "TickDuration"]]);
    });

    it("reads its last scaling actions back from the service's tags at start, so a restart keeps the scale-up cooldown", async () => {
        const ARN = "arn:aws:ecs:us-east-1:123456789012:service/main/worker";
        svc = { desired: 5, running: 5 };
        visible = 70;
        ecsMock.on(DescribeServicesCommand).callsFake(() => ({
            services: [{ serviceName: "worker", serviceArn: ARN, desiredCount: svc.desired, runningCount: svc.running, pendingCount: 0 }],
        }));
        // Before the restart it scaled 2 -> 8 ten seconds ago (someone set 5 since).
        ecsMock.on(ListTagsForResourceCommand).resolves({ tags: [{ key: "ecs-autoscaling:last-scale-up", value: `${2_000_000 - 10_000}/2/8` }, { key: "team", value: "x" }] });
        const logs = captureLogs();
        await start(settings(), logs);
        expect(ecsMock.commandCalls(ListTagsForResourceCommand).map((c) => c.args[0].input)).to.deep.include({ resourceArn: ARN });
        expect(logs.withMsg("read back the last scaling actions from the service's tags; their cooldowns still hold")[0]!.lastActions)
            .to.deep.equal({ scaleUp: { at: 1_990_000, from: 2, to: 8 } });
        expect(logs.withMsg("tick").map((l) => l.reason)).to.deep.equal(["scale_up_cooldown"]);
        expect(ecsMock.commandCalls(UpdateServiceCommand)).to.have.length(0);
    });

    it("records each scaling action in a tag on the service before it writes the desired count", async () => {
        const ARN = "arn:aws:ecs:us-east-1:123456789012:service/main/worker";
        const order: string[] = [];
        ecsMock.on(DescribeServicesCommand).callsFake(() => ({
            services: [{ serviceName: "worker", serviceArn: ARN, desiredCount: svc.desired, runningCount: svc.running, pendingCount: 0 }],
        }));
        ecsMock.on(TagResourceCommand).callsFake((input: { tags: { key: string; value: string }[] }) => {
            order.push(`TagResource ${input.tags.map((x) => `${x.key}=${x.value}`).join(",")}`);
            return {};
        });
        ecsMock.on(UpdateServiceCommand).callsFake((input: UpdateServiceCommandInput) => {
            order.push(`UpdateService ${input.desiredCount}`);
            svc.desired = input.desiredCount!;
            return {};
        });
        await start(settings());
        expect(order).to.deep.equal(["TagResource ecs-autoscaling:last-scale-up=2000000/1/5", "UpdateService 5"]);
    });

    it("exits its start with a PreflightError naming the cluster when the cluster does not exist, before any tick", async () => {
        ecsMock.on(DescribeServicesCommand).rejects(sdkError("ClusterNotFoundException", "Cluster not found."));
        const error = await startAutoscaler(settings(), { ecs, sqs, cloudwatch, clock: t.now, sleep: t.sleep, logger: captureLogs().logger })
            .then(() => undefined, (e: unknown) => e as PreflightError);
        expect(error).to.be.instanceOf(PreflightError);
        expect(error!.problems).to.deep.equal(['--cluster: cluster "main" cannot be read: DescribeServices: ClusterNotFoundException: Cluster not found.']);
        expect(error!.permanent).to.equal(true);
        expect(ecsMock.commandCalls(UpdateServiceCommand)).to.have.length(0);
    });

    it("refuses an enabled failure simulation that is not allowed, before any call or server", async () => {
        const s = settings();
        const refused: AutoscalerSettings = { ...s, chaos: { ...s.chaos, drain: { enabled: true, intervalMs: 60_000 } } };
        const error = await startAutoscaler(refused, { ecs, sqs, cloudwatch, clock: t.now, sleep: t.sleep, logger: captureLogs().logger }).then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(ChaosNotAllowedError);
        expect([ecsMock.calls().length, sqsMock.calls().length, cwMock.calls().length]).to.deep.equal([0, 0, 0]);
    });
});
