/**
 * The proof tools (scale-test verify, the moto demo) compare what is live with proof/plan-aws.ts,
 * the plan in API terms; the program deploys components/service-scaling.ts. Both are derived from the
 * same plan, each in its own shape. This runs every stack file under mocks and checks, field by field,
 * that the two say the same: same policy and alarm names, same configurations, same bounds.
 */
import { expect } from "chai";
import { plannedService } from "../../proof/plan-aws";
import { loadStackFile } from "../../config/stack-file";
import { runProgram } from "../helpers/program";
import { ofType } from "../helpers/pulumi-mocks";
import { stackNames } from "../helpers/stack-files";

/** API shape to provider shape: PascalCase keys to camelCase; step bounds are strings in the provider. */
function providerShape(value: unknown, key = ""): unknown {
    if (Array.isArray(value)) return value.map((v) => providerShape(v));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), providerShape(v, k)]));
    }
    return /^MetricInterval(Lower|Upper)Bound$/.test(key) ? String(value) : value;
}

const cases: [string, Record<string, unknown>][] = stackNames().flatMap((s) => [[s, {}], ...(s === "staging" ? [[s, { customMetricTest: { enabled: true, service: "api" } }]] : [])] as [string, Record<string, unknown>][]);

describe("stacks: the plan the proof tools check against is the graph the program deploys", () => {
    for (const [stack, overrides] of cases) {
        it(`Pulumi.${stack}.yaml${Object.keys(overrides).length ? " with customMetricTest on" : ""}: every ECS policy, alarm and bound`, async () => {
            await runProgram(stack, overrides);
            const config = loadStackFile(stack, overrides);
            const policies = ofType("aws:appautoscaling/policy:Policy").filter((p) => p.inputs.serviceNamespace === "ecs");
            const alarms = ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
            const targets = ofType("aws:appautoscaling/target:Target").filter((t) => t.inputs.serviceNamespace === "ecs");
            const planned = Object.values(config.services).filter((s) => s.plan.policies.length > 0 || targets.some((t) => t.inputs.resourceId.endsWith(`/${s.name}`)))
                .map((s) => plannedService(s.plan, config.names.cluster, s.name));
            expect(planned.map((p) => p.resourceId).sort(), "scalable targets").to.deep.equal(targets.map((t) => t.inputs.resourceId).sort());
            let compared = 0;
            for (const service of planned) {
                const target = targets.find((t) => t.inputs.resourceId === service.resourceId)!;
                expect([target.inputs.minCapacity, target.inputs.maxCapacity], service.resourceId).to.deep.equal([service.minCapacity, service.maxCapacity]);
                expect(policies.filter((p) => p.inputs.resourceId === service.resourceId).map((p) => p.inputs.name).sort(), `${service.resourceId} policies`)
                    .to.deep.equal(service.policies.map((p) => p.name).sort());
                for (const p of service.policies) {
                    const deployed = policies.find((x) => x.inputs.name === p.name)!;
                    expect(deployed.inputs.policyType, p.name).to.equal(p.input.PolicyType);
                    if (p.input.TargetTrackingScalingPolicyConfiguration) {
                        const got = structuredClone(deployed.inputs.targetTrackingScalingPolicyConfiguration);
                        // The ALB resource label comes from the load balancer's ARN, known only once it exists.
                        delete got.predefinedMetricSpecification?.resourceLabel;
                        expect(got, p.name).to.deep.equal(providerShape(p.input.TargetTrackingScalingPolicyConfiguration));
                    } else if (p.input.PredictiveScalingPolicyConfiguration) {
                        const got = structuredClone(deployed.inputs.predictiveScalingPolicyConfiguration);
                        for (const m of got.metricSpecifications) delete m.predefinedMetricPairSpecification?.resourceLabel;
                        // The provider carries a metric specification's target as a string.
                        const want = providerShape(p.input.PredictiveScalingPolicyConfiguration) as { metricSpecifications: { targetValue: unknown }[] };
                        for (const m of want.metricSpecifications) m.targetValue = String(m.targetValue);
                        expect(got, p.name).to.deep.equal(want);
                    } else {
                        expect(deployed.inputs.stepScalingPolicyConfiguration, p.name).to.deep.equal(providerShape(p.input.StepScalingPolicyConfiguration));
                        const alarm = alarms.find((a) => a.inputs.name === p.alarm!.AlarmName)!;
                        const { Dimensions, ...rest } = p.alarm!;
                        const { name, dimensions, alarmDescription, alarmActions, ...deployedAlarm } = alarm.inputs;
                        expect({ name, ...deployedAlarm }, p.name).to.deep.equal(providerShape({ Name: rest.AlarmName, ...Object.fromEntries(Object.entries(rest).filter(([k]) => k !== "AlarmName")) }));
                        expect(dimensions, `${p.name} dimensions`).to.deep.equal(Object.fromEntries((Dimensions ?? []).map((d) => [d.Name, d.Value])));
                        expect(alarmActions, `${p.name} actions`).to.deep.equal([deployed.state.arn]);
                    }
                    compared++;
                }
            }
            expect(compared, "policies compared").to.equal(policies.length);
        });
    }
});
