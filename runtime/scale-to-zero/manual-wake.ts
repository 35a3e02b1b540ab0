/**
 * A manual wake of a sleeping scale-to-zero service (`autoscale wake`), exactly as its first request
 * would wake it (scaling/scale-to-zero.ts decideWake). It finds the listener rule and the wake target
 * group from the service itself, and the wake capacity and awake bounds from the marks the idle check
 * left on the service when it put it to sleep. A service that never slept, or whose rule cannot be
 * found, is an error that says why.
 */
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { DescribeListenersCommand, DescribeRulesCommand, DescribeTargetGroupsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { apiCall } from "../aws/call";
import { apply, observe, type ScaleToZeroClients } from "./aws";
import { MARK_TAGS, decideWake, type Decision, type ScaleToZeroTarget } from "../../scaling/scale-to-zero";

/** The service to wake, and the name of its wake target group (the deployment names it: config/scale-to-zero.ts). */
export interface WakeRequest {
    readonly cluster: string;
    readonly service: string;
    readonly wakeTargetGroupName: string;
}

/** Everything decideWake needs, found from the service. Throws with the reason when it is not a scale-to-zero service. */
export async function discoverTarget(c: ScaleToZeroClients, { cluster, service, wakeTargetGroupName }: WakeRequest): Promise<ScaleToZeroTarget> {
    const out = await apiCall("DescribeServices", () => c.ecs.send(new DescribeServicesCommand({ cluster, services: [service], include: ["TAGS"] })));
    const svc = out.services?.[0];
    if (!svc) throw new Error(`service ${cluster}/${service} not found (${JSON.stringify(out.failures ?? [])})`);
    const tag = (key: string) => svc.tags?.find((t) => t.key === key)?.value;
    const [min, max, wakeCapacity] = [MARK_TAGS.awakeMinCapacity, MARK_TAGS.awakeMaxCapacity, MARK_TAGS.wakeCapacity].map((k) => Number(tag(k)));
    if (![min, max, wakeCapacity].every(Number.isInteger)) {
        throw new Error(`${cluster}/${service} has no scale-to-zero marks (${MARK_TAGS.wakeCapacity}, ${MARK_TAGS.awakeMinCapacity}, ${MARK_TAGS.awakeMaxCapacity}): ` +
            "it has never been put to sleep by an idle check, so there is nothing to wake");
    }
    const serviceTargetGroupArn = svc.loadBalancers?.[0]?.targetGroupArn;
    if (!serviceTargetGroupArn) throw new Error(`${cluster}/${service} is not behind a load balancer`);
    const groups = await apiCall("DescribeTargetGroups", () => c.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [serviceTargetGroupArn] })));
    const loadBalancerArn = groups.TargetGroups?.[0]?.LoadBalancerArns?.[0];
    if (!loadBalancerArn) throw new Error(`target group ${serviceTargetGroupArn} is attached to no load balancer`);
    const wake = await apiCall("DescribeTargetGroups", () => c.elbv2.send(new DescribeTargetGroupsCommand({ Names: [wakeTargetGroupName] })));
    const wakeTargetGroupArn = wake.TargetGroups?.[0]?.TargetGroupArn;
    if (!wakeTargetGroupArn) throw new Error(`no wake target group ${wakeTargetGroupName}`);
    const listeners = await apiCall("DescribeListeners", () => c.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn })));
    let listenerRuleArn: string | undefined;
    for (const l of listeners.Listeners ?? []) {
        const rules = await apiCall("DescribeRules", () => c.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn })));
        const rule = (rules.Rules ?? []).find((r) => !r.IsDefault && (r.Actions ?? []).some((a) => a.Type === "forward"
            && [serviceTargetGroupArn, wakeTargetGroupArn].includes(a.TargetGroupArn ?? "")));
        if (rule?.RuleArn) { listenerRuleArn = rule.RuleArn; break; }
    }
    if (!listenerRuleArn) throw new Error(`no listener rule of ${loadBalancerArn} forwards to ${serviceTargetGroupArn} or ${wakeTargetGroupArn}`);
    return {
        cluster, service, listenerRuleArn, serviceTargetGroupArn, wakeTargetGroupArn,
        loadBalancerDimension: loadBalancerArn.slice(loadBalancerArn.indexOf(":loadbalancer/") + ":loadbalancer/".length),
        targetGroupDimension: serviceTargetGroupArn.slice(serviceTargetGroupArn.indexOf("targetgroup/")),
        // Not used by a wake: it reads no RequestCount and publishes nothing (the idle check does).
        idleSeconds: 0,
        namespace: "",
        wakeCapacity, minCapacity: min, maxCapacity: max,
    };
}

/** One manual wake: observe, decide as the wake function does, act. */
export async function wakeOnce(c: ScaleToZeroClients, request: WakeRequest, now: number): Promise<Decision> {
    const t = await discoverTarget(c, request);
    const observed = await observe(t, c, now);
    const decision = decideWake(t, observed);
    await apply(t, c, observed, decision.actions);
    return decision;
}
