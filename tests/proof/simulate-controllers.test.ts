/**
 * `autoscale simulate --compare`: every controller a service's plan can hold, in table order, each
 * built from the plan's own policies where it has them, else from AWS's documented defaults.
 */
import { expect } from "chai";
import { DEFAULT_ENGINE_PARAMS } from "../../scaling/engine/params";
import type { AwsScalingEngine } from "../../scaling/engine/scaler";
import type { ServiceScalingPlan } from "../../scaling/plan";
import { simulateStack } from "../../proof/simulate";
import { derivedBacklogPolicy, derivedPredictivePolicy, plannedControllers, type ControllerOptions } from "../../proof/simulate-controllers";
import { decisionSettings } from "../helpers/decision-settings";
import { loadStackFile } from "../helpers/stack-files";

const PLAN: ServiceScalingPlan = {
    service: "worker", minCapacity: 1, maxCapacity: 10,
    policies: [{
        kind: "targetTracking", name: "cpu", targetValue: 60, disableScaleIn: false, cooldowns: { scaleOut: 60, scaleIn: 300 },
        metric: { type: "predefined", predefinedMetricType: "ECSServiceAverageCPUUtilization" },
    }],
    scheduledActions: [{ name: "office", schedule: "cron(0 8 ? * MON-FRI *)", timezone: "Europe/London", minCapacity: 3 }],
};

const OPTIONS: ControllerOptions = {
    plan: PLAN, serviceName: "stack-worker", compare: true, params: DEFAULT_ENGINE_PARAMS, highResolution: false, epochMs: 0,
    queue: { name: "work", workerRate: 2, targetAgeSeconds: 60 },
    autoscaler: { decision: decisionSettings({ minCapacity: 1 }), intervalSeconds: 10, owned: false },
    taskStartSeconds: 30,
};

const names = (o: ControllerOptions) => plannedControllers(o).map((c) => c.controller.name);

describe("proof/simulate: the controllers --compare runs", () => {
    it("a queue consumer's plan with a policy and a schedule: every controller it can hold", () => {
        expect(names(OPTIONS)).to.deep.equal([
            "aws-reactive", "aws-reactive+scheduled", "aws-predictive+reactive", "backlog-per-task", "queue-autoscaler", "queue-autoscaler+forecast",
        ]);
    });

    it("a service that consumes no queue: the AWS controllers only; without --compare, the plan as AWS runs it", () => {
        const { queue: _q, autoscaler: _a, ...requests } = OPTIONS;
        expect(names(requests)).to.deep.equal(["aws-reactive", "aws-reactive+scheduled", "aws-predictive+reactive"]);
        expect(names({ ...OPTIONS, compare: false })).to.deep.equal(["application-auto-scaling"]);
        expect(names({ ...OPTIONS, compare: false, autoscaler: { ...OPTIONS.autoscaler!, owned: true }, plan: { ...PLAN, policies: [], scheduledActions: [] } }))
            .to.deep.equal(["queue-autoscaler"]);
    });

    it("what the plan lacks comes from AWS's rules: backlog per task at latency / time per message, predictive on the CPU pair at the plan's CPU target", () => {
        const backlog = derivedBacklogPolicy("work", "stack-worker", 2, 60);
        // 60 s acceptable at 0.5 s per message: 120 messages per task (Application Auto Scaling user guide, metric math).
        expect(backlog).to.deep.include({ kind: "backlogPerTask", targetValue: 120, cooldowns: { scaleOut: 300, scaleIn: 300 }, disableScaleIn: false });
        expect(backlog.backlog).to.deep.include({ metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: "work" }, statistic: "Sum" });
        expect(backlog.runningTasks).to.deep.include({ namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions: { ClusterName: "sim", ServiceName: "stack-worker" } });
        expect(derivedPredictivePolicy(PLAN)).to.deep.equal({
            kind: "predictive", name: "forecast", metric: { type: "pair", pair: "ECSServiceCPUUtilization" }, targetValue: 60,
            mode: "ForecastAndScale", schedulingBufferTime: 300, maxCapacityBreachBehavior: "HonorMaxCapacity",
        });
        expect(derivedPredictivePolicy({ ...PLAN, policies: [] }).targetValue).to.equal(70);
        // A plan with no reactive policy: the forecast runs beside target tracking on CPU at its target.
        const planned = plannedControllers({ ...OPTIONS, plan: { ...PLAN, policies: [] } });
        const engine = (planned.find((c) => c.controller.name === "aws-predictive+reactive")!.controller as unknown as { engine: AwsScalingEngine }).engine;
        expect(engine.target.policies.map((p) => [p.name, p.kind, p.kind === "targetTracking" ? p.targetValue : 0])).to.deep.equal([["stack-worker-cpu", "targetTracking", 70]]);
        expect(engine.target.predictive!.map((p) => [p.name, p.loadMetricId, p.targetValue])).to.deep.equal([["stack-worker-forecast", "ecs:totalCpu", 70]]);
    });

    it("simulate --compare on the staging worker: each controller's row, then the oracle's", () => {
        const run = simulateStack(loadStackFile("staging"), {
            service: "worker", trace: "burst", compare: true, seed: "1", out: "unused", tick: "5", workerRate: "2", targetAge: "60", taskCapacity: "100",
        });
        expect(run.results.map((r) => r.controller)).to.deep.equal([
            "aws-reactive", "aws-predictive+reactive", "backlog-per-task", "queue-autoscaler", "queue-autoscaler+forecast", "oracle",
        ]);
    });
});
