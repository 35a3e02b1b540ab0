/**
 * ScalableService under Pulumi mocks from an edited staging stack file: each config edit reaches the
 * registered inputs (bounds, thresholds, capacity strategy, image, environment, the custom-metric test).
 */
import { expect } from "chai";
import { dimensionList } from "../../scaling/metric-series";
import { describeStepPolicy } from "../../components/scalable-service";
import { ACCOUNT, named } from "../helpers/pulumi-mocks";
import { CLUSTER, T, buildStagingServices, stagingServices, stepPolicy } from "../helpers/scalable-service";
import type { StackConfig } from "../../config/load";

describe("ScalableService: config edits reach the registered inputs", () => {
    let config: StackConfig;

    before(async () => {
        const services = stagingServices();
        services.worker.maxCapacity = 7;
        services.worker.policies[2].scaleOut.steps[0].lower = 40;
        services.worker.policies[2].scaleOut.evaluationPeriods = 3;
        services.worker.policies[2].scaleOut.datapointsToAlarm = 2;
        services.gateway.capacityStrategy = [{ provider: "FARGATE_SPOT", weight: 1 }];
        delete services.gateway.workload;
        services.gateway.image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/gateway:2.1.0";
        services.gateway.environment = { ZONE: "b", SHARDS_PER_TASK: "50", ALPHA: "1" };
        ({ config } = await buildStagingServices({ services, customMetricTest: { enabled: true, service: "api" } }));
    });

    it("worker maxCapacity 7 and a scale-out threshold of 40 shift the target, the alarm and the relative steps", () => {
        expect(named(T.target, "worker-scaling-target").inputs.maxCapacity).to.equal(7);
        const a = named(T.alarm, "worker-scaling-queue-depth-out-alarm").inputs;
        expect([a.threshold, a.evaluationPeriods, a.datapointsToAlarm]).to.deep.equal([40, 3, 2]);
        expect(named(T.policy, "worker-scaling-queue-depth-out").inputs.stepScalingPolicyConfiguration.stepAdjustments).to.deep.equal([
            { metricIntervalLowerBound: "0", metricIntervalUpperBound: "60", scalingAdjustment: 1 },
            { metricIntervalLowerBound: "60", metricIntervalUpperBound: "160", scalingAdjustment: 2 },
            { metricIntervalLowerBound: "160", scalingAdjustment: 3 },
        ]);
        expect(a.alarmDescription).to.equal(describeStepPolicy("ecs-autoscaling-staging-worker", stepPolicy(config, "worker", "queue-depth", "out")));
        expect(a.alarmDescription).to.contain(">= 40 for 2 of 3 periods of 60 s. Steps: 40 to under 100: add 1 task;");
    });

    it("a service's own capacity strategy overrides the cluster's", () => {
        expect(named(T.service, "gateway-fargate-service").inputs.capacityProviderStrategies).to.deep.equal([
            { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
        ]);
    });

    it("a private ECR image lets the execution role pull from that repository only", () => {
        const doc = JSON.parse(named(T.rolePolicy, "gateway-fargate-execution-policy").inputs.policy);
        expect(doc.Statement.slice(1)).to.deep.equal([
            {
                Sid: "PullOwnImage",
                Effect: "Allow",
                Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team/gateway`,
            },
            { Sid: "GetRegistryToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } },
        ]);
    });

    it("sorts the container environment by name", () => {
        const [container] = JSON.parse(named(T.taskDefinition, "gateway-fargate-task-definition").inputs.containerDefinitions);
        expect(container.environment).to.deep.equal([
            { name: "ALPHA", value: "1" },
            { name: "SHARDS_PER_TASK", value: "50" },
            { name: "ZONE", value: "b" },
        ]);
    });

    it("customMetricTest puts the synthetic-load policy on api, watching exactly the published dimensions", () => {
        const t = named(T.target, "api-scaling-target").inputs;
        expect([t.minCapacity, t.maxCapacity]).to.deep.equal([2, 4]);
        const plan = config.services.api.plan.policies.find((p) => p.name === "synthetic-load");
        if (!plan || plan.kind !== "targetTracking" || plan.metric.type !== "custom") throw new Error("no synthetic-load policy in the plan");
        const p = named(T.policy, "api-scaling-synthetic-load").inputs;
        expect(p.name).to.equal("ecs-autoscaling-staging-api-synthetic-load");
        expect(p.targetTrackingScalingPolicyConfiguration).to.deep.equal({
            targetValue: 100,
            scaleOutCooldown: 60,
            scaleInCooldown: 60,
            disableScaleIn: false,
            customizedMetricSpecification: {
                namespace: "Test/Autoscaling",
                metricName: "SyntheticLoad",
                statistic: "Average",
                dimensions: dimensionList(plan.metric.series),
            },
        });
        expect(p.targetTrackingScalingPolicyConfiguration.customizedMetricSpecification.dimensions).to.deep.equal([
            { name: "TestId", value: "staging" },
            { name: "Cluster", value: CLUSTER },
            { name: "Service", value: "ecs-autoscaling-staging-api" },
        ]);
    });
});
