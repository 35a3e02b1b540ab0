/**
 * A plan's backlog-per-task and predictive policies run by the AWS controller in the closed loop: the
 * engine reads m1 / m2 from the queue and the running tasks, published once a minute as SQS and
 * Container Insights publish them [Q1, A4]; a predictive policy forecasts the pair's load metric (the
 * total CPU of the tasks for ECSServiceCPUUtilization) and applies it as a floor (predictive.ts [P1, P2]).
 */
import { expect } from "chai";
import { CONTAINER_INSIGHTS_METRICS, SQS_METRICS } from "../../aws/metrics";
import { awsController } from "../../scaling/aws-controller";
import { engineTargetFromPlan } from "../../scaling/engine/from-plan";
import { DEFAULT_ENGINE_PARAMS } from "../../scaling/engine/params";
import { metricSeries } from "../../scaling/metric-series";
import type { ServiceScalingPlan } from "../../scaling/plan";
import { runClosedLoop } from "../../scaling/simulate";
import type { Trace } from "../../scaling/traces";

const P = DEFAULT_ENGINE_PARAMS;
const D = 86400;

const BACKLOG_PLAN: ServiceScalingPlan = {
    service: "worker", minCapacity: 1, maxCapacity: 20,
    policies: [{
        kind: "backlogPerTask", name: "backlog", targetValue: 60, disableScaleIn: false, cooldowns: { scaleOut: 300, scaleIn: 300 },
        backlog: metricSeries({ namespace: SQS_METRICS.namespace, metricName: SQS_METRICS.visible, dimensions: { QueueName: "jobs" }, statistic: "Sum" }),
        runningTasks: metricSeries({
            namespace: CONTAINER_INSIGHTS_METRICS.namespace, metricName: CONTAINER_INSIGHTS_METRICS.runningTaskCount,
            dimensions: { ClusterName: "sim", ServiceName: "worker" }, statistic: "Average",
        }),
    }],
};

const PREDICTIVE_PLAN: ServiceScalingPlan = {
    service: "api", minCapacity: 1, maxCapacity: 20,
    policies: [{
        kind: "predictive", name: "forecast", metric: { type: "pair", pair: "ECSServiceCPUUtilization" }, targetValue: 50,
        mode: "ForecastAndScale", schedulingBufferTime: 300, maxCapacityBreachBehavior: "HonorMaxCapacity",
    }],
};

describe("scaling/aws-controller: backlog per task and predictive plans", () => {
    it("a backlogPerTask policy is target tracking on m1 / m2 with the plan's target, named <service>-<name>", () => {
        const target = engineTargetFromPlan(BACKLOG_PLAN, P);
        expect(target.policies).to.have.length(1);
        expect(target.policies[0]).to.deep.include({
            kind: "targetTracking", name: "worker-backlog", targetValue: 60,
            metric: {
                numerator: { id: "AWS/SQS/ApproximateNumberOfMessagesVisible{QueueName=jobs}", statistic: "Sum" },
                denominator: { id: "ECS/ContainerInsights/RunningTaskCount{ClusterName=sim,ServiceName=worker}", statistic: "Average" },
            },
        });
    });

    it("in the closed loop: 1200 messages on 1 task scale out after 3 one-minute datapoints and the publication delay, to ceil(1 x backlog / 60)", () => {
        const trace: Trace = { name: "burst", duration: 900, segments: [], bursts: [{ at: 60, count: 1200 }] };
        const r = runClosedLoop(awsController(BACKLOG_PLAN, { params: P }), {
            trace, workload: { kind: "queue", perTaskRate: 1 }, target: { kind: "age", seconds: 60 }, tickSeconds: 5,
            initialDesired: 1, params: P,
        });
        // Buckets [60, 240) are seen 180 s after they end; the last one's sample, at 240 s, is 1200 less
        // 180 processed less 1 in flight: 1019 per task, ceil(1 x 1019 / 60) = 17.
        expect(r.actions[0]).to.deep.include({ t: 420, from: 1, to: 17 });
        expect(r.actions[0]!.reason).to.match(/^monitor alarm TargetTracking-service\/sim\/worker-AlarmHigh-backlog in state ALARM triggered policy worker-backlog changing the desired capacity from 1 to 17 \(metric 1019 > target 60\)$/);
    });

    it("a predictive policy on the CPU pair forecasts the tasks' total CPU / target from the first 24 h and raises desired to it", () => {
        const target = engineTargetFromPlan(PREDICTIVE_PLAN, P, { epochMs: Date.parse("2026-11-02T00:00:00Z") });
        expect(target.predictive).to.deep.equal([{
            kind: "predictive", name: "api-forecast", loadMetricId: "ecs:totalCpu", targetValue: 50, mode: "ForecastAndScale",
            schedulingBufferTime: 300, maxCapacityBreachBehavior: "HonorMaxCapacity", maxCapacityBuffer: 0,
        }]);
        // 150 requests/s on tasks of 100/s: 2 tasks at 75 % CPU, 150 % in all; 150 / 50 = 3 tasks.
        const trace: Trace = { name: "flat", duration: 2 * D, segments: [{ from: 0, to: 2 * D, rateFrom: 150, rateTo: 150 }], bursts: [], epochMs: Date.parse("2026-11-02T00:00:00Z") };
        const r = runClosedLoop(awsController(PREDICTIVE_PLAN, { params: P, epochMs: trace.epochMs! }), {
            trace, workload: { kind: "requests", perTaskCapacity: 100 }, target: { kind: "utilization", percent: 50 }, tickSeconds: 60,
            initialDesired: 2, params: P,
        });
        expect(r.actions).to.have.length(1);
        // The first sample is the first minute's, at 60 s: 24 h of data at D + 60.
        expect(r.actions[0]).to.deep.include({ t: D + 60, from: 2, to: 3 });
    });
});
