/**
 * Scale-to-zero against moto_server: a cluster, a service behind an ALB listener rule, the service's
 * and the wake target groups, the scalable target, RequestCount datapoints; then the idle check until
 * the service sleeps, ALB-shaped requests to the wake handler, a target registered, and at each step
 * the desired count, the rule's target group, the bounds and the published metrics read back.
 *
 * What moto does not do, and how this test stands in for it (shared/reference/moto.md):
 * - Nothing routes HTTP through the ALB and no Lambda runs: the wake handler is called in-process with
 *   the event the ALB would send, and the wake target group gets no registered function.
 * - ECS never starts or stops tasks, and target health is not checked: moto reports a registered IP
 *   target `healthy` at once. The test registers a target where a started task would be registered
 *   and deregisters it where ECS would after the scale-in.
 * - The ALB publishes no RequestCount: the test writes the datapoints, minutes in the past, and runs
 *   the functions on an injected clock that walks through those minutes.
 */
import { expect } from "chai";
import { DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { GetMetricDataCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import {
    CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DeregisterTargetsCommand,
    DescribeRulesCommand, RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ALBEvent } from "aws-lambda";
import { createApplicationAutoScalingClient, createCloudWatchClient, createEcsClient, createElbv2Client } from "../../../runtime/aws/clients";
import { createLogger } from "../../../runtime/aws/logger";
import type { ScaleToZeroClients } from "../../../runtime/scale-to-zero/aws";
import { runIdleCheck } from "../../../runtime/scale-to-zero/idle-check";
import { createWakeHandler } from "../../../runtime/scale-to-zero/wake";
import { wakeOnce } from "../../../runtime/scale-to-zero/manual-wake";
import { wakeTargetGroupName } from "../../../config/scale-to-zero";
import { MARK_TAGS, type ScaleToZeroTarget } from "../../../scaling/scale-to-zero";
import { motoClientOverrides, onUpdateService, startMoto, type MotoServer, type UpdateServiceCall } from "../../../local/moto-server";
import { recordAwsCalls } from "../../helpers/aws-call-recorder";

const CLUSTER = "stz-it";
const SERVICE = "stz-it-preview";
const NAMESPACE = "ECSAutoscaling/ScaleToZero";
const MIN = 60_000;

/** Two default-VPC subnets. The project has no EC2 client, so this one query call is made by hand (moto checks no signature). */
async function defaultSubnets(endpoint: string): Promise<{ vpcId: string; subnets: string[] }> {
    const res = await fetch(`${endpoint}/?Action=DescribeSubnets&Version=2016-11-15`, {
        headers: { Authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0" },
    });
    const xml = await res.text();
    const subnets = [...xml.matchAll(/<subnetId>(subnet-[0-9a-f]+)<\/subnetId>/g)].map((m) => m[1]);
    const vpcId = /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/.exec(xml)?.[1];
    if (!vpcId || subnets.length < 2) throw new Error(`DescribeSubnets on moto: no default VPC with 2 subnets (${xml.slice(0, 300)})`);
    return { vpcId, subnets: subnets.slice(0, 2) };
}

const albEvent = (): ALBEvent => ({
    requestContext: { elb: { targetGroupArn: "" } },
    httpMethod: "GET",
    path: "/preview/",
    queryStringParameters: {},
    headers: { accept: "application/json", host: "alb.local" },
    body: "",
    isBase64Encoded: false,
});

describe("integration: scale-to-zero against moto_server", function () {
    this.timeout(120_000);

    let moto: MotoServer | undefined;
    let clients: ScaleToZeroClients & { ecs: ReturnType<typeof createEcsClient> };
    let t: ScaleToZeroTarget;
    const updates: UpdateServiceCall[] = [];
    /** Ten minutes ago, on a minute boundary: the clock the functions run on starts here. */
    const T = Math.floor((Date.now() - 30 * MIN) / MIN) * MIN;
    const logger = createLogger({ level: "silent" });
    const recording = recordAwsCalls(__filename, undefined, () => ({
        cluster: CLUSTER, service: SERVICE, listenerRule: t.listenerRuleArn, serviceTargetGroup: t.serviceTargetGroupArn,
        wakeTargetGroup: t.wakeTargetGroupArn, namespace: NAMESPACE,
    }));
    const deps = (now: number) => ({ clients, clock: () => now, logger });
    /** The idle-check function and the wake function at `now`, each recorded as its own role's calls. */
    const idleCheck = (now: number) => {
        recording.as("scale-to-zero-idle-check");
        return runIdleCheck(t, deps(now));
    };
    const wakeHandler = (now: number) => {
        recording.as("scale-to-zero-wake");
        return createWakeHandler(t, deps(now));
    };

    const read = {
        async desired() {
            const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE], include: ["TAGS"] }));
            return { desired: out.services![0].desiredCount, tags: Object.fromEntries((out.services![0].tags ?? []).map((x) => [x.key, x.value])) };
        },
        async ruleTarget() {
            const out = await clients.elbv2.send(new DescribeRulesCommand({ RuleArns: [t.listenerRuleArn] }));
            const arn = out.Rules![0].Actions![0].TargetGroupArn;
            return arn === t.serviceTargetGroupArn ? "service" : arn === t.wakeTargetGroupArn ? "wake" : arn;
        },
        async bounds() {
            const out = await clients.autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: [`service/${CLUSTER}/${SERVICE}`] }));
            return [out.ScalableTargets![0].MinCapacity, out.ScalableTargets![0].MaxCapacity];
        },
        /** Maximum per minute of one state metric, as [minutes after T, value]. */
        async metric(name: string, extra: { Name: string; Value: string }[] = []) {
            const out = await clients.cloudwatch.send(new GetMetricDataCommand({
                StartTime: new Date(T - 10 * MIN), EndTime: new Date(T + 20 * MIN), ScanBy: "TimestampAscending",
                MetricDataQueries: [{
                    Id: "m",
                    MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: name, Dimensions: [{ Name: "Service", Value: SERVICE }, { Name: "Cluster", Value: CLUSTER }, ...extra] }, Period: 60, Stat: "Maximum" },
                }],
            }));
            const r = out.MetricDataResults![0];
            return (r.Timestamps ?? []).map((ts, i) => [(new Date(ts).getTime() - T) / MIN, r.Values![i]]);
        },
    };

    before(async () => {
        moto = await startMoto();
        const o = motoClientOverrides(moto.endpoint);
        clients = { ecs: createEcsClient(o), elbv2: createElbv2Client(o), autoscaling: createApplicationAutoScalingClient(o), cloudwatch: createCloudWatchClient(o) };
        onUpdateService(clients.ecs, (call) => updates.push(call));

        const { vpcId, subnets } = await defaultSubnets(moto.endpoint);
        const lb = (await clients.elbv2.send(new CreateLoadBalancerCommand({ Name: "stz-it-alb", Subnets: subnets, Type: "application" }))).LoadBalancers![0];
        const serviceTg = (await clients.elbv2.send(new CreateTargetGroupCommand({ Name: "stz-it-preview-tg", Protocol: "HTTP", Port: 80, VpcId: vpcId, TargetType: "ip" }))).TargetGroups![0];
        const wakeTg = (await clients.elbv2.send(new CreateTargetGroupCommand({ Name: "stz-it-preview-wake", TargetType: "lambda" }))).TargetGroups![0];
        const listener = (await clients.elbv2.send(new CreateListenerCommand({
            LoadBalancerArn: lb.LoadBalancerArn, Port: 80, Protocol: "HTTP",
            DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404", ContentType: "text/plain", MessageBody: "Not Found" } }],
        }))).Listeners![0];
        const rule = (await clients.elbv2.send(new CreateRuleCommand({
            ListenerArn: listener.ListenerArn, Priority: 10,
            Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/preview", "/preview/*"] } }],
            Actions: [{ Type: "forward", TargetGroupArn: serviceTg.TargetGroupArn }],
        }))).Rules![0];

        await clients.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
        const td = await clients.ecs.send(new RegisterTaskDefinitionCommand({
            family: SERVICE, requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "256", memory: "512",
            containerDefinitions: [{ name: "web", image: "public.ecr.aws/nginx/nginx:1.27", memory: 512, essential: true, portMappings: [{ containerPort: 80 }] }],
        }));
        await clients.ecs.send(new CreateServiceCommand({
            cluster: CLUSTER, serviceName: SERVICE, taskDefinition: td.taskDefinition!.taskDefinitionArn, desiredCount: 1, launchType: "FARGATE",
            loadBalancers: [{ targetGroupArn: serviceTg.TargetGroupArn, containerName: "web", containerPort: 80 }],
        }));
        await clients.autoscaling.send(new RegisterScalableTargetCommand({
            ServiceNamespace: "ecs", ResourceId: `service/${CLUSTER}/${SERVICE}`, ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 0, MaxCapacity: 1,
        }));
        // The running task, as ECS would have registered it.
        await clients.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: serviceTg.TargetGroupArn, Targets: [{ Id: "10.0.1.10", Port: 80 }] }));

        t = {
            cluster: CLUSTER, service: SERVICE, listenerRuleArn: rule.RuleArn!,
            serviceTargetGroupArn: serviceTg.TargetGroupArn!, wakeTargetGroupArn: wakeTg.TargetGroupArn!,
            loadBalancerDimension: lb.LoadBalancerArn!.split(":loadbalancer/")[1],
            targetGroupDimension: serviceTg.TargetGroupArn!.slice(serviceTg.TargetGroupArn!.indexOf("targetgroup/")),
            idleSeconds: 300, wakeCapacity: 1, minCapacity: 0, maxCapacity: 1, namespace: NAMESPACE,
        };
        // Requests through the ALB in the minutes before T and at T+1.
        await clients.cloudwatch.send(new PutMetricDataCommand({
            Namespace: "AWS/ApplicationELB",
            MetricData: [[-3, 7], [1, 2]].map(([m, n]) => ({
                MetricName: "RequestCount", Value: n, Unit: "Count", Timestamp: new Date(T + m * MIN),
                Dimensions: [{ Name: "LoadBalancer", Value: t.loadBalancerDimension }, { Name: "TargetGroup", Value: t.targetGroupDimension }],
            })),
        }));
    });

    after(async () => {
        await moto?.stop();
        for (const c of Object.values(clients ?? {})) c.destroy();
    });

    it("while requests arrive within the window, the idle check leaves the service awake and publishes ServiceStatus 1", async () => {
        const r = await idleCheck(T + 5 * MIN);
        expect([r.transition, r.status]).to.deep.equal(["none", "active"]);
        expect((await read.desired()).desired).to.equal(1);
        expect(await read.ruleTarget()).to.equal("service");
        expect(await read.bounds()).to.deep.equal([0, 1]);
        expect(await read.metric("ServiceStatus")).to.deep.equal([[5, 1]]);
    });

    it("after a fully idle window it sleeps: rule to the wake target group, bounds 0..0, desired 0, IdleSeconds published", async () => {
        // The last requests were in the minute [T+1, T+2). Idle is judged on the 5-minute window that ends
        // 180 s (the publication delay) before now, and on every minute since: (T+2, T+10] is empty.
        const r = await idleCheck(T + 10 * MIN);
        expect(r.transition).to.equal("slept");
        const state = await read.desired();
        expect(state.desired).to.equal(0);
        expect(state.tags[MARK_TAGS.asleepSince]).to.equal(String(T + 10 * MIN));
        expect(await read.ruleTarget()).to.equal("wake");
        expect(await read.bounds()).to.deep.equal([0, 0]);
        expect(updates.map((u) => u.desiredCount)).to.deep.equal([0]);
        expect(await read.metric("ServiceStatus")).to.deep.equal([[5, 1], [10, 0]]);
        expect(await read.metric("ServiceDesiredCount", [{ Name: "Status", Value: "idle" }])).to.deep.equal([[10, 0]]);
        expect(await read.metric("IdleSeconds")).to.deep.equal([[10, 480]]);
        // ECS deregisters the stopped task's target.
        await clients.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: t.serviceTargetGroupArn, Targets: [{ Id: "10.0.1.10", Port: 80 }] }));
    });

    it("a second run changes nothing", async () => {
        const r = await idleCheck(T + 11 * MIN);
        expect([r.transition, r.status, r.actions]).to.deep.equal(["none", "idle", []]);
        expect((await read.desired()).desired).to.equal(0);
        expect(await read.ruleTarget()).to.equal("wake");
        expect(await read.bounds()).to.deep.equal([0, 0]);
        expect(updates).to.have.length(1);
    });

    it("ALB requests to the wake handler: one UpdateService to wakeCapacity for 8 concurrent requests, bounds 1..1, 503 JSON with Retry-After", async () => {
        const handler = wakeHandler(T + 12 * MIN);
        const answers = await Promise.all(Array.from({ length: 8 }, () => handler(albEvent())));
        for (const a of answers) {
            expect([a.statusCode, a.headers!["Retry-After"], JSON.parse(a.body!).status]).to.deep.equal([503, "5", "starting"]);
        }
        expect(updates.map((u) => u.desiredCount)).to.deep.equal([0, 1]);
        const state = await read.desired();
        expect(state.desired).to.equal(1);
        expect(state.tags[MARK_TAGS.wakeRequestedAt]).to.equal(String(T + 12 * MIN));
        expect(await read.ruleTarget()).to.equal("wake");
        expect(await read.bounds()).to.deep.equal([1, 1]);
        // While the task starts, a later request asks for nothing more.
        await wakeHandler(T + 12 * MIN + 20_000)(albEvent());
        expect(updates).to.have.length(2);
    });

    it("once a target is registered (healthy), the next request switches the rule back, restores the bounds and publishes WakeLatencySeconds", async () => {
        await clients.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: t.serviceTargetGroupArn, Targets: [{ Id: "10.0.1.11", Port: 80 }] }));
        const a = await wakeHandler(T + 12 * MIN + 45_000)(albEvent());
        expect(JSON.parse(a.body!)).to.deep.equal({ status: "ready", service: SERVICE, retryAfterSeconds: 1 });
        expect(await read.ruleTarget()).to.equal("service");
        expect(await read.bounds()).to.deep.equal([0, 1]);
        expect((await read.desired()).tags[MARK_TAGS.awakeSince]).to.equal(String(T + 12 * MIN + 45_000));
        expect(await read.metric("WakeLatencySeconds")).to.deep.equal([[12, 45]]);
        expect(await read.metric("ServiceStatus")).to.deep.equal([[5, 1], [10, 0], [11, 0], [12, 1]]);
    });

    it("within one idle window of the wake it does not sleep again, though no request came; a window later it does", async () => {
        const within = await idleCheck(T + 16 * MIN);
        expect(within.transition).to.equal("none");
        expect((await read.desired()).desired).to.equal(1);
        const after = await idleCheck(T + 21 * MIN);
        expect(after.transition).to.equal("slept");
        expect((await read.desired()).desired).to.equal(0);
        expect(await read.ruleTarget()).to.equal("wake");
        expect(updates.map((u) => u.desiredCount)).to.deep.equal([0, 1, 0]);
    });

    it("`autoscale wake` finds the rule and wake target group from the service and wakes it as a first request would", async () => {
        // An operator's command, run with the operator's own credentials: no role of the stack.
        recording.as(undefined);
        const d = await wakeOnce(clients, { cluster: CLUSTER, service: SERVICE, wakeTargetGroupName: wakeTargetGroupName(SERVICE) }, T + 22 * MIN);
        expect([d.transition, d.desiredCount]).to.deep.equal(["wake-requested", 1]);
        expect((await read.desired()).desired).to.equal(1);
        expect(await read.bounds()).to.deep.equal([1, 1]);
        expect(await read.ruleTarget()).to.equal("wake");
        // The target is still registered (moto: healthy), so a second manual wake routes the service back.
        const again = await wakeOnce(clients, { cluster: CLUSTER, service: SERVICE, wakeTargetGroupName: wakeTargetGroupName(SERVICE) }, T + 22 * MIN + 30_000);
        expect(again.transition).to.equal("woke");
        expect(await read.ruleTarget()).to.equal("service");
        expect(await read.bounds()).to.deep.equal([0, 1]);
    });
});
