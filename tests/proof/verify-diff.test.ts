/**
 * scale-test verify on the policies of the new modes: staging's gateway (a predictive policy beside its
 * target tracking) and batch (backlog per task on metric math) find no difference when what is live is
 * what the plan says, and name the field when it is not.
 */
import { expect } from "chai";
import type { ScalingPolicy } from "@aws-sdk/client-application-auto-scaling";
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { loadStackFile } from "../../config/stack-file";
import { plannedService, type PlannedService } from "../../proof/plan-aws";
import { differenceLines, verifyDifferences, type LiveService } from "../../proof/verify-diff";

const staging = loadStackFile("staging");

/** What AWS would describe for the plan: each policy as put, the two alarms AWS makes per target-tracking policy. */
function liveOf(planned: PlannedService, bounds: { minCapacity: number; maxCapacity: number }): LiveService {
    const policies: ScalingPolicy[] = [];
    const alarms: MetricAlarm[] = [];
    planned.policies.forEach((p, i) => {
        const arn = `arn:policy:${i}`;
        const names = p.input.PolicyType === "TargetTrackingScaling" ? [`TargetTracking-${planned.resourceId}-AlarmHigh-${i}`, `TargetTracking-${planned.resourceId}-AlarmLow-${i}`] : [];
        policies.push({
            PolicyName: p.name, PolicyARN: arn, PolicyType: p.input.PolicyType, ResourceId: planned.resourceId, ServiceNamespace: "ecs",
            ScalableDimension: "ecs:service:DesiredCount", CreationTime: new Date(0),
            TargetTrackingScalingPolicyConfiguration: structuredClone(p.input.TargetTrackingScalingPolicyConfiguration),
            PredictiveScalingPolicyConfiguration: structuredClone(p.input.PredictiveScalingPolicyConfiguration),
            Alarms: names.map((AlarmName) => ({ AlarmName, AlarmARN: `arn:alarm:${AlarmName}` })),
        });
        for (const AlarmName of names) alarms.push({ AlarmName, AlarmActions: [arn] });
    });
    return { target: bounds, policies, alarms };
}

describe("scale-test verify: predictive and backlog-per-task policies", () => {
    const gateway = staging.services.gateway;
    const batch = staging.services.batch;
    const gw = plannedService(gateway.plan, staging.names.cluster, gateway.name);
    const bt = plannedService(batch.plan, staging.names.cluster, batch.name);

    it("none when live is what the plan says", () => {
        expect(verifyDifferences(gw, liveOf(gw, { minCapacity: 1, maxCapacity: 4 }))).to.deep.equal([]);
        expect(verifyDifferences(bt, liveOf(bt, { minCapacity: 1, maxCapacity: 10 }))).to.deep.equal([]);
    });

    it("a predictive setting changed live is named field by field", () => {
        const live = liveOf(gw, { minCapacity: 1, maxCapacity: 4 });
        const predictive = live.policies[2] as { PredictiveScalingPolicyConfiguration: { SchedulingBufferTime: number; Mode: string } };
        predictive.PredictiveScalingPolicyConfiguration.SchedulingBufferTime = 600;
        predictive.PredictiveScalingPolicyConfiguration.Mode = "ForecastOnly";
        expect(differenceLines(verifyDifferences(gw, live))).to.deep.equal([
            `policy ${gateway.name}-predictive Mode: expected "ForecastAndScale", live "ForecastOnly"`,
            `policy ${gateway.name}-predictive SchedulingBufferTime: expected 300, live 600`,
        ]);
    });

    it("backlog per task: a query's statistic or the expression changed live is named by its path", () => {
        const live = liveOf(bt, { minCapacity: 1, maxCapacity: 10 });
        const metrics = (live.policies[0].TargetTrackingScalingPolicyConfiguration!.CustomizedMetricSpecification!.Metrics)!;
        metrics[0].MetricStat!.Stat = "Average";
        metrics[2].Expression = "m1 / 2";
        expect(differenceLines(verifyDifferences(bt, live))).to.deep.equal([
            `policy ${batch.name}-backlog CustomizedMetricSpecification.Metrics[0].MetricStat.Stat: expected "Sum", live "Average"`,
            `policy ${batch.name}-backlog CustomizedMetricSpecification.Metrics[2].Expression: expected "m1 / m2", live "m1 / 2"`,
        ]);
    });
});
