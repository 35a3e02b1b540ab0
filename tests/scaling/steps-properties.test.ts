/**
 * Properties of the step maths in scaling/plan.ts, in the manner of CDK's step-scaling tests
 * (aws-applicationautoscaling test/step-scaling-policy.test.ts): for any valid step list, the
 * thresholds are valid, steps never overlap, their union covers the alarm's range, and the step chosen
 * for a value from the absolute bounds is the one AWS chooses from the relative step adjustments once
 * the alarm fires.
 */
import { expect } from "chai";
import * as fc from "fast-check";
import { MAX_STEPS_PER_POLICY } from "../../aws/limits";
import {
    StepInterval, StepScalingPolicy, awsStepFor, bandOverlapProblem, relativeSteps, stepComparisonOperator,
    stepContains, stepFor, stepListProblems, stepThreshold,
} from "../../scaling/plan";
import { sqsVisibleMessagesSeries } from "../../scaling/metric-series";

type Direction = "out" | "in";

/** Strictly ascending bounds: a start and positive gaps. */
const ascendingBounds = (count: number) => fc.tuple(
    fc.integer({ min: -1000, max: 1000 }),
    fc.array(fc.integer({ min: 1, max: 500 }), { minLength: count, maxLength: count }),
).map(([start, gaps]) => gaps.reduce<number[]>((acc, g) => [...acc, acc[acc.length - 1] + g], [start]).slice(0, count));

/** A valid step list of 1-20 steps for `direction`, in absolute values, as config accepts it. */
function stepList(direction: Direction): fc.Arbitrary<StepInterval[]> {
    return fc.integer({ min: 1, max: MAX_STEPS_PER_POLICY }).chain((n) => fc.tuple(
        ascendingBounds(n),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: n, maxLength: n }),
    )).map(([bounds, changes]) => direction === "out"
        // bounds[0] is the threshold; the last step is open upwards.
        ? bounds.map((lower, i) => ({ lower, ...(i + 1 < bounds.length ? { upper: bounds[i + 1] } : {}), change: changes[i] }))
        // bounds[n-1] is the threshold; the first step is open downwards.
        : bounds.map((upper, i) => ({ ...(i > 0 ? { lower: bounds[i - 1] } : {}), upper, change: -changes[i] })));
}

function policyOf(direction: Direction, steps: StepInterval[]): StepScalingPolicy {
    return {
        kind: "step",
        name: "p",
        direction,
        series: sqsVisibleMessagesSeries("q"),
        steps,
        alarm: {
            threshold: stepThreshold(direction, steps),
            comparisonOperator: stepComparisonOperator(direction),
            period: 60,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            treatMissingData: "missing",
        },
        cooldown: 60,
        metricAggregationType: "Maximum",
    };
}

/** Values to probe a list with: every bound exactly, one either side of it, and arbitrary ones. */
function probes(steps: StepInterval[]): fc.Arbitrary<number> {
    const bounds = steps.flatMap((s) => [s.lower, s.upper]).filter((b): b is number => b !== undefined);
    const near = bounds.flatMap((b) => [b - 1, b - 0.5, b, b + 0.5, b + 1]);
    // Arbitrary values are multiples of 1/1024 so that `value - threshold` is exact in doubles, as it is
    // for the counts and percentages CloudWatch reports; 5e-324 - 5 rounds to -5, which would move a
    // denormal across a bound in the relative form only.
    return fc.oneof(fc.constantFrom(...near), fc.integer({ min: -1024e6, max: 1024e6 }).map((n) => n / 1024));
}

const RUNS = { numRuns: 300 };

for (const direction of ["out", "in"] as const) {
    describe(`step maths, scale-${direction} (fast-check properties)`, () => {
        it("every generated list is valid: no problem, and its threshold is the outer bound", () => {
            fc.assert(fc.property(stepList(direction), (steps) => {
                expect(stepListProblems(direction, steps)).to.deep.equal([]);
                const t = stepThreshold(direction, steps);
                expect(t).to.equal(direction === "out" ? steps[0].lower : steps[steps.length - 1].upper);
                // Relative to the threshold, the bound at the threshold is 0, as AWS requires.
                const rel = relativeSteps(policyOf(direction, steps));
                expect(direction === "out" ? rel[0].metricIntervalLowerBound : rel[rel.length - 1].metricIntervalUpperBound).to.equal(0);
            }), RUNS);
        });

        it("steps never overlap: a value lies in at most one step", () => {
            fc.assert(fc.property(stepList(direction).chain((steps) => fc.tuple(fc.constant(steps), probes(steps))), ([steps, v]) => {
                expect(steps.filter((s) => stepContains(direction, s, v)).length).to.be.at.most(1);
            }), RUNS);
        });

        it("the union covers the alarm's range: every value that fires the alarm lies in exactly one step, others in none", () => {
            fc.assert(fc.property(stepList(direction).chain((steps) => fc.tuple(fc.constant(steps), probes(steps))), ([steps, v]) => {
                const t = stepThreshold(direction, steps);
                const fires = direction === "out" ? v >= t : v <= t;
                expect(steps.filter((s) => stepContains(direction, s, v)).length).to.equal(fires ? 1 : 0);
            }), RUNS);
        });

        it("the step chosen for a value is the one AWS chooses from the relative adjustments", () => {
            fc.assert(fc.property(stepList(direction).chain((steps) => fc.tuple(fc.constant(steps), probes(steps))), ([steps, v]) => {
                const policy = policyOf(direction, steps);
                expect(awsStepFor(policy, v)?.scalingAdjustment).to.equal(stepFor(policy, v)?.change);
            }), RUNS);
        });

        it("a boundary value belongs to the step that names it", () => {
            fc.assert(fc.property(stepList(direction), (steps) => {
                const policy = policyOf(direction, steps);
                steps.forEach((s) => {
                    // Above the threshold a step names its lower bound (>=); below it, its upper bound (<=).
                    const named = direction === "out" ? s.lower : s.upper;
                    if (named !== undefined) expect(awsStepFor(policy, named)?.scalingAdjustment).to.equal(s.change);
                });
            }), RUNS);
        });

        it("a list made to overlap, leave a gap or exceed 20 steps is refused", () => {
            fc.assert(fc.property(stepList(direction).filter((s) => s.length >= 2), fc.integer({ min: 1, max: 50 }), fc.boolean(), (steps, shift, gap) => {
                const broken = steps.map((s) => ({ ...s }));
                const i = 1 + Math.floor(shift % (broken.length - 1));
                // Move the shared bound of steps i-1 and i apart in one of the two lists' terms.
                broken[i] = { ...broken[i], lower: (broken[i - 1].upper as number) + (gap ? shift : -shift) };
                if (broken[i].upper !== undefined && broken[i].lower! >= broken[i].upper!) broken[i] = { ...broken[i], upper: broken[i].lower! + 1 };
                expect(stepListProblems(direction, broken)).to.not.deep.equal([]);
            }), RUNS);
            const twentyOne = Array.from({ length: 21 }, (_, i) => direction === "out"
                ? { lower: i, ...(i < 20 ? { upper: i + 1 } : {}), change: 1 }
                : { ...(i > 0 ? { lower: i - 1 } : {}), upper: i, change: -1 });
            expect(stepListProblems(direction, twentyOne)).to.include(
                "steps: 21 steps exceed the Application Auto Scaling quota of 20 step adjustments per step scaling policy");
        });
    });
}

describe("scale-out and scale-in bands (fast-check properties)", () => {
    it("are refused exactly when some value would put both alarms in ALARM", () => {
        fc.assert(fc.property(stepList("out"), stepList("in"), fc.integer({ min: -2000, max: 2000 }), (out, inn, offset) => {
            const shifted = inn.map((s) => ({ ...s, ...(s.lower !== undefined ? { lower: s.lower + offset } : {}), upper: s.upper! + offset }));
            const o = policyOf("out", out);
            const i = policyOf("in", shifted);
            const refused = bandOverlapProblem(o.alarm.threshold, i.alarm.threshold) !== undefined;
            // Both fire for v when v >= out threshold and v <= in threshold: some v exists iff in >= out.
            const bothFireSomewhere = i.alarm.threshold >= o.alarm.threshold;
            expect(refused).to.equal(bothFireSomewhere);
            if (!refused) {
                for (const v of [o.alarm.threshold, i.alarm.threshold, (o.alarm.threshold + i.alarm.threshold) / 2]) {
                    expect(awsStepFor(o, v) !== undefined && awsStepFor(i, v) !== undefined, `both fire at ${v}`).to.equal(false);
                }
            }
        }), RUNS);
    });
});
