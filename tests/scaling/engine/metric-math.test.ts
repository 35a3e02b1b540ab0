/**
 * Backlog per task as metric math over the metric pipeline: Application Auto Scaling user guide,
 * "Create a target tracking scaling policy using metric math" [A4] (m1 ApproximateNumberOfMessagesVisible,
 * m2 Container Insights RunningTaskCount, e1 = m1 / m2 with the target), and the backlog-per-instance
 * worked example of the EC2 Auto Scaling user guide [Q4]: 1500 messages on 10 instances is 150 per
 * instance; with a target of 100 it scales out by five, to 15.
 */
import { expect } from "chai";
import { MetricPipeline, RatioSource } from "../../../scaling/engine/metrics";
import { DEFAULT_ENGINE_PARAMS } from "../../../scaling/engine/params";
import { AwsScalingEngine } from "../../../scaling/engine/scaler";
import { targetTrackingAlarms } from "../../../scaling/engine/target-tracking";

const P = DEFAULT_ENGINE_PARAMS;

describe("engine: metric math (backlog per task)", () => {
    it("each period's datapoint is m1 / m2 of that period, visible once both are published; missing with no running task", () => {
        const visible = new MetricPipeline(60, "Average", 180);
        const tasks = new MetricPipeline(60, "Average", 120);
        const ratio = new RatioSource(visible, tasks);
        for (let t = 0; t < 180; t += 5) {
            visible.add(t, t < 60 ? 1500 : t < 120 ? 600 : 90);
            tasks.add(t, t < 60 ? 10 : t < 120 ? 4 : 0);
        }
        // At 300 s the visible messages have published bucket 1 (ended 120 s + 180 s), the tasks bucket 2.
        expect(ratio.datapoints(300, 2)).to.deep.equal([150, 150]);
        // At 360 s bucket 2 is out on both: 90 messages / 0 tasks has no value.
        expect(ratio.datapoints(360, 3)).to.deep.equal([150, 150, undefined]);
        expect(() => new RatioSource(visible, new MetricPipeline(20, "Average", 20))).to.throw("metric math: both metrics need the same period (60 s and 20 s)");
    });

    it("target tracking on backlog per task: 1500 visible on 10 tasks at a target of 100 scales out to 15, after 3 periods and the publication delay [A4, Q4]", () => {
        const engine = new AwsScalingEngine({
            resourceId: "service/sim/worker", minCapacity: 1, maxCapacity: 50,
            policies: [{
                kind: "targetTracking", name: "worker-backlog",
                metric: { numerator: { id: "sqs:visible", statistic: "Average" }, denominator: { id: "ecs:runningTaskCount", statistic: "Average" } },
                targetValue: 100, disableScaleIn: false, scaleOutCooldown: 300, scaleInCooldown: 300,
                alarms: targetTrackingAlarms("service/sim/worker", 100, false, P, "backlog"),
            }],
        }, P);
        expect(engine.metricIds()).to.deep.equal(["sqs:visible", "ecs:runningTaskCount"]);
        let first: number | undefined;
        for (let t = 5; t <= 600 && first === undefined; t += 5) {
            engine.observe("sqs:visible", t - 1e-6, 1500);
            engine.observe("ecs:runningTaskCount", t - 1e-6, 10);
            const r = engine.tick(t, { desired: 10, running: 10 });
            if (r.activity) {
                first = t;
                expect(r.activity).to.deep.include({ direction: "out", oldDesired: 10, newDesired: 15 });
                expect(r.activity.cause).to.match(/metric 150 > target 100/);
            }
        }
        // Buckets [0, 180) seen 180 s after they end.
        expect(first).to.equal(360);
    });
});
