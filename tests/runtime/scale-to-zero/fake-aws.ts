/**
 * A small stateful stand-in for ECS, ELBv2, Application Auto Scaling and CloudWatch on top of
 * aws-sdk-client-mock, for the scale-to-zero tests: reads answer what writes set, and every request
 * stays inspectable through the mocks.
 */
import { mockClient } from "aws-sdk-client-mock";
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, ECSClient, TagResourceCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { DescribeRulesCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, ModifyRuleCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ScaleToZeroTarget } from "../../../scaling/scale-to-zero";

export interface World {
    desired: number;
    route: string;
    healthy: number;
    bounds: { min: number; max: number };
    tags: Record<string, string>;
    /** RequestCount datapoints: minute start (epoch ms) -> Sum. */
    requests: Map<number, number>;
}

/** Stateful ECS, ELBv2, Application Auto Scaling and CloudWatch answering for one service `t`. */
export function fakeAws(world: World, T: ScaleToZeroTarget, SERVICE_ARN: string, onWrite: (command: string) => void = () => undefined) {
    const order: string[] = [];
    const ecs = mockClient(ECSClient);
    const elbv2 = mockClient(ElasticLoadBalancingV2Client);
    const autoscaling = mockClient(ApplicationAutoScalingClient);
    const cloudwatch = mockClient(CloudWatchClient);
    ecs.on(DescribeServicesCommand).callsFake(async () => ({
        services: [{ serviceArn: SERVICE_ARN, serviceName: T.service, desiredCount: world.desired, tags: Object.entries(world.tags).map(([key, value]) => ({ key, value })) }],
    }));
    ecs.on(UpdateServiceCommand).callsFake(async (input) => {
        // ECS answers the new desired count at once: a later DescribeServices sees it.
        order.push("UpdateService");
        world.desired = input.desiredCount;
        onWrite("UpdateService");
        return { service: { desiredCount: input.desiredCount } };
    });
    ecs.on(TagResourceCommand).callsFake(async (input) => {
        order.push("TagResource");
        for (const t of input.tags) world.tags[t.key] = t.value;
        return {};
    });
    elbv2.on(DescribeRulesCommand).callsFake(async () => ({ Rules: [{ RuleArn: T.listenerRuleArn, Actions: [{ Type: "forward", TargetGroupArn: world.route }] }] }));
    elbv2.on(ModifyRuleCommand).callsFake(async (input) => {
        order.push("ModifyRule");
        world.route = input.Actions[0].TargetGroupArn;
        onWrite("ModifyRule");
        return { Rules: [] };
    });
    elbv2.on(DescribeTargetHealthCommand).callsFake(async () => ({
        TargetHealthDescriptions: [
            ...Array.from({ length: world.healthy }, (_, i) => ({ Target: { Id: `10.0.0.${i + 1}` }, TargetHealth: { State: "healthy" } })),
            { Target: { Id: "10.0.9.9" }, TargetHealth: { State: "draining" } },
        ],
    }));
    autoscaling.on(DescribeScalableTargetsCommand).callsFake(async () => ({
        ScalableTargets: [{ ServiceNamespace: "ecs", ResourceId: `service/${T.cluster}/${T.service}`, ScalableDimension: "ecs:service:DesiredCount", MinCapacity: world.bounds.min, MaxCapacity: world.bounds.max }],
    }));
    autoscaling.on(RegisterScalableTargetCommand).callsFake(async (input) => {
        order.push("RegisterScalableTarget");
        world.bounds = { min: input.MinCapacity, max: input.MaxCapacity };
        return {};
    });
    cloudwatch.on(GetMetricDataCommand).callsFake(async (input) => {
        const from = input.StartTime.getTime();
        const to = input.EndTime.getTime();
        const points = [...world.requests.entries()].filter(([at]) => at >= from && at < to).sort(([a], [b]) => a - b);
        return { MetricDataResults: [{ Id: "requests", Timestamps: points.map(([at]) => new Date(at)), Values: points.map(([, v]) => v), StatusCode: "Complete" }] };
    });
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const clients = { ecs, elbv2, autoscaling, cloudwatch };
    return {
        mocks: clients,
        order,
        clients: {
            ecs: new ECSClient({ region: "us-east-1" }),
            elbv2: new ElasticLoadBalancingV2Client({ region: "us-east-1" }),
            autoscaling: new ApplicationAutoScalingClient({ region: "us-east-1" }),
            cloudwatch: new CloudWatchClient({ region: "us-east-1" }),
        },
        restore() {
            for (const m of Object.values(clients)) m.restore();
        },
        resetHistory() {
            for (const m of Object.values(clients)) m.resetHistory();
            order.length = 0;
        },
        writes() {
            return {
                modifyRule: ecsInputs(elbv2.commandCalls(ModifyRuleCommand)),
                register: ecsInputs(autoscaling.commandCalls(RegisterScalableTargetCommand)),
                update: ecsInputs(ecs.commandCalls(UpdateServiceCommand)),
                tag: ecsInputs(ecs.commandCalls(TagResourceCommand)),
            };
        },
    };
}

function ecsInputs(calls: { args: [{ input: any }] }[]): any[] {
    return calls.map((c) => c.args[0].input);
}

