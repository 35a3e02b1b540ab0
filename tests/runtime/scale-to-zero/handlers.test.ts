/**
 * The scale-to-zero functions against aws-sdk-client-mock: a small stateful stand-in for ECS, ELBv2,
 * Application Auto Scaling and CloudWatch answers the reads from what the writes set, and every test
 * asserts the exact requests sent.
 */
import { expect } from "chai";
import { GetMetricDataCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import type { ALBEvent } from "aws-lambda";
import { runIdleCheck } from "../../../runtime/scale-to-zero/idle-check";
import { createWakeHandler } from "../../../runtime/scale-to-zero/wake";
import { settingsFromEnv, ScaleToZeroSettingsError } from "../../../runtime/scale-to-zero/settings";
import { MARK_TAGS, REQUEST_COUNT_DELAY_SECONDS, targetEnvironment, type ScaleToZeroTarget } from "../../../scaling/scale-to-zero";
import { DEFAULT_ENGINE_PARAMS } from "../../../scaling/engine/params";
import { main } from "../../../cli/autoscale";
import { captureLogs } from "../support";
import { fakeAws as fakeAwsFor, type World } from "./fake-aws";
import { recordAwsCalls, type Recording } from "../../helpers/aws-call-recorder";

const T: ScaleToZeroTarget = {
    cluster: "stg",
    service: "stg-preview",
    listenerRuleArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/alb/1/2/3",
    serviceTargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/stg-preview-ab12/aaaa",
    wakeTargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/stg-preview-wake/bbbb",
    loadBalancerDimension: "app/alb/1",
    targetGroupDimension: "targetgroup/stg-preview-ab12/aaaa",
    idleSeconds: 300,
    wakeCapacity: 1,
    minCapacity: 0,
    maxCapacity: 1,
    namespace: "ECSAutoscaling/ScaleToZero",
};
const SERVICE_ARN = "arn:aws:ecs:us-east-1:123456789012:service/stg/stg-preview";
const MIN = 60_000;
/** A minute boundary, so the query's window is easy to read. */
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

const fakeAws = (world: World) => fakeAwsFor(world, T, SERVICE_ARN);

function awakeWorld(overrides: Partial<World> = {}): World {
    return { desired: 1, route: T.serviceTargetGroupArn, healthy: 1, bounds: { min: 0, max: 1 }, tags: {}, requests: new Map(), ...overrides };
}

const albEvent = (accept = "text/html,application/xhtml+xml"): ALBEvent => ({
    requestContext: { elb: { targetGroupArn: T.wakeTargetGroupArn } },
    httpMethod: "GET",
    path: "/preview/",
    queryStringParameters: {},
    headers: { accept, host: "alb.example" },
    body: "",
    isBase64Encoded: false,
});

describe("scale-to-zero functions (aws-sdk-client-mock)", () => {
    const recording: Recording = recordAwsCalls(__filename, undefined, { cluster: T.cluster, service: T.service, listenerRule: T.listenerRuleArn, serviceTargetGroup: T.serviceTargetGroupArn, wakeTargetGroup: T.wakeTargetGroupArn, namespace: T.namespace });
    let aws: ReturnType<typeof fakeAws>;
    let now = T0;
    const deps = () => ({ clients: aws.clients, clock: () => now, logger: captureLogs().logger });
    afterEach(() => aws?.restore());

    describe("idle check", () => {
        before(() => recording.as("scale-to-zero-idle-check"));
        after(() => recording.as(undefined));
        it("GIVEN an awake service WHEN it runs THEN it asks GetMetricData for the target group's RequestCount Sum per 60 s over the window (and an hour back)", async () => {
            aws = fakeAws(awakeWorld());
            now = T0 + 30_000;
            await runIdleCheck(T, deps());
            const calls = aws.mocks.cloudwatch.commandCalls(GetMetricDataCommand);
            expect(calls).to.have.length(1);
            expect(calls[0].args[0].input).to.deep.equal({
                StartTime: new Date(T0 - 3600_000),
                EndTime: new Date(T0 + MIN),
                ScanBy: "TimestampAscending",
                MetricDataQueries: [{
                    Id: "requests",
                    MetricStat: {
                        Metric: {
                            Namespace: "AWS/ApplicationELB",
                            MetricName: "RequestCount",
                            Dimensions: [{ Name: "LoadBalancer", Value: "app/alb/1" }, { Name: "TargetGroup", Value: "targetgroup/stg-preview-ab12/aaaa" }],
                        },
                        Period: 60,
                        Stat: "Sum",
                    },
                    ReturnData: true,
                }],
            });
        });

        it("GIVEN a request 4 minutes ago in a 5-minute window THEN nothing changes, and ServiceStatus 1 and ServiceDesiredCount 1 (Status active) are published", async () => {
            aws = fakeAws(awakeWorld({ requests: new Map([[T0 - 4 * MIN, 3]]) }));
            now = T0;
            const result = await runIdleCheck(T, deps());
            expect(result.transition).to.equal("none");
            expect(aws.writes()).to.deep.equal({ modifyRule: [], register: [], update: [], tag: [] });
            const put = aws.mocks.cloudwatch.commandCalls(PutMetricDataCommand);
            expect(put).to.have.length(1);
            expect(put[0].args[0].input).to.deep.equal({
                Namespace: "ECSAutoscaling/ScaleToZero",
                MetricData: [
                    { MetricName: "ServiceStatus", Dimensions: [{ Name: "Service", Value: "stg-preview" }, { Name: "Cluster", Value: "stg" }], Value: 1, Unit: "None", Timestamp: new Date(T0) },
                    { MetricName: "ServiceDesiredCount", Dimensions: [{ Name: "Service", Value: "stg-preview" }, { Name: "Cluster", Value: "stg" }, { Name: "Status", Value: "active" }], Value: 1, Unit: "Count", Timestamp: new Date(T0) },
                ],
            });
        });

        it("GIVEN the last request ended one window ago THEN it stays awake: RequestCount of the last 180 s may not be published yet (the engine's publication delay)", async () => {
            // Requests in the minute [T0-6min, T0-5min): the 5-minute window ending now holds none, but the
            // window is judged up to now minus the delay, and (T0-8min, T0-3min] holds them.
            expect(REQUEST_COUNT_DELAY_SECONDS).to.equal(DEFAULT_ENGINE_PARAMS.publicationDelaySeconds);
            expect(REQUEST_COUNT_DELAY_SECONDS).to.equal(180);
            aws = fakeAws(awakeWorld({ requests: new Map([[T0 - 6 * MIN, 12]]) }));
            now = T0;
            const result = await runIdleCheck(T, deps());
            expect([result.transition, result.reason]).to.deep.equal(["none", "12 request(s) in the last 300 s (+180 s publication delay)"]);
            expect(aws.writes().update).to.deep.equal([]);
        });

        it("GIVEN the last request ended one window and the publication delay ago (missing minutes are zeros) THEN it switches the rule, sets bounds 0..0, then desired 0, and publishes IdleSeconds", async () => {
            // Requests in the minute [T0-9min, T0-8min): the window (T0-8min, T0] holds none.
            aws = fakeAws(awakeWorld({ requests: new Map([[T0 - 9 * MIN, 12]]) }));
            now = T0;
            const result = await runIdleCheck(T, deps());
            expect(result.transition).to.equal("slept");
            expect(aws.writes()).to.deep.equal({
                modifyRule: [{ RuleArn: T.listenerRuleArn, Actions: [{ Type: "forward", TargetGroupArn: T.wakeTargetGroupArn }] }],
                register: [{ ServiceNamespace: "ecs", ResourceId: "service/stg/stg-preview", ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 0, MaxCapacity: 0 }],
                update: [{ cluster: "stg", service: "stg-preview", desiredCount: 0 }],
                tag: [{ resourceArn: SERVICE_ARN, tags: [
                    { key: MARK_TAGS.asleepSince, value: String(T0) }, { key: MARK_TAGS.wakeCapacity, value: "1" },
                    { key: MARK_TAGS.awakeMinCapacity, value: "0" }, { key: MARK_TAGS.awakeMaxCapacity, value: "1" },
                ] }],
            });
            // Order: route first, then bounds, then the desired count.
            expect(aws.order).to.deep.equal(["ModifyRule", "RegisterScalableTarget", "UpdateService", "TagResource"]);
            const put = aws.mocks.cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input;
            expect(put.MetricData!.map((d) => [d.MetricName, d.Value, d.Dimensions!.map((x) => `${x.Name}=${x.Value}`).join(",")])).to.deep.equal([
                ["ServiceStatus", 0, "Service=stg-preview,Cluster=stg"],
                ["ServiceDesiredCount", 0, "Service=stg-preview,Cluster=stg,Status=idle"],
                ["IdleSeconds", 480, "Service=stg-preview,Cluster=stg"],
            ]);
        });

        it("GIVEN a request in the window's first minute THEN it does not sleep (0 only after a fully idle window)", async () => {
            aws = fakeAws(awakeWorld({ requests: new Map([[T0 - 5 * MIN, 1]]) }));
            now = T0 + 1_000;
            expect((await runIdleCheck(T, deps())).transition).to.equal("none");
            expect(aws.writes().update).to.deep.equal([]);
        });

        it("GIVEN it slept WHEN it runs again THEN the second run changes nothing (idempotent)", async () => {
            aws = fakeAws(awakeWorld());
            now = T0;
            expect((await runIdleCheck(T, deps())).transition).to.equal("slept");
            aws.resetHistory();
            now = T0 + MIN;
            const second = await runIdleCheck(T, deps());
            expect(second.transition).to.equal("none");
            expect(second.status).to.equal("idle");
            expect(aws.writes()).to.deep.equal({ modifyRule: [], register: [], update: [], tag: [] });
        });

        it("GIVEN a wake 4 minutes ago and no request since THEN it does not sleep; one full window and the publication delay after the wake it does", async () => {
            aws = fakeAws(awakeWorld({ tags: { [MARK_TAGS.awakeSince]: String(T0 - 4 * MIN) } }));
            now = T0;
            const within = await runIdleCheck(T, deps());
            expect(within.transition).to.equal("none");
            expect(within.reason).to.match(/woke 240 s ago/);
            expect(aws.writes().update).to.deep.equal([]);
            now = T0 + 3 * MIN;
            expect((await runIdleCheck(T, deps())).transition).to.equal("none");
            now = T0 + 4 * MIN;
            expect((await runIdleCheck(T, deps())).transition).to.equal("slept");
            expect(aws.writes().update).to.deep.equal([{ cluster: "stg", service: "stg-preview", desiredCount: 0 }]);
        });

        it("GIVEN a wake under way WHEN a target turns healthy THEN the idle check switches the rule back, restores the bounds and publishes WakeLatencySeconds", async () => {
            aws = fakeAws(awakeWorld({
                route: T.wakeTargetGroupArn, desired: 1, healthy: 1, bounds: { min: 1, max: 1 },
                tags: { [MARK_TAGS.wakeRequestedAt]: String(T0 - 47_000) },
            }));
            now = T0;
            const result = await runIdleCheck(T, deps());
            expect(result.transition).to.equal("woke");
            expect(aws.writes()).to.deep.equal({
                modifyRule: [{ RuleArn: T.listenerRuleArn, Actions: [{ Type: "forward", TargetGroupArn: T.serviceTargetGroupArn }] }],
                register: [{ ServiceNamespace: "ecs", ResourceId: "service/stg/stg-preview", ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 0, MaxCapacity: 1 }],
                update: [],
                tag: [{ resourceArn: SERVICE_ARN, tags: [{ key: MARK_TAGS.awakeSince, value: String(T0) }] }],
            });
            const data = aws.mocks.cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!;
            expect(data.find((d) => d.MetricName === "WakeLatencySeconds")).to.deep.include({ Value: 47, Unit: "Seconds" });
            expect(data.find((d) => d.MetricName === "ServiceStatus")!.Value).to.equal(1);
        });

        it("GIVEN `pulumi up` put the declared route and bounds back on a sleeping service THEN the next run puts it to sleep again (rule to wake, bounds 0..0) without an UpdateService", async () => {
            aws = fakeAws(awakeWorld({ desired: 0, healthy: 0, route: T.serviceTargetGroupArn, bounds: { min: 0, max: 1 } }));
            now = T0;
            const result = await runIdleCheck(T, deps());
            expect(result.transition).to.equal("slept");
            const w = aws.writes();
            expect(w.modifyRule).to.deep.equal([{ RuleArn: T.listenerRuleArn, Actions: [{ Type: "forward", TargetGroupArn: T.wakeTargetGroupArn }] }]);
            expect(w.register.map((r) => [r.MinCapacity, r.MaxCapacity])).to.deep.equal([[0, 0]]);
            expect(w.update).to.deep.equal([]);
        });

        it("GIVEN a sleeping service whose bounds were reset THEN it sets 0..0 again and leaves the route", async () => {
            aws = fakeAws(awakeWorld({ desired: 0, healthy: 0, route: T.wakeTargetGroupArn, bounds: { min: 0, max: 1 } }));
            await runIdleCheck(T, deps());
            expect(aws.writes()).to.deep.include({ modifyRule: [], update: [] });
            expect(aws.writes().register.map((r) => [r.MinCapacity, r.MaxCapacity])).to.deep.equal([[0, 0]]);
        });
    });

    describe("wake handler", () => {
        before(() => recording.as("scale-to-zero-wake"));
        after(() => recording.as(undefined));
        const asleep = () => awakeWorld({ desired: 0, healthy: 0, route: T.wakeTargetGroupArn, bounds: { min: 0, max: 0 } });

        it("GIVEN a sleeping service WHEN 25 requests arrive at once THEN exactly one UpdateService (desired = wakeCapacity) and one bounds change are sent, and every caller gets 503 with Retry-After", async () => {
            aws = fakeAws(asleep());
            now = T0;
            const handler = createWakeHandler(T, deps());
            const answers = await Promise.all(Array.from({ length: 25 }, () => handler(albEvent())));
            expect(aws.writes()).to.deep.equal({
                modifyRule: [],
                register: [{ ServiceNamespace: "ecs", ResourceId: "service/stg/stg-preview", ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 1, MaxCapacity: 1 }],
                update: [{ cluster: "stg", service: "stg-preview", desiredCount: 1 }],
                tag: [{ resourceArn: SERVICE_ARN, tags: [{ key: MARK_TAGS.wakeRequestedAt, value: String(T0) }] }],
            });
            for (const a of answers) {
                expect(a.statusCode).to.equal(503);
                expect(a.headers).to.deep.include({ "Retry-After": "5", "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
                expect(a.body).to.include('<meta http-equiv="refresh" content="5">').and.include("stg-preview is starting");
            }
            // Later requests while the task starts ask for nothing more.
            now = T0 + 10_000;
            await Promise.all(Array.from({ length: 5 }, () => handler(albEvent())));
            expect(aws.writes().update).to.have.length(1);
        });

        it("GIVEN Accept: application/json THEN the answer is JSON with the same status and Retry-After", async () => {
            aws = fakeAws(asleep());
            const a = await createWakeHandler(T, deps())(albEvent("application/json"));
            expect(a.statusCode).to.equal(503);
            expect(a.headers).to.deep.include({ "Content-Type": "application/json", "Retry-After": "5" });
            expect(JSON.parse(a.body!)).to.deep.equal({ status: "starting", service: "stg-preview", retryAfterSeconds: 5 });
        });

        it("GIVEN the wake was asked 38 s ago WHEN a request finds a healthy target THEN it switches the rule back, restores the bounds, publishes WakeLatencySeconds 38 and ServiceStatus 1", async () => {
            aws = fakeAws(awakeWorld({ desired: 1, healthy: 1, route: T.wakeTargetGroupArn, bounds: { min: 1, max: 1 }, tags: { [MARK_TAGS.wakeRequestedAt]: String(T0 - 38_000) } }));
            now = T0;
            const a = await createWakeHandler(T, deps())(albEvent("application/json"));
            expect(JSON.parse(a.body!)).to.deep.equal({ status: "ready", service: "stg-preview", retryAfterSeconds: 1 });
            expect(aws.writes()).to.deep.equal({
                modifyRule: [{ RuleArn: T.listenerRuleArn, Actions: [{ Type: "forward", TargetGroupArn: T.serviceTargetGroupArn }] }],
                register: [{ ServiceNamespace: "ecs", ResourceId: "service/stg/stg-preview", ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 0, MaxCapacity: 1 }],
                update: [],
                tag: [{ resourceArn: SERVICE_ARN, tags: [{ key: MARK_TAGS.awakeSince, value: String(T0) }] }],
            });
            const put = aws.mocks.cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input;
            expect(put.MetricData!.map((d) => [d.MetricName, d.Value])).to.deep.equal([["ServiceStatus", 1], ["ServiceDesiredCount", 1], ["WakeLatencySeconds", 38]]);
        });

        it("GIVEN an Accept header that is not a string THEN it answers 400 with a logged refusal, throws nothing and wakes nothing", async () => {
            aws = fakeAws(asleep());
            const logs = captureLogs();
            const handler = createWakeHandler(T, { ...deps(), logger: logs.logger });
            const numeric = await handler({ ...albEvent(), headers: { accept: 42 } } as unknown as ALBEvent);
            const listed = await handler({ ...albEvent(), headers: {}, multiValueHeaders: { accept: "text/html" } } as unknown as ALBEvent);
            expect([numeric.statusCode, JSON.parse(numeric.body!)]).to.deep.equal([400, { error: "malformed request", reason: "headers.accept is 42, expected a string" }]);
            expect([listed.statusCode, JSON.parse(listed.body!).reason]).to.deep.equal([400, 'multiValueHeaders.accept is "text/html", expected a list of strings']);
            expect(logs.lines.map((l) => [l.level, l.msg])).to.deep.equal([
                [40, "wake: refused a malformed request: headers.accept is 42, expected a string"],
                [40, 'wake: refused a malformed request: multiValueHeaders.accept is "text/html", expected a list of strings'],
            ]);
            expect(aws.writes()).to.deep.equal({ modifyRule: [], register: [], update: [], tag: [] });
        });

        it("GIVEN an AWS failure THEN the caller still gets the starting page and nothing else is sent", async () => {
            aws = fakeAws(asleep());
            aws.mocks.ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
            const a = await createWakeHandler(T, deps())(albEvent());
            expect(a.statusCode).to.equal(503);
            expect(a.headers!["Retry-After"]).to.equal("5");
            expect(aws.writes()).to.deep.equal({ modifyRule: [], register: [], update: [], tag: [] });
        });
    });

    describe("settings", () => {
        it("reads back exactly what the component writes", () => {
            expect(settingsFromEnv(targetEnvironment(T))).to.deep.equal(T);
        });
        it("refuses a missing variable and a wake capacity above max, naming them", () => {
            const env = { ...targetEnvironment(T), STZ_WAKE_CAPACITY: "3" } as Record<string, string>;
            delete env.STZ_NAMESPACE;
            expect(() => settingsFromEnv(env)).to.throw(ScaleToZeroSettingsError, "STZ_NAMESPACE is not set");
            env.STZ_NAMESPACE = "x";
            expect(() => settingsFromEnv(env)).to.throw("STZ_WAKE_CAPACITY=3 must be <= STZ_MAX_CAPACITY (1)");
        });
    });

    describe("autoscale wake", () => {
        it("a missing --cluster or --service is one line, exit 2, before any AWS call", async () => {
            aws = fakeAws(awakeWorld());
            const err: string[] = [];
            const code = await main(["wake", "--cluster", "stg"], { env: {}, out: () => undefined, err: (s) => err.push(s), onStopSignal: () => () => undefined });
            expect([code, err.join("")]).to.deep.equal([2, "error: --service: (missing) give --stack with --service <key>, or --ecs-service <name>\n"]);
            expect(aws.mocks.ecs.calls()).to.have.length(0);
        });
    });
});
