/**
 * The dashboard body built from the staging stack's scaling plans (pure), and the Dashboard resource
 * the component registers with it (under Pulumi mocks).
 */
import { expect } from "chai";
import * as aws from "@pulumi/aws";
import { AutoscalingDashboard } from "../../components/autoscaling-dashboard";
import {
    DashboardBody, MetricWidget, SCALE_IN_COLOR, SCALE_OUT_COLOR, dashboardBody,
} from "../../components/dashboard-body";
import { StackConfig, loadStackConfig } from "../../config/load";
import { REGION, allRegistered, ofType, promiseOf, recorded, setupMocks } from "../helpers/pulumi-mocks";
import { rawProjectConfig, stackFileConfig } from "../helpers/stack-files";

const CLUSTER = "ecs-autoscaling-staging";
const QUEUE = "ecs-autoscaling-staging-work";
const JOBS_QUEUE = "ecs-autoscaling-staging-jobs";
const BATCH_QUEUE = "ecs-autoscaling-staging-batch";

function stackConfig(stack: string, overrides: Record<string, unknown> = {}): StackConfig {
    return loadStackConfig(rawProjectConfig(stack, overrides), { project: "ecs-autoscaling", stack });
}

/** The staging `services` value, deep-copied so a test can edit it and pass it back as an override. */
function stagingServices(): any {
    return JSON.parse(JSON.stringify(stackFileConfig("staging")["ecs-autoscaling:services"]));
}

function queuesOf(config: StackConfig): Record<string, string> {
    return Object.fromEntries(Object.values(config.queues).map((q) => [q.key, q.name]));
}

function bodyOf(config: StackConfig): DashboardBody {
    return dashboardBody({ region: REGION, clusterName: config.names.cluster, services: Object.values(config.services), queues: queuesOf(config) });
}

function widget(body: DashboardBody, title: string): MetricWidget {
    const found = body.widgets.find((w) => w.properties.title === title);
    if (!found) throw new Error(`no widget "${title}"; have: ${body.widgets.map((w) => w.properties.title).join(" | ")}`);
    return found;
}

const serviceDims = (key: string) => ["ClusterName", CLUSTER, "ServiceName", `${CLUSTER}-${key}`];

describe("dashboardBody: the staging stack", () => {
    let body: DashboardBody;
    before(() => { body = bodyOf(stackConfig("staging")); });

    it("has the cluster widget, the three queue consumers side by side, three widgets per service, the worker's step and batch's backlog widget, in that order", () => {
        expect(body.widgets.map((w) => w.properties.title)).to.deep.equal([
            `${CLUSTER}: reserved CPU and memory`,
            `worker (Application Auto Scaling): ${QUEUE} messages vs tasks`,
            `jobs (queue autoscaler): ${JOBS_QUEUE} messages vs tasks`,
            `batch (Application Auto Scaling): ${BATCH_QUEUE} messages vs tasks`,
            "queue autoscaler (jobs): work and tasks", "queue autoscaler (jobs): actions and failed ticks",
            "api: running vs desired tasks", "api: CPU utilization", "api: memory utilization",
            "worker: running vs desired tasks", "worker: CPU utilization", "worker: memory utilization",
            "worker: ApproximateNumberOfMessagesVisible (step scaling queue-depth)",
            "jobs: running vs desired tasks", "jobs: CPU utilization", "jobs: memory utilization",
            "batch: running vs desired tasks", "batch: CPU utilization", "batch: memory utilization", "batch: backlog per task (backlog)",
            "gateway: running vs desired tasks", "gateway: CPU utilization", "gateway: memory utilization",
            "preview: running vs desired tasks", "preview: CPU utilization", "preview: memory utilization",
        ]);
    });

    it("draws each queue consumer's queue against its running and desired tasks, one third of a row each, titled with its owner", () => {
        const worker = widget(body, `worker (Application Auto Scaling): ${QUEUE} messages vs tasks`);
        const jobs = widget(body, `jobs (queue autoscaler): ${JOBS_QUEUE} messages vs tasks`);
        const batch = widget(body, `batch (Application Auto Scaling): ${BATCH_QUEUE} messages vs tasks`);
        expect([worker.x, worker.y, worker.width, jobs.x, jobs.y, jobs.width, batch.x, batch.y, batch.width]).to.deep.equal([0, 6, 8, 8, 6, 8, 16, 6, 8]);
        expect(jobs.properties.metrics).to.deep.equal([
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", JOBS_QUEUE, { stat: "Maximum", label: "visible messages" }],
            ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", JOBS_QUEUE, { stat: "Maximum", label: "in-flight messages" }],
            ["ECS/ContainerInsights", "RunningTaskCount", ...serviceDims("jobs"), { stat: "Average", label: "running tasks", yAxis: "right" }],
            ["ECS/ContainerInsights", "DesiredTaskCount", ...serviceDims("jobs"), { stat: "Average", label: "desired tasks", yAxis: "right" }],
        ]);
        expect(jobs.properties.yAxis).to.deep.equal({ left: { min: 0 }, right: { min: 0, max: 10 } });
        expect(worker.properties.metrics[0]).to.deep.equal(["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", QUEUE, { stat: "Maximum", label: "visible messages" }]);
    });

    for (const key of ["api", "worker", "jobs", "gateway"]) {
        it(`${key}: running vs desired task counts from Container Insights, with the service's bounds`, () => {
            const bounds = { api: [2, 10], worker: [1, 10], jobs: [0, 10], gateway: [1, 4] }[key]!;
            expect(widget(body, `${key}: running vs desired tasks`).properties).to.deep.include({
                metrics: [
                    ["ECS/ContainerInsights", "RunningTaskCount", ...serviceDims(key), { stat: "Average", label: "running" }],
                    ["ECS/ContainerInsights", "DesiredTaskCount", ...serviceDims(key), { stat: "Average", label: "desired" }],
                ],
                annotations: { horizontal: [{ label: "min capacity", value: bounds[0] }, { label: "max capacity", value: bounds[1] }] },
            });
        });

        // jobs is scaled by the queue autoscaler: no target-tracking policy, so no target line.
        const targets = key === "jobs" ? undefined : { cpu: { horizontal: [{ label: "CPU target", value: 70 }] }, memory: { horizontal: [{ label: "Memory target", value: 80 }] } };
        it(`${key}: CPU${targets ? " with the 70 % target drawn" : ", no target"}`, () => {
            const p = widget(body, `${key}: CPU utilization`).properties;
            expect(p.metrics).to.deep.equal([["AWS/ECS", "CPUUtilization", ...serviceDims(key), { stat: "Average", label: "CPU %" }]]);
            expect(p.annotations).to.deep.equal(targets?.cpu);
        });

        it(`${key}: memory${targets ? " with the 80 % target drawn" : ", no target"}`, () => {
            const p = widget(body, `${key}: memory utilization`).properties;
            expect(p.metrics).to.deep.equal([["AWS/ECS", "MemoryUtilization", ...serviceDims(key), { stat: "Average", label: "memory %" }]]);
            expect(p.annotations).to.deep.equal(targets?.memory);
        });
    }

    it("worker: the queue depth its step policies watch, with every step bound and both alarm thresholds", () => {
        const p = widget(body, "worker: ApproximateNumberOfMessagesVisible (step scaling queue-depth)").properties;
        expect(p.metrics).to.deep.equal([
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", QUEUE, { stat: "Maximum", period: 60, label: "ApproximateNumberOfMessagesVisible" }],
        ]);
        expect(p.annotations).to.deep.equal({
            horizontal: [
                { label: "scale out +1 (>= 50)", value: 50, color: SCALE_OUT_COLOR },
                { label: "scale out +2 (>= 100)", value: 100, color: SCALE_OUT_COLOR },
                { label: "scale out +3 (>= 200)", value: 200, color: SCALE_OUT_COLOR },
                { label: "scale in -1 (<= 10)", value: 10, color: SCALE_IN_COLOR },
            ],
        });
    });

    it("batch: its policy's metric math, m1 and m2 hidden and e1 = m1 / m2 drawn, against the target of 60 messages per task", () => {
        const p = widget(body, "batch: backlog per task (backlog)").properties;
        expect(p.metrics).to.deep.equal([
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", BATCH_QUEUE, { stat: "Sum", id: "m1", visible: false }],
            ["ECS/ContainerInsights", "RunningTaskCount", ...serviceDims("batch"), { stat: "Average", id: "m2", visible: false }],
            [{ expression: "m1 / m2", id: "e1", label: "messages per running task" }],
        ]);
        expect(p.annotations).to.deep.equal({ horizontal: [{ label: "backlog target", value: 60 }] });
    });

    it("draws the queue autoscaler's own figures (embedded metric format, namespace ECSAutoscaling, dimension Service) for the service it scales", () => {
        const service = `${CLUSTER}-jobs`;
        expect(widget(body, "queue autoscaler (jobs): work and tasks").properties.metrics).to.deep.equal([
            ["ECSAutoscaling", "QueueVisible", "Service", service, { stat: "Maximum", label: "visible messages" }],
            ["ECSAutoscaling", "QueueInFlight", "Service", service, { stat: "Maximum", label: "in-flight messages" }],
            ["ECSAutoscaling", "RunningTasks", "Service", service, { stat: "Maximum", label: "running tasks", yAxis: "right" }],
            ["ECSAutoscaling", "DesiredTasks", "Service", service, { stat: "Maximum", label: "desired tasks", yAxis: "right" }],
            ["ECSAutoscaling", "DecidedTasks", "Service", service, { stat: "Maximum", label: "decided tasks", yAxis: "right" }],
        ]);
        expect(widget(body, "queue autoscaler (jobs): actions and failed ticks").properties.metrics).to.deep.equal([
            ["ECSAutoscaling", "ScalingActions", "Service", service, { stat: "Sum", label: "desired-count changes" }],
            ["ECSAutoscaling", "TickFailures", "Service", service, { stat: "Sum", label: "failed ticks" }],
            ["ECSAutoscaling", "DeploymentHoldExpired", "Service", service, { stat: "Sum", label: "deployments past the hold" }],
            ["ECSAutoscaling", "TickDuration", "Service", service, { stat: "Maximum", label: "tick duration (ms)", yAxis: "right" }],
        ]);
    });

    it("the cluster's CPU and memory reservation", () => {
        expect(widget(body, `${CLUSTER}: reserved CPU and memory`).properties).to.deep.include({
            metrics: [
                ["AWS/ECS", "CPUReservation", "ClusterName", CLUSTER, { stat: "Average", label: "CPU reserved %" }],
                ["AWS/ECS", "MemoryReservation", "ClusterName", CLUSTER, { stat: "Average", label: "memory reserved %" }],
            ],
            yAxis: { left: { min: 0, max: 100 } },
        });
    });

    it("reads every widget's metrics in the stack's region, one-minute periods", () => {
        for (const w of body.widgets) expect([w.properties.region, w.properties.period, w.type], w.properties.title).to.deep.equal([REGION, 60, "metric"]);
    });

    it("lays the widgets out on the 24-unit grid without overlap", () => {
        const cells = new Set<string>();
        for (const w of body.widgets) {
            expect(w.x + w.width, w.properties.title).to.be.at.most(24);
            for (let x = w.x; x < w.x + w.width; x++) {
                for (let y = w.y; y < w.y + w.height; y++) {
                    const cell = `${x},${y}`;
                    expect(cells.has(cell), `${w.properties.title} overlaps at ${cell}`).to.equal(false);
                    cells.add(cell);
                }
            }
        }
        expect(body.widgets.map((w) => [w.x, w.y])).to.deep.equal([
            [0, 0],
            [0, 6], [8, 6], [16, 6],
            [0, 12], [12, 12],
            [0, 18], [6, 18], [12, 18],
            [0, 24], [6, 24], [12, 24], [18, 24],
            [0, 30], [6, 30], [12, 30],
            [0, 36], [6, 36], [12, 36], [18, 36],
            [0, 42], [6, 42], [12, 42],
            [0, 48], [6, 48], [12, 48],
        ]);
    });
});

describe("dashboardBody: the lines follow the config", () => {
    it("a changed CPU and memory target moves the annotation", () => {
        // GIVEN staging with the api's CPU target at 55 and memory at 65
        const services = stagingServices();
        services.api.policies[0].target = 55;
        services.api.policies[1].target = 65;
        // WHEN
        const body = bodyOf(stackConfig("staging", { services }));
        // THEN
        expect(widget(body, "api: CPU utilization").properties.annotations).to.deep.equal({ horizontal: [{ label: "CPU target", value: 55 }] });
        expect(widget(body, "api: memory utilization").properties.annotations).to.deep.equal({ horizontal: [{ label: "Memory target", value: 65 }] });
        expect(widget(body, "worker: CPU utilization").properties.annotations).to.deep.equal({ horizontal: [{ label: "CPU target", value: 70 }] });
    });

    it("changed steps move the queue lines: scale out from 40, two scale-in steps", () => {
        // GIVEN worker steps 40/80 -> +1/+4 and scale-in <= 2 -> -2, < 10 -> -1
        const services = stagingServices();
        services.worker.policies[2].scaleOut.steps = [{ lower: 40, upper: 80, change: 1 }, { lower: 80, change: 4 }];
        services.worker.policies[2].scaleIn.steps = [{ upper: 2, change: -2 }, { lower: 2, upper: 10, change: -1 }];
        // WHEN
        const body = bodyOf(stackConfig("staging", { services }));
        // THEN
        expect(widget(body, "worker: ApproximateNumberOfMessagesVisible (step scaling queue-depth)").properties.annotations).to.deep.equal({
            horizontal: [
                { label: "scale out +1 (>= 40)", value: 40, color: SCALE_OUT_COLOR },
                { label: "scale out +4 (>= 80)", value: 80, color: SCALE_OUT_COLOR },
                { label: "scale in -2 (<= 2)", value: 2, color: SCALE_IN_COLOR },
                { label: "scale in -1 (<= 10)", value: 10, color: SCALE_IN_COLOR },
            ],
        });
    });

    it("no CPU or memory policy, no annotation (localstack worker: the queue autoscaler's, no policy; api: CPU only)", () => {
        const body = bodyOf(stackConfig("localstack"));
        expect(widget(body, "worker: CPU utilization").properties).to.not.have.property("annotations");
        expect(widget(body, "worker: memory utilization").properties).to.not.have.property("annotations");
        expect(widget(body, "api: CPU utilization").properties.annotations).to.deep.equal({ horizontal: [{ label: "CPU target", value: 70 }] });
        expect(widget(body, "api: memory utilization").properties).to.not.have.property("annotations");
        expect(body.widgets.map((w) => w.properties.title)).to.include("worker (queue autoscaler): ecs-autoscaling-localstack-work messages vs tasks");
        expect(body.widgets.some((w) => w.properties.title.includes("step scaling"))).to.equal(false);
    });

    it("draws a queue nobody consumes on its own, next to the cluster widget", () => {
        // GIVEN only the api (no step policy, no queue) and the stack's queue
        const config = stackConfig("staging");
        const body = dashboardBody({ region: REGION, clusterName: CLUSTER, services: [config.services.api], queues: { work: QUEUE } });
        // THEN the queue widget sits next to the cluster widget, without step lines
        const w = widget(body, `${QUEUE}: visible messages`);
        expect([w.x, w.y]).to.deep.equal([6, 0]);
        expect(w.properties.metrics).to.deep.equal([["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", QUEUE, { stat: "Maximum", label: "visible messages" }]]);
        expect(w.properties).to.not.have.property("annotations");
    });

    it("the customMetricTest policy gets its series drawn with its target", () => {
        const config = stackConfig("staging", { customMetricTest: { enabled: true, service: "api" } });
        const p = widget(bodyOf(config), "api: SyntheticLoad (target tracking synthetic-load)").properties;
        expect(p.metrics).to.deep.equal([[
            "Test/Autoscaling", "SyntheticLoad", "TestId", "staging", "Cluster", CLUSTER, "Service", `${CLUSTER}-api`,
            { stat: "Average", label: "SyntheticLoad" },
        ]]);
        expect(p.annotations).to.deep.equal({ horizontal: [{ label: "synthetic-load target", value: 100 }] });
    });
});

describe("AutoscalingDashboard", () => {
    beforeEach(() => setupMocks());

    it("registers the named dashboard with the body built from the plans, in the provider's region", async () => {
        // GIVEN staging, with the region read from the provider as index.ts does
        const config = stackConfig("staging");
        // WHEN
        const dashboard = new AutoscalingDashboard("dashboard", {
            dashboardName: config.names.dashboard,
            region: aws.getRegionOutput().region,
            clusterName: config.names.cluster,
            services: Object.values(config.services),
            queues: queuesOf(config),
        });
        const name = await promiseOf(dashboard.dashboardName);
        await allRegistered();
        // THEN
        expect(name).to.equal("ecs-autoscaling-staging-autoscaling");
        const dashboards = ofType("aws:cloudwatch/dashboard:Dashboard");
        expect(dashboards.map((d) => d.name)).to.deep.equal(["dashboard-dashboard"]);
        expect(dashboards[0].inputs.dashboardName).to.equal("ecs-autoscaling-staging-autoscaling");
        expect(dashboards[0].inputs.dashboardBody).to.equal(JSON.stringify(bodyOf(config)));
        expect(recorded.map((r) => r.type).sort()).to.deep.equal(["aws:cloudwatch/dashboard:Dashboard", "ecs-autoscaling:monitoring:AutoscalingDashboard"]);
    });

    it("takes a plain region string too", async () => {
        const dashboard = new AutoscalingDashboard("dashboard", { dashboardName: "d", region: "eu-west-1", clusterName: "c", services: [] });
        await promiseOf(dashboard.dashboardName);
        await allRegistered();
        expect(JSON.parse(ofType("aws:cloudwatch/dashboard:Dashboard")[0].inputs.dashboardBody)).to.deep.equal(
            dashboardBody({ region: "eu-west-1", clusterName: "c", services: [] }));
    });

    it("rejects a dashboard name CloudWatch would refuse", () => {
        expect(() => new AutoscalingDashboard("dashboard", { dashboardName: "my dashboard", region: REGION, clusterName: "c", services: [] }))
            .to.throw("AutoscalingDashboard: dashboardName \"my dashboard\" must be 1-255 letters, digits, hyphens and underscores (CloudWatch dashboard names)");
    });
});
