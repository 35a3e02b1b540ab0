/**
 * Which ports one security group can open to another in a graph recorded under Pulumi mocks. A TCP
 * connection needs both sides: an egress rule of the client's group that covers the server (its group,
 * or a CIDR) and an ingress rule of the server's group that covers the client (its group, or a CIDR).
 * Security groups are stateful, so replies need no rule. The internet is `internet` (0.0.0.0/0, ::/0):
 * it may send anything, and is reached through a CIDR egress rule.
 */
import { Recorded } from "./pulumi-mocks";

export const INTERNET = "internet";

interface Rule {
    readonly group: string;
    /** Referenced security group (logical name), or undefined for a CIDR rule. */
    readonly peer?: string;
    readonly cidr?: string;
    readonly protocol: string;
    readonly from: number;
    readonly to: number;
}

function rules(graph: readonly Recorded[], type: string, groupById: Map<string, string>): Rule[] {
    return graph.filter((r) => r.type === type).map((r) => {
        const i = r.inputs;
        const group = groupById.get(i.securityGroupId);
        if (!group) throw new Error(`${r.name}: security group ${i.securityGroupId} is not in the graph`);
        const peer = i.referencedSecurityGroupId !== undefined ? groupById.get(i.referencedSecurityGroupId) : undefined;
        if (i.referencedSecurityGroupId !== undefined && !peer) throw new Error(`${r.name}: referenced group ${i.referencedSecurityGroupId} is not in the graph`);
        return { group, peer, cidr: i.cidrIpv4 ?? i.cidrIpv6, protocol: i.ipProtocol, from: i.fromPort ?? 0, to: i.toPort ?? 65535 };
    });
}

const ANYWHERE = new Set(["0.0.0.0/0", "::/0"]);

/** `tcp:443`, `tcp:8000-8080`, `all` for protocol -1. */
function portLabel(protocol: string, from: number, to: number): string {
    if (protocol === "-1") return "all";
    return `${protocol}:${from === to ? from : `${from}-${to}`}`;
}

function intersect(a: Rule, b: Rule): string | undefined {
    if (a.protocol !== b.protocol && a.protocol !== "-1" && b.protocol !== "-1") return undefined;
    const protocol = a.protocol === "-1" ? b.protocol : a.protocol;
    const from = Math.max(a.from, b.from);
    const to = Math.min(a.to, b.to);
    return from <= to || protocol === "-1" ? portLabel(protocol, from, to) : undefined;
}

/**
 * `"<client> -> <server>": [ports]` for every pair that can open at least one port, groups named by
 * their logical names. Internet -> group needs an ingress rule from anywhere; group -> internet an
 * egress rule to anywhere.
 */
export function reachability(graph: readonly Recorded[]): Record<string, string[]> {
    const groups = graph.filter((r) => r.type === "aws:ec2/securityGroup:SecurityGroup");
    for (const g of groups) {
        if ((g.inputs.ingress ?? []).length > 0 || (g.inputs.egress ?? []).length > 0) throw new Error(`${g.name}: inline rules are not modelled`);
    }
    const groupById = new Map(groups.map((g) => [`${g.name}-id`, g.name]));
    const ingress = rules(graph, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", groupById);
    const egress = rules(graph, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", groupById);
    const names = [INTERNET, ...groups.map((g) => g.name)];
    const out: Record<string, string[]> = {};
    const everything: Rule = { group: INTERNET, protocol: "-1", from: 0, to: 65535 };
    for (const client of names) {
        for (const server of names) {
            if (client === server) continue;
            // The client's way out: to the server's group, or to a CIDR that holds it (anywhere does).
            const out1 = client === INTERNET ? [everything]
                : egress.filter((r) => r.group === client && (r.peer === server || (r.cidr !== undefined && ANYWHERE.has(r.cidr))));
            // The server's way in: from the client's group, or from anywhere.
            const in1 = server === INTERNET ? [everything]
                : ingress.filter((r) => r.group === server && (r.peer === client || (r.cidr !== undefined && ANYWHERE.has(r.cidr))));
            if (client === INTERNET && server !== INTERNET) in1.splice(0, in1.length, ...in1.filter((r) => r.cidr !== undefined));
            if (server === INTERNET) out1.splice(0, out1.length, ...out1.filter((r) => r.cidr !== undefined));
            const ports = new Set<string>();
            for (const a of out1) for (const b of in1) {
                const p = intersect(a, b);
                if (p) ports.add(p);
            }
            if (ports.size > 0) out[`${client} -> ${server}`] = [...ports].sort();
        }
    }
    return out;
}
