import { expect } from "chai";
import { engineParams } from "../../../scaling/engine/params";
import { AwsScalingEngine, type EnginePolicy, type StepEnginePolicy } from "../../../scaling/engine/scaler";
import { aggregate, applyAdjustment, percentChange, selectStep, type StepPolicyConfig } from "../../../scaling/engine/step-scaling";
import { engineTargetFromPlan } from "../../../scaling/engine/from-plan";
import { awsStepFor } from "../../../scaling/plan";
import { loadStackFile } from "../../../config/stack-file";

/** No publication delay, so each test's datapoints are visible at the next minute. */
const P = engineParams({ publicationDelaySeconds: 0 });

function stepPolicy(name: string, threshold: number, op: "GreaterThanOrEqualToThreshold" | "LessThanOrEqualToThreshold", config: Partial<StepPolicyConfig>): StepEnginePolicy {
    return {
        kind: "step", name, metric: { id: "m", statistic: "Average" },
        alarm: { name: `${name}-alarm`, comparisonOperator: op, threshold, period: 60, evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: "missing" },
        config: { adjustmentType: "ChangeInCapacity", stepAdjustments: [], cooldown: 0, metricAggregationType: "Average", ...config },
    };
}

/** Feeds `value` through minute k and evaluates at the end of it. */
function minute(engine: AwsScalingEngine, k: number, value: number, desired: number) {
    engine.observe("m", k * 60 + 30, value);
    return engine.tick((k + 1) * 60, { desired, running: desired });
}

// AWS user guide example (step scaling): threshold 50, PercentChangeInCapacity [A2].
const DOC_OUT = stepPolicy("doc-out", 50, "GreaterThanOrEqualToThreshold", {
    adjustmentType: "PercentChangeInCapacity",
    stepAdjustments: [
        { metricIntervalLowerBound: 0, metricIntervalUpperBound: 10, scalingAdjustment: 0 },
        { metricIntervalLowerBound: 10, metricIntervalUpperBound: 20, scalingAdjustment: 10 },
        { metricIntervalLowerBound: 20, scalingAdjustment: 30 },
    ],
});
const DOC_IN = stepPolicy("doc-in", 50, "LessThanOrEqualToThreshold", {
    adjustmentType: "PercentChangeInCapacity",
    stepAdjustments: [
        { metricIntervalLowerBound: -10, metricIntervalUpperBound: 0, scalingAdjustment: 0 },
        { metricIntervalLowerBound: -20, metricIntervalUpperBound: -10, scalingAdjustment: -10 },
        { metricIntervalUpperBound: -20, scalingAdjustment: -30 },
    ],
});

describe("simulator engine: step scaling rules (shared reference section 9.9)", () => {
    const steps = DOC_OUT.config.stepAdjustments;
    const below = DOC_IN.config.stepAdjustments;
    const intervals: [string, readonly typeof steps[number][], number, "above" | "below", number | undefined][] = [
        ["above: lower bound inclusive", steps, 10, "above", 10],
        ["above: upper bound exclusive", steps, 19.99, "above", 10],
        ["above: next step from its lower bound", steps, 20, "above", 30],
        ["above: null upper bound is +infinity", steps, 1e9, "above", 30],
        ["above: offset 0 is in the first step", steps, 0, "above", 0],
        ["below: upper bound inclusive (-10 is in (-20, -10])", below, -10, "below", -10],
        ["below: lower bound exclusive (-20 is not in (-20, -10])", below, -20, "below", -30],
        ["below: offset 0 is in (-10, 0]", below, 0, "below", 0],
        ["below: null lower bound is -infinity", below, -1e9, "below", -30],
        ["no step holds the offset", steps, -1, "above", undefined],
    ];
    for (const [rule, list, offset, side, adj] of intervals) {
        it(`interval selection [A2]: ${rule} (offset ${offset} -> ${String(adj)})`, () => {
            expect(selectStep(list, offset, side)?.scalingAdjustment).to.equal(adj);
        });
    }

    const rounding: [string, number, number, number | undefined, number][] = [
        [">1 rounded down: 12.7 -> 12", 127, 10, undefined, 12],
        ["between 0 and 1 -> 1", 5, 10, undefined, 1],
        ["between 0 and -1 -> -1", 5, -10, undefined, -1],
        ["< -1 rounded up: -6.67 -> -6", 20, -33.35, undefined, -6],
        ["MinAdjustmentMagnitude: +25 % of 4 = 1, min 2 -> 2", 4, 25, 2, 2],
        ["MinAdjustmentMagnitude on scale-in: -10 % of 10 = -1, min 2 -> -2", 10, -10, 2, -2],
    ];
    for (const [rule, current, pct, minMag, want] of rounding) {
        it(`PercentChangeInCapacity rounding [A2]: ${rule}`, () => {
            expect(percentChange(current, pct, minMag)).to.equal(want);
        });
    }

    const adjustments: [string, StepPolicyConfig["adjustmentType"], number, number, number][] = [
        ["ChangeInCapacity adds to the current capacity", "ChangeInCapacity", 4, 3, 7],
        ["ChangeInCapacity removes from it", "ChangeInCapacity", 4, -1, 3],
        ["ExactCapacity sets it", "ExactCapacity", 4, 9, 9],
        ["PercentChangeInCapacity scales it", "PercentChangeInCapacity", 10, 30, 13],
    ];
    for (const [rule, type, current, adj, want] of adjustments) {
        it(`adjustment types [A2, A7]: ${rule}`, () => {
            expect(applyAdjustment({ adjustmentType: type, stepAdjustments: [], cooldown: 0, metricAggregationType: "Average" }, current, adj)).to.equal(want);
        });
    }

    const aggregation: [StepPolicyConfig["metricAggregationType"], number][] = [["Average", 20], ["Minimum", 10], ["Maximum", 30]];
    for (const [type, want] of aggregation) {
        it(`MetricAggregationType ${type} over the recent datapoints [A2, A7]`, () => {
            expect(aggregate([10, 20, 30], type)).to.equal(want);
        });
    }

    it("reproduces the user guide's trace: 10 -> 11 (60 %) -> 14 (70 %) -> 13 (40 %) -> 10 (30 %) [A2]", () => {
        const engine = new AwsScalingEngine({ resourceId: "service/c/s", minCapacity: 1, maxCapacity: 100, policies: [DOC_OUT, DOC_IN] }, P);
        let desired = 10;
        const seen: number[] = [desired];
        [60, 70, 40, 30].forEach((value, k) => {
            const r = minute(engine, k, value, desired);
            desired = r.activity?.newDesired ?? desired;
            seen.push(desired);
        });
        expect(seen).to.deep.equal([10, 11, 14, 13, 10]);
    });

    it("a plan's step policy runs with the stack's own threshold, operator and steps (staging worker queue-depth)", () => {
        const plan = loadStackFile("staging").services.worker.plan;
        const target = engineTargetFromPlan(plan, P);
        const steps = plan.policies.filter((p) => p.kind === "step");
        for (const planned of steps) {
            if (planned.kind !== "step") continue;
            const policy = target.policies.find((p): p is StepEnginePolicy => p.kind === "step" && p.name === `worker-${planned.name}-${planned.direction}`)!;
            expect(policy.alarm.threshold).to.equal(planned.alarm.threshold);
            expect(policy.alarm.comparisonOperator).to.equal(planned.alarm.comparisonOperator);
            // The engine picks the same step as the plan's own AWS step rule, for every value around the bounds.
            const edges = planned.steps.flatMap((s) => [s.lower, s.upper]).filter((v): v is number => v !== undefined);
            for (const v of edges.flatMap((e) => [e - 0.5, e, e + 0.5])) {
                const side = policy.alarm.comparisonOperator.startsWith("Greater") ? "above" : "below";
                const fires = side === "above" ? v >= policy.alarm.threshold : v <= policy.alarm.threshold;
                const engineStep = fires ? selectStep(policy.config.stepAdjustments, v - policy.alarm.threshold, side) : undefined;
                expect(engineStep?.scalingAdjustment, `value ${v}`).to.equal(awsStepFor(planned, v)?.scalingAdjustment);
            }
        }
    });

    it("ExactCapacity through the engine sets the capacity and is bounded by max", () => {
        const exact: EnginePolicy = stepPolicy("exact", 100, "GreaterThanOrEqualToThreshold", {
            adjustmentType: "ExactCapacity", stepAdjustments: [{ metricIntervalLowerBound: 0, metricIntervalUpperBound: 100, scalingAdjustment: 6 }, { metricIntervalLowerBound: 100, scalingAdjustment: 50 }],
        });
        const engine = new AwsScalingEngine({ resourceId: "service/c/s", minCapacity: 1, maxCapacity: 8, policies: [exact] }, P);
        expect(minute(engine, 0, 150, 2).activity?.newDesired).to.equal(6);
        expect(minute(engine, 1, 250, 6).activity?.newDesired).to.equal(8);
    });
});
