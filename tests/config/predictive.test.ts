/**
 * `kind: predictive`: staging's api, AWS's defaults, and for every rule of PredictiveScalingPolicyConfiguration
 * (Application Auto Scaling API reference and service model) one accepted and one refused value with the
 * exact message; the one-owner rule against the queue autoscaler.
 */
import { expect } from "chai";
import { loadStackConfig } from "../../config/load";
import { problemsOf } from "../helpers/config-problems";
import { rawProjectConfig } from "../helpers/stack-files";

const ctx = { project: "ecs-autoscaling", stack: "staging" };

/** Staging with its services changed by `change`; the problems (empty when valid). */
function problemsWith(change: (services: any) => void): string[] {
    const services = JSON.parse(rawProjectConfig("staging").services);
    change(services);
    return problemsOf({ services });
}

/** Staging's gateway with its predictive policy (policies[2]) changed by `fields`. */
const staged = (fields: Record<string, unknown>) => (s: any) => { Object.assign(s.gateway.policies[2], fields); };
/** The gateway (no load balancer) with its predictive policy replaced by `policy`. */
const gateway = (policy: Record<string, unknown>) => (s: any) => { s.gateway.policies[2] = { kind: "predictive", ...policy }; };
/** The api (behind the load balancer) with a predictive policy added. */
const api = (policy: Record<string, unknown>) => (s: any) => { s.api.policies.push({ kind: "predictive", ...policy }); };
const AT = "services.gateway.policies[2]";
const series = (metricName: string) => ({ namespace: "Shop/Checkout", metricName, dimensions: { Service: "api" } });

describe("config: predictive", () => {
    it("staging's gateway: the ECSServiceCPUUtilization pair at 70 %, ForecastAndScale, 300 s ahead, honouring the maximum, beside its target tracking", () => {
        const c = loadStackConfig(rawProjectConfig("staging"), ctx);
        expect(c.services.gateway.plan.policies.map((p) => p.kind)).to.deep.equal(["targetTracking", "targetTracking", "predictive"]);
        expect(c.services.gateway.plan.policies[2]).to.deep.equal({
            kind: "predictive", name: "predictive", metric: { type: "pair", pair: "ECSServiceCPUUtilization" }, targetValue: 70,
            mode: "ForecastAndScale", schedulingBufferTime: 300, maxCapacityBreachBehavior: "HonorMaxCapacity",
        });
    });

    it("AWS's defaults when left out: ForecastOnly, 300 s, HonorMaxCapacity; custom metrics read Average (scaling) and Sum (load)", () => {
        const services = JSON.parse(rawProjectConfig("staging").services);
        services.gateway.policies[2] = ({ kind: "predictive", name: "checkout", customMetrics: { scaling: series("CpuPerTask"), load: series("Checkouts") }, target: 40 });
        const p = loadStackConfig(rawProjectConfig("staging", { services }), ctx).services.gateway.plan.policies[2];
        expect(p).to.deep.equal({
            kind: "predictive", name: "checkout",
            metric: {
                type: "custom",
                scaling: { namespace: "Shop/Checkout", metricName: "CpuPerTask", dimensions: { Service: "api" }, statistic: "Average" },
                load: { namespace: "Shop/Checkout", metricName: "Checkouts", dimensions: { Service: "api" }, statistic: "Sum" },
            },
            targetValue: 40, mode: "ForecastOnly", schedulingBufferTime: 300, maxCapacityBreachBehavior: "HonorMaxCapacity",
        });
    });

    // [rule, accepted change, refused change, exact message of the refusal]
    const table: [string, (s: any) => void, (s: any) => void, string][] = [
        ["metricPair: ECS's pairs", gateway({ metricPair: "ECSServiceMemoryUtilization", target: 80 }), gateway({ metricPair: "ECSServiceAverageCPUUtilization", target: 80 }),
            'services.gateway.policies[2].metricPair: "ECSServiceAverageCPUUtilization" must be one of ECSServiceCPUUtilization, ECSServiceMemoryUtilization, ALBRequestCount (predictive scaling\'s metric pairs for an ECS service)'],
        ["one metric specification: a pair or custom metrics, not both",
            gateway({ customMetrics: { scaling: series("CpuPerTask"), load: series("Checkouts") }, target: 40 }),
            gateway({ metricPair: "ECSServiceCPUUtilization", customMetrics: { scaling: series("CpuPerTask"), load: series("Checkouts") }, target: 40 }),
            'services.gateway.policies[2].metricPair: "ECSServiceCPUUtilization" and services.gateway.policies[2].customMetrics are both set; AWS takes a single metric specification: a metric pair or a scaling and a load metric'],
        ["one metric specification: at least one", gateway({ metricPair: "ECSServiceCPUUtilization", target: 70 }), gateway({ target: 70 }),
            "services.gateway.policies[2].metricPair: (missing) set metricPair (ECSServiceCPUUtilization, ECSServiceMemoryUtilization, ALBRequestCount) or customMetrics (scaling and load)"],
        ["custom metrics: the service's own series, with dimensions",
            gateway({ customMetrics: { scaling: series("CpuPerTask"), load: series("Checkouts") }, target: 40 }),
            gateway({ customMetrics: { scaling: series("CpuPerTask"), load: { ...series("Checkouts"), dimensions: {} } }, target: 40 }),
            "services.gateway.policies[2].customMetrics.load.dimensions: {} must name at least one dimension; the metric must be the service's own series, with exactly the dimensions it is published with"],
        ["ALBRequestCount: needs the service's target group", api({ metricPair: "ALBRequestCount", target: 1000 }), gateway({ metricPair: "ALBRequestCount", target: 1000 }),
            'services.gateway.policies[2].metricPair: "ALBRequestCount" needs services.gateway.loadBalancer (the pair\'s resource label is the service\'s target group)'],
        ["target: a utilization pair is at most 100 %", gateway({ metricPair: "ECSServiceCPUUtilization", target: 100 }), gateway({ metricPair: "ECSServiceCPUUtilization", target: 101 }),
            "services.gateway.policies[2].target: 101 must be <= 100 (ECSServiceCPUUtilization is a utilization in percent)"],
        ["target: within Application Auto Scaling's TargetValue range",
            gateway({ customMetrics: { scaling: series("CpuPerTask"), load: series("Checkouts") }, target: 6e54 }),
            gateway({ customMetrics: { scaling: series("CpuPerTask"), load: series("Checkouts") }, target: 1e55 }),
            `${AT}.target: 1e+55 must be between 8.51592e-109 and 6.646144e+54 (Application Auto Scaling TargetValue)`],
        ["mode: ForecastOnly or ForecastAndScale", staged({ mode: "ForecastOnly" }), staged({ mode: "Forecast" }),
            `${AT}.mode: "Forecast" must be one of ForecastAndScale, ForecastOnly`],
        ["schedulingBufferTime: at most 3600 s", staged({ schedulingBufferTime: 3600 }), staged({ schedulingBufferTime: 3601 }),
            `${AT}.schedulingBufferTime: 3601 must be <= 3600 seconds (PredictiveScalingPolicyConfiguration SchedulingBufferTime, at most the forecast's one-hour interval)`],
        ["schedulingBufferTime: at least 0 s", staged({ schedulingBufferTime: 0 }), staged({ schedulingBufferTime: -1 }),
            `${AT}.schedulingBufferTime: -1 must be >= 0 seconds`],
        ["schedulingBufferTime: whole seconds", staged({ schedulingBufferTime: 60 }), staged({ schedulingBufferTime: 1.5 }),
            `${AT}.schedulingBufferTime: 1.5 must be a whole number within AWS's 32-bit integer range (at most 2147483647)`],
        ["maxCapacityBreachBehavior: AWS's two", staged({ maxCapacityBreachBehavior: "IncreaseMaxCapacity", maxCapacityBuffer: 10 }), staged({ maxCapacityBreachBehavior: "Increase" }),
            `${AT}.maxCapacityBreachBehavior: "Increase" must be one of HonorMaxCapacity, IncreaseMaxCapacity`],
        ["maxCapacityBuffer: at most 100 %", staged({ maxCapacityBreachBehavior: "IncreaseMaxCapacity", maxCapacityBuffer: 100 }), staged({ maxCapacityBreachBehavior: "IncreaseMaxCapacity", maxCapacityBuffer: 101 }),
            `${AT}.maxCapacityBuffer: 101 must be <= 100 (PredictiveScalingPolicyConfiguration MaxCapacityBuffer, percent of the forecast)`],
        ["maxCapacityBuffer: at least 0 %", staged({ maxCapacityBreachBehavior: "IncreaseMaxCapacity", maxCapacityBuffer: 0 }), staged({ maxCapacityBreachBehavior: "IncreaseMaxCapacity", maxCapacityBuffer: -5 }),
            `${AT}.maxCapacityBuffer: -5 must be >= 0 (percent)`],
        ["maxCapacityBuffer: required with IncreaseMaxCapacity", staged({ maxCapacityBreachBehavior: "IncreaseMaxCapacity", maxCapacityBuffer: 25 }), staged({ maxCapacityBreachBehavior: "IncreaseMaxCapacity" }),
            `${AT}.maxCapacityBuffer: (missing) is required with maxCapacityBreachBehavior IncreaseMaxCapacity (PredictiveScalingPolicyConfiguration)`],
        ["maxCapacityBuffer: only with IncreaseMaxCapacity", staged({ maxCapacityBreachBehavior: "HonorMaxCapacity" }), staged({ maxCapacityBreachBehavior: "HonorMaxCapacity", maxCapacityBuffer: 25 }),
            `${AT}.maxCapacityBuffer: 25 can only be set with maxCapacityBreachBehavior IncreaseMaxCapacity (PredictiveScalingPolicyConfiguration: "cannot be used otherwise")`],
        ["one owner: not on a service the queue autoscaler owns",
            (s) => { s.jobs.policies = []; },
            (s) => { s.jobs.policies = [{ kind: "predictive", metricPair: "ECSServiceCPUUtilization", target: 70 }]; },
            'autoscaler.service: "jobs" is also scaled by Application Auto Scaling through services.jobs.policies (predictive); ' +
            "a service's desired count has one owner: scale it with its policies or with the queue autoscaler (autoscaler.enabled), not both"],
    ];
    for (const [rule, accepted, refused, message] of table) {
        it(`${rule}: accepted, and refused with the exact message`, () => {
            expect(problemsWith(accepted)).to.deep.equal([]);
            expect(problemsWith(refused)).to.deep.equal([message]);
        });
    }
});
