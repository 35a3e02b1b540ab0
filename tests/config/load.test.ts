import { expect } from "chai";
import { loadStackConfig } from "../../config/load";
import { scalars } from "../../config/scalars";
import { projectFile, rawProjectConfig, stackNames } from "../helpers/stack-files";
import { problemsOf } from "../helpers/config-problems";

const ctx = { project: "ecs-autoscaling", stack: "staging" };

function staging(): any {
    return JSON.parse(rawProjectConfig("staging").services);
}

function withWorker(change: (w: any) => void): Record<string, unknown> {
    const services = staging();
    change(services.worker);
    return { services };
}

function withStep(change: (p: any) => void): Record<string, unknown> {
    return withWorker((w) => change(w.policies.find((p: any) => p.kind === "stepScaling")));
}

describe("config: staging stack values", () => {
    const config = loadStackConfig(rawProjectConfig("staging"), ctx);

    it("carries the S-11 bounds for api, worker and gateway, and the worker's for the jobs and batch consumers", () => {
        expect(Object.fromEntries(Object.values(config.services).map((s) => [s.key, [s.plan.minCapacity, s.plan.maxCapacity]])))
            .to.deep.equal({ api: [2, 10], worker: [1, 10], jobs: [0, 10], batch: [1, 10], gateway: [1, 4], preview: [0, 1] });
    });

    it("gives one owner to each desired count: the queue autoscaler scales jobs (no policy), Application Auto Scaling the rest", () => {
        expect(Object.fromEntries(Object.values(config.services).map((s) => [s.key, [s.scaledBy, s.consumesQueue ?? null, s.plan.policies.length]])))
            .to.deep.equal({
                api: ["applicationAutoScaling", null, 3], worker: ["applicationAutoScaling", "work", 4], jobs: ["queueAutoscaler", "jobs", 0],
                batch: ["applicationAutoScaling", "batch", 1], gateway: ["applicationAutoScaling", null, 3], preview: ["applicationAutoScaling", null, 0],
            });
    });

    it("gives every service scaled by Application Auto Scaling CPU 70 % and memory 80 % target tracking with cooldowns 60/300", () => {
        // The preview service (0..1 tasks) sleeps and wakes on requests instead; batch scales on its backlog per task.
        for (const s of Object.values(config.services).filter((x) => x.scaledBy === "applicationAutoScaling" && !x.scaleToZero && x.key !== "batch")) {
            const tt = s.plan.policies.filter((p) => p.kind === "targetTracking") as any[];
            const byType = Object.fromEntries(tt.map((p) => [p.metric.predefinedMetricType, [p.targetValue, p.cooldowns.scaleOut, p.cooldowns.scaleIn]]));
            expect(byType.ECSServiceAverageCPUUtilization, s.key).to.deep.equal([70, 60, 300]);
            expect(byType.ECSServiceAverageMemoryUtilization, s.key).to.deep.equal([80, 60, 300]);
        }
    });

    it("builds the worker's queue steps: 50/100/200 -> +1/+2/+3 and below 10 for 5 periods -> -1", () => {
        const steps = config.services.worker.plan.policies.filter((p) => p.kind === "step") as any[];
        const out = steps.find((p) => p.direction === "out");
        const inn = steps.find((p) => p.direction === "in");
        expect(out.steps).to.deep.equal([{ lower: 50, upper: 100, change: 1 }, { lower: 100, upper: 200, change: 2 }, { lower: 200, change: 3 }]);
        expect(out.alarm).to.deep.equal({ threshold: 50, comparisonOperator: "GreaterThanOrEqualToThreshold", period: 60, evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: "notBreaching" });
        expect(out.cooldown).to.equal(60);
        expect(inn.steps).to.deep.equal([{ upper: 10, change: -1 }]);
        expect(inn.alarm).to.deep.equal({ threshold: 10, comparisonOperator: "LessThanOrEqualToThreshold", period: 60, evaluationPeriods: 5, datapointsToAlarm: 5, treatMissingData: "breaching" });
        expect(inn.cooldown).to.equal(300);
        expect(out.series).to.deep.equal({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: "ecs-autoscaling-staging-work" }, statistic: "Maximum" });
    });

    it("passes SHARDS_PER_TASK=25 to the gateway and includes FARGATE_SPOT in the strategy", () => {
        expect(config.services.gateway.environment).to.deep.equal({ SHARDS_PER_TASK: "25" });
        expect(config.capacityStrategy).to.deep.equal([{ provider: "FARGATE", base: 1, weight: 1 }, { provider: "FARGATE_SPOT", base: 0, weight: 3 }]);
    });

    it("gives the autoscaler the bounds and the queue of the service it scales (jobs)", () => {
        expect([config.autoscaler.service, config.autoscaler.queue, config.autoscaler.minCapacity, config.autoscaler.maxCapacity]).to.deep.equal(["jobs", "jobs", 0, 10]);
        const services = staging();
        services.jobs.maxCapacity = 7;
        const edited = loadStackConfig(rawProjectConfig("staging", { services }), ctx);
        expect(edited.autoscaler.maxCapacity).to.equal(7);
    });
});

describe("config: customMetricTest", () => {
    it("is off by default: no synthetic policy and the service keeps its own bounds", () => {
        const c = loadStackConfig(rawProjectConfig("staging"), ctx);
        expect(c.customMetricTest.series).to.equal(undefined);
        expect(c.services.api.plan.policies.map((p) => p.name)).to.deep.equal(["cpu", "memory", "alb-requests"]);
    });

    it("one key turns it on: bounds 2/4 and a SyntheticLoad policy at target 100 on the chosen service", () => {
        const c = loadStackConfig(rawProjectConfig("staging", { customMetricTest: { enabled: true, service: "gateway" } }), ctx);
        expect([c.services.gateway.plan.minCapacity, c.services.gateway.plan.maxCapacity]).to.deep.equal([2, 4]);
        const policy = c.services.gateway.plan.policies.find((p) => p.name === "synthetic-load") as any;
        expect(policy.targetValue).to.equal(100);
        expect(policy.metric.series).to.deep.equal({
            namespace: "Test/Autoscaling", metricName: "SyntheticLoad", statistic: "Average",
            dimensions: { TestId: "staging", Cluster: "ecs-autoscaling-staging", Service: "ecs-autoscaling-staging-gateway" },
        });
        // The output publishing tools read is the very object the policy watches.
        expect(c.customMetricTest.series).to.equal(policy.metric.series);
        expect(Object.isFrozen(policy.metric.series)).to.equal(true);
        // Other services are untouched.
        expect([c.services.api.plan.minCapacity, c.services.api.plan.maxCapacity]).to.deep.equal([2, 10]);
    });
});

describe("config: Pulumi.yaml declares the scalar keys with the schema's defaults", () => {
    const declared = projectFile().config;
    for (const [key, schema] of Object.entries(scalars)) {
        it(`${key}`, () => {
            expect(declared[key], `Pulumi.yaml lacks ${key}`).to.not.equal(undefined);
            expect(declared[key].default).to.deep.equal(schema.parse(undefined));
            expect(declared[key].description).to.be.a("string").and.not.equal("");
        });
    }
});

describe("config: every stack file is valid", () => {
    for (const stack of stackNames()) {
        it(`Pulumi.${stack}.yaml`, () => {
            expect(() => loadStackConfig(rawProjectConfig(stack), { project: "ecs-autoscaling", stack })).to.not.throw();
        });
    }
});

describe("config: bad values fail with the key, the value and the rule", () => {
    const table: [string, Record<string, unknown>, string][] = [
        ["min > max", withWorker((w) => { w.minCapacity = 5; w.maxCapacity = 3; }),
            "services.worker.minCapacity: 5 must be <= services.worker.maxCapacity (3)"],
        ["negative min", withWorker((w) => { w.minCapacity = -1; }),
            "services.worker.minCapacity: -1 must be a whole number >= 0"],
        ["zero target", withWorker((w) => { w.policies[0].target = 0; }),
            "services.worker.policies[0].target: 0 must be > 0"],
        ["negative target", withWorker((w) => { w.policies[1].target = -5; }),
            "services.worker.policies[1].target: -5 must be > 0"],
        ["percentage over 100", withWorker((w) => { w.policies[0].target = 150; }),
            "services.worker.policies[0].target: 150 must be <= 100 (it is a percentage)"],
        ["unsorted steps", withStep((p) => { p.scaleOut.steps = [{ lower: 100, upper: 200, change: 2 }, { lower: 50, upper: 100, change: 1 }, { lower: 200, change: 3 }]; }),
            "services.worker.policies[2].scaleOut.steps[1]: lower (50) overlaps steps[0] (upper 200); intervals must be sorted ascending without overlap"],
        ["overlapping steps", withStep((p) => { p.scaleOut.steps[1].lower = 90; }),
            "services.worker.policies[2].scaleOut.steps[1]: lower (90) overlaps steps[0] (upper 100); intervals must be sorted ascending without overlap"],
        ["gap between steps", withStep((p) => { p.scaleOut.steps[1].lower = 120; }),
            "services.worker.policies[2].scaleOut.steps[1]: lower (120) leaves a gap after steps[0] (upper 100)"],
        ["step without adjustment", withStep((p) => { delete p.scaleOut.steps[0].change; }),
            "services.worker.policies[2].scaleOut.steps[0].change: (missing) every step needs a change (tasks to add or remove)"],
        ["step with zero adjustment", withStep((p) => { p.scaleIn.steps[0].change = 0; }),
            "services.worker.policies[2].scaleIn.steps[0].change: 0 must be a non-zero whole number within AWS's 32-bit integer range (ScalingAdjustment, -2147483648 to 2147483647)"],
        ["scale-out step that removes", withStep((p) => { p.scaleOut.steps[0].change = -1; }),
            "services.worker.policies[2].scaleOut.steps[0].change: -1 must be positive in a scale-out list"],
        ["negative cooldown", withWorker((w) => { w.scaleInCooldown = -1; }),
            "services.worker.scaleInCooldown: -1 must be >= 0 seconds"],
        ["negative step cooldown", withStep((p) => { p.scaleOut.cooldown = -30; }),
            "services.worker.policies[2].scaleOut.cooldown: -30 must be >= 0 seconds"],
        ["unknown policy kind", withWorker((w) => { w.policies.push({ kind: "forecast", target: 5 }); }),
            "services.worker.policies[3].kind: \"forecast\" unknown policy kind; expected one of cpu, memory, albRequestsPerTarget, customMetric, stepScaling, backlogPerTask, predictive"],
        ["typo in a service key", withWorker((w) => { w.maxCapcity = 4; }),
            "services.worker.maxCapcity: unknown key (value 4); check the spelling"],
        ["typo in a policy key", withWorker((w) => { w.policies[0].traget = 4; }),
            "services.worker.policies[0].traget: unknown key (value 4); check the spelling"],
        ["unknown top-level key", { scaling: { min: 1 } },
            "scaling: unknown config key (value \"{\\\"min\\\":1}\"); known keys are namePrefix, logRetentionDays, alertEmail, paidTierResources, containerInsights, alertsKmsKeyArn, network, capacityStrategy, loadBalancer, queues, services, customMetricTest, autoscaler, aurora"],
        ["custom metric without dimensions", withWorker((w) => { w.policies.push({ kind: "customMetric", name: "backlog", namespace: "App", metricName: "Backlog", dimensions: {}, target: 10 }); }),
            "services.worker.policies[3].dimensions: {} must name at least one dimension; a custom-metric policy must watch one series, with exactly the dimensions it is published with"],
        ["FARGATE_SPOT weights sum to 0", { capacityStrategy: [{ provider: "FARGATE", weight: 0 }, { provider: "FARGATE_SPOT", weight: 0 }] },
            "capacityStrategy: [{\"provider\":\"FARGATE\",\"weight\":0},{\"provider\":\"FARGATE_SPOT\",\"weight\":0}] weights sum to 0 (FARGATE=0, FARGATE_SPOT=0); at least one weight must be > 0 or no task beyond base can be placed"],
        ["two providers with base", { capacityStrategy: [{ provider: "FARGATE", base: 1, weight: 1 }, { provider: "FARGATE_SPOT", base: 1, weight: 1 }] },
            "capacityStrategy: [{\"provider\":\"FARGATE\",\"base\":1,\"weight\":1},{\"provider\":\"FARGATE_SPOT\",\"base\":1,\"weight\":1}] only one provider may set base > 0 (ECS rule)"],
        ["ALB policy without a load balancer", withWorker((w) => { w.policies.push({ kind: "albRequestsPerTarget", target: 100 }); }),
            "services.worker.policies[3].kind: albRequestsPerTarget needs services.worker.loadBalancer (the policy's resource label is built from the target group)"],
        ["memory not allowed with cpu", withWorker((w) => { w.memory = 4096; }),
            "services.worker.memory: 4096 MiB is not allowed with cpu 256; expected one of 512, 1024, 2048"],
        ["log retention CloudWatch does not accept", { logRetentionDays: 13 },
            "logRetentionDays: 13 must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"],
        ["customMetricTest on an unknown service", { customMetricTest: { enabled: true, service: "billing" } },
            "customMetricTest.service: \"billing\" is not a configured service; expected one of api, worker, jobs, batch, gateway, preview"],
        ["autoscaler thresholds inverted", { autoscaler: { enabled: true, service: "worker", scaleUpThreshold: 5, scaleDownThreshold: 5 } },
            "autoscaler.scaleDownThreshold: 5 scaleDownThreshold (5) must be < scaleUpThreshold (5)"],
        ["failure simulation enabled but not allowed", { autoscaler: { enabled: true, failureSimulation: { stopTask: { enabled: true } } } },
            "autoscaler.failureSimulation.stopTask.enabled: true stopTask is enabled but failureSimulation.allowed is false; the stack must allow failure simulation first"],
        ["unknown network mode", { network: { mode: "peered" } },
            "network.mode: \"peered\" unknown network mode; expected one of default, subnets, vpc"],
        ["invalid JSON", { services: "{not json" },
            "services: value \"{not json\" is not valid JSON"],
        ["the autoscaler on a service with scaling policies (two owners of one desired count)", { autoscaler: { enabled: true, service: "worker" } },
            "autoscaler.service: \"worker\" is also scaled by Application Auto Scaling through services.worker.policies (cpu, memory, queue-depth); " +
            "a service's desired count has one owner: scale it with its policies or with the queue autoscaler (autoscaler.enabled), not both"],
        ["the autoscaler on the customMetricTest service", { customMetricTest: { enabled: true, service: "jobs" } },
            "autoscaler.service: \"jobs\" is also scaled by Application Auto Scaling through customMetricTest.service (\"jobs\", the synthetic-load policy); " +
            "a service's desired count has one owner: scale it with its policies or with the queue autoscaler (autoscaler.enabled), not both"],
        ["the single-queue key of earlier versions", { queue: { maxReceiveCount: 3 } },
            "queue: value \"{\\\"maxReceiveCount\\\":3}\" uses the single-queue key, which was replaced by queues (a map of named queues); move this value under queues.work and name that key in each consumer's consumesQueue"],
        ["consumesQueue: true (the single-queue form)", withWorker((w) => { w.consumesQueue = true; }),
            "services.worker.consumesQueue: true must name one of the stack's queues (a key under queues); true/false was the single-queue form"],
        ["consumesQueue naming no queue", withWorker((w) => { w.consumesQueue = "orders"; }),
            "services.worker.consumesQueue: \"orders\" is not one of the stack's queues; expected one of work, jobs, batch"],
        ["a step metric on an unknown queue", withStep((p) => { p.metric = { source: "sqs", queue: "orders" }; }),
            "services.worker.policies[2].metric.queue: \"orders\" is not one of the stack's queues; expected one of work, jobs, batch"],
        ["both image and workload", withWorker((w) => { w.image = "public.ecr.aws/nginx/nginx:1.27"; }),
            "services.worker.workload: \"worker\" and services.worker.image: \"public.ecr.aws/nginx/nginx:1.27\" are both set; set exactly one of image or workload"],
        ["neither image nor workload", withWorker((w) => { delete w.workload; }),
            "services.worker.image: (missing) set exactly one of image (a container image) or workload (worker or gateway, a built-in workload of this repository's image)"],
        ["an unknown built-in workload", withWorker((w) => { w.workload = "cron"; }),
            "services.worker.workload: \"cron\" must be one of worker, gateway (a built-in workload of this repository's image)"],
        ["workload worker without consumesQueue", withWorker((w) => { delete w.consumesQueue; }),
            "services.worker.workload: \"worker\" requires services.worker.consumesQueue: the worker consumes the queue whose URL it gets as QUEUE_URL"],
        ["two services with one listener rule priority", (() => { const services = staging(); services.preview.loadBalancer.priority = 100; return { services }; })(),
            "services.preview.loadBalancer.priority: 100 is already used by services.api; listener rule priorities must be unique"],
    ];

    for (const [title, overrides, message] of table) {
        it(title, () => {
            expect(problemsOf(overrides)).to.include(message);
        });
    }

    it("says a value of the wrong type breaks the rule, in the rule's words, not the library's", () => {
        expect(problemsOf(withWorker((w) => { w.maxCapacity = "three"; }))).to.deep.equal(['services.worker.maxCapacity: "three" must be a number, written without quotes (e.g. 3)']);
        expect(problemsOf(withWorker((w) => { delete w.maxCapacity; }))).to.deep.equal(["services.worker.maxCapacity: (missing) is required"]);
        expect(problemsOf(withWorker((w) => { w.policies = "none"; }))).to.deep.equal(['services.worker.policies: "none" must be a list']);
    });

    it("reports every problem at once, in one ConfigError", () => {
        const problems = problemsOf({ ...withWorker((w) => { w.policies[0].target = 0; w.policies[1].target = 101; }), logRetentionDays: 2 });
        expect(problems).to.have.length(3);
    });
});
