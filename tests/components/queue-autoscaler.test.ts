import { execFile } from "child_process";
import { readFileSync } from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { build } from "esbuild";
import {
    HEALTH_CHECK_COMMAND, QueueAutoscaler, autoscalerEnvironment, type ScaledWorkerRef,
} from "../../components/queue-autoscaler";
import { AutoscalerConfig, StackConfig, loadStackConfig } from "../../config/load";
import { AUTOSCALER_TASK_OPTIONS } from "../../bundle/esbuild";
import { autoscalerSettings } from "../../program/component-args";
import { OPTIONS, OUTFILE } from "../../scripts/build";
import { ACCOUNT, IMAGE_DIGEST, REGION, Recorded, ofType, promiseOf, recorded, settle, setupMocks } from "../helpers/pulumi-mocks";
import { ROOT, rawProjectConfig, stackFileConfig } from "../helpers/stack-files";
import { ECS_TASKS_TRUST_STATEMENT, testCluster } from "../helpers/cluster";

const CLUSTER_NAME = "ecs-autoscaling-staging";
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER_NAME}`;
/** Staging's `jobs` consumer: the service the queue autoscaler scales there. */
const WORKER_SERVICE = "ecs-autoscaling-staging-jobs";
const WORKER_SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER_NAME}/${WORKER_SERVICE}`;
const WORKER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/worker-task`;
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:ecs-autoscaling-staging-jobs`;
const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/ecs-autoscaling-staging-jobs`;
const AUTOSCALER_SERVICE = "ecs-autoscaling-staging-queue-autoscaler";
/** How the Pulumi SDK marks a secret value in the inputs a mock sees. */
const SECRET_SIG = pulumi.runtime.specialSigKey;
const SECRET_VALUE = pulumi.runtime.specialSecretSig;

interface Statement {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string>>;
}

const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resources = (s: Statement): string[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

/** The staging stack's config, with overrides given as whole top-level keys. */
function stagingConfig(overrides: Record<string, unknown> = {}): StackConfig {
    return loadStackConfig(rawProjectConfig("staging", overrides), { project: "ecs-autoscaling", stack: "staging" });
}

const stagingAutoscaler = () => stackFileConfig("staging")["ecs-autoscaling:autoscaler"] as Record<string, unknown>;
const stagingServices = () => structuredClone(stackFileConfig("staging")["ecs-autoscaling:services"]) as Record<string, Record<string, unknown>>;

/** Waits (a bounded number of event-loop turns) until the mock has recorded what `done` looks for. */
async function until(done: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setImmediate(r));
    expect(done(), "expected registrations never arrived").to.equal(true);
}

/** The staging worker as the one service scaled, with its own queue and bounds. */
const STAGING_WORKER: ScaledWorkerRef = {
    serviceName: WORKER_SERVICE, serviceArn: WORKER_SERVICE_ARN, taskRoleArn: WORKER_ROLE_ARN, queues: [{ url: QUEUE_URL, arn: QUEUE_ARN }],
    settings: { min: 1, max: 10 },
};

async function deploy(settings: AutoscalerConfig, scaled: readonly ScaledWorkerRef[] = [{ ...STAGING_WORKER, settings: { min: settings.minCapacity, max: settings.maxCapacity } }]): Promise<QueueAutoscaler> {
    setupMocks("ecs-autoscaling", "staging");
    const c = new QueueAutoscaler("queue-autoscaler", {
        settings: autoscalerSettings(settings),
        image: settings.image,
        serviceName: AUTOSCALER_SERVICE,
        cluster: testCluster(CLUSTER_NAME),
        scaled,
        vpcId: "vpc-staging",
        subnetIds: ["subnet-private-a", "subnet-private-b"],
        assignPublicIp: false,
        logRetentionDays: 30,
    });
    await settle(c.serviceArn, c.taskRoleArn, c.image);
    // Resources that nothing else waits for (the ECR lifecycle policy) register a few turns later.
    await until(() => settings.image !== undefined || ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy").length === 1);
    return c;
}

function one(type: string): Recorded {
    const found = ofType(type);
    expect(found.map((r) => r.name), type).to.have.length(1);
    return found[0];
}

function roleNamed(name: string): Recorded {
    const role = recorded.find((r) => r.type === "aws:iam/role:Role" && r.name === name);
    expect(role, `role ${name}`).to.not.equal(undefined);
    return role!;
}

/** Every statement of every inline policy attached to the role. */
function statementsOf(roleName: string): Statement[] {
    const role = roleNamed(roleName);
    expect(ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment"), "no managed policies").to.have.length(0);
    return ofType("aws:iam/rolePolicy:RolePolicy")
        .filter((p) => p.inputs.role === `${role.name}-id`)
        .flatMap((p) => JSON.parse(p.inputs.policy).Statement as Statement[]);
}

const taskStatements = () => statementsOf("queue-autoscaler-fargate-task-role");
const executionStatements = () => statementsOf("queue-autoscaler-fargate-execution-role");

function withAction(statements: Statement[], action: string): Statement[] {
    return statements.filter((s) => actions(s).includes(action));
}

function container(): any {
    const defs = JSON.parse(one("aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions);
    expect(defs).to.have.length(1);
    return defs[0];
}

function environment(): Record<string, string> {
    return Object.fromEntries((container().environment as { name: string; value: string }[]).map((e) => [e.name, e.value]));
}

describe("QueueAutoscaler (staging config under mocks)", () => {
    let staging: StackConfig;
    before(() => { staging = stagingConfig(); });

    it("reads the staging config it is described with: autoscaler enabled, scaling the jobs consumer from its own queue within 1-10", () => {
        expect(staging.autoscaler.enabled).to.equal(true);
        expect(staging.autoscaler.service).to.equal("jobs");
        expect(staging.autoscaler.queue).to.equal("jobs");
        expect([staging.autoscaler.minCapacity, staging.autoscaler.maxCapacity]).to.deep.equal([1, 10]);
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
            expect(env).to.not.have.any.keys("AUTOSCALER_SERVICE", "AUTOSCALER_QUEUE_URL", "AUTOSCALER_MIN", "AUTOSCALER_MAX");
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

    describe("task definition", () => {
        it("passes the worker's bounds from the same config as MIN/MAX, and every setting as a string, sorted by name", async () => {
            await deploy(staging.autoscaler);
            const env = container().environment as { name: string; value: string }[];
            const names = env.map((e) => e.name);
            expect(names).to.deep.equal([...names].sort());
            expect(env.every((e) => typeof e.value === "string")).to.equal(true);
            expect(environment()).to.deep.equal({
                AWS_REGION: "us-east-1",
                AUTOSCALER_ACCEPTABLE_AGE: "60",
                AUTOSCALER_CHAOS_ALLOWED: "false",
                AUTOSCALER_CHAOS_DRAIN_ENABLED: "false",
                AUTOSCALER_CHAOS_DRAIN_INTERVAL: "1800",
                AUTOSCALER_CHAOS_PARTITION_DURATION: "120",
                AUTOSCALER_CHAOS_PARTITION_ENABLED: "false",
                AUTOSCALER_CHAOS_PARTITION_INTERVAL: "1800",
                AUTOSCALER_CHAOS_STOP_TASK_ENABLED: "false",
                AUTOSCALER_CHAOS_STOP_TASK_INTERVAL: "600",
                AUTOSCALER_CLUSTER: CLUSTER_NAME,
                AUTOSCALER_COUNT_IN_FLIGHT: "true",
                AUTOSCALER_DEPLOYMENT_HOLD: "600",
                AUTOSCALER_HEALTH_PORT: "8080",
                AUTOSCALER_INTERVAL: "5",
                AUTOSCALER_MAX: "10",
                AUTOSCALER_MIN: "1",
                AUTOSCALER_OLDEST_MESSAGE_WARNING: "300",
                AUTOSCALER_QUEUE_URL: QUEUE_URL,
                AUTOSCALER_SCALE_DOWN_COOLDOWN: "10",
                AUTOSCALER_SCALE_UP_COOLDOWN: "30",
                AUTOSCALER_SERVICE: WORKER_SERVICE,
                AUTOSCALER_WORKER_ROLE_ARN: WORKER_ROLE_ARN,
            });
            const plan = staging.services.jobs.plan;
            expect([environment().AUTOSCALER_MIN, environment().AUTOSCALER_MAX]).to.deep.equal([String(plan.minCapacity), String(plan.maxCapacity)]);
        });

        it("follows services.jobs.maxCapacity: 7 there makes MAX 7", async () => {
            const services = stagingServices();
            services.jobs.maxCapacity = 7;
            const config = stagingConfig({ services });
            await deploy(config.autoscaler);
            expect(environment().AUTOSCALER_MAX).to.equal("7");
            expect(environment().AUTOSCALER_MIN).to.equal("1");
        });

        it("turns the failure-simulation schedule into CHAOS_* variables", () => {
            const config = stagingConfig({
                autoscaler: {
                    ...stagingAutoscaler(),
                    failureSimulation: { allowed: true, stopTask: { enabled: true, intervalSeconds: 120 }, partition: { enabled: true, intervalSeconds: 900, durationSeconds: 150 } },
                },
            });
            const env = Object.fromEntries(autoscalerEnvironment(autoscalerSettings(config.autoscaler), {
                clusterName: "c", workerRoleArn: "r", region: "eu-west-1", services: [{ serviceName: "w", queueUrls: ["q"], settings: { min: 1, max: 3 } }],
            }).map((e) => [e.name, e.value]));
            expect(env).to.include({
                AWS_REGION: "eu-west-1",
                AUTOSCALER_CHAOS_ALLOWED: "true",
                AUTOSCALER_CHAOS_STOP_TASK_ENABLED: "true",
                AUTOSCALER_CHAOS_STOP_TASK_INTERVAL: "120",
                AUTOSCALER_CHAOS_DRAIN_ENABLED: "false",
                AUTOSCALER_CHAOS_DRAIN_INTERVAL: "1800",
                AUTOSCALER_CHAOS_PARTITION_ENABLED: "true",
                AUTOSCALER_CHAOS_PARTITION_INTERVAL: "900",
                AUTOSCALER_CHAOS_PARTITION_DURATION: "150",
            });
        });

        it("is a 256 CPU / 512 MiB awsvpc Fargate task with container memory, /healthz health check and its own log group", async () => {
            await deploy(staging.autoscaler);
            const td = one("aws:ecs/taskDefinition:TaskDefinition").inputs;
            expect(td).to.include({ family: AUTOSCALER_SERVICE, cpu: "256", memory: "512", networkMode: "awsvpc" });
            expect(td.requiresCompatibilities).to.deep.equal(["FARGATE"]);
            expect(td.taskRoleArn).to.equal(`arn:aws:iam::${ACCOUNT}:role/queue-autoscaler-fargate-task-role`);
            expect(td.executionRoleArn).to.equal(`arn:aws:iam::${ACCOUNT}:role/queue-autoscaler-fargate-execution-role`);

            const c = container();
            expect(c.memory).to.equal(512);
            expect(c.essential).to.equal(true);
            // The task's own bundle in the project image, not the `autoscale` command with every tool.
            expect([c.entryPoint, c.command]).to.deep.equal([["node", "dist/autoscaler/index.js"], ["autoscaler", "run"]]);
            // The image's unprivileged user (Dockerfile: USER node), and nothing written to the image's filesystem.
            expect([c.user, c.readonlyRootFilesystem]).to.deep.equal(["node", true]);
            expect(c.healthCheck).to.deep.equal({
                command: [
                    "CMD-SHELL",
                    "node -e \"fetch('http://127.0.0.1:'+process.env.AUTOSCALER_HEALTH_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))\"",
                ],
                interval: 15,
                timeout: 5,
                retries: 3,
                startPeriod: 30,
            });
            expect(c.logConfiguration.options).to.deep.equal({
                "awslogs-group": `/ecs/${AUTOSCALER_SERVICE}`,
                "awslogs-region": REGION,
                "awslogs-stream-prefix": "autoscaler",
            });
            expect(one("aws:cloudwatch/logGroup:LogGroup").inputs).to.include({ name: `/ecs/${AUTOSCALER_SERVICE}`, retentionInDays: 30 });
            const logs = withAction(executionStatements(), "logs:PutLogEvents");
            expect(logs.map((s) => s.Resource)).to.deep.equal([`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/${AUTOSCALER_SERVICE}:*`]);
        });
    });

    describe("health check command", () => {
        // Runs the task definition's CMD-SHELL command the way the ECS agent does (through /bin/sh),
        // against a local server, so a broken quote or URL fails here rather than in a deployed task.
        let server: http.Server;
        let status = 200;
        let paths: string[] = [];
        before(async () => {
            server = http.createServer((req, res) => { paths.push(req.url ?? ""); res.statusCode = status; res.end(); });
            await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        });
        after(async () => { await new Promise((r) => server.close(r)); });
        beforeEach(() => { paths = []; });

        function runCheck(port: number): Promise<number> {
            return new Promise((resolve) => {
                execFile("/bin/sh", ["-c", HEALTH_CHECK_COMMAND[1]], { env: { ...process.env, AUTOSCALER_HEALTH_PORT: String(port) }, timeout: 10000 },
                    (err) => resolve(err ? (typeof err.code === "number" ? err.code : -1) : 0));
            });
        }

        it("exits 0 when /healthz on AUTOSCALER_HEALTH_PORT answers 200", async () => {
            status = 200;
            expect(await runCheck((server.address() as AddressInfo).port)).to.equal(0);
            expect(paths).to.deep.equal(["/healthz"]);
        });

        it("exits 1 when /healthz answers 503", async () => {
            status = 503;
            expect(await runCheck((server.address() as AddressInfo).port)).to.equal(1);
            expect(paths).to.deep.equal(["/healthz"]);
        });

        it("exits 1 when nothing listens on AUTOSCALER_HEALTH_PORT", async () => {
            const closed = http.createServer();
            await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
            const port = (closed.address() as AddressInfo).port;
            await new Promise((r) => closed.close(r));
            expect(await runCheck(port)).to.equal(1);
        });
    });

    describe("service and network", () => {
        it("runs exactly one scaler on on-demand Fargate, one task at a time, with circuit-breaker rollback", async () => {
            const c = await deploy(staging.autoscaler);
            const svc = one("aws:ecs/service:Service").inputs;
            expect(svc.name).to.equal(AUTOSCALER_SERVICE);
            expect(svc.cluster).to.equal(CLUSTER_ARN);
            expect(svc.desiredCount).to.equal(1);
            expect(svc.capacityProviderStrategies).to.deep.equal([{ capacityProvider: "FARGATE", base: 1, weight: 1 }]);
            expect(svc.launchType).to.equal(undefined);
            expect(svc.deploymentMinimumHealthyPercent).to.equal(0);
            expect(svc.deploymentMaximumPercent).to.equal(100);
            expect(svc.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
            expect(svc.networkConfiguration).to.deep.equal({
                subnets: ["subnet-private-a", "subnet-private-b"],
                securityGroups: ["queue-autoscaler-fargate-tasks-sg-id"],
                assignPublicIp: false,
            });
            expect(await promiseOf(c.serviceName)).to.equal(AUTOSCALER_SERVICE);
            expect(await promiseOf(c.serviceArn)).to.equal(`arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER_NAME}/${AUTOSCALER_SERVICE}`);
            expect(await promiseOf(c.taskRoleArn)).to.equal(`arn:aws:iam::${ACCOUNT}:role/queue-autoscaler-fargate-task-role`);
        });

        it("has a security group with no ingress and only HTTPS egress", async () => {
            await deploy(staging.autoscaler);
            const sg = one("aws:ec2/securityGroup:SecurityGroup").inputs;
            expect(sg).to.deep.equal({ vpcId: "vpc-staging", description: `ECS tasks of ${AUTOSCALER_SERVICE}` });
            expect(ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map((r) => r.inputs)).to.deep.equal([{
                securityGroupId: "queue-autoscaler-fargate-tasks-sg-id",
                description: "HTTPS to image registries and AWS APIs",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: "0.0.0.0/0",
            }]);
            expect(ofType("aws:ec2/securityGroupRule:SecurityGroupRule")).to.have.length(0);
            expect(ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).to.have.length(0);
        });
    });

    describe("image", () => {
        it("uses settings.image as given and creates no repository or build", async () => {
            const image = "public.ecr.aws/example/autoscale:1.2.3";
            const c = await deploy({ ...staging.autoscaler, image });
            expect(await promiseOf(c.image)).to.equal(image);
            expect(container().image).to.equal(image);
            expect(ofType("aws:ecr/repository:Repository")).to.have.length(0);
            expect(ofType("docker-build:index:Image")).to.have.length(0);
            expect(executionStatements().flatMap(actions).filter((a) => a.startsWith("ecr:"))).to.deep.equal([]);
        });

        it("lets the execution role pull a prebuilt private ECR image from that repository only", async () => {
            const image = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/team/autoscale:1.2.3`;
            await deploy({ ...staging.autoscaler, image });
            const pull = withAction(executionStatements(), "ecr:BatchGetImage");
            expect(pull.map((s) => s.Resource)).to.deep.equal([`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/autoscale`]);
            expect(ofType("aws:ecr/repository:Repository")).to.have.length(0);
        });

        it("builds the repository's Dockerfile, pushes it to a repository of its own and runs it by digest when settings.image is absent", async () => {
            expect(staging.autoscaler.image).to.equal(undefined);
            const c = await deploy(staging.autoscaler);
            const repo = one("aws:ecr/repository:Repository");
            expect(repo.inputs).to.include({ name: AUTOSCALER_SERVICE, imageTagMutability: "MUTABLE" });
            expect(repo.inputs.imageScanningConfiguration).to.deep.equal({ scanOnPush: true });

            const built = one("docker-build:index:Image").inputs;
            const repoUrl = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${AUTOSCALER_SERVICE}`;
            expect(built.context).to.deep.equal({ location: ROOT });
            expect(built.dockerfile).to.deep.equal({ location: path.join(ROOT, "Dockerfile") });
            expect(built.push).to.equal(true);
            expect(built.platforms).to.deep.equal(["linux/amd64"]);
            expect(built.tags).to.deep.equal([`${repoUrl}:latest`]);
            // The registry password is a secret, so the SDK marks the whole list secret.
            expect(built.registries[SECRET_SIG], "registries are secret").to.equal(SECRET_VALUE);
            const registries = built.registries.value;
            expect(registries).to.have.length(1);
            expect(registries[0]).to.include({ address: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`, username: "AWS" });

            const expected = `${repoUrl}@${IMAGE_DIGEST}`;
            expect(await promiseOf(c.image)).to.equal(expected);
            expect(container().image).to.equal(expected);

            // Pulling is the execution role's business; the task role gets no ECR permission.
            const exec = executionStatements();
            expect(withAction(exec, "ecr:BatchGetImage").map((s) => s.Resource)).to.deep.equal([`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${AUTOSCALER_SERVICE}`]);
            expect(withAction(exec, "ecr:GetAuthorizationToken").map((s) => s.Resource)).to.deep.equal(["*"]);
            expect(taskStatements().flatMap(actions).filter((a) => a.startsWith("ecr:"))).to.deep.equal([]);
        });

        it("copies into the image build every source file its two bundles are made of, and .dockerignore lets them through", async function () {
            this.timeout(60000);
            // The bundles' own inputs, from the same options `npm run build` uses (not written to disk).
            const results = await Promise.all([OPTIONS, AUTOSCALER_TASK_OPTIONS].map((o) => build({ ...o, write: false, metafile: true, logLevel: "silent" })));
            const sources = [...new Set(results.flatMap((r) => Object.keys(r.metafile!.inputs)))].filter((f) => !f.split("/").includes("node_modules"));
            expect(sources).to.include.members(["cli/autoscale.ts", "runtime/autoscaler/main.ts"]);
            const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
            // `COPY <dir> ./<dir>` copies a folder; `COPY <file>... ./` copies top-level files (package.json, which the bundle reads its version from).
            const copied = [...dockerfile.matchAll(/^COPY (?!--)(\S+) \.\/(\S+)$/gm)].map((m) => m[1]!);
            const files = [...dockerfile.matchAll(/^COPY (?!--)((?:\S+ )+)\.\/$/gm)].flatMap((m) => m[1]!.trim().split(" "));
            const admitted = readFileSync(path.join(ROOT, ".dockerignore"), "utf8").split("\n")
                .filter((l) => l.startsWith("!")).map((l) => l.slice(1).trim());
            for (const dir of copied) expect(admitted, `.dockerignore admits ${dir}`).to.include(dir);
            for (const file of files) expect(admitted, `.dockerignore admits ${file}`).to.include(file);
            const missing = sources.filter((f) => !files.includes(f) && !copied.some((dir) => f.startsWith(`${dir}/`)));
            expect(missing, "bundle inputs the Dockerfile does not copy").to.deep.equal([]);
            expect(copied).to.include("scripts");
        });

        it("has a Dockerfile whose entry point is the bundle scripts/build.ts writes", () => {
            const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
            const bundle = path.relative(ROOT, OUTFILE).split(path.sep).join("/");
            expect(bundle).to.equal("dist/autoscale/index.js");
            expect(dockerfile).to.include(`ENTRYPOINT ["node", "${bundle}"]`);
            expect(dockerfile).to.include(`CMD ["autoscaler", "run"]`);
            expect(dockerfile).to.match(/^USER node$/m);
            // The autoscaler task's bundle, which its task definition's entry point runs, is in the image too.
            const task = path.relative(ROOT, AUTOSCALER_TASK_OPTIONS.outfile!).split(path.sep).join("/");
            expect(task).to.equal("dist/autoscaler/index.js");
            expect(dockerfile).to.include(`COPY --from=build /src/${path.dirname(task)} ./${path.dirname(task)}\n`);
        });
    });
});
