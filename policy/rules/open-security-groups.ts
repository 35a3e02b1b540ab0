/**
 * No security group is open to the world (0.0.0.0/0 or ::/0 ingress) except a public listener's: the
 * group of an internet-facing load balancer, on exactly the ports its listeners serve.
 */
import { asArray, logicalName, ofType, type PolicyResource, type ProjectPolicy, type Violation } from "../graph";

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

interface Ingress {
    readonly by: PolicyResource;
    readonly groupId: unknown;
    readonly from: number;
    readonly to: number;
    readonly source: string;
}

function worldIngress(resources: readonly PolicyResource[]): Ingress[] {
    const out: Ingress[] = [];
    for (const r of ofType(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")) {
        const source = [r.props.cidrIpv4, r.props.cidrIpv6].find((c) => WORLD.has(c));
        if (source) out.push({ by: r, groupId: r.props.securityGroupId, from: Number(r.props.fromPort ?? 0), to: Number(r.props.toPort ?? 65535), source });
    }
    for (const r of ofType(resources, "aws:ec2/securityGroupRule:SecurityGroupRule")) {
        const source = [...asArray<string>(r.props.cidrBlocks), ...asArray<string>(r.props.ipv6CidrBlocks)].find((c) => WORLD.has(c));
        if (r.props.type === "ingress" && source) out.push({ by: r, groupId: r.props.securityGroupId, from: Number(r.props.fromPort), to: Number(r.props.toPort), source });
    }
    for (const g of ofType(resources, "aws:ec2/securityGroup:SecurityGroup")) {
        for (const rule of asArray<any>(g.props.ingress)) {
            const source = [...asArray<string>(rule.cidrBlocks), ...asArray<string>(rule.ipv6CidrBlocks)].find((c) => WORLD.has(c));
            if (source) out.push({ by: g, groupId: g.props.id, from: Number(rule.fromPort), to: Number(rule.toPort), source });
        }
    }
    return out;
}

export const noWorldOpenSecurityGroups: ProjectPolicy = {
    name: "no-world-open-security-groups",
    description: "Ingress from 0.0.0.0/0 or ::/0 only on an internet-facing load balancer's listener ports.",
    check(resources) {
        const violations: Violation[] = [];
        const listeners = ofType(resources, "aws:lb/listener:Listener");
        const publicBalancers = ofType(resources, "aws:lb/loadBalancer:LoadBalancer").filter((lb) => lb.props.internal !== true);
        for (const i of worldIngress(resources)) {
            const lb = publicBalancers.find((b) => asArray(b.props.securityGroups).includes(i.groupId as string));
            const ports = lb ? listeners.filter((l) => l.props.loadBalancerArn === lb.props.arn).map((l) => Number(l.props.port)) : [];
            const what = `${logicalName(i.by)} opens ${i.from === i.to ? `port ${i.from}` : `ports ${i.from}-${i.to}`} to ${i.source}`;
            if (!lb) violations.push({ urn: i.by.urn, message: `${what}, but its security group belongs to no internet-facing load balancer; only a public listener may be open to the world` });
            else if (i.from !== i.to || !ports.includes(i.from)) violations.push({ urn: i.by.urn, message: `${what}, but load balancer ${logicalName(lb)} listens on ${ports.join(", ") || "no port"}; open exactly the listener ports` });
        }
        return violations;
    },
};
