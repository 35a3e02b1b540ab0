/**
 * The staging program with two queue consumers under one autoscaler (`autoscaler.services`): one
 * autoscaler service and task for both, a task role that reaches exactly their ARNs and queue, the
 * task told both through SERVICES, and a dashboard row of the autoscaler's figures for each.
 */
import { expect } from "chai";
import { envName } from "../../scaling/autoscaler-settings";
import { runProgram } from "../helpers/program";
import { ofType } from "../helpers/pulumi-mocks";
import { rawProjectConfig } from "../helpers/stack-files";
import { graphProblems } from "../helpers/graph-rules";
import { recorded } from "../helpers/pulumi-mocks";

const CLUSTER = "ecs-autoscaling-staging";

describe("stacks: one queue autoscaler for two services (autoscaler.services)", function () {
    this.timeout(60_000);

    before(async () => {
        const services = JSON.parse(rawProjectConfig("staging").services);
        services.reports = { ...services.jobs, minCapacity: 0, maxCapacity: 4 };
        await runProgram("staging", {
            services,
            autoscaler: { enabled: true, services: { jobs: {}, reports: { acceptableAgeSeconds: 120 } } },
        });
    });

    it("is a valid graph with one autoscaler service and task for both", () => {
        expect(graphProblems(recorded)).to.deep.equal([]);
        const scalers = ofType("aws:ecs/service:Service").filter((s) => String(s.inputs.name).endsWith("-queue-autoscaler"));
        expect(scalers.map((s) => [s.inputs.name, s.inputs.desiredCount])).to.deep.equal([[`${CLUSTER}-queue-autoscaler`, 1]]);
    });

    it("grants the task exactly the two services and their queue, UpdateService for the count alone", () => {
        const role = ofType("aws:iam/role:Role").find((r) => r.name === "queue-autoscaler-fargate-task-role")!;
        const statements = ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === `${role.name}-id`)
            .flatMap((p) => JSON.parse(p.inputs.policy).Statement as { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, string>> }[]);
        const arn = (s: string) => `arn:aws:ecs:us-east-1:123456789012:service/${CLUSTER}/${CLUSTER}-${s}`;
        const update = statements.find((s) => s.Action === "ecs:UpdateService")!;
        expect(update.Resource).to.deep.equal([arn("jobs"), arn("reports")]);
        expect(Object.keys(update.Condition!.Null!)).to.have.length(13);
        const read = statements.find((s) => s.Action === "sqs:GetQueueAttributes")!;
        // Both consume the jobs queue: it is granted once.
        expect(read.Resource).to.equal(`arn:aws:sqs:us-east-1:123456789012:${CLUSTER}-jobs`);
    });

    it("hands the task both services in AUTOSCALER_SERVICES, each with its queue and bounds", () => {
        const td = ofType("aws:ecs/taskDefinition:TaskDefinition").find((t) => String(t.inputs.family).endsWith("-queue-autoscaler"))!;
        const env = Object.fromEntries((JSON.parse(td.inputs.containerDefinitions)[0].environment as { name: string; value: string }[]).map((e) => [e.name, e.value]));
        const queueUrl = JSON.parse(env[envName("services")]!)[`${CLUSTER}-jobs`].queueUrls[0];
        expect(JSON.parse(env[envName("services")]!)).to.deep.equal({
            [`${CLUSTER}-jobs`]: { queueUrls: [queueUrl], min: 0, max: 10 },
            [`${CLUSTER}-reports`]: { queueUrls: [queueUrl], min: 0, max: 4, acceptableAge: 120 },
        });
        expect(env).to.not.have.any.keys(envName("ecsService"), envName("queueUrl"), "SERVICE", "QUEUE_URL");
    });

    it("draws a dashboard row of the autoscaler's figures for each service", () => {
        const dashboard = ofType("aws:cloudwatch/dashboard:Dashboard").find((d) => String(d.inputs.dashboardName).includes("autoscaling"))
            ?? ofType("aws:cloudwatch/dashboard:Dashboard")[0]!;
        const widgets = JSON.parse(dashboard.inputs.dashboardBody).widgets as { y: number; properties: { title: string } }[];
        const rowOf = (title: string) => widgets.find((w) => w.properties.title === title)!.y;
        expect(rowOf("queue autoscaler (jobs): work and tasks")).to.equal(rowOf("queue autoscaler (jobs): actions and failed ticks"));
        expect(rowOf("queue autoscaler (reports): work and tasks")).to.equal(rowOf("queue autoscaler (reports): actions and failed ticks"));
        expect(rowOf("queue autoscaler (reports): work and tasks")).to.be.greaterThan(rowOf("queue autoscaler (jobs): work and tasks"));
    });
});
