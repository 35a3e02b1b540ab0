/**
 * QueueAutoscaler under Pulumi mocks from the staging stack file: the service it scales, its task
 * role's statements, and one autoscaler for several services.
 */
import { expect } from "chai";
import { ECS_TASKS_TRUST_STATEMENT } from "../helpers/cluster";
import type { StackConfig } from "../../config/load";
import type { ScaledWorkerRef } from "../../components/queue-autoscaler";
import { ACCOUNT, REGION, ofType } from "../helpers/pulumi-mocks";
import {
    CLUSTER_NAME, CLUSTER_ARN, WORKER_SERVICE, WORKER_SERVICE_ARN, QUEUE_ARN, QUEUE_URL, AUTOSCALER_SERVICE, actions, resources,
    stagingConfig, stagingAutoscaler, STAGING_WORKER, deploy, roleNamed, taskStatements, withAction, environment,
} from "../helpers/queue-autoscaler";

describe("QueueAutoscaler (staging config under mocks)", () => {
    let staging: StackConfig;
    before(() => { staging = stagingConfig(); });

    it("reads the staging config it is described with: autoscaler enabled, scaling the jobs consumer from its own queue within 0-10", () => {
        expect(staging.autoscaler.enabled).to.equal(true);
        expect(staging.autoscaler.service).to.equal("jobs");
        expect(staging.autoscaler.queue).to.equal("jobs");
        expect([staging.autoscaler.minCapacity, staging.autoscaler.maxCapacity]).to.deep.equal([0, 10]);
        expect(staging.names.autoscalerService).to.equal(AUTOSCALER_SERVICE);
        expect(staging.names.services.jobs).to.equal(WORKER_SERVICE);
    });

    describe("task role", () => {
        it("allows \"*\" only for cloudwatch:GetMetricData, and publishes no metric (SQS publishes the depth it watches)", async () => {
            await deploy(staging.autoscaler);
            const statements = taskStatements();
            const star = statements.filter((s) => resources(s).includes("*"));
            expect(star.flatMap(actions).sort()).to.deep.equal(["cloudwatch:GetMetricData"]);
            expect(withAction(statements, "cloudwatch:PutMetricData")).to.deep.equal([]);
            expect(statements.every((s) => s.Effect === "Allow")).to.equal(true);
        });

        it("scopes DescribeServices and UpdateService to the worker service ARN exactly, UpdateService to the count alone", async () => {
            await deploy(staging.autoscaler);
            const statements = taskStatements();
            for (const action of ["ecs:DescribeServices", "ecs:UpdateService"]) {
                const found = withAction(statements, action);
                expect(found, action).to.have.length(1);
                expect(found[0].Resource, action).to.equal(WORKER_SERVICE_ARN);
            }
            expect(withAction(statements, "ecs:DescribeServices")[0].Condition).to.equal(undefined);
            expect(withAction(statements, "ecs:UpdateService")[0].Condition).to.deep.equal({ Null: {
                "ecs:auto-assign-public-ip": "true", "ecs:capacity-provider": "true", "ecs:enable-ebs-volumes": "true", "ecs:enable-ecs-managed-tags": "true",
                "ecs:enable-execute-command": "true", "ecs:enable-service-connect": "true", "ecs:enable-vpc-lattice": "true", "ecs:namespace": "true",
                "ecs:propagate-tags": "true", "ecs:subnet": "true", "ecs:task-cpu": "true", "ecs:task-definition": "true", "ecs:task-memory": "true",
            } });
        });

        it("scopes GetQueueAttributes to the queue ARN", async () => {
            await deploy(staging.autoscaler);
            const found = withAction(taskStatements(), "sqs:GetQueueAttributes");
            expect(found).to.have.length(1);
            expect(found[0].Resource).to.equal(QUEUE_ARN);
        });

        it("grants no task or queue-policy permission while failure simulation is not allowed", async () => {
            expect(staging.autoscaler.failureSimulation.allowed).to.equal(false);
            await deploy(staging.autoscaler);
            const granted = taskStatements().flatMap(actions);
            for (const action of ["ecs:StopTask", "ecs:ListTasks", "ecs:DescribeTasks", "sqs:SetQueueAttributes"]) {
                expect(granted, action).to.not.include(action);
            }
            expect(granted.sort()).to.deep.equal([
                "cloudwatch:GetMetricData", "ecs:DescribeServices", "ecs:ListTagsForResource", "ecs:TagResource", "ecs:UntagResource",
                "ecs:UpdateService", "sqs:GetQueueAttributes",
            ]);
        });

        it("lets it tag the worker service only, and only with tag keys of its own prefix (its state across restarts)", async () => {
            await deploy(staging.autoscaler);
            const statements = taskStatements();
            const tag = withAction(statements, "ecs:TagResource");
            expect(tag).to.have.length(1);
            expect([tag[0].Resource, actions(tag[0]).sort(), tag[0].Condition]).to.deep.equal([
                WORKER_SERVICE_ARN, ["ecs:TagResource", "ecs:UntagResource"], { "ForAllValues:StringLike": { "aws:TagKeys": ["ecs-autoscaling:*"] }, Null: { "aws:TagKeys": "false" } },
            ]);
            expect(withAction(statements, "ecs:ListTagsForResource")[0].Resource).to.equal(WORKER_SERVICE_ARN);
        });

        it("grants ListTasks, DescribeTasks, StopTask (on this cluster only) and SetQueueAttributes when failure simulation is allowed", async () => {
            const config = stagingConfig({ autoscaler: { ...stagingAutoscaler(), failureSimulation: { allowed: true } } });
            expect(config.autoscaler.failureSimulation.allowed).to.equal(true);
            await deploy(config.autoscaler);
            const statements = taskStatements();
            const onCluster = { ArnEquals: { "ecs:cluster": CLUSTER_ARN } };

            // ListTasks of Fargate tasks names no container instance: AWS authorises it on "*" (aws-cdk#3199).
            const list = withAction(statements, "ecs:ListTasks");
            expect(list).to.have.length(1);
            expect(list[0].Resource).to.equal("*");
            expect(list[0].Condition).to.deep.equal(onCluster);

            for (const action of ["ecs:DescribeTasks", "ecs:StopTask"]) {
                const found = withAction(statements, action);
                expect(found, action).to.have.length(1);
                expect(found[0].Resource, action).to.equal(`arn:aws:ecs:us-east-1:123456789012:task/${CLUSTER_NAME}/*`);
            }
            // The documented form for a cluster's tasks: task ARNs of the cluster and the ecs:cluster condition.
            expect(withAction(statements, "ecs:DescribeTasks")[0].Condition).to.deep.equal(onCluster);
            expect(withAction(statements, "ecs:StopTask")[0].Condition).to.deep.equal(onCluster);

            const set = withAction(statements, "sqs:SetQueueAttributes");
            expect(set).to.have.length(1);
            expect(set[0].Resource).to.equal(QUEUE_ARN);

            const star = statements.filter((s) => resources(s).includes("*"));
            expect(star.flatMap(actions).sort()).to.deep.equal(["cloudwatch:GetMetricData", "ecs:ListTasks"]);
            expect(environment().AUTOSCALER_CHAOS_ALLOWED).to.equal("true");
        });

        it("both roles may be assumed only by ECS tasks of the account and region", async () => {
            await deploy(staging.autoscaler);
            for (const role of ["queue-autoscaler-fargate-task-role", "queue-autoscaler-fargate-execution-role"]) {
                const trust = JSON.parse(roleNamed(role).inputs.assumeRolePolicy);
                expect(trust.Statement, role).to.deep.equal([ECS_TASKS_TRUST_STATEMENT]);
            }
        });
    });

    describe("one autoscaler for several services", () => {
        const REPORTS = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER_NAME}/ecs-autoscaling-staging-reports`;
        const REPORTS_QUEUES = ["reports", "reports-bulk"].map((q) => ({ url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/ecs-autoscaling-staging-${q}`, arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:ecs-autoscaling-staging-${q}` }));
        const scaled: ScaledWorkerRef[] = [
            STAGING_WORKER,
            {
                serviceName: "ecs-autoscaling-staging-reports", serviceArn: REPORTS, taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/reports-task`, queues: REPORTS_QUEUES,
                settings: { min: 0, max: 4, acceptableAge: 120, fallback: { failureThreshold: 3, replicas: 2 } },
            },
        ];

        it("may read, scale and tag exactly the listed services, and read exactly their queues; UpdateService for the count alone", async () => {
            await deploy(staging.autoscaler, scaled);
            const statements = taskStatements();
            for (const action of ["ecs:DescribeServices", "ecs:ListTagsForResource", "ecs:UpdateService", "ecs:TagResource", "ecs:UntagResource"]) {
                const found = withAction(statements, action);
                expect(found, action).to.have.length(1);
                expect(found[0].Resource, action).to.deep.equal([WORKER_SERVICE_ARN, REPORTS]);
            }
            expect(Object.keys(withAction(statements, "ecs:UpdateService")[0].Condition!.Null)).to.have.length(13);
            expect(withAction(statements, "sqs:GetQueueAttributes")[0].Resource).to.deep.equal([QUEUE_ARN, ...REPORTS_QUEUES.map((q) => q.arn)]);
        });

        it("hands the task SERVICES, each service's queue URLs and own settings, instead of SERVICE and QUEUE_URL", async () => {
            await deploy(staging.autoscaler, scaled);
            const env = environment();
            expect(env).to.not.have.any.keys("AUTOSCALER_ECS_SERVICE", "AUTOSCALER_QUEUE_URL", "AUTOSCALER_MIN", "AUTOSCALER_MAX");
            expect(JSON.parse(env.AUTOSCALER_SERVICES!)).to.deep.equal({
                [WORKER_SERVICE]: { queueUrls: [QUEUE_URL], min: 1, max: 10 },
                "ecs-autoscaling-staging-reports": { queueUrls: REPORTS_QUEUES.map((q) => q.url), min: 0, max: 4, acceptableAge: 120, fallback: { failureThreshold: 3, replicas: 2 } },
            });
            expect(env.AUTOSCALER_CLUSTER).to.equal(CLUSTER_NAME);
        });

        it("is one ECS service with one task for all of them", async () => {
            await deploy(staging.autoscaler, scaled);
            expect(ofType("aws:ecs/service:Service").map((r) => [r.inputs.name, r.inputs.desiredCount])).to.deep.equal([[AUTOSCALER_SERVICE, 1]]);
        });
    });
});
