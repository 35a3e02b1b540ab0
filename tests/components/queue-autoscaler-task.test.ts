/**
 * The queue autoscaler's task under Pulumi mocks: its environment and size, the container health check
 * run as the ECS agent runs it, and the ECS service with its network.
 */
import { execFile } from "child_process";
import * as http from "http";
import { AddressInfo } from "net";
import { expect } from "chai";
import { autoscalerSettings } from "../../program/component-args";
import type { StackConfig } from "../../config/load";
import { HEALTH_CHECK_COMMAND, autoscalerEnvironment } from "../../components/queue-autoscaler";
import { ACCOUNT, REGION, ofType, promiseOf } from "../helpers/pulumi-mocks";
import {
    CLUSTER_NAME, CLUSTER_ARN, WORKER_SERVICE, WORKER_ROLE_ARN, QUEUE_URL, AUTOSCALER_SERVICE, stagingConfig, stagingAutoscaler,
    stagingServices, deploy, one, executionStatements, withAction, container, environment,
} from "../helpers/queue-autoscaler";

describe("QueueAutoscaler task (staging config under mocks)", () => {
    let staging: StackConfig;
    before(() => { staging = stagingConfig(); });

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
                AUTOSCALER_MIN: "0",
                AUTOSCALER_OLDEST_MESSAGE_WARNING: "300",
                AUTOSCALER_QUEUE_URL: QUEUE_URL,
                AUTOSCALER_SCALE_DOWN_COOLDOWN: "10",
                AUTOSCALER_SCALE_UP_COOLDOWN: "30",
                AUTOSCALER_ECS_SERVICE: WORKER_SERVICE,
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
            expect(environment().AUTOSCALER_MIN).to.equal("0");
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
});
