import {
    ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingActivitiesCommand, DescribeScalingPoliciesCommand,
} from "@aws-sdk/client-application-auto-scaling";
import {
    CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricDataCommand, ListMetricsCommand,
} from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { collectEvidence } from "../../proof/evidence-collect";
import { dedupeSeries, judgeEvidence, seriesDiff, verdictLines, type EvidenceData } from "../../proof/evidence-judge";
import { formatActivityRecord } from "../../scaling/activity-record";
import { syntheticLoadSeries } from "../../scaling/metric-series";

const START = new Date("2026-11-23T19:00:00.000Z");
const END = new Date("2026-11-23T20:00:00.000Z");
const RID = "service/proof/proof-api";
const TT_ARN = "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1:resource/ecs/service/proof/proof-api:policyName/proof-api-synthetic-load";
const STEP_ARN = "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:2:resource/ecs/service/proof/proof-api:policyName/proof-api-steps-out";
const HIGH = "TargetTracking-service/proof/proof-api-AlarmHigh-a";
const LOW = "TargetTracking-service/proof/proof-api-AlarmLow-b";
const DIMS = [{ Name: "TestId", Value: "t1" }, { Name: "Cluster", Value: "proof" }, { Name: "Service", Value: "proof-api" }];
/** A 500 with an HTML body, as moto answers an operation it does not implement. */
const notImplemented = () => Object.assign(new Error("Unexpected token '<', \"<!doctype \"... is not valid JSON"), { name: "SyntaxError", $metadata: { httpStatusCode: 500 } });

describe("autoscale evidence: the calls", () => {
    // Installed when this suite runs (not when the file loads), so other files' clients stay real.
    const mockAas = () => mockClient(ApplicationAutoScalingClient);
    const mockCw = () => mockClient(CloudWatchClient);
    const mockEcs = () => mockClient(ECSClient);
    let aas: ReturnType<typeof mockAas>;
    let cw: ReturnType<typeof mockCw>;
    let ecs: ReturnType<typeof mockEcs>;
    before(() => {
        aas = mockAas();
        cw = mockCw();
        ecs = mockEcs();
    });
    afterEach(() => {
        aas.reset();
        cw.reset();
        ecs.reset();
    });
    after(() => {
        aas.restore();
        cw.restore();
        ecs.restore();
    });

    function arrange(activities: "api" | "unavailable") {
        aas.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [{ ResourceId: RID, MinCapacity: 2, MaxCapacity: 4, ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount", RoleARN: "r", CreationTime: START }] });
        aas.on(DescribeScalingPoliciesCommand).resolves({
            ScalingPolicies: [
                {
                    PolicyName: "proof-api-synthetic-load", PolicyARN: TT_ARN, PolicyType: "TargetTrackingScaling", ResourceId: RID,
                    ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount", CreationTime: START,
                    TargetTrackingScalingPolicyConfiguration: {
                        TargetValue: 100,
                        CustomizedMetricSpecification: { Namespace: "Test/Autoscaling", MetricName: "SyntheticLoad", Statistic: "Average", Dimensions: DIMS },
                    },
                    Alarms: [{ AlarmName: HIGH, AlarmARN: "a1" }, { AlarmName: LOW, AlarmARN: "a2" }],
                },
                // moto matches ResourceId as a substring: a policy of another service must be left out.
                { PolicyName: "other", PolicyARN: "x", PolicyType: "StepScaling", ResourceId: `${RID}-2`, ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount", CreationTime: START },
                { PolicyName: "proof-api-steps-out", PolicyARN: STEP_ARN, PolicyType: "StepScaling", ResourceId: RID, ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount", CreationTime: START },
            ],
        });
        const metric = { Namespace: "Test/Autoscaling", MetricName: "SyntheticLoad", Dimensions: DIMS };
        cw.on(ListMetricsCommand).resolves({ Metrics: [metric, metric, { ...metric, Dimensions: [...DIMS].reverse() }] });
        cw.on(GetMetricDataCommand).resolves({
            MetricDataResults: [
                { Id: "m0", Timestamps: [new Date("2026-11-23T19:11:00Z"), new Date("2026-11-23T19:10:00Z")], Values: [0, 200] },
                { Id: "desired", Timestamps: [], Values: [] },
                { Id: "running", Timestamps: [], Values: [] },
            ],
        });
        cw.on(DescribeAlarmsCommand, { AlarmNamePrefix: "TargetTracking-service/proof/proof-api-" }).resolves({
            MetricAlarms: [
                { AlarmName: HIGH, StateValue: "OK", AlarmActions: [TT_ARN], StateUpdatedTimestamp: START },
                { AlarmName: LOW, StateValue: "ALARM", AlarmActions: [TT_ARN], StateUpdatedTimestamp: START },
            ],
        });
        cw.on(DescribeAlarmsCommand, { ActionPrefix: STEP_ARN }).resolves({ MetricAlarms: [{ AlarmName: "proof-api-steps-out", StateValue: "OK", AlarmActions: [STEP_ARN] }] });
        cw.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [{ Timestamp: new Date("2026-11-23T19:12:00Z"), HistorySummary: "Alarm updated from OK to ALARM" }] });
        if (activities === "api") {
            aas.on(DescribeScalingActivitiesCommand).resolves({
                ScalingActivities: [
                    { ActivityId: "2", ResourceId: RID, ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount", StartTime: new Date("2026-11-23T19:20:00Z"), Description: "Setting desired count to 2.", Cause: "monitor alarm LOW in state ALARM triggered policy proof-api-synthetic-load", StatusCode: "Successful" },
                    { ActivityId: "1", ResourceId: RID, ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount", StartTime: new Date("2026-11-23T19:13:00Z"), Description: "Setting desired count to 4.", Cause: "monitor alarm HIGH in state ALARM triggered policy proof-api-synthetic-load", StatusCode: "Successful" },
                    { ActivityId: "0", ResourceId: RID, ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount", StartTime: new Date("2026-11-23T18:00:00Z"), Description: "Setting desired count to 2.", Cause: "before the window", StatusCode: "Successful" },
                ],
            });
        } else {
            aas.on(DescribeScalingActivitiesCommand).rejects(notImplemented());
        }
        ecs.on(DescribeServicesCommand).resolves({
            services: [{
                serviceName: "proof-api", desiredCount: 2, runningCount: 2, pendingCount: 0,
                events: [
                    { createdAt: new Date("2026-11-23T19:13:30Z"), message: "(service proof-api) has started 2 tasks: (task a) (task b).", id: "e1" },
                    { createdAt: new Date("2026-11-23T19:21:00Z"), message: "(service proof-api) has reached a steady state.", id: "e2" },
                ],
            }],
        });
    }

    it("sends exactly these read-only requests, and reads activities from DescribeScalingActivities where it exists", async () => {
        arrange("api");
        const clients = { autoscaling: new ApplicationAutoScalingClient({}), cloudwatch: new CloudWatchClient({}), ecs: new ECSClient({}) };
        const got = await collectEvidence(clients, { cluster: "proof", service: "proof-api", start: START, end: END });

        const on = { ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount" };
        expect(aas.commandCalls(DescribeScalableTargetsCommand).map((c) => c.args[0].input)).to.deep.equal([{ ...on, ResourceIds: [RID] }]);
        expect(aas.commandCalls(DescribeScalingPoliciesCommand).map((c) => c.args[0].input)).to.deep.equal([{ ...on, ResourceId: RID, NextToken: undefined }]);
        expect(cw.commandCalls(ListMetricsCommand).map((c) => c.args[0].input)).to.deep.equal([{ Namespace: "Test/Autoscaling", MetricName: "SyntheticLoad", NextToken: undefined }]);
        const insights = (Id: string, MetricName: string) => ({
            Id, MetricStat: { Metric: { Namespace: "ECS/ContainerInsights", MetricName, Dimensions: [{ Name: "ClusterName", Value: "proof" }, { Name: "ServiceName", Value: "proof-api" }] }, Period: 60, Stat: "Average" },
        });
        expect(cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input)).to.deep.equal([{
            MetricDataQueries: [
                { Id: "m0", MetricStat: { Metric: { Namespace: "Test/Autoscaling", MetricName: "SyntheticLoad", Dimensions: DIMS }, Period: 60, Stat: "Average" } },
                insights("desired", "DesiredTaskCount"), insights("running", "RunningTaskCount"),
            ],
            StartTime: START, EndTime: END, ScanBy: "TimestampAscending", NextToken: undefined,
        }]);
        expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).to.deep.equal([
            { AlarmNamePrefix: "TargetTracking-service/proof/proof-api-" }, { ActionPrefix: STEP_ARN },
        ]);
        expect(cw.commandCalls(DescribeAlarmHistoryCommand).map((c) => c.args[0].input)).to.deep.equal([HIGH, LOW, "proof-api-steps-out"].map((AlarmName) => ({
            AlarmName, HistoryItemType: "StateUpdate", StartDate: START, EndDate: END, ScanBy: "TimestampAscending",
        })));
        expect(aas.commandCalls(DescribeScalingActivitiesCommand).map((c) => c.args[0].input)).to.deep.equal([{ ...on, ResourceId: RID, NextToken: undefined }]);
        expect(ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input)).to.deep.equal([{ cluster: "proof", services: ["proof-api"] }]);

        const d = got.data;
        expect(d.policies.map((p) => p.name)).to.deep.equal(["proof-api-synthetic-load", "proof-api-steps-out"]);
        expect(d.listedMetrics["proof-api-synthetic-load"]).to.have.length(1);
        expect(d.datapoints["proof-api-synthetic-load"]).to.deep.equal([{ time: "2026-11-23T19:10:00.000Z", value: 200 }, { time: "2026-11-23T19:11:00.000Z", value: 0 }]);
        expect(d.activities).to.deep.equal({
            kind: "api",
            activities: [
                { time: "2026-11-23T19:13:00.000Z", description: "Setting desired count to 4.", cause: "monitor alarm HIGH in state ALARM triggered policy proof-api-synthetic-load", newDesired: 4 },
                { time: "2026-11-23T19:20:00.000Z", description: "Setting desired count to 2.", cause: "monitor alarm LOW in state ALARM triggered policy proof-api-synthetic-load", newDesired: 2, oldDesired: 4 },
            ],
        });
        expect(got.capacity.desired).to.deep.equal([{ time: "2026-11-23T19:13:00.000Z", value: 4 }, { time: "2026-11-23T19:20:00.000Z", value: 2 }, { time: END.toISOString(), value: 2 }]);
        expect(got.capacity.running).to.deep.equal([{ time: END.toISOString(), value: 2 }]);

        expect(verdictLines(judgeEvidence(d)).map((l) => l.split(/\s+/).slice(0, 3).join(" "))).to.deep.equal([
            "PASS scalable-target service/proof/proof-api",
            "PASS policy proof-api-synthetic-load",
            "PASS policy proof-api-steps-out",
            "PASS series-match proof-api-synthetic-load",
            "PASS metric proof-api-synthetic-load",
            "PASS datapoints proof-api-synthetic-load",
            "PASS alarms proof-api-synthetic-load",
            "PASS alarms proof-api-steps-out",
            "PASS scaling-activities DescribeScalingActivities:",
            "PASS service-events DescribeServices:",
        ]);
    });

    it("reports scaling activities UNAVAILABLE when the endpoint answers DescribeScalingActivities with moto's HTTP 500", async () => {
        arrange("unavailable");
        cw.on(DescribeAlarmHistoryCommand).rejects(notImplemented());
        const clients = { autoscaling: new ApplicationAutoScalingClient({}), cloudwatch: new CloudWatchClient({}), ecs: new ECSClient({}) };
        const got = await collectEvidence(clients, { cluster: "proof", service: "proof-api", start: START, end: END });
        expect(got.data.activities).to.deep.equal({ kind: "unavailable", reason: "the endpoint has no DescribeScalingActivities (HTTP 500, not implemented) and no --activities record was given" });
        // History is tried once; after the first 500 the alarms are shown with their current state only.
        expect(cw.commandCalls(DescribeAlarmHistoryCommand)).to.have.length(1);
        expect(got.data.alarms.map((a) => a.history)).to.deep.equal([undefined, undefined, undefined]);
        const v = judgeEvidence(got.data).find((x) => x.item === "scaling-activities");
        expect(v).to.deep.equal({ item: "scaling-activities", status: "UNAVAILABLE", detail: "the endpoint has no DescribeScalingActivities (HTTP 500, not implemented) and no --activities record was given" });
    });

    it("takes service events from the activity record only when the endpoint records none, and says so", async () => {
        const line = (time: string, resourceId: string, oldDesired: number, newDesired: number, event?: string) => formatActivityRecord({
            time, resourceId, policy: "proof-api-synthetic-load", alarm: HIGH, oldDesired, newDesired, cause: "c", ...(event ? { event } : {}),
        });
        const text = [
            line("2026-11-23T18:30:00Z", RID, 1, 2, "(service proof-api) has started 1 tasks."), // before the window
            line("2026-11-23T19:13:00Z", RID, 2, 4, "(service proof-api) has started 2 tasks."),
            line("2026-11-23T19:14:00Z", "service/proof/other", 1, 3, "(service other) has started 2 tasks."), // another service
            line("2026-11-23T19:20:00Z", RID, 4, 2, "(service proof-api) has stopped 2 running tasks."),
            line("2026-11-23T19:25:00Z", RID, 2, 2), // no tasks to start or stop: no event
        ].join("\n");
        const clients = { autoscaling: new ApplicationAutoScalingClient({}), cloudwatch: new CloudWatchClient({}), ecs: new ECSClient({}) };
        const options = { cluster: "proof", service: "proof-api", start: START, end: END, activityRecord: { file: "run.jsonl", text } };

        arrange("unavailable");
        ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: "proof-api", desiredCount: 2, runningCount: 2, pendingCount: 0, events: [] }] });
        const fromRecord = await collectEvidence(clients, options);
        expect(fromRecord.data.serviceEvents).to.deep.equal({
            all: 3,
            inWindow: [
                { time: "2026-11-23T19:13:00.000Z", message: "(service proof-api) has started 2 tasks." },
                { time: "2026-11-23T19:20:00.000Z", message: "(service proof-api) has stopped 2 running tasks." },
            ],
            record: "run.jsonl",
        });
        expect(judgeEvidence(fromRecord.data).find((x) => x.item === "service-events")).to.deep.equal({
            item: "service-events", status: "PASS",
            detail: "activity record run.jsonl (the endpoint records no service events): 2 events about tasks started or stopped; latest: (service proof-api) has stopped 2 running tasks.",
        });

        // Where DescribeServices has events (AWS always does), they are the evidence and the record's are ignored.
        aas.reset();
        cw.reset();
        ecs.reset();
        arrange("unavailable");
        const fromApi = await collectEvidence(clients, options);
        expect(fromApi.data.serviceEvents).to.deep.equal({
            all: 2,
            inWindow: [
                { time: "2026-11-23T19:13:30.000Z", message: "(service proof-api) has started 2 tasks: (task a) (task b)." },
                { time: "2026-11-23T19:21:00.000Z", message: "(service proof-api) has reached a steady state." },
            ],
        });
        expect(judgeEvidence(fromApi.data).find((x) => x.item === "service-events")?.detail).to.equal(
            "DescribeServices: 1 events about tasks started or stopped; latest: (service proof-api) has started 2 tasks: (task a) (task b).");
    });

    it("fails the run on any other error of a call that should work, naming the operation", async () => {
        arrange("api");
        aas.on(DescribeScalableTargetsCommand).rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
        const clients = { autoscaling: new ApplicationAutoScalingClient({}), cloudwatch: new CloudWatchClient({}), ecs: new ECSClient({}) };
        let error: Error | undefined;
        await collectEvidence(clients, { cluster: "proof", service: "proof-api", start: START, end: END }).catch((e: Error) => (error = e));
        expect(error?.message).to.equal("DescribeScalableTargets failed: AccessDeniedException: not authorized");
    });
});

describe("autoscale evidence: the verdicts", () => {
    const series = syntheticLoadSeries("t1", "proof", "proof-api");
    const base: EvidenceData = {
        cluster: "proof", service: "proof-api", resourceId: RID,
        window: { start: START.toISOString(), end: END.toISOString() },
        target: { minCapacity: 2, maxCapacity: 4 },
        policies: [{ name: "p", arn: TT_ARN, type: "TargetTrackingScaling", targetValue: 100, customSeries: series, alarmNames: [HIGH, LOW] }],
        listedMetrics: { p: [{ namespace: "Test/Autoscaling", metricName: "SyntheticLoad", dimensions: series.dimensions }] },
        datapoints: { p: [{ time: "2026-11-23T19:10:00.000Z", value: 200 }, { time: "2026-11-23T19:30:00.000Z", value: 0 }] },
        alarms: [
            { name: HIGH, state: "OK", actions: [TT_ARN], history: [] },
            { name: LOW, state: "OK", actions: [TT_ARN], history: [{ time: "t", summary: "s" }] },
        ],
        activities: { kind: "record", file: "a.jsonl", activities: [{ time: "2026-11-23T19:13:00.000Z", description: "Setting desired count to 4 (was 2) by policy p", cause: "c", oldDesired: 2, newDesired: 4 }] },
        serviceEvents: { all: 1, inWindow: [{ time: "2026-11-23T19:13:30.000Z", message: "(service proof-api) has started 2 tasks: (task a) (task b)." }] },
    };
    const item = (d: EvidenceData, name: string) => judgeEvidence(d).find((v) => v.item === name);

    it("PASS everywhere on a complete proof, with these details", () => {
        expect(judgeEvidence(base).map((v) => [v.status, v.item, v.detail])).to.deep.equal([
            ["PASS", "scalable-target", "service/proof/proof-api registered, min 2, max 4"],
            ["PASS", "policy p", "target tracking 100 on Test/Autoscaling SyntheticLoad {TestId=t1, Cluster=proof, Service=proof-api}"],
            ["PASS", "series-match p", "the policy's CustomizedMetricSpecification is exactly a published series: Test/Autoscaling SyntheticLoad {TestId=t1, Cluster=proof, Service=proof-api}"],
            ["PASS", "metric p", "ListMetrics lists Test/Autoscaling SyntheticLoad {TestId=t1, Cluster=proof, Service=proof-api} (1 series under Test/Autoscaling SyntheticLoad after de-duplication)"],
            ["PASS", "datapoints p", "2 datapoints (Average), min 0, max 200; 1 above and 1 below the target 100"],
            ["PASS", "alarms p", `${HIGH} OK (no state change in the window); ${LOW} OK (1 state changes in the window)`],
            ["PASS", "scaling-activities", "activity record a.jsonl: 1 activities (1 out, 0 in); latest: Setting desired count to 4 (was 2) by policy p because c"],
            ["PASS", "service-events", "DescribeServices: 1 events about tasks started or stopped; latest: (service proof-api) has started 2 tasks: (task a) (task b)."],
        ]);
    });

    it("FAIL series-match with a diff of namespace, name and each dimension when one dimension value differs (seed 000's gotcha)", () => {
        const published = { namespace: "Test/Autoscaling", metricName: "SyntheticLoad", dimensions: { ...series.dimensions, Service: "proof-api-v2" } };
        const d = { ...base, listedMetrics: { p: [published, { namespace: "Test/Autoscaling", metricName: "SyntheticLoad", dimensions: { Other: "x" } }] }, datapoints: { p: [] } };
        const v = item(d, "series-match p");
        expect(v).to.deep.equal({
            item: "series-match p",
            status: "FAIL",
            detail: "the policy watches a series nobody publishes; the nearest published one differs in 1 part, so the policy sees no data",
            diff: [
                '  namespace: "Test/Autoscaling" (same)',
                '  metricName: "SyntheticLoad" (same)',
                '  dimension TestId: "t1" (same)',
                '  dimension Cluster: "proof" (same)',
                '! dimension Service: policy "proof-api", published "proof-api-v2"',
            ],
        });
        expect(item(d, "metric p")?.status).to.equal("FAIL");
        expect(item(d, "datapoints p")?.detail).to.equal(`GetMetricData returned no datapoints of Test/Autoscaling SyntheticLoad {TestId=t1, Cluster=proof, Service=proof-api} between ${START.toISOString()} and ${END.toISOString()}`);
        const lines = verdictLines(judgeEvidence(d));
        const at = lines.findIndex((l) => l.startsWith("FAIL        series-match p"));
        expect(lines.slice(at + 1, at + 6)).to.deep.equal(v!.diff!.map((l) => `            ${l}`));
    });

    it("diffs a missing and an extra dimension, and a different namespace", () => {
        expect(seriesDiff(
            { namespace: "A", metricName: "M", dimensions: { X: "1", Y: "2" } },
            { namespace: "B", metricName: "M", dimensions: { X: "1", Z: "3" } },
        )).to.deep.equal([
            '! namespace: policy "A", published "B"',
            '  metricName: "M" (same)',
            '  dimension X: "1" (same)',
            '! dimension Y: policy "2", published (none)',
            '! dimension Z: policy (none), published "3"',
        ]);
    });

    it("FAIL series-match when nothing is published under the namespace and name", () => {
        expect(item({ ...base, listedMetrics: { p: [] } }, "series-match p")?.detail).to.equal("nothing is published as Test/Autoscaling SyntheticLoad (ListMetrics is empty for it)");
    });

    it("de-duplicates ListMetrics whatever the dimension order (moto lists a 3-dimension series once per datapoint)", () => {
        const a = { namespace: "N", metricName: "M", dimensions: { A: "1", B: "2" } };
        expect(dedupeSeries([a, a, { namespace: "N", metricName: "M", dimensions: { B: "2", A: "1" } }, { ...a, dimensions: { A: "1" } }])).to.deep.equal([a, { ...a, dimensions: { A: "1" } }]);
    });

    it("FAIL for a missing target, a missing AlarmLow, a step policy no alarm invokes, and no activity in the window", () => {
        const d: EvidenceData = {
            ...base,
            target: undefined,
            policies: [...base.policies, { name: "s", arn: STEP_ARN, type: "StepScaling", alarmNames: [] }],
            alarms: [base.alarms[0]],
            activities: { kind: "api", activities: [] },
        };
        expect(item(d, "scalable-target")).to.deep.equal({ item: "scalable-target", status: "FAIL", detail: "service/proof/proof-api is not registered with Application Auto Scaling (DescribeScalableTargets found nothing)" });
        expect(item(d, "alarms p")?.detail).to.equal(`no AlarmLow alarm named TargetTracking-service/proof/proof-api-AlarmLow-* among the policy's alarms (${HIGH}, ${LOW})`);
        expect(item(d, "alarms s")).to.deep.equal({ item: "alarms s", status: "FAIL", detail: "no alarm has this step policy among its actions, so nothing ever invokes it" });
        expect(item(d, "scaling-activities")?.detail).to.equal(`DescribeScalingActivities: no scaling activity on ${RID} between ${START.toISOString()} and ${END.toISOString()}`);
    });

    it("FAIL when no policy watches a custom metric; service events UNAVAILABLE when the service has none at all, FAIL when none is about tasks", () => {
        const cpu: EvidenceData = { ...base, policies: [{ name: "cpu", arn: "c", type: "TargetTrackingScaling", targetValue: 70, predefinedMetric: "ECSServiceAverageCPUUtilization", alarmNames: [HIGH, LOW] }] };
        expect(item(cpu, "series-match")?.status).to.equal("FAIL");
        expect(item({ ...base, serviceEvents: { all: 0, inWindow: [] } }, "service-events")?.status).to.equal("UNAVAILABLE");
        expect(item({ ...base, serviceEvents: { all: 3, inWindow: [{ time: "t", message: "(service proof-api) has reached a steady state." }] } }, "service-events")).to.deep.equal({
            item: "service-events", status: "FAIL", detail: "DescribeServices: none of the 1 events in the window is about a desired-count change (tasks started or stopped)",
        });
        expect(item({ ...base, serviceEvents: { all: 0, inWindow: [], record: "a.jsonl" } }, "service-events")).to.deep.equal({
            item: "service-events", status: "UNAVAILABLE", detail: "the service has no events and the activity record a.jsonl carries none",
        });
    });
});

describe("autoscale evidence: usage", () => {
    const run = async (args: string[]) => {
        const { main } = await import("../../cli/autoscale");
        const err: string[] = [];
        const code = await main(["evidence", ...args], { env: {}, out: () => undefined, err: (s) => err.push(s), onStopSignal: () => () => undefined });
        return { code, err: err.join("") };
    };
    it("exits 2 with one line, before any AWS call, for a missing --service, a bad --since and an unreadable --activities", async () => {
        expect(await run(["--cluster", "c"])).to.deep.equal({ code: 2, err: "error: --service: (missing) give --stack with --service <key>, or --ecs-service <name>\n" });
        expect(await run(["--cluster", "c", "--ecs-service", "s", "--since", "yesterday"])).to.deep.equal({ code: 2, err: 'error: --since: "yesterday" is not a duration; write e.g. 60s, 10m, 1h or 500ms\n' });
        const r = await run(["--cluster", "c", "--ecs-service", "s", "--activities", "/nonexistent/a.jsonl"]);
        expect(r.code).to.equal(2);
        expect(r.err).to.match(/^error: --activities: "\/nonexistent\/a.jsonl" cannot be read \(ENOENT/);
    });
});
