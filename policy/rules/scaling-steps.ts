/**
 * Scalable-target bounds and alarms consistent with their steps:
 * - a target's minCapacity is at most its maxCapacity, and every policy has a target to act on;
 * - a step policy's steps all point one way, touch without gaps or overlap, and start at the alarm's
 *   threshold (offset 0: AWS measures step bounds from the threshold), no step adds or removes more
 *   tasks than the bounds allow;
 * - the alarm that invokes it compares in the steps' direction (>= to scale out, <= to scale in) with
 *   the statistic the policy aggregates by; a step policy no alarm invokes never runs.
 */
import { asArray, numberOf, ofType, scalingKey, logicalName, type PolicyResource, type ProjectPolicy, type Violation } from "../graph";
import { alarmsOf, SCALABLE_TARGET, SCALING_POLICY } from "./scaling-links";

interface Step {
    lower?: number;
    upper?: number;
    adjustment: number;
}

function stepsOf(policy: PolicyResource): Step[] {
    return asArray<any>(policy.props.stepScalingPolicyConfiguration?.stepAdjustments).map((s) => ({
        lower: numberOf(s.metricIntervalLowerBound), upper: numberOf(s.metricIntervalUpperBound), adjustment: Number(s.scalingAdjustment),
    }));
}

function stepProblems(name: string, steps: Step[], span: number | undefined, adjustmentType: string | undefined): { problems: string[]; direction?: "out" | "in" } {
    const problems: string[] = [];
    if (steps.length === 0) return { problems: [`${name} has no steps`] };
    const out = steps.every((s) => s.adjustment > 0);
    const inward = steps.every((s) => s.adjustment < 0);
    if (!out && !inward) problems.push(`${name} mixes steps that add and remove tasks (${steps.map((s) => s.adjustment).join(", ")}); one alarm drives one direction`);
    const sorted = [...steps].sort((a, b) => (a.lower ?? -Infinity) - (b.lower ?? -Infinity));
    for (let i = 1; i < sorted.length; i++) {
        if (sorted[i - 1].upper !== sorted[i].lower) {
            problems.push(`${name}: step ending at ${sorted[i - 1].upper ?? "+infinity"} and step starting at ${sorted[i].lower ?? "-infinity"} leave a gap or overlap; steps must touch`);
        }
    }
    if (out && sorted[0].lower !== 0) problems.push(`${name} adds tasks from ${sorted[0].lower ?? "-infinity"} above the alarm threshold; the first scale-out step must start at the threshold (lower bound 0)`);
    if (inward && sorted[sorted.length - 1].upper !== 0) problems.push(`${name} removes tasks up to ${sorted[sorted.length - 1].upper ?? "+infinity"} above the alarm threshold; the last scale-in step must end at the threshold (upper bound 0)`);
    if (span !== undefined && (adjustmentType ?? "ChangeInCapacity") === "ChangeInCapacity") {
        for (const s of steps) {
            if (Math.abs(s.adjustment) > span) problems.push(`${name} changes capacity by ${s.adjustment}, more than its target's bounds allow (max - min = ${span})`);
        }
    }
    return { problems, ...(out ? { direction: "out" as const } : inward ? { direction: "in" as const } : {}) };
}

export const scalingBoundsAndSteps: ProjectPolicy = {
    name: "scaling-bounds-and-steps",
    description: "Scalable-target bounds are ordered, every scaling policy has a target, and each step policy's steps agree with the alarm that invokes it.",
    check(resources) {
        const violations: Violation[] = [];
        const targets = ofType(resources, SCALABLE_TARGET);
        for (const t of targets) {
            if (Number(t.props.minCapacity) > Number(t.props.maxCapacity)) {
                violations.push({ urn: t.urn, message: `${t.props.resourceId}: minCapacity ${t.props.minCapacity} is above maxCapacity ${t.props.maxCapacity}` });
            }
        }
        for (const p of ofType(resources, SCALING_POLICY)) {
            const name = `scaling policy ${p.props.name ?? logicalName(p)}`;
            const target = targets.find((t) => scalingKey(t.props) === scalingKey(p.props));
            if (!target) {
                violations.push({ urn: p.urn, message: `${name} acts on ${p.props.resourceId} (${p.props.scalableDimension}), which no scalable target in the stack registers` });
                continue;
            }
            if (p.props.policyType !== "StepScaling") continue;
            const config = p.props.stepScalingPolicyConfiguration ?? {};
            const span = Number(target.props.maxCapacity) - Number(target.props.minCapacity);
            const { problems, direction } = stepProblems(name, stepsOf(p), Number.isFinite(span) ? span : undefined, config.adjustmentType);
            violations.push(...problems.map((message) => ({ urn: p.urn, message })));
            const alarms = alarmsOf(p, resources);
            if (alarms.length === 0) violations.push({ urn: p.urn, message: `${name}: no alarm invokes it (no alarm's alarmActions hold its ARN), so it never runs` });
            for (const a of alarms) {
                const op = String(a.props.comparisonOperator);
                const up = op.startsWith("GreaterThan");
                if (direction === "out" && !up) violations.push({ urn: a.urn, message: `alarm ${a.props.name ?? logicalName(a)} compares ${op} but invokes ${name}, whose steps add tasks; scale-out alarms compare GreaterThanOrEqualToThreshold` });
                if (direction === "in" && up) violations.push({ urn: a.urn, message: `alarm ${a.props.name ?? logicalName(a)} compares ${op} but invokes ${name}, whose steps remove tasks; scale-in alarms compare LessThanOrEqualToThreshold` });
                if (config.metricAggregationType !== undefined && a.props.statistic !== undefined && a.props.statistic !== config.metricAggregationType) {
                    violations.push({ urn: a.urn, message: `alarm ${a.props.name ?? logicalName(a)} uses statistic ${a.props.statistic} but ${name} aggregates by ${config.metricAggregationType}; the steps are measured on the alarm's statistic` });
                }
            }
        }
        return violations;
    },
};
