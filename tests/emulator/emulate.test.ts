import { expect } from "chai";
import { main } from "../../cli/autoscale";
import type { CliIo } from "../../cli/io";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { createApplicationAutoScalingClient, createCloudWatchClient, createEcsClient } from "../../runtime/aws/clients";
import { runEmulator } from "../../emulator/emulate";
import { clientEndpointProblem, endpointProblem } from "../../emulator/endpoint";
import { enginePoliciesFromAws, type DescribedAlarm, type DescribedPolicy } from "../../scaling/engine/from-aws";
import { DEFAULT_ENGINE_PARAMS } from "../../scaling/engine/params";

function io(env: NodeJS.ProcessEnv): CliIo & { stderr: string } {
    const o = { env, stderr: "", out: () => undefined, err: (t: string) => { o.stderr += t; }, onStopSignal: () => () => undefined };
    return o;
}

describe("autoscale emulate: where it may run", () => {
    const table: [string, NodeJS.ProcessEnv, boolean, RegExp | undefined][] = [
        ["moto on 127.0.0.1", { AWS_ENDPOINT_URL: "http://127.0.0.1:5000" }, false, undefined],
        ["localhost", { AWS_ENDPOINT_URL: "http://localhost:4566" }, false, undefined],
        ["IPv6 loopback", { AWS_ENDPOINT_URL: "http://[::1]:5000" }, false, undefined],
        ["no endpoint: AWS itself", {}, false, /^AWS_ENDPOINT_URL is not set \(nor AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING\), so this would act on AWS itself/],
        ["a remote endpoint", { AWS_ENDPOINT_URL: "https://ecs.us-east-1.amazonaws.com" }, false, /is not a local endpoint .*--i-know-this-is-aws/],
        ["not a URL", { AWS_ENDPOINT_URL: "moto" }, false, /"moto" is not a URL/],
        ["AWS with --i-know-this-is-aws", {}, true, undefined],
        // The service-specific variables win over AWS_ENDPOINT_URL in the SDK: each is checked.
        ["AWS_ENDPOINT_URL local but AWS_ENDPOINT_URL_ECS remote", { AWS_ENDPOINT_URL: "http://127.0.0.1:5000", AWS_ENDPOINT_URL_ECS: "https://ecs.us-east-1.amazonaws.com" }, false,
            /^AWS_ENDPOINT_URL_ECS: "https:\/\/ecs.us-east-1.amazonaws.com" is not a local endpoint .* and the SDK sends ECS calls there/],
        ["AWS_ENDPOINT_URL_CLOUDWATCH remote", { AWS_ENDPOINT_URL: "http://127.0.0.1:5000", AWS_ENDPOINT_URL_CLOUDWATCH: "https://monitoring.us-east-1.amazonaws.com" }, false,
            /^AWS_ENDPOINT_URL_CLOUDWATCH: .* is not a local endpoint/],
        ["AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING remote", { AWS_ENDPOINT_URL: "http://127.0.0.1:5000", AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: "https://example.com" }, false,
            /^AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: "https:\/\/example.com" is not a local endpoint/],
        ["only the three service-specific variables, all local", {
            AWS_ENDPOINT_URL_ECS: "http://127.0.0.1:5000", AWS_ENDPOINT_URL_CLOUDWATCH: "http://127.0.0.1:5000", AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: "http://localhost:5000",
        }, false, undefined],
        ["one service without any variable", { AWS_ENDPOINT_URL_ECS: "http://127.0.0.1:5000" }, false, /^AWS_ENDPOINT_URL is not set \(nor AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING\)/],
        ["configured endpoints ignored", { AWS_ENDPOINT_URL: "http://127.0.0.1:5000", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }, false,
            /^AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" makes the SDK ignore every configured endpoint/],
    ];
    for (const [what, env, allow, problem] of table) {
        it(`${what}: ${problem ? "refused" : "allowed"}`, () => {
            const p = endpointProblem(env, allow);
            if (problem) expect(p).to.match(problem);
            else expect(p).to.equal(undefined);
        });
    }

    describe("what the clients themselves resolved", () => {
        const saved = { ...process.env };
        let dir: string;
        beforeEach(() => {
            dir = mkdtempSync(path.join(os.tmpdir(), "emulate-endpoint-"));
        });
        afterEach(() => {
            for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
            Object.assign(process.env, saved);
            rmSync(dir, { recursive: true, force: true });
        });
        const clients = () => ({ autoscaling: createApplicationAutoScalingClient(), cloudwatch: createCloudWatchClient(), ecs: createEcsClient() });

        it("allows clients that resolved a loopback endpoint from AWS_ENDPOINT_URL", async () => {
            process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:5000";
            process.env.AWS_CONFIG_FILE = path.join(dir, "none");
            expect(await clientEndpointProblem(clients(), false)).to.equal(undefined);
        });

        it("refuses when the shared config file tells the SDK to ignore the configured endpoints, though AWS_ENDPOINT_URL is local", async () => {
            process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:5000";
            delete process.env.AWS_PROFILE;
            process.env.AWS_CONFIG_FILE = path.join(dir, "config");
            writeFileSync(process.env.AWS_CONFIG_FILE, "[default]\nignore_configured_endpoint_urls = true\n");
            expect(await clientEndpointProblem(clients(), false)).to.match(/^the autoscaling client resolved no configured endpoint/);
            expect(await clientEndpointProblem(clients(), true)).to.equal(undefined);
        });

        it("refuses an endpoint_url of the shared config file's services section that is not local", async () => {
            delete process.env.AWS_ENDPOINT_URL;
            process.env.AWS_PROFILE = "emu";
            process.env.AWS_CONFIG_FILE = path.join(dir, "config");
            writeFileSync(process.env.AWS_CONFIG_FILE, "[profile emu]\nservices = emu-svc\nendpoint_url = http://127.0.0.1:5000\n\n[services emu-svc]\necs =\n  endpoint_url = https://ecs.example.com\n");
            expect(await clientEndpointProblem(clients(), false)).to.equal('the ecs client would call "https://ecs.example.com", not a local endpoint (localhost, 127.0.0.0/8, ::1); pass --i-know-this-is-aws to emulate against it anyway');
        });
    });

    it("refuses a non-local endpoint with one line and exit code 2, before any AWS call", async () => {
        const o = io({ AWS_ENDPOINT_URL: "https://example.com" });
        expect(await main(["emulate", "--cluster", "c", "--speed", "60"], o)).to.equal(2);
        expect(o.stderr).to.match(/^error: AWS_ENDPOINT_URL: "https:\/\/example.com" is not a local endpoint/);
        expect(o.stderr.trim().split("\n")).to.have.length(1);
    });

    it("refuses a bad --speed and a missing --cluster with exit code 2", async () => {
        const bad = io({ AWS_ENDPOINT_URL: "http://127.0.0.1:1" });
        expect(await main(["emulate", "--cluster", "c", "--speed", "0"], bad)).to.equal(2);
        expect(bad.stderr).to.equal('error: --speed: "0" must be a number > 0 and <= 3600\n');
        const none = io({ AWS_ENDPOINT_URL: "http://127.0.0.1:1" });
        expect(await main(["emulate"], none)).to.equal(2);
        expect(none.stderr).to.equal("error: --cluster: (missing) the ECS cluster name is required (or --stack, whose cluster it then is)\n");
    });
});

describe("autoscale emulate: policies as the endpoint describes them", () => {
    const RID = "service/c/s";
    const tt: DescribedPolicy = {
        policyName: "s-load", policyARN: "arn:tt", policyType: "TargetTrackingScaling",
        alarmNames: ["TargetTracking-service/c/s-AlarmHigh-1", "TargetTracking-service/c/s-AlarmLow-2"],
        targetTracking: { targetValue: 100, customized: { namespace: "Test/Autoscaling", metricName: "SyntheticLoad", dimensions: { B: "2", A: "1" }, statistic: "Average" } },
    };
    const step: DescribedPolicy = {
        policyName: "s-queue-out", policyARN: "arn:step", policyType: "StepScaling", alarmNames: [],
        step: { adjustmentType: "ChangeInCapacity", stepAdjustments: [{ metricIntervalLowerBound: 0, scalingAdjustment: 2 }] },
    };
    const alarm: DescribedAlarm = {
        name: "s-queue-out", actions: ["arn:step"], threshold: 50, comparisonOperator: "GreaterThanOrEqualToThreshold", period: 60, evaluationPeriods: 2,
        metric: { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: "q" }, statistic: "Maximum" },
    };

    it("target tracking: the pair AWS creates from TargetValue (not moto's CPU template), under the endpoint's alarm names; cooldowns default to 300 s", () => {
        const { policies, metrics, skipped } = enginePoliciesFromAws(RID, [tt], [], DEFAULT_ENGINE_PARAMS);
        expect(skipped).to.deep.equal([]);
        const p = policies[0];
        if (p.kind !== "targetTracking") throw new Error("expected target tracking");
        expect(p.alarms.high).to.include({ name: "TargetTracking-service/c/s-AlarmHigh-1", threshold: 100, comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 3 });
        expect(p.alarms.low).to.include({ name: "TargetTracking-service/c/s-AlarmLow-2", threshold: 90, comparisonOperator: "LessThanThreshold", evaluationPeriods: 15 });
        expect([p.scaleOutCooldown, p.scaleInCooldown]).to.deep.equal([300, 300]);
        expect([...metrics.keys()]).to.deep.equal(["Test/Autoscaling/SyntheticLoad{A=1,B=2}:Average"]);
    });

    it("step scaling: every alarm that names the policy ARN invokes it with its own settings; Cooldown defaults to 300 s, aggregation to Average", () => {
        const { policies } = enginePoliciesFromAws(RID, [step], [alarm, { ...alarm, name: "other", actions: ["arn:else"] }], DEFAULT_ENGINE_PARAMS);
        expect(policies).to.have.length(1);
        const p = policies[0];
        if (p.kind !== "step") throw new Error("expected step");
        expect(p.alarm).to.deep.equal({ name: "s-queue-out", comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 50, period: 60, evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: "missing" });
        expect(p.config).to.include({ cooldown: 300, metricAggregationType: "Average" });
    });

    it("says what it cannot emulate", () => {
        const { skipped } = enginePoliciesFromAws(RID, [{ ...step, policyARN: "arn:lonely" }, { ...tt, policyType: "PredictiveScaling" }], [alarm], DEFAULT_ENGINE_PARAMS);
        expect(skipped).to.deep.equal([
            "s-queue-out: no alarm has the policy among its actions, so nothing invokes it",
            "s-load: policy type PredictiveScaling is not emulated",
        ]);
    });
});

describe("autoscale emulate: speed against the alarms' periods", () => {
    it("refuses a speed that makes a period shorter than the 1-s datapoints it reads, after read-only calls and before any change", async () => {
        const calls: string[] = [];
        const answer = (name: string) => {
            calls.push(name);
            if (name === "DescribeScalableTargetsCommand") return { ScalableTargets: [{ ResourceId: "service/c/s", ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 1, MaxCapacity: 4 }] };
            if (name === "DescribeScalingPoliciesCommand") {
                return { ScalingPolicies: [{ PolicyName: "p", PolicyARN: "arn:p", PolicyType: "TargetTrackingScaling", ResourceId: "service/c/s", Alarms: [],
                    TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" } } }] };
            }
            return { MetricAlarms: [] };
        };
        const client = { send: (cmd: object) => Promise.resolve(answer(cmd.constructor.name)) };
        let error: Error | undefined;
        try {
            await runEmulator({ cluster: "c", speed: 120 }, {
                autoscaling: client as never, cloudwatch: client as never, ecs: client as never,
                clock: () => 0, sleep: async () => undefined, record: async () => undefined,
            });
        } catch (e) {
            error = e as Error;
        }
        expect(error?.message).to.match(/^--speed: 120 makes the 60-s period of alarm TargetTracking-service\/c\/s-AlarmHigh-sim last 0\.50 s, shorter than the 1-s datapoints read from the endpoint; use --speed <= 60$/);
        expect(calls.filter((c) => !c.startsWith("Describe"))).to.deep.equal([]);
    });
});
