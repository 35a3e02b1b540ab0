/**
 * The whole program under Pulumi mocks, once for every Pulumi.<stack>.yaml in the repository, with the
 * config the CLI would pass (Pulumi.yaml defaults under the stack file's values).
 */
import { expect } from "chai";
import { dimensionList } from "../../scaling/metric-series";
import { envName } from "../../scaling/autoscaler-settings";
import { graphProblems } from "../helpers/graph-rules";
import { runProgram } from "../helpers/program";
import { ofType, recorded } from "../helpers/pulumi-mocks";
import { stackConfig, stackNames } from "../helpers/stack-files";

function targetsByResource(): Record<string, [number, number]> {
    return Object.fromEntries(ofType("aws:appautoscaling/target:Target").map((t) => [t.inputs.resourceId, [t.inputs.minCapacity, t.inputs.maxCapacity]]));
}

describe("stacks: every Pulumi.<stack>.yaml yields a valid graph under mocks", () => {
    for (const stack of stackNames()) {
        it(`Pulumi.${stack}.yaml`, async () => {
            await runProgram(stack);
            // Every name within its AWS rule and no two resources sharing one, as AWS would require.
            expect(graphProblems(recorded)).to.deep.equal([]);
            const types = new Set(recorded.map((r) => r.type));
            for (const t of ["aws:sqs/queue:Queue", "aws:sns/topic:Topic", "aws:cloudwatch/dashboard:Dashboard", "aws:ecs/service:Service", "aws:appautoscaling/target:Target"]) {
                expect(types.has(t), `${stack} registers ${t}`).to.equal(true);
            }
            // Every step policy has exactly one alarm that points at it.
            const policies = ofType("aws:appautoscaling/policy:Policy").filter((p) => p.inputs.policyType === "StepScaling");
            const alarms = ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
            for (const p of policies) {
                const pointing = alarms.filter((a) => (a.inputs.alarmActions ?? []).includes(p.state.arn));
                expect(pointing.map((a) => a.name), `${stack}: alarms for ${p.inputs.name}`).to.have.length(1);
            }
        });
    }
});

/**
 * The service the queue autoscaler's task definition scales and its queue URL: ECS_SERVICE and QUEUE_URL,
 * or the one service of SERVICES (the form a service with controls of its own is handed over in);
 * undefined when the stack runs no autoscaler.
 */
function autoscaled(): { service: string; queueUrl: string } | undefined {
    const td = ofType("aws:ecs/taskDefinition:TaskDefinition").find((t) => String(t.inputs.family).endsWith("-queue-autoscaler"));
    if (!td) return undefined;
    const env: { name: string; value: string }[] = JSON.parse(td.inputs.containerDefinitions)[0].environment;
    const value = (key: Parameters<typeof envName>[0]) => env.find((e) => e.name === envName(key))?.value;
    const services = value("services");
    if (services === undefined) return { service: value("ecsService")!, queueUrl: value("queueUrl")! };
    const [[service, own]] = Object.entries(JSON.parse(services) as Record<string, { queueUrls: string[] }>);
    return { service: service!, queueUrl: own!.queueUrls[0]! };
}

describe("stacks: one owner per desired count", () => {
    const expected: Record<string, string> = {
        localstack: "ecs-autoscaling-localstack-worker",
        staging: "ecs-autoscaling-staging-jobs",
    };
    for (const stack of stackNames()) {
        it(`Pulumi.${stack}.yaml: the service the queue autoscaler scales has no Application Auto Scaling policy, every other one has its target`, async () => {
            await runProgram(stack);
            const scaled = autoscaled()?.service;
            expect(scaled, "the autoscaler's SERVICE").to.equal(expected[stack]);
            const policies = ofType("aws:appautoscaling/policy:Policy");
            const targets = ofType("aws:appautoscaling/target:Target").filter((t) => t.inputs.serviceNamespace === "ecs");
            const policyOwners = new Set(policies.map((p) => String(p.inputs.resourceId).split("/").pop()));
            expect([...policyOwners], "services with policies").to.not.include(scaled);
            // The autoscaled service is the only one without a policy, besides those that sleep when idle.
            const services = ofType("aws:ecs/service:Service").map((x) => x.inputs.name as string).filter((n) => !n.endsWith("-queue-autoscaler"));
            const sleepers = ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => String(a.inputs.name).endsWith("-asleep")).map((a) => a.inputs.dimensions.Service);
            expect(services.filter((n) => !policyOwners.has(n) && !sleepers.includes(n))).to.deep.equal([scaled]);
            expect(targets.length).to.equal(services.length);
        });
    }

    it("a stack file whose autoscaler scales a service with policies is refused naming the service, nothing registered", async () => {
        let error: Error | undefined;
        try { await runProgram("staging", { autoscaler: { enabled: true, service: "worker" } }); } catch (e) { error = e as Error; }
        expect(error?.message).to.contain("autoscaler.service: \"worker\" is also scaled by Application Auto Scaling through services.worker.policies (cpu, memory, queue-depth)");
        expect(recorded.filter((r) => r.type.startsWith("aws:"))).to.deep.equal([]);
    });

    it("each consumer reads its own queue: the worker gets the work queue, jobs and the autoscaler the jobs queue", async () => {
        await runProgram("staging");
        // Consumers read QUEUE_URL; the autoscaler reads its own prefixed setting.
    const envOf = (family: string, name = "QUEUE_URL") => JSON.parse(ofType("aws:ecs/taskDefinition:TaskDefinition").find((t) => t.inputs.family === family)!.inputs.containerDefinitions)[0].environment
            .find((e: any) => e.name === name)?.value;
        const url = (q: string) => `https://sqs.us-east-1.amazonaws.com/123456789012/ecs-autoscaling-staging-${q}`;
        expect([envOf("ecs-autoscaling-staging-worker"), envOf("ecs-autoscaling-staging-jobs"), autoscaled()?.queueUrl])
            .to.deep.equal([url("work"), url("jobs"), url("jobs")]);
        expect(ofType("aws:sqs/queue:Queue").map((q) => q.inputs.name).sort()).to.deep.equal([
            "ecs-autoscaling-staging-batch", "ecs-autoscaling-staging-batch-dlq",
            "ecs-autoscaling-staging-jobs", "ecs-autoscaling-staging-jobs-dlq", "ecs-autoscaling-staging-work", "ecs-autoscaling-staging-work-dlq",
        ]);
    });
});

describe("stacks: the built-in workloads run the project image", () => {
    it("staging's worker runs the project image with command [worker, run] and its execution role pulls only from the project repository", async () => {
        await runProgram("staging");
        const repos = ofType("aws:ecr/repository:Repository");
        expect(repos.map((r) => r.inputs.name)).to.deep.equal(["ecs-autoscaling-staging-autoscale"]);
        expect(ofType("docker-build:index:Image")).to.have.length(1);
        const containerOf = (family: string) => JSON.parse(ofType("aws:ecs/taskDefinition:TaskDefinition").find((t) => t.inputs.family === family)!.inputs.containerDefinitions)[0];
        const worker = containerOf("ecs-autoscaling-staging-worker");
        const autoscaler = containerOf("ecs-autoscaling-staging-queue-autoscaler");
        expect(worker.image).to.match(/^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/ecs-autoscaling-staging-autoscale@sha256:/);
        expect(worker.image).to.equal(autoscaler.image);
        expect(worker.command).to.deep.equal(["worker", "run"]);
        expect(containerOf("ecs-autoscaling-staging-jobs").command).to.deep.equal(["worker", "run"]);
        expect(containerOf("ecs-autoscaling-staging-gateway").command).to.deep.equal(["gateway", "run"]);
        expect(containerOf("ecs-autoscaling-staging-api").command).to.equal(undefined);
        expect(worker.environment.find((e: any) => e.name === "PROCESSING_MS").value).to.equal("1000");

        const executionPolicy = ofType("aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "worker-fargate-execution-policy")!;
        const pulls = JSON.parse(executionPolicy.inputs.policy).Statement.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith("ecr:")));
        // Layers from the project repository only; GetAuthorizationToken has no resource-level permissions.
        expect(pulls.map((st: any) => [st.Action, st.Resource])).to.deep.equal([
            [["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], repos[0].state.arn],
            ["ecr:GetAuthorizationToken", "*"],
        ]);
    });
});

describe("stacks: staging carries the S-11 figures", () => {
    let outputs: Record<string, any>;
    before(async () => { outputs = await runProgram("staging"); });

    it("registers a scalable target with the configured bounds for each service scaled by Application Auto Scaling, and the jobs consumer's", () => {
        expect(targetsByResource()).to.deep.equal({
            "service/ecs-autoscaling-staging/ecs-autoscaling-staging-api": [2, 10],
            "service/ecs-autoscaling-staging/ecs-autoscaling-staging-worker": [1, 10],
            "service/ecs-autoscaling-staging/ecs-autoscaling-staging-jobs": [0, 10],
            "service/ecs-autoscaling-staging/ecs-autoscaling-staging-batch": [1, 10],
            "service/ecs-autoscaling-staging/ecs-autoscaling-staging-gateway": [1, 4],
            "service/ecs-autoscaling-staging/ecs-autoscaling-staging-preview": [0, 1],
            // Aurora readers (seed 002: 1-5).
            "cluster:ecs-autoscaling-staging-aurora": [1, 5],
        });
    });

    it("gives the worker step policies with exactly the intervals, adjustments and cooldowns of the report", () => {
        const step = (n: string) => ofType("aws:appautoscaling/policy:Policy").find((p) => p.inputs.name === n)!.inputs.stepScalingPolicyConfiguration;
        expect(step("ecs-autoscaling-staging-worker-queue-depth-out")).to.deep.include({ adjustmentType: "ChangeInCapacity", cooldown: 60 });
        expect(step("ecs-autoscaling-staging-worker-queue-depth-out").stepAdjustments).to.deep.equal([
            { metricIntervalLowerBound: "0", metricIntervalUpperBound: "50", scalingAdjustment: 1 },
            { metricIntervalLowerBound: "50", metricIntervalUpperBound: "150", scalingAdjustment: 2 },
            { metricIntervalLowerBound: "150", scalingAdjustment: 3 },
        ]);
        expect(step("ecs-autoscaling-staging-worker-queue-depth-in")).to.deep.include({ adjustmentType: "ChangeInCapacity", cooldown: 300 });
        expect(step("ecs-autoscaling-staging-worker-queue-depth-in").stepAdjustments).to.deep.equal([
            { metricIntervalUpperBound: "0", scalingAdjustment: -1 },
        ]);
    });

    it("wires each queue alarm to its own policy with the report's thresholds", () => {
        const alarm = (n: string) => ofType("aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.name === n || a.name === n)!;
        const policyArn = (n: string) => ofType("aws:appautoscaling/policy:Policy").find((p) => p.inputs.name === n)!.state.arn;
        const out = alarm("ecs-autoscaling-staging-worker-queue-depth-out");
        const inn = alarm("ecs-autoscaling-staging-worker-queue-depth-in");
        expect(out.inputs).to.deep.include({ threshold: 50, comparisonOperator: "GreaterThanOrEqualToThreshold", period: 60, evaluationPeriods: 1 });
        expect(inn.inputs).to.deep.include({ threshold: 10, comparisonOperator: "LessThanOrEqualToThreshold", period: 60, evaluationPeriods: 5, datapointsToAlarm: 5 });
        expect(out.inputs.alarmActions).to.deep.equal([policyArn("ecs-autoscaling-staging-worker-queue-depth-out")]);
        expect(inn.inputs.alarmActions).to.deep.equal([policyArn("ecs-autoscaling-staging-worker-queue-depth-in")]);
    });

    it("puts CPU 70 and memory 80 target tracking with cooldowns 60/300 on all three services", () => {
        const tt = ofType("aws:appautoscaling/policy:Policy").filter((p) => p.inputs.policyType === "TargetTrackingScaling" && p.inputs.serviceNamespace === "ecs"
            && !p.inputs.targetTrackingScalingPolicyConfiguration.customizedMetricSpecification);
        const summary = tt.map((p) => {
            const c = p.inputs.targetTrackingScalingPolicyConfiguration;
            return `${p.inputs.name}:${c.predefinedMetricSpecification?.predefinedMetricType}:${c.targetValue}:${c.scaleOutCooldown}/${c.scaleInCooldown}`;
        }).sort();
        expect(summary).to.deep.equal([
            "ecs-autoscaling-staging-api-alb-requests:ALBRequestCountPerTarget:1000:60/300",
            "ecs-autoscaling-staging-api-cpu:ECSServiceAverageCPUUtilization:70:60/300",
            "ecs-autoscaling-staging-api-memory:ECSServiceAverageMemoryUtilization:80:60/300",
            "ecs-autoscaling-staging-gateway-cpu:ECSServiceAverageCPUUtilization:70:60/300",
            "ecs-autoscaling-staging-gateway-memory:ECSServiceAverageMemoryUtilization:80:60/300",
            "ecs-autoscaling-staging-worker-cpu:ECSServiceAverageCPUUtilization:70:60/300",
            "ecs-autoscaling-staging-worker-memory:ECSServiceAverageMemoryUtilization:80:60/300",
        ]);
    });

    it("uses a capacity strategy that includes FARGATE_SPOT", () => {
        const cps = ofType("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")[0].inputs;
        expect(cps.defaultCapacityProviderStrategies).to.deep.equal([
            { capacityProvider: "FARGATE", base: 1, weight: 1 },
            { capacityProvider: "FARGATE_SPOT", base: 0, weight: 3 },
        ]);
    });

    it("exports the scaling plans and no custom series while customMetricTest is off", () => {
        expect(outputs.customMetricSeries).to.equal(undefined);
        expect(Object.keys(outputs.scalingPlans)).to.deep.equal(["api", "worker", "jobs", "batch", "gateway", "preview"]);
        expect(ofType("aws:appautoscaling/policy:Policy").some((p) => String(p.inputs.name).endsWith("synthetic-load"))).to.equal(false);
    });
});

describe("stacks: editing the stack config changes the graph", () => {
    it("worker maxCapacity 7 and a +4 top step reach the target and the policy", async () => {
        const services = JSON.parse(stackConfig("staging")["ecs-autoscaling:services"]);
        services.worker.maxCapacity = 7;
        services.worker.policies[2].scaleOut.steps[2].change = 4;
        await runProgram("staging", { services });
        expect(targetsByResource()["service/ecs-autoscaling-staging/ecs-autoscaling-staging-worker"]).to.deep.equal([1, 7]);
        const out = ofType("aws:appautoscaling/policy:Policy").find((p) => p.inputs.name === "ecs-autoscaling-staging-worker-queue-depth-out")!;
        expect(out.inputs.stepScalingPolicyConfiguration.stepAdjustments[2]).to.deep.equal({ metricIntervalLowerBound: "150", scalingAdjustment: 4 });
    });

    it("customMetricTest on: bounds 2/4, and the watched series is the exported series", async () => {
        const outputs = await runProgram("staging", { customMetricTest: { enabled: true, service: "api" } });
        expect(targetsByResource()["service/ecs-autoscaling-staging/ecs-autoscaling-staging-api"]).to.deep.equal([2, 4]);
        const policy = ofType("aws:appautoscaling/policy:Policy").find((p) => p.inputs.name === "ecs-autoscaling-staging-api-synthetic-load")!;
        const spec = policy.inputs.targetTrackingScalingPolicyConfiguration;
        expect(spec.targetValue).to.equal(100);
        expect(spec.customizedMetricSpecification).to.deep.include({
            namespace: outputs.customMetricSeries.namespace,
            metricName: outputs.customMetricSeries.metricName,
            statistic: outputs.customMetricSeries.statistic,
        });
        expect(spec.customizedMetricSpecification.dimensions).to.deep.equal(dimensionList(outputs.customMetricSeries));
        expect(outputs.customMetricSeries.dimensions).to.deep.equal({ TestId: "staging", Cluster: "ecs-autoscaling-staging", Service: "ecs-autoscaling-staging-api" });
        // Stack outputs come back serialised; object identity of policy and output is asserted in tests/config/load.test.ts.
        expect(outputs.customMetricSeries).to.deep.equal(outputs.scalingPlans.api.policies.find((p: any) => p.name === "synthetic-load").metric.series);
    });

    it("customMetricTest off again: the service's own bounds and no synthetic policy", async () => {
        await runProgram("staging", { customMetricTest: { enabled: false, service: "api" } });
        expect(targetsByResource()["service/ecs-autoscaling-staging/ecs-autoscaling-staging-api"]).to.deep.equal([2, 10]);
        expect(ofType("aws:appautoscaling/policy:Policy").some((p) => String(p.inputs.name).endsWith("synthetic-load"))).to.equal(false);
    });

    it("paidTierResources false leaves out ECS, Application Auto Scaling and ELBv2 but keeps the free-tier resources", async () => {
        await runProgram("localstack", { paidTierResources: "false", autoscaler: { enabled: false } });
        const types = new Set(recorded.map((r) => r.type));
        for (const t of types) expect(t, "paid-tier resource registered").to.not.match(/^aws:(ecs|appautoscaling|lb|rds|ecr)\//);
        for (const t of ["aws:sqs/queue:Queue", "aws:sns/topic:Topic", "aws:cloudwatch/dashboard:Dashboard", "aws:cloudwatch/metricAlarm:MetricAlarm"]) {
            expect(types.has(t), t).to.equal(true);
        }
    });

    it("paidTierResources false: the dashboard and the outputs describe only what was created", async () => {
        const outputs = await runProgram("localstack", { paidTierResources: "false", autoscaler: { enabled: false } });
        const body = JSON.parse(ofType("aws:cloudwatch/dashboard:Dashboard")[0].inputs.dashboardBody);
        expect(body.widgets.map((w: any) => w.properties.title)).to.deep.equal(["ecs-autoscaling-localstack-work: visible messages"]);
        expect([outputs.clusterName, outputs.serviceNames, outputs.scalingPlans]).to.deep.equal([undefined, undefined, {}]);
        expect(Object.keys(outputs.queueUrls)).to.deep.equal(["work"]);
    });
});

describe("stacks: bad config fails before any resource is registered", () => {
    it("names the key and registers nothing", async () => {
        const services = JSON.parse(stackConfig("staging")["ecs-autoscaling:services"]);
        services.worker.minCapacity = 5;
        services.worker.maxCapacity = 3;
        let error: Error | undefined;
        try { await runProgram("staging", { services }); } catch (e) { error = e as Error; }
        expect(error?.message).to.contain("services.worker.minCapacity: 5 must be <= services.worker.maxCapacity (3)");
        expect(recorded.filter((r) => r.type.startsWith("aws:"))).to.deep.equal([]);
    });

    it("more availability zones than the region has: refused before any resource, naming the key", async () => {
        // The mocked region has 3 zones; staging builds a VPC of its own.
        let error: Error | undefined;
        try { await runProgram("staging", { network: { mode: "vpc", availabilityZones: 4 } }); } catch (e) { error = e as Error; }
        expect(error?.message).to.contain("network.availabilityZones: 4 exceeds the 3 availability zones of the stack's region (us-east-1a, us-east-1b, us-east-1c)");
        expect(recorded.filter((r) => r.type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
    });
});
