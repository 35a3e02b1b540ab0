/**
 * The policy pack on the mocked graph of every stack file (each policy passes), and a table of graphs
 * with one violation each (each policy fails with its expected message). The rules are the pack's own
 * pure functions; the context is built as the pack builds it (IAM action data included).
 */
import { expect } from "chai";
import { policyContext } from "../../policy/context";
import type { PolicyContext, PolicyResource, ProjectPolicy, Violation } from "../../policy/graph";
import { POLICIES } from "../../policy/policies";
import { stackNames } from "../helpers/stack-files";
import { stackGraph } from "./graphs";

const STAGING = "urn:pulumi:staging::ecs-autoscaling::";



function named(graph: PolicyResource[], name: string): PolicyResource {
    const r = graph.find((x) => x.urn.endsWith(`::${name}`));
    if (!r) throw new Error(`no resource named ${name}`);
    return r;
}

interface Case {
    readonly policy: string;
    readonly violation: string;
    readonly mutate: (graph: PolicyResource[]) => void;
    readonly context?: Partial<PolicyContext>;
    readonly expected: Violation;
}

const CASES: readonly Case[] = [
    {
        policy: "one-owner-per-desired-count",
        violation: "an Application Auto Scaling policy on jobs, which the queue autoscaler scales",
        mutate: (g) => {
            const cpu = named(g, "worker-scaling-cpu");
            g.push({ ...cpu, urn: `${STAGING}aws:appautoscaling/policy:Policy::jobs-scaling-cpu`, props: { ...cpu.props, name: "ecs-autoscaling-staging-jobs-cpu", resourceId: "service/ecs-autoscaling-staging/ecs-autoscaling-staging-jobs" } });
        },
        expected: {
            urn: `${STAGING}aws:ecs/taskDefinition:TaskDefinition::queue-autoscaler-fargate-task-definition`,
            message: "service/ecs-autoscaling-staging/ecs-autoscaling-staging-jobs has two owners of its desired count: the queue autoscaler (task definition queue-autoscaler-fargate-task-definition) and Application Auto Scaling policies ecs-autoscaling-staging-jobs-cpu; remove the policies or the autoscaler",
        },
    },
    {
        policy: "one-owner-per-desired-count",
        violation: "a scheduled action on jobs, which the queue autoscaler scales",
        mutate: (g) => {
            const start = named(g, "api-scaling-office-hours-start");
            g.push({
                ...start, urn: `${STAGING}aws:appautoscaling/scheduledAction:ScheduledAction::jobs-scaling-office-hours-start`,
                props: { ...start.props, name: "ecs-autoscaling-staging-jobs-office-hours-start", resourceId: "service/ecs-autoscaling-staging/ecs-autoscaling-staging-jobs" },
            });
        },
        expected: {
            urn: `${STAGING}aws:appautoscaling/scheduledAction:ScheduledAction::jobs-scaling-office-hours-start`,
            message: "service/ecs-autoscaling-staging/ecs-autoscaling-staging-jobs has two owners of its desired count: the queue autoscaler (task definition queue-autoscaler-fargate-task-definition) " +
                "and Application Auto Scaling scheduled actions ecs-autoscaling-staging-jobs-office-hours-start, which move desired into the bounds they set; remove the scheduled actions or the autoscaler",
        },
    },
    {
        policy: "watched-series-are-published",
        violation: "batch's backlog per task on a cluster with Container Insights off (m2, RunningTaskCount, is never published)",
        mutate: (g) => { named(g, "cluster-cluster").props.settings = [{ name: "containerInsights", value: "disabled" }]; },
        expected: {
            urn: `${STAGING}aws:appautoscaling/policy:Policy::batch-scaling-backlog`,
            message: 'scaling policy ecs-autoscaling-staging-batch-backlog watches ECS/ContainerInsights RunningTaskCount {"ClusterName":"ecs-autoscaling-staging","ServiceName":"ecs-autoscaling-staging-batch"}, ' +
                "which nothing publishes: ClusterName ecs-autoscaling-staging is no ECS cluster with Container Insights on (setting containerInsights enabled) of the stack",
        },
    },
    {
        policy: "watched-series-are-published",
        violation: "batch's backlog per task on a queue the stack does not have (m1)",
        mutate: (g) => {
            const p = named(g, "batch-scaling-backlog");
            p.props.targetTrackingScalingPolicyConfiguration.customizedMetricSpecification.metrics[0].metricStat.metric.dimensions = [{ name: "QueueName", value: "orders" }];
        },
        expected: {
            urn: `${STAGING}aws:appautoscaling/policy:Policy::batch-scaling-backlog`,
            message: 'scaling policy ecs-autoscaling-staging-batch-backlog watches AWS/SQS ApproximateNumberOfMessagesVisible {"QueueName":"orders"}, which nothing publishes: QueueName orders is no queue of the stack',
        },
    },
    {
        policy: "one-owner-per-desired-count",
        violation: "the queue autoscaler given the worker too (SERVICES), which its own policies scale",
        mutate: (g) => {
            const td = named(g, "queue-autoscaler-fargate-task-definition");
            const containers = JSON.parse(td.props.containerDefinitions);
            const env: { name: string; value: string }[] = containers[0].environment;
            const services = { "ecs-autoscaling-staging-jobs": { queueUrls: ["jobs"] }, "ecs-autoscaling-staging-worker": { queueUrls: ["work"] } };
            containers[0].environment = [...env.filter((e) => e.name !== "AUTOSCALER_ECS_SERVICE" && e.name !== "AUTOSCALER_QUEUE_URL"), { name: "AUTOSCALER_SERVICES", value: JSON.stringify(services) }];
            td.props.containerDefinitions = JSON.stringify(containers);
        },
        expected: {
            urn: `${STAGING}aws:ecs/taskDefinition:TaskDefinition::queue-autoscaler-fargate-task-definition`,
            message: "service/ecs-autoscaling-staging/ecs-autoscaling-staging-worker has two owners of its desired count: the queue autoscaler (task definition queue-autoscaler-fargate-task-definition) and Application Auto Scaling policies " +
                "ecs-autoscaling-staging-worker-cpu, ecs-autoscaling-staging-worker-memory, ecs-autoscaling-staging-worker-queue-depth-in, ecs-autoscaling-staging-worker-queue-depth-out; remove the policies or the autoscaler",
        },
    },
    {
        policy: "scaling-bounds-and-steps",
        violation: "the worker's scale-out alarm compares <= ",
        mutate: (g) => { named(g, "worker-scaling-queue-depth-out-alarm").props.comparisonOperator = "LessThanOrEqualToThreshold"; },
        expected: {
            urn: `${STAGING}aws:cloudwatch/metricAlarm:MetricAlarm::worker-scaling-queue-depth-out-alarm`,
            message: "alarm ecs-autoscaling-staging-worker-queue-depth-out compares LessThanOrEqualToThreshold but invokes scaling policy ecs-autoscaling-staging-worker-queue-depth-out, whose steps add tasks; scale-out alarms compare GreaterThanOrEqualToThreshold",
        },
    },
    {
        policy: "scaling-bounds-and-steps",
        violation: "a scale-out step list that starts 10 above the threshold",
        mutate: (g) => { named(g, "worker-scaling-queue-depth-out").props.stepScalingPolicyConfiguration.stepAdjustments[0].metricIntervalLowerBound = "10"; },
        expected: {
            urn: `${STAGING}aws:appautoscaling/policy:Policy::worker-scaling-queue-depth-out`,
            message: "scaling policy ecs-autoscaling-staging-worker-queue-depth-out adds tasks from 10 above the alarm threshold; the first scale-out step must start at the threshold (lower bound 0)",
        },
    },
    {
        policy: "scaling-bounds-and-steps",
        violation: "a scalable target whose minCapacity is above its maxCapacity",
        mutate: (g) => { named(g, "gateway-scaling-target").props.minCapacity = 5; },
        expected: {
            urn: `${STAGING}aws:appautoscaling/target:Target::gateway-scaling-target`,
            message: "service/ecs-autoscaling-staging/ecs-autoscaling-staging-gateway: minCapacity 5 is above maxCapacity 4",
        },
    },
    {
        policy: "watched-series-are-published",
        violation: "the worker's scale-out alarm watching a queue the stack does not have",
        mutate: (g) => { named(g, "worker-scaling-queue-depth-out-alarm").props.dimensions = { QueueName: "ecs-autoscaling-staging-other" }; },
        expected: {
            urn: `${STAGING}aws:cloudwatch/metricAlarm:MetricAlarm::worker-scaling-queue-depth-out-alarm`,
            message: "alarm ecs-autoscaling-staging-worker-queue-depth-out of scaling policy ecs-autoscaling-staging-worker-queue-depth-out watches AWS/SQS ApproximateNumberOfMessagesVisible {\"QueueName\":\"ecs-autoscaling-staging-other\"}, which nothing publishes: QueueName ecs-autoscaling-staging-other is no queue of the stack",
        },
    },
    {
        policy: "iam-wildcard-resources",
        violation: "sqs:SendMessage allowed on \"*\" (with a condition)",
        mutate: (g) => {
            const p = named(g, "worker-fargate-task-policy");
            const doc = JSON.parse(p.props.policy);
            doc.Statement.push({ Sid: "SendAnywhere", Effect: "Allow", Action: "sqs:SendMessage", Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } });
            p.props.policy = JSON.stringify(doc);
        },
        expected: {
            urn: `${STAGING}aws:iam/rolePolicy:RolePolicy::worker-fargate-task-policy`,
            message: "worker-fargate-task-policy statement SendAnywhere allows sqs:SendMessage on \"*\", but AWS authorises it against resource ARNs; name the ARNs",
        },
    },
    {
        policy: "no-world-open-security-groups",
        violation: "the load balancer's group open to the world on port 22",
        mutate: (g) => { Object.assign(named(g, "alb-http-ipv4").props, { fromPort: 22, toPort: 22 }); },
        expected: {
            urn: `${STAGING}aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::alb-http-ipv4`,
            message: "alb-http-ipv4 opens port 22 to 0.0.0.0/0, but load balancer alb-alb listens on 80; open exactly the listener ports",
        },
    },
    {
        policy: "no-world-open-security-groups",
        violation: "a task security group open to the world",
        mutate: (g) => { Object.assign(named(g, "api-fargate-ingress-from-alb").props, { referencedSecurityGroupId: undefined, cidrIpv6: "::/0" }); },
        expected: {
            urn: `${STAGING}aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::api-fargate-ingress-from-alb`,
            message: "api-fargate-ingress-from-alb opens port 80 to ::/0, but its security group belongs to no internet-facing load balancer; only a public listener may be open to the world",
        },
    },
    {
        policy: "production-encryption-and-deletion-protection",
        violation: "a production stack whose Aurora cluster has no deletion protection",
        context: { production: true },
        mutate: (g) => { named(g, "aurora-cluster").props.deletionProtection = false; },
        expected: {
            urn: `${STAGING}aws:rds/cluster:Cluster::aurora-cluster`,
            message: "production stack staging: Aurora cluster ecs-autoscaling-staging-aurora has no deletion protection (aurora.deletionProtection: true)",
        },
    },
];

function policy(name: string): ProjectPolicy {
    const p = POLICIES.find((x) => x.name === name);
    if (!p) throw new Error(`no policy ${name}`);
    return p;
}

describe("policy pack", function () {
    this.timeout(120_000);
    const graphs = new Map<string, { graph: PolicyResource[]; context: PolicyContext }>();
    before(async () => {
        for (const stack of stackNames()) {
            const graph = await stackGraph(stack);
            graphs.set(stack, { graph, context: await policyContext(graph, {}, new Map()) });
        }
    });

    it("has the six policies of the project's invariants", () => {
        expect(POLICIES.map((p) => p.name)).to.deep.equal([
            "one-owner-per-desired-count", "scaling-bounds-and-steps", "watched-series-are-published",
            "iam-wildcard-resources", "no-world-open-security-groups", "production-encryption-and-deletion-protection",
        ]);
    });

    for (const stack of stackNames()) {
        it(`every policy passes on the mocked graph of Pulumi.${stack}.yaml`, () => {
            const { graph, context } = graphs.get(stack)!;
            for (const p of POLICIES) {
                expect(p.check(graph, context).map((v) => v.message), `${p.name} on ${stack}`).to.deep.equal([]);
            }
        });
    }

    it("staging, taken as production, passes the production policy (encrypted, deletion-protected)", () => {
        const { graph, context } = graphs.get("staging")!;
        expect(policy("production-encryption-and-deletion-protection").check(graph, { ...context, production: true })).to.deep.equal([]);
    });

    describe("a graph with one violation fails its policy with the expected message", () => {
        for (const c of CASES) {
            it(`${c.policy}: ${c.violation}`, () => {
                const { graph, context } = graphs.get("staging")!;
                const p = policy(c.policy);
                const ctx = { ...context, ...c.context };
                const mutated: PolicyResource[] = JSON.parse(JSON.stringify(graph));
                c.mutate(mutated);
                const before = new Set(p.check(graph, ctx).map((v) => v.message));
                expect(p.check(mutated, ctx).filter((v) => !before.has(v.message))).to.deep.equal([c.expected]);
            });
        }
    });
});
