/**
 * Step alarms fire where their steps say: a boundary value belongs to the step that names it (scale-out
 * alarms at >= the threshold, scale-in alarms at <= it, as CDK's scaleOnMetric builds them), and step
 * lists AWS would refuse or that would fight each other are refused by config with the rule named.
 */
import { expect } from "chai";
import { loadStackConfig } from "../../config/load";
import { StepScalingPolicy, awsStepFor } from "../../scaling/plan";
import { rawProjectConfig } from "../helpers/stack-files";
import { problemsOf } from "../helpers/config-problems";

const ctx = { project: "ecs-autoscaling", stack: "staging" };

function stagingServices(): any {
    return JSON.parse(rawProjectConfig("staging").services);
}

/** The staging worker's queue-depth policy with its scaleOut/scaleIn replaced. */
function withSteps(scaleOut: unknown, scaleIn: unknown): Record<string, unknown> {
    const services = stagingServices();
    const policy = services.worker.policies.find((p: any) => p.kind === "stepScaling");
    if (scaleOut === undefined) delete policy.scaleOut; else policy.scaleOut = scaleOut;
    if (scaleIn === undefined) delete policy.scaleIn; else policy.scaleIn = scaleIn;
    return { services };
}

function workerStepPolicies(overrides: Record<string, unknown> = {}): { out?: StepScalingPolicy; in?: StepScalingPolicy } {
    const config = loadStackConfig(rawProjectConfig("staging", overrides), ctx);
    const steps = config.services.worker.plan.policies.filter((p): p is StepScalingPolicy => p.kind === "step");
    return { out: steps.find((p) => p.direction === "out"), in: steps.find((p) => p.direction === "in") };
}

/** What AWS does at a value: the adjustment of the step it would run, or undefined when no alarm fires. */
function adjustmentAt(p: { out?: StepScalingPolicy; in?: StepScalingPolicy }, value: number): number | undefined {
    const out = p.out && awsStepFor(p.out, value);
    const inn = p.in && awsStepFor(p.in, value);
    expect(out !== undefined && inn !== undefined, `both alarms fire at ${value}`).to.equal(false);
    return (out ?? inn)?.scalingAdjustment;
}

describe("step alarms: the staging worker's queue steps (50/100/200 -> +1/+2/+3, 10 and under -> -1)", () => {
    const policies = workerStepPolicies();

    it("alarms with >= on scale-out and <= on scale-in", () => {
        expect([policies.out!.alarm.comparisonOperator, policies.out!.alarm.threshold]).to.deep.equal(["GreaterThanOrEqualToThreshold", 50]);
        expect([policies.in!.alarm.comparisonOperator, policies.in!.alarm.threshold]).to.deep.equal(["LessThanOrEqualToThreshold", 10]);
    });

    // value -> the adjustment AWS runs: each boundary value falls in the step that names it.
    const table: [number, number | undefined, string][] = [
        [0, -1, "an empty queue is 10 and under"],
        [9, -1, "below the scale-in threshold"],
        [10, -1, "10 itself: the scale-in step says \"10 and under\""],
        [11, undefined, "between the bands nothing fires"],
        [49, undefined, "just under the scale-out threshold"],
        [50, 1, "50 itself: \"50 to under 100\""],
        [99, 1, "top of the first step"],
        [100, 2, "100 itself: \"100 to under 200\""],
        [199, 2, "top of the second step"],
        [200, 3, "200 itself: \"200 and over\""],
        [5000, 3, "far above"],
    ];
    for (const [value, adjustment, why] of table) {
        it(`${value} messages -> ${adjustment === undefined ? "no alarm" : adjustment > 0 ? `+${adjustment}` : adjustment} (${why})`, () => {
            expect(adjustmentAt(policies, value)).to.equal(adjustment);
        });
    }
});

describe("step alarms: scale in when the queue is empty (upper: 0, CDK's own default)", () => {
    const policies = workerStepPolicies(withSteps(
        { steps: [{ lower: 1, change: 1 }] },
        { steps: [{ upper: 0, change: -1 }] },
    ));

    it("fires on an empty queue and not on one message", () => {
        expect(policies.in!.alarm).to.deep.include({ threshold: 0, comparisonOperator: "LessThanOrEqualToThreshold" });
        expect(adjustmentAt(policies, 0)).to.equal(-1);
        expect(adjustmentAt(policies, 1)).to.equal(1);
    });

    it("describes the boundary the same way: \"0 and under\"", () => {
        const { describeStepPolicy } = require("../../components/scalable-service");
        expect(describeStepPolicy("w", policies.in!)).to.contain(") <= 0 for 1 of 1 periods of 60 s. Steps: 0 and under: remove 1 task.");
        expect(describeStepPolicy("w", policies.out!)).to.contain(") >= 1 for 1 of 1 periods of 60 s. Steps: 1 and over: add 1 task.");
    });
});

describe("step alarms: lists AWS would refuse or that fight are refused, with the rule named", () => {
    const at = "services.worker.policies[2]";
    const refused: [string, Record<string, unknown>, string][] = [
        ["scale-in threshold equal to the scale-out threshold", withSteps({ steps: [{ lower: 50, change: 1 }] }, { steps: [{ upper: 50, change: -1 }] }),
            `${at}.scaleIn.steps[0].upper: 50 must be < ${at}.scaleOut.steps[0].lower (50): scale-out and scale-in bands may not overlap (at 50 both alarms would be in ALARM and the policies would undo each other)`],
        ["scale-in band above the scale-out threshold", withSteps({ steps: [{ lower: 50, change: 1 }] }, { steps: [{ upper: 60, change: -1 }] }),
            `${at}.scaleIn.steps[0].upper: 60 must be < ${at}.scaleOut.steps[0].lower (50): scale-out and scale-in bands may not overlap (from 50 to 60 both alarms would be in ALARM and the policies would undo each other)`],
        ["21 scale-out steps", withSteps({ steps: Array.from({ length: 21 }, (_, i) => ({ lower: 50 + i * 10, ...(i < 20 ? { upper: 60 + i * 10 } : {}), change: 1 })) }, undefined),
            `${at}.scaleOut.steps: 21 steps exceed the Application Auto Scaling quota of 20 step adjustments per step scaling policy`],
        ["21 scale-in steps", withSteps(undefined, { steps: Array.from({ length: 21 }, (_, i) => ({ ...(i > 0 ? { lower: i - 1 } : {}), upper: i, change: -1 })) }),
            `${at}.scaleIn.steps: 21 steps exceed the Application Auto Scaling quota of 20 step adjustments per step scaling policy`],
        ["an empty scale-out list", withSteps({ steps: [] }, undefined),
            `${at}.scaleOut.steps: [] must list at least one step (a step scaling policy needs at least one step adjustment)`],
        ["neither direction", withSteps(undefined, undefined),
            `${at}.scaleOut: (missing) a stepScaling policy needs scaleOut, scaleIn or both`],
        ["a change beyond a safe integer", withSteps({ steps: [{ lower: 50, change: 1e300 }] }, undefined),
            `${at}.scaleOut.steps[0].change: 1e+300 must be a non-zero whole number within AWS's 32-bit integer range (ScalingAdjustment, -2147483648 to 2147483647)`],
    ];
    for (const [title, overrides, message] of refused) {
        it(title, () => {
            expect(problemsOf(overrides)).to.include(message);
        });
    }

    it("20 steps in each direction are accepted (the quota itself)", () => {
        const out = Array.from({ length: 20 }, (_, i) => ({ lower: 50 + i * 10, ...(i < 19 ? { upper: 60 + i * 10 } : {}), change: 1 }));
        const inn = Array.from({ length: 20 }, (_, i) => ({ ...(i > 0 ? { lower: i - 1 } : {}), upper: i, change: -1 }));
        const p = workerStepPolicies(withSteps({ steps: out }, { steps: inn }));
        expect([p.out!.steps.length, p.in!.steps.length]).to.deep.equal([20, 20]);
    });
});
