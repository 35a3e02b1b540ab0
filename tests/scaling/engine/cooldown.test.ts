import { expect } from "chai";
import { engineParams } from "../../../scaling/engine/params";
import { AwsScalingEngine, type EnginePolicy, type ServiceView, type StepEnginePolicy, type TargetTrackingEnginePolicy } from "../../../scaling/engine/scaler";
import type { StepPolicyConfig } from "../../../scaling/engine/step-scaling";
import { targetTrackingAlarms } from "../../../scaling/engine/target-tracking";

/** No publication delay; target tracking alarms of 1 of 1 datapoint, so each minute decides. */
const P = engineParams({
    publicationDelaySeconds: 0,
    targetTrackingScaleOut: { period: 60, evaluationPeriods: 1, datapointsToAlarm: 1 },
    targetTrackingScaleIn: { period: 60, evaluationPeriods: 1, datapointsToAlarm: 1 },
});

function step(name: string, metric: string, threshold: number, side: "out" | "in", adj: number, config: Partial<StepPolicyConfig> = {}): StepEnginePolicy {
    return {
        kind: "step", name, metric: { id: metric, statistic: "Average" },
        alarm: {
            name: `${name}-alarm`, comparisonOperator: side === "out" ? "GreaterThanOrEqualToThreshold" : "LessThanOrEqualToThreshold",
            threshold, period: 60, evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: "missing",
        },
        config: {
            adjustmentType: "ChangeInCapacity", cooldown: 300, metricAggregationType: "Average",
            stepAdjustments: [side === "out" ? { metricIntervalLowerBound: 0, scalingAdjustment: adj } : { metricIntervalUpperBound: 0, scalingAdjustment: adj }],
            ...config,
        },
    };
}

function tt(name: string, metric: string, target: number, over: Partial<TargetTrackingEnginePolicy> = {}): TargetTrackingEnginePolicy {
    return {
        kind: "targetTracking", name, metric: { id: metric, statistic: "Average" }, targetValue: target, disableScaleIn: false,
        scaleOutCooldown: 300, scaleInCooldown: 300, alarms: targetTrackingAlarms("service/c/s", target, false, P, name), ...over,
    };
}

/** Drives an engine minute by minute with the service at `desired` (all running). */
class Drive {
    readonly engine: AwsScalingEngine;
    desired: number;
    private k = 0;
    constructor(policies: EnginePolicy[], desired: number, min = 1, max = 100) {
        this.engine = new AwsScalingEngine({ resourceId: "service/c/s", minCapacity: min, maxCapacity: max, policies }, P);
        this.desired = desired;
    }
    /** One minute with these metric values; returns the new desired count (or the old one). */
    minute(values: Record<string, number>, view: Partial<ServiceView> = {}): number {
        for (const [id, v] of Object.entries(values)) this.engine.observe(id, this.k * 60 + 30, v);
        this.k++;
        const r = this.engine.tick(this.k * 60, { desired: this.desired, running: this.desired, ...view });
        if (r.activity) this.desired = r.activity.newDesired;
        return this.desired;
    }
}

describe("simulator engine: cooldowns (Application Auto Scaling user guide, shared reference 1.4)", () => {
    it("scale-out cooldown: the capacity added by the initiating scale-out counts, so a step of +3 after +2 adds only 1 more", () => {
        // AWS's example: +2, then within the cooldown a +3 step: capacity 10 -> 12 -> 13, not 15 [A2].
        const small = step("small", "m", 50, "out", 2);
        const large = step("large", "n", 50, "out", 3);
        const d = new Drive([small, large], 10);
        expect(d.minute({ m: 60 })).to.equal(12);
        // Running is still 10 (new tasks starting): 10 + 3 = 13 > 12 goes through.
        const r = d.engine.tick(120, { desired: 12, running: 10 });
        expect(r.activity).to.equal(undefined);
        d.engine.observe("n", 150, 60);
        expect(d.engine.tick(180, { desired: 12, running: 10 }).activity?.newDesired).to.equal(13);
    });

    it("scale-out cooldown: a scale-out that is not larger than the last one's target is a no-op until the cooldown ends", () => {
        const p = step("out", "m", 50, "out", 2);
        const d = new Drive([p], 4);
        expect(d.minute({ m: 60 })).to.equal(6);
        // Running stays 4 (tasks starting): 4 + 2 = 6 is not larger than 6.
        for (let k = 1; k < 5; k++) {
            d.engine.observe("m", k * 60 + 30, 60);
            expect(d.engine.tick((k + 1) * 60, { desired: 6, running: 4 }).activity, `minute ${k}`).to.equal(undefined);
        }
    });

    it("scale-out cooldown: ends after the policy's cooldown, then the same scale-out repeats", () => {
        const p = step("out", "m", 50, "out", 1, { cooldown: 120 });
        const d = new Drive([p], 2);
        expect([1, 2, 3, 4].map(() => d.minute({ m: 60 }))).to.deep.equal([3, 3, 4, 4]);
    });

    it("scale-in cooldown: scale-ins are blocked until the cooldown has expired", () => {
        const p = step("in", "m", 10, "in", -1, { cooldown: 180 });
        const d = new Drive([p], 6);
        expect([1, 2, 3, 4, 5, 6, 7].map(() => d.minute({ m: 0 }))).to.deep.equal([5, 5, 5, 4, 4, 4, 3]);
    });

    it("scale-in cooldown: a scale-out during it happens immediately and ends the scale-in cooldown", () => {
        const down = step("in", "m", 10, "in", -1, { cooldown: 600 });
        const up = step("out", "m", 50, "out", 2, { cooldown: 0 });
        const d = new Drive([down, up], 6);
        expect(d.minute({ m: 0 })).to.equal(5);
        expect(d.minute({ m: 60 })).to.equal(7);
        // The scale-in cooldown stopped: the next low minute scales in at once.
        expect(d.minute({ m: 0 })).to.equal(6);
    });
});

describe("simulator engine: arbitration between policies (shared reference 1.5)", () => {
    it("scale out if any target-tracking policy is ready to scale out", () => {
        const d = new Drive([tt("cpu", "cpu", 50), tt("mem", "mem", 50)], 4);
        expect(d.minute({ cpu: 75, mem: 20 })).to.equal(6);
    });

    it("scale in only if all target-tracking policies with scale-in enabled are ready to scale in", () => {
        const d = new Drive([tt("cpu", "cpu", 50), tt("mem", "mem", 50)], 8);
        expect(d.minute({ cpu: 20, mem: 47 })).to.equal(8);
        expect(d.minute({ cpu: 20, mem: 40 })).to.equal(6);
    });

    it("DisableScaleIn removes a policy's scale-in and its vote", () => {
        const d = new Drive([tt("cpu", "cpu", 50), tt("mem", "mem", 50, { disableScaleIn: true })], 8);
        expect(d.minute({ cpu: 20, mem: 47 })).to.equal(3);
        const only = new Drive([tt("mem", "mem", 50, { disableScaleIn: true })], 8);
        expect(only.minute({ mem: 10 })).to.equal(8);
    });

    it("the policy that provides the largest capacity wins: +3 vs +200 % at 10 scales out to 30", () => {
        // AWS's example (PutScalingPolicy) [A7].
        const plus3 = step("plus3", "m", 50, "out", 3);
        const pct = step("pct", "n", 50, "out", 200, { adjustmentType: "PercentChangeInCapacity" });
        const d = new Drive([plus3, pct], 10);
        expect(d.minute({ m: 60, n: 60 })).to.equal(30);
    });

    it("the largest capacity wins among scale-ins too", () => {
        const a = step("a", "m", 10, "in", -1);
        const b = step("b", "n", 10, "in", -3);
        const d = new Drive([a, b], 10);
        expect(d.minute({ m: 0, n: 0 })).to.equal(9);
    });

    it("a step scaling scale-in is not blocked while target tracking is not ready to scale in", () => {
        const d = new Drive([tt("cpu", "cpu", 50), step("queue", "q", 10, "in", -2)], 8);
        expect(d.minute({ cpu: 48, q: 0 })).to.equal(6);
    });

    it("scale-out wins over a simultaneous scale-in", () => {
        const d = new Drive([step("in", "m", 10, "in", -1), step("out", "n", 50, "out", 1)], 5);
        expect(d.minute({ m: 0, n: 60 })).to.equal(6);
    });

    it("bounds: a scale-out from below min goes at least to min; no scale-in at or below min; never above max", () => {
        const up = new Drive([step("out", "m", 50, "out", 1)], 1, 4, 6);
        expect(up.minute({ m: 60 })).to.equal(4);
        const down = new Drive([step("in", "m", 10, "in", -5)], 4, 4, 6);
        expect(down.minute({ m: 0 })).to.equal(4);
        const capped = new Drive([step("out", "m", 50, "out", 10)], 5, 1, 6);
        expect(capped.minute({ m: 60 })).to.equal(6);
    });

    it("no scale-in while an ECS deployment is in progress; scale-out continues [E1]", () => {
        const d = new Drive([step("in", "m", 10, "in", -1), step("out", "n", 50, "out", 1)], 5);
        expect(d.minute({ m: 0 }, { deploymentInProgress: true })).to.equal(5);
        expect(d.minute({ n: 60 }, { deploymentInProgress: true })).to.equal(6);
    });

    it("INSUFFICIENT_DATA is not low utilization: no target-tracking scale-in without data", () => {
        const d = new Drive([tt("cpu", "cpu", 50)], 5);
        expect(d.minute({})).to.equal(5);
        expect(d.engine.alarmState("TargetTracking-service/c/s-AlarmLow-cpu")).to.equal("INSUFFICIENT_DATA");
    });
});
