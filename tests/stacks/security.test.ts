/**
 * The secure defaults and the apply/destroy order, across the whole program under mocks, for every
 * stack file and for the edits that turn the optional ones on: every ECS service waits for the
 * cluster's capacity-provider association, every role is trusted only by its service on behalf of this
 * account, the alerts topic is encrypted, dead letters alarm to it, HTTPS with a certificate, and a
 * configured secret reaches its container as an ECS secret that only its execution role may read.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ECS_TASKS_TRUST_STATEMENT } from "../helpers/cluster";
import { runProgram } from "../helpers/program";
import { ACCOUNT, REGION, Recorded, named, ofType } from "../helpers/pulumi-mocks";
import { stackConfig, stackNames } from "../helpers/stack-files";

const T = {
    service: "aws:ecs/service:Service",
    capacity: "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    topic: "aws:sns/topic:Topic",
    key: "aws:kms/key:Key",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    queue: "aws:sqs/queue:Queue",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
};
const CERTIFICATE = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const PARAMETER = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/staging/gateway/shard-token`;

/** The staging `services` value, for edits. */
const stagingServices = () => JSON.parse(stackConfig("staging")["ecs-autoscaling:services"]);

describe("stacks: secure defaults and apply/destroy order in every stack file", () => {
    for (const stack of stackNames()) {
        describe(`Pulumi.${stack}.yaml`, () => {
            const constructed: pulumi.ResourceTransformationArgs[] = [];
            before(async () => { await runProgram(stack, {}, constructed); });

            it("creates every ECS service after, and deletes it before, the cluster's capacity-provider association (aws-cdk#19275)", () => {
                const association = constructed.filter((c) => c.type === T.capacity).map((c) => c.resource);
                expect(association).to.have.length(1);
                const services = constructed.filter((c) => c.type === T.service);
                expect(services.length).to.equal(ofType(T.service).length);
                expect(services.length).to.be.greaterThan(1);
                for (const s of services) {
                    expect(s.opts.dependsOn as pulumi.Resource[], s.name).to.include(association[0]);
                    expect((s.opts as pulumi.CustomResourceOptions).deleteBeforeReplace, s.name).to.equal(true);
                }
            });

            it("trusts every role to ECS tasks of this account and region only (two per ECS service)", () => {
                // The scale-to-zero functions' roles and the Aurora class scaler's are Lambda's (their trust:
                // tests/components/scale-to-zero.test.ts, tests/components/aurora-cluster.test.ts).
                const roles = ofType(T.role).filter((r) => !/-scale-to-zero-(idle-check|wake)-role$/.test(r.name) && !r.name.startsWith("aurora-"));
                expect(roles.length).to.equal(2 * ofType(T.service).length);
                for (const role of roles) {
                    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement, role.name).to.deep.equal([ECS_TASKS_TRUST_STATEMENT]);
                }
            });

            it("encrypts the alerts topic with the stack's key, which CloudWatch of this account may use", () => {
                const topic = ofType(T.topic).find((t) => String(t.inputs.name).endsWith("-alerts"))!;
                const [key] = ofType(T.key);
                expect(topic.inputs.kmsMasterKeyId).to.equal(key.state.arn);
                const cloudwatch = JSON.parse(key.inputs.policy).Statement.find((s: any) => s.Principal.Service === "cloudwatch.amazonaws.com");
                expect(cloudwatch.Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": ACCOUNT } });
            });

            it("alarms to the alerts topic on the first message in each dead-letter queue", () => {
                const topicArn = ofType(T.topic).find((t) => String(t.inputs.name).endsWith("-alerts"))!.state.arn;
                const deadLetterQueues = ofType(T.queue).filter((q) => String(q.inputs.name).endsWith("-dlq")).map((q) => q.inputs.name);
                expect(deadLetterQueues.length).to.be.greaterThan(0);
                for (const dlq of deadLetterQueues) {
                    const alarms = ofType(T.alarm).filter((a) => a.inputs.dimensions?.QueueName === dlq);
                    expect(alarms.map((a) => [a.inputs.metricName, a.inputs.comparisonOperator, a.inputs.threshold, a.inputs.alarmActions]), dlq)
                        .to.deep.equal([["ApproximateNumberOfMessagesVisible", "GreaterThanThreshold", 0, [topicArn]]]);
                }
            });
        });
    }
});

describe("stacks: staging's load balancer", () => {
    it("as the stack file sets it: HTTP only, access logs on, deletion protection on", async () => {
        const outputs = await runProgram("staging");
        const [lb] = ofType("aws:lb/loadBalancer:LoadBalancer");
        expect(lb.inputs.enableDeletionProtection).to.equal(true);
        expect(lb.inputs.accessLogs).to.deep.equal({ bucket: "alb-access-logs-id", prefix: "alb", enabled: true });
        expect(ofType(T.listener).map((l) => [l.inputs.port, l.inputs.protocol])).to.deep.equal([[80, "HTTP"]]);
        expect(outputs.loadBalancerUrl).to.equal(`http://alb-alb.${REGION}.elb.amazonaws.com:80`);
    });

    it("with a certificate: every service routed from the HTTPS listener, HTTP redirecting to it, an https:// URL", async () => {
        const lb = JSON.parse(stackConfig("staging")["ecs-autoscaling:loadBalancer"]);
        const outputs = await runProgram("staging", { loadBalancer: { ...lb, certificateArn: CERTIFICATE } });
        const https = named(T.listener, "alb-https");
        expect([https.inputs.port, https.inputs.protocol, https.inputs.certificateArn, https.inputs.sslPolicy])
            .to.deep.equal([443, "HTTPS", CERTIFICATE, "ELBSecurityPolicy-TLS13-1-2-2021-06"]);
        expect(named(T.listener, "alb-http").inputs.defaultActions).to.deep.equal([
            { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ]);
        // The api's and the preview's rules, both on the HTTPS listener.
        const rules = ofType(T.listenerRule);
        expect(rules.map((r) => [r.name, r.inputs.priority, r.inputs.listenerArn])).to.deep.equal([
            ["api-fargate-listener-rule", 100, https.state.arn],
            ["preview-fargate-listener-rule", 10, https.state.arn],
        ]);
        expect(outputs.loadBalancerUrl).to.equal(`https://alb-alb.${REGION}.elb.amazonaws.com`);
    });
});

describe("stacks: a configured secret", () => {
    let gatewayDefinition: Recorded;
    before(async () => {
        const services = stagingServices();
        services.gateway.secrets = { SHARD_TOKEN: PARAMETER };
        await runProgram("staging", { services });
        gatewayDefinition = ofType(T.taskDefinition).find((t) => t.inputs.family === "ecs-autoscaling-staging-gateway")!;
    });

    it("reaches the gateway's container as an ECS secret, not as plain environment", () => {
        const [container] = JSON.parse(gatewayDefinition.inputs.containerDefinitions);
        expect(container.secrets).to.deep.equal([{ name: "SHARD_TOKEN", valueFrom: PARAMETER }]);
        expect(container.environment.map((e: any) => e.name)).to.not.include("SHARD_TOKEN");
    });

    it("may be read by the gateway's execution role only, and by nothing else in the stack", () => {
        const executionRole = ofType(T.role).find((r) => r.state.arn === gatewayDefinition.inputs.executionRoleArn)!;
        const readers = ofType(T.rolePolicy).filter((p) => JSON.stringify(JSON.parse(p.inputs.policy)).includes("ssm:GetParameters"));
        expect(readers.map((p) => p.inputs.role)).to.deep.equal([`${executionRole.name}-id`]);
        const statement = JSON.parse(readers[0].inputs.policy).Statement.find((s: any) => s.Action === "ssm:GetParameters");
        expect(statement).to.deep.equal({ Sid: "ReadOwnParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: [PARAMETER] });
        expect(ofType(T.rolePolicy).filter((p) => p.inputs.policy.includes(PARAMETER))).to.have.length(1);
    });
});

describe("stacks: failure-simulation permissions (localstack allows failure simulation)", () => {
    let statements: any[];
    let worker: Recorded;
    let workerQueueArn: string;
    before(async () => {
        await runProgram("localstack");
        const autoscalerTaskRole = named(T.role, "queue-autoscaler-fargate-task-role");
        statements = ofType(T.rolePolicy).filter((p) => p.inputs.role === `${autoscalerTaskRole.name}-id`)
            .flatMap((p) => JSON.parse(p.inputs.policy).Statement);
        worker = ofType(T.service).find((s) => s.inputs.name === "ecs-autoscaling-localstack-worker")!;
        workerQueueArn = ofType(T.queue).find((q) => q.inputs.name === "ecs-autoscaling-localstack-work")!.state.arn;
    });
    const bySid = (sid: string) => statements.filter((s) => s.Sid === sid);
    const clusterArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/ecs-autoscaling-localstack`;

    it("DescribeTasks and StopTask on this cluster's tasks, in the form the ECS developer guide documents (task ARNs and ecs:cluster)", () => {
        // No aws:ResourceTag/aws:ecs:serviceName condition: nothing documents that IAM evaluates ECS-managed
        // tags; the code itself stops only tasks of the worker service's group.
        expect(bySid("ChaosStopWorkerTasks")).to.deep.equal([{
            Sid: "ChaosStopWorkerTasks",
            Effect: "Allow",
            Action: ["ecs:DescribeTasks", "ecs:StopTask"],
            Resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/ecs-autoscaling-localstack/*`,
            Condition: { ArnEquals: { "ecs:cluster": clusterArn } },
        }]);
        expect([worker.inputs.enableEcsManagedTags, worker.inputs.propagateTags]).to.deep.equal([true, "SERVICE"]);
    });

    it("ListTasks on \"*\" for this cluster only: Fargate tasks have no container instance (aws-cdk#3199)", () => {
        expect(bySid("ChaosListTasks").map((s) => [s.Action, s.Resource, s.Condition])).to.deep.equal([
            ["ecs:ListTasks", "*", { ArnEquals: { "ecs:cluster": clusterArn } }],
        ]);
    });

    it("SetQueueAttributes only on the worker's own queue (IAM has no key for the attribute; the partition's statement expires)", () => {
        expect(bySid("ChaosPartitionQueue")).to.deep.equal([
            { Sid: "ChaosPartitionQueue", Effect: "Allow", Action: "sqs:SetQueueAttributes", Resource: workerQueueArn },
        ]);
        expect(statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith("sqs:Set"))).map((s) => s.Sid)).to.deep.equal(["ChaosPartitionQueue"]);
    });

    it("nothing on \"*\" but GetMetricData and ListTasks (the latter for this cluster only)", () => {
        expect(statements.filter((s) => [s.Resource].flat().includes("*")).flatMap((s) => [s.Action].flat()).sort())
            .to.deep.equal(["cloudwatch:GetMetricData", "ecs:ListTasks"]);
    });
});
