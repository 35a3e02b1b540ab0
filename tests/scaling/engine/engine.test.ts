import { expect } from "chai";
import { awsController } from "../../../scaling/aws-controller";
import { evaluateAlarm, type AlarmDefinition } from "../../../scaling/engine/alarm";
import { FargateService } from "../../../scaling/engine/fargate";
import { MetricPipeline } from "../../../scaling/engine/metrics";
import { DEFAULT_ENGINE_PARAMS } from "../../../scaling/engine/params";
import { targetTrackingCapacity } from "../../../scaling/engine/target-tracking";
import type { ServiceScalingPlan } from "../../../scaling/plan";
import { runClosedLoop, type RunResult } from "../../../scaling/simulate";
import type { Trace } from "../../../scaling/traces";

/** A CPU target-tracking plan at 50 %, 2..10 tasks, cooldowns 300 s (the ECS defaults [A8]). */
const CPU_PLAN: ServiceScalingPlan = {
    service: "api", minCapacity: 2, maxCapacity: 10,
    policies: [{
        kind: "targetTracking", name: "cpu", targetValue: 50, disableScaleIn: false,
        metric: { type: "predefined", predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        cooldowns: { scaleOut: 300, scaleIn: 300 },
    }],
};

/** Requests/s: `before` until `at` seconds, then `after` (one task serves 100/s at 100 % CPU). */
function stepTrace(before: number, after: number, at: number, duration: number): Trace {
    return {
        name: "step", duration, bursts: [],
        segments: [{ from: 0, to: at, rateFrom: before, rateTo: before }, { from: at, to: duration, rateFrom: after, rateTo: after }],
    };
}

function run(trace: Trace, initial: number, highResolution = false, plan = CPU_PLAN): RunResult {
    return runClosedLoop(awsController(plan, { highResolution }), {
        trace, workload: { kind: "requests", perTaskCapacity: 100 }, target: { kind: "utilization", percent: 50 },
        tickSeconds: 1, initialDesired: initial, params: DEFAULT_ENGINE_PARAMS,
    });
}

/** Seconds from `from` to the first scale-out, and to the first tick with more running tasks. */
function reaction(r: RunResult, from: number, initial: number): { trigger: number; tasks: number } {
    const first = r.actions.find((a) => a.t >= from)!;
    const tasks = r.running.findIndex((n, i) => i >= from && n > initial);
    return { trigger: first.t - from, tasks: tasks - from };
}

describe("simulator engine: validation against AWS's published behaviour", () => {
    const P = DEFAULT_ENGINE_PARAMS;

    it("a step load change on a CPU target-tracking plan triggers at 3 periods plus the publication delay", () => {
        // 2 tasks at 20 % CPU, then 90 % from t = 600 s.
        const r = run(stepTrace(40, 180, 600, 1800), 2);
        const { trigger } = reaction(r, 600, 2);
        expect(trigger).to.equal(3 * 60 + P.publicationDelaySeconds);
        expect(trigger).to.equal(360);
        // ceil(2 x 90 / 50) = 4, from the running count [E1].
        expect(r.actions[0]).to.include({ from: 2, to: 4 });
    });

    it("default parameters reproduce AWS's benchmark within 15 % (containers-roadmap#2113: 363 s / 386 s standard, 86 s / 109 s high resolution)", () => {
        const standard = reaction(run(stepTrace(40, 180, 600, 1800), 2), 600, 2);
        const highRes = reaction(run(stepTrace(40, 180, 600, 1800), 2, true), 600, 2);
        expect(standard).to.deep.equal({ trigger: 360, tasks: 390 });
        expect(highRes).to.deep.equal({ trigger: 80, tasks: 110 });
        const within = (got: number, aws: number) => Math.abs(got - aws) / aws;
        expect(within(standard.trigger, 363)).to.be.below(0.15);
        expect(within(standard.tasks, 386)).to.be.below(0.15);
        expect(within(highRes.trigger, 86)).to.be.below(0.15);
        expect(within(highRes.tasks, 109)).to.be.below(0.15);
    });

    it("scales in only after 15 periods below 90 % of the target (AlarmLow 15 of 15 at 0.9 x target)", () => {
        // 4 tasks at 44 % (just below 45 = 0.9 x 50) from t = 600: AlarmLow after 15 datapoints + delay.
        const below = run(stepTrace(200, 176, 600, 3600), 4);
        const first = below.actions[0];
        expect(first.t - 600).to.equal(15 * 60 + P.publicationDelaySeconds);
        expect(first.from).to.equal(4);
        // floor(4 x 44 / 50) = 3.
        expect(first.to).to.equal(3);
        // At 46 % (below the target, above 0.9 x target) it never scales in.
        const between = run(stepTrace(200, 184, 600, 3600), 4);
        expect(between.actions).to.deep.equal([]);
    });

    it("target-tracking capacity: ceil(running x metric / target) out, from running; 1 from 0 running [E1, Q4]", () => {
        expect(targetTrackingCapacity(10, 150, 100, "out", P)).to.equal(15);
        expect(targetTrackingCapacity(3, 71, 70, "out", P)).to.equal(4);
        expect(targetTrackingCapacity(0, 500, 100, "out", P)).to.equal(1);
        expect(targetTrackingCapacity(10, 30, 70, "in", P)).to.equal(4);
        expect(targetTrackingCapacity(10, 30, 70, "in", { ...P, targetTrackingScaleInRounding: "ceil" })).to.equal(5);
        expect(targetTrackingCapacity(10, 30, 70, "in", { ...P, targetTrackingMaxScaleInStep: 1 })).to.equal(9);
    });
});

describe("simulator engine: CloudWatch metrics and alarms", () => {
    const alarm = (over: Partial<AlarmDefinition> = {}): AlarmDefinition => ({
        name: "a", comparisonOperator: "GreaterThanThreshold", threshold: 10, period: 60,
        evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: "missing", ...over,
    });
    const U = undefined;
    const table: [string, Partial<AlarmDefinition>, (number | undefined)[], string, string][] = [
        ["3 of 3 breaching", {}, [11, 12, 13], "OK", "ALARM"],
        ["2 of 3 breaching, 3 needed", {}, [11, 9, 13], "ALARM", "OK"],
        ["2 of 3 needed, not consecutive", { datapointsToAlarm: 2 }, [11, 9, 13], "OK", "ALARM"],
        ["equal to the threshold is not greater", {}, [10, 10, 10], "OK", "OK"],
        ["GreaterThanOrEqualToThreshold includes it", { comparisonOperator: "GreaterThanOrEqualToThreshold" }, [10, 10, 10], "OK", "ALARM"],
        ["LessThanOrEqualToThreshold", { comparisonOperator: "LessThanOrEqualToThreshold" }, [10, 3, 0], "OK", "ALARM"],
        ["missing: all missing is INSUFFICIENT_DATA", {}, [U, U, U], "ALARM", "INSUFFICIENT_DATA"],
        ["missing: a gap does not count as breaching", {}, [11, U, 13], "OK", "OK"],
        ["breaching: a gap counts as breaching", { treatMissingData: "breaching" }, [11, U, 13], "OK", "ALARM"],
        ["notBreaching: all missing is OK", { treatMissingData: "notBreaching" }, [U, U, U], "ALARM", "OK"],
        ["ignore: all missing keeps the state", { treatMissingData: "ignore" }, [U, U, U], "ALARM", "ALARM"],
    ];
    table.push(["evaluation range: a gap is skipped when N real datapoints are in range", {}, [11, 12, U, 13], "OK", "ALARM"]);
    table.push(["evaluation range: only the N most recent real datapoints count", {}, [5, 11, 12, 13], "OK", "ALARM"]);
    for (const [name, over, points, before, after] of table) {
        it(`M of N with TreatMissingData [C1]: ${name}`, () => {
            expect(evaluateAlarm(alarm(over), points, before as "OK")).to.equal(after);
        });
    }

    it("buckets samples per period with the statistic and shows a bucket only after the publication delay", () => {
        const m = new MetricPipeline(60, "Average", 120);
        for (let t = 0; t < 120; t += 10) m.add(t, t < 60 ? 10 : 40);
        expect(m.datapoints(179, 1)).to.deep.equal([undefined]);
        expect(m.datapoints(180, 1)).to.deep.equal([10]);
        expect(m.datapoints(240, 2)).to.deep.equal([10, 40]);
        const max = new MetricPipeline(60, "Maximum", 0);
        [3, 9, 4].forEach((v, i) => max.add(i, v));
        expect(max.datapoints(60, 1)).to.deep.equal([9]);
        const sum = new MetricPipeline(60, "Sum", 0);
        [3, 9, 4].forEach((v, i) => sum.add(i, v));
        expect(sum.datapoints(60, 1)).to.deep.equal([16]);
    });
});

describe("simulator engine: Fargate tasks", () => {
    it("a new task runs taskStartSeconds after launch; at most 500 launches a minute per service [E5, E10]", () => {
        const svc = new FargateService(0, { taskStartSeconds: 30, launchRatePerMinute: 500 });
        svc.setDesired(0, 1000);
        svc.advance(29.9);
        expect([svc.running, svc.pending]).to.deep.equal([0, 1000]);
        svc.advance(30);
        expect(svc.running).to.equal(1);
        svc.advance(30 + 59.99);
        expect(svc.running).to.equal(500);
        svc.advance(30 + 120);
        expect(svc.running).to.equal(1000);
    });

    it("a decrease stops starting tasks first, then running ones, at once", () => {
        const svc = new FargateService(3, { taskStartSeconds: 30, launchRatePerMinute: 500 });
        svc.setDesired(0, 5);
        svc.setDesired(1, 4);
        expect([svc.desired, svc.running, svc.pending]).to.deep.equal([4, 3, 1]);
        svc.setDesired(2, 1);
        expect([svc.running, svc.pending]).to.deep.equal([1, 0]);
    });
});
