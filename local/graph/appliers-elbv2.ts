/**
 * The load balancer (ELBv2): load balancer, target groups, listener, listener rules and target group
 * attachments, through the SDK client the scale-to-zero functions use.
 */
import {
    CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DeleteListenerCommand,
    DeleteLoadBalancerCommand, DeleteRuleCommand, DeleteTargetGroupCommand, DeregisterTargetsCommand, DescribeListenersCommand,
    DescribeLoadBalancersCommand, DescribeRulesCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, RegisterTargetsCommand,
    type Action, type RuleCondition,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { found, ignoreMissing, type Applier } from "./applier";

/** What the provider derives from an ARN: everything after `loadbalancer/` or from `targetgroup/`. */
function arnSuffix(arn: string): string {
    const resource = arn.split(":").slice(5).join(":");
    return resource.replace(/^loadbalancer\//, "");
}

function actions(list: any[] | undefined): Action[] {
    return (list ?? []).map((a, i) => ({
        Type: a.type, Order: a.order ?? i + 1,
        ...(a.targetGroupArn ? { TargetGroupArn: a.targetGroupArn } : {}),
        ...(a.fixedResponse ? { FixedResponseConfig: { ContentType: a.fixedResponse.contentType, MessageBody: a.fixedResponse.messageBody, StatusCode: a.fixedResponse.statusCode } } : {}),
        ...(a.redirect ? { RedirectConfig: { Protocol: a.redirect.protocol, Port: a.redirect.port, StatusCode: a.redirect.statusCode, Host: a.redirect.host, Path: a.redirect.path, Query: a.redirect.query } } : {}),
    }));
}

function conditions(list: any[] | undefined): RuleCondition[] {
    return (list ?? []).map((c) => (c.pathPattern ? { Field: "path-pattern", PathPatternConfig: { Values: c.pathPattern.values } }
        : c.hostHeader ? { Field: "host-header", HostHeaderConfig: { Values: c.hostHeader.values } }
            : { Field: "http-request-method", HttpRequestMethodConfig: { Values: c.httpRequestMethod?.values ?? [] } }));
}

const loadBalancer: Applier = {
    async create(ctx, name, inputs) {
        const lbName = inputs.name ?? ctx.autoName(name, 32);
        const r = await ctx.clients.elbv2.send(new CreateLoadBalancerCommand({
            Name: lbName, Subnets: inputs.subnets, SecurityGroups: inputs.securityGroups, Scheme: inputs.internal ? "internal" : "internet-facing",
            Type: inputs.loadBalancerType ?? "application",
        }));
        const lb = r.LoadBalancers?.[0];
        const arn = lb?.LoadBalancerArn ?? "";
        return { id: arn, outputs: { arn, name: lbName, arnSuffix: arnSuffix(arn), dnsName: lb?.DNSName, zoneId: lb?.CanonicalHostedZoneId, vpcId: lb?.VpcId } };
    },
    exists: (ctx, id) => found(async () => ((await ctx.clients.elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [id] }))).LoadBalancers ?? []).length > 0),
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: id }))),
};

const targetGroup: Applier = {
    async create(ctx, name, inputs) {
        const tgName = inputs.name ?? ctx.autoName(name, 32);
        const hc = inputs.healthCheck;
        const r = await ctx.clients.elbv2.send(new CreateTargetGroupCommand({
            Name: tgName, TargetType: inputs.targetType,
            ...(inputs.targetType !== "lambda" ? { Protocol: inputs.protocol, Port: inputs.port, VpcId: inputs.vpcId } : {}),
            ...(hc ? {
                HealthCheckEnabled: hc.enabled, HealthCheckPath: hc.path, HealthCheckIntervalSeconds: hc.interval, HealthCheckTimeoutSeconds: hc.timeout,
                HealthyThresholdCount: hc.healthyThreshold, UnhealthyThresholdCount: hc.unhealthyThreshold, Matcher: hc.matcher ? { HttpCode: hc.matcher } : undefined,
            } : {}),
        }));
        const arn = r.TargetGroups?.[0]?.TargetGroupArn ?? "";
        return { id: arn, outputs: { arn, name: tgName, arnSuffix: arnSuffix(arn) } };
    },
    exists: (ctx, id) => found(async () => ((await ctx.clients.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [id] }))).TargetGroups ?? []).length > 0),
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: id }))),
};

const listener: Applier = {
    async create(ctx, _name, inputs) {
        const r = await ctx.clients.elbv2.send(new CreateListenerCommand({
            LoadBalancerArn: inputs.loadBalancerArn, Port: inputs.port, Protocol: inputs.protocol, DefaultActions: actions(inputs.defaultActions),
            ...(inputs.certificateArn ? { Certificates: [{ CertificateArn: inputs.certificateArn }], SslPolicy: inputs.sslPolicy } : {}),
        }));
        const arn = r.Listeners?.[0]?.ListenerArn ?? "";
        return { id: arn, outputs: { arn } };
    },
    exists: (ctx, id) => found(async () => ((await ctx.clients.elbv2.send(new DescribeListenersCommand({ ListenerArns: [id] }))).Listeners ?? []).length > 0),
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.elbv2.send(new DeleteListenerCommand({ ListenerArn: id }))),
};

const listenerRule: Applier = {
    async create(ctx, _name, inputs) {
        const r = await ctx.clients.elbv2.send(new CreateRuleCommand({
            ListenerArn: inputs.listenerArn, Priority: inputs.priority, Actions: actions(inputs.actions), Conditions: conditions(inputs.conditions),
        }));
        const arn = r.Rules?.[0]?.RuleArn ?? "";
        return { id: arn, outputs: { arn } };
    },
    exists: (ctx, id) => found(async () => ((await ctx.clients.elbv2.send(new DescribeRulesCommand({ RuleArns: [id] }))).Rules ?? []).length > 0),
    remove: (ctx, id) => ignoreMissing(() => ctx.clients.elbv2.send(new DeleteRuleCommand({ RuleArn: id }))),
};

const targetGroupAttachment: Applier = {
    async create(ctx, name, inputs) {
        await ctx.clients.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: inputs.targetGroupArn, Targets: [{ Id: inputs.targetId, ...(inputs.port ? { Port: inputs.port } : {}) }] }));
        return { id: `${name}-${inputs.targetId}`, outputs: {} };
    },
    exists: (ctx, _id, o) => found(async () => ((await ctx.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: o.targetGroupArn }))).TargetHealthDescriptions ?? [])
        .some((t) => t.Target?.Id === o.targetId)),
    remove: (ctx, _id, o) => ignoreMissing(() => ctx.clients.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: o.targetGroupArn, Targets: [{ Id: o.targetId }] }))),
};

export const ELBV2_APPLIERS: Record<string, Applier> = {
    "aws:lb/loadBalancer:LoadBalancer": loadBalancer,
    "aws:lb/targetGroup:TargetGroup": targetGroup,
    "aws:lb/listener:Listener": listener,
    "aws:lb/listenerRule:ListenerRule": listenerRule,
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": targetGroupAttachment,
};
