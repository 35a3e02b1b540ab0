/**
 * EC2 network resources (VPC, subnets, gateways, route tables, security groups and their rules) in the
 * endpoint, through EC2's Query API. ECS checks the subnets and security groups a service or task
 * names, and ELBv2 the VPC of a target group, so these are created for real, in the program's order.
 */
import { createHash } from "crypto";
import { queryCall, xmlFind, xmlItems, type Endpoint } from "../aws/signed-request";
import { found, ignoreMissing, type Applier, type ApplyContext } from "./applier";

/** EC2's API version (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Welcome.html). */
const EC2_VERSION = "2016-11-15";

export function ec2(endpoint: Endpoint, action: string, params: Record<string, string | number | boolean | undefined> = {}) {
    return queryCall(endpoint, "ec2", EC2_VERSION, action, params);
}

const text = (node: unknown, name: string) => String(xmlFind(node, name) ?? "");

/** Describe by id; false when the answer lists nothing (or the endpoint says NotFound). */
function describedBy(action: string, idParam: string, setName: string): Applier["exists"] {
    return (ctx, id) => found(async () => xmlItems(xmlFind(await ec2(ctx.endpoint, action, { [`${idParam}.1`]: id }), setName)).length > 0);
}

const vpc: Applier = {
    async create(ctx, _name, inputs) {
        const r = await ec2(ctx.endpoint, "CreateVpc", { CidrBlock: inputs.cidrBlock });
        const id = text(r, "vpcId");
        // One attribute per call (EC2 API reference, ModifyVpcAttribute).
        if (inputs.enableDnsSupport !== undefined) await ec2(ctx.endpoint, "ModifyVpcAttribute", { VpcId: id, "EnableDnsSupport.Value": inputs.enableDnsSupport });
        if (inputs.enableDnsHostnames !== undefined) await ec2(ctx.endpoint, "ModifyVpcAttribute", { VpcId: id, "EnableDnsHostnames.Value": inputs.enableDnsHostnames });
        return { id, outputs: { arn: `arn:aws:ec2:${ctx.region}:${ctx.account}:vpc/${id}` } };
    },
    exists: describedBy("DescribeVpcs", "VpcId", "vpcSet"),
    remove: (ctx, id) => ignoreMissing(() => ec2(ctx.endpoint, "DeleteVpc", { VpcId: id })),
};

const subnet: Applier = {
    async create(ctx, _name, inputs) {
        const r = await ec2(ctx.endpoint, "CreateSubnet", { VpcId: inputs.vpcId, CidrBlock: inputs.cidrBlock, AvailabilityZone: inputs.availabilityZone });
        const id = text(r, "subnetId");
        return { id, outputs: { arn: `arn:aws:ec2:${ctx.region}:${ctx.account}:subnet/${id}` } };
    },
    exists: describedBy("DescribeSubnets", "SubnetId", "subnetSet"),
    remove: (ctx, id) => ignoreMissing(() => ec2(ctx.endpoint, "DeleteSubnet", { SubnetId: id })),
};

const internetGateway: Applier = {
    async create(ctx, _name, inputs) {
        const id = text(await ec2(ctx.endpoint, "CreateInternetGateway"), "internetGatewayId");
        if (inputs.vpcId) await ec2(ctx.endpoint, "AttachInternetGateway", { InternetGatewayId: id, VpcId: inputs.vpcId });
        return { id, outputs: {} };
    },
    exists: describedBy("DescribeInternetGateways", "InternetGatewayId", "internetGatewaySet"),
    async remove(ctx, id, outputs) {
        if (outputs.vpcId) await ignoreMissing(() => ec2(ctx.endpoint, "DetachInternetGateway", { InternetGatewayId: id, VpcId: outputs.vpcId }));
        await ignoreMissing(() => ec2(ctx.endpoint, "DeleteInternetGateway", { InternetGatewayId: id }));
    },
};

const routeTable: Applier = {
    async create(ctx, _name, inputs) {
        return { id: text(await ec2(ctx.endpoint, "CreateRouteTable", { VpcId: inputs.vpcId }), "routeTableId"), outputs: {} };
    },
    exists: describedBy("DescribeRouteTables", "RouteTableId", "routeTableSet"),
    remove: (ctx, id) => ignoreMissing(() => ec2(ctx.endpoint, "DeleteRouteTable", { RouteTableId: id })),
};

const route: Applier = {
    async create(ctx, _name, inputs) {
        await ec2(ctx.endpoint, "CreateRoute", {
            RouteTableId: inputs.routeTableId, DestinationCidrBlock: inputs.destinationCidrBlock,
            GatewayId: inputs.gatewayId, NatGatewayId: inputs.natGatewayId,
        });
        // The provider's id for a route: its table and destination.
        return { id: `r-${inputs.routeTableId}${hash(inputs.destinationCidrBlock)}`, outputs: {} };
    },
    exists: (ctx, _id, o) => found(async () => {
        const tables = xmlItems(xmlFind(await ec2(ctx.endpoint, "DescribeRouteTables", { "RouteTableId.1": o.routeTableId }), "routeTableSet"));
        return tables.some((t) => xmlItems(xmlFind(t, "routeSet")).some((r) => r.destinationCidrBlock === o.destinationCidrBlock));
    }),
    remove: (ctx, _id, o) => ignoreMissing(() => ec2(ctx.endpoint, "DeleteRoute", { RouteTableId: o.routeTableId, DestinationCidrBlock: o.destinationCidrBlock })),
};

const routeTableAssociation: Applier = {
    async create(ctx, _name, inputs) {
        return { id: text(await ec2(ctx.endpoint, "AssociateRouteTable", { RouteTableId: inputs.routeTableId, SubnetId: inputs.subnetId }), "associationId"), outputs: {} };
    },
    exists: (ctx, id, o) => found(async () => {
        const tables = xmlItems(xmlFind(await ec2(ctx.endpoint, "DescribeRouteTables", { "RouteTableId.1": o.routeTableId }), "routeTableSet"));
        return tables.some((t) => xmlItems(xmlFind(t, "associationSet")).some((a) => a.routeTableAssociationId === id));
    }),
    remove: (ctx, id) => ignoreMissing(() => ec2(ctx.endpoint, "DisassociateRouteTable", { AssociationId: id })),
};

const eip: Applier = {
    async create(ctx) {
        const r = await ec2(ctx.endpoint, "AllocateAddress", { Domain: "vpc" });
        const id = text(r, "allocationId");
        return { id, outputs: { allocationId: id, publicIp: text(r, "publicIp") } };
    },
    exists: describedBy("DescribeAddresses", "AllocationId", "addressesSet"),
    remove: (ctx, id) => ignoreMissing(() => ec2(ctx.endpoint, "ReleaseAddress", { AllocationId: id })),
};

const natGateway: Applier = {
    async create(ctx, _name, inputs) {
        return { id: text(await ec2(ctx.endpoint, "CreateNatGateway", { SubnetId: inputs.subnetId, AllocationId: inputs.allocationId }), "natGatewayId"), outputs: {} };
    },
    exists: (ctx, id) => found(async () => xmlItems(xmlFind(await ec2(ctx.endpoint, "DescribeNatGateways", { "NatGatewayId.1": id }), "natGatewaySet"))
        .some((n) => n.state !== "deleted")),
    remove: (ctx, id) => ignoreMissing(() => ec2(ctx.endpoint, "DeleteNatGateway", { NatGatewayId: id })),
};

function hash(s: string): string {
    return createHash("sha1").update(s).digest("hex").slice(0, 8);
}

/** The IpPermissions parameters of one rule, as AuthorizeSecurityGroupIngress/Egress take them. */
function permission(inputs: any): Record<string, string | number> {
    const p: Record<string, string | number> = { "IpPermissions.1.IpProtocol": inputs.ipProtocol };
    if (inputs.fromPort !== undefined) p["IpPermissions.1.FromPort"] = inputs.fromPort;
    if (inputs.toPort !== undefined) p["IpPermissions.1.ToPort"] = inputs.toPort;
    if (inputs.cidrIpv4) p["IpPermissions.1.IpRanges.1.CidrIp"] = inputs.cidrIpv4;
    if (inputs.cidrIpv6) p["IpPermissions.1.Ipv6Ranges.1.CidrIpv6"] = inputs.cidrIpv6;
    if (inputs.referencedSecurityGroupId) p["IpPermissions.1.Groups.1.GroupId"] = inputs.referencedSecurityGroupId;
    return p;
}

const securityGroup: Applier = {
    async create(ctx, name, inputs) {
        const groupName = inputs.name ?? ctx.autoName(name, 255);
        const id = text(await ec2(ctx.endpoint, "CreateSecurityGroup", { GroupName: groupName, GroupDescription: inputs.description ?? "Managed by Pulumi", VpcId: inputs.vpcId }), "groupId");
        // The provider removes the allow-all egress rule EC2 adds to every new group: egress is what the rules say.
        await ec2(ctx.endpoint, "RevokeSecurityGroupEgress", { GroupId: id, ...permission({ ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }) });
        return { id, outputs: { name: groupName, arn: `arn:aws:ec2:${ctx.region}:${ctx.account}:security-group/${id}` } };
    },
    exists: describedBy("DescribeSecurityGroups", "GroupId", "securityGroupInfo"),
    remove: (ctx, id) => ignoreMissing(() => ec2(ctx.endpoint, "DeleteSecurityGroup", { GroupId: id })),
};

function groupRule(direction: "Ingress" | "Egress"): Applier {
    return {
        async create(ctx, _name, inputs) {
            const r = await ec2(ctx.endpoint, `AuthorizeSecurityGroup${direction}`, { GroupId: inputs.securityGroupId, ...permission(inputs) });
            const id = text(r, "securityGroupRuleId");
            return { id, outputs: { securityGroupRuleId: id, arn: `arn:aws:ec2:${ctx.region}:${ctx.account}:security-group-rule/${id}` } };
        },
        exists: (ctx, id, o) => found(async () => {
            const groups = xmlItems(xmlFind(await ec2(ctx.endpoint, "DescribeSecurityGroupRules", { "Filter.1.Name": "group-id", "Filter.1.Value.1": o.securityGroupId }), "securityGroupRuleSet"));
            return groups.some((g) => g.securityGroupRuleId === id);
        }),
        remove: (ctx, _id, o) => ignoreMissing(() => ec2(ctx.endpoint, `RevokeSecurityGroup${direction}`, { GroupId: o.securityGroupId, ...permission(o) })),
    };
}

export const EC2_APPLIERS: Record<string, Applier> = {
    "aws:ec2/vpc:Vpc": vpc,
    "aws:ec2/subnet:Subnet": subnet,
    "aws:ec2/internetGateway:InternetGateway": internetGateway,
    "aws:ec2/routeTable:RouteTable": routeTable,
    "aws:ec2/route:Route": route,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": routeTableAssociation,
    "aws:ec2/eip:Eip": eip,
    "aws:ec2/natGateway:NatGateway": natGateway,
    "aws:ec2/securityGroup:SecurityGroup": securityGroup,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": groupRule("Ingress"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": groupRule("Egress"),
};

/** The default VPC and its subnets (what `aws.ec2.getVpc({default: true})` and `getSubnets` read). */
export async function defaultNetwork(ctx: Pick<ApplyContext, "endpoint">): Promise<{ vpcId: string; cidrBlock: string; subnetIds: string[] }> {
    const vpcs = xmlItems(xmlFind(await ec2(ctx.endpoint, "DescribeVpcs", { "Filter.1.Name": "isDefault", "Filter.1.Value.1": "true" }), "vpcSet"));
    if (vpcs.length === 0) throw new Error("the endpoint has no default VPC (network.mode default needs one)");
    const vpcId = String(vpcs[0].vpcId);
    const subnets = xmlItems(xmlFind(await ec2(ctx.endpoint, "DescribeSubnets", { "Filter.1.Name": "vpc-id", "Filter.1.Value.1": vpcId }), "subnetSet"));
    return { vpcId, cidrBlock: String(vpcs[0].cidrBlock), subnetIds: subnets.map((s) => String(s.subnetId)).sort() };
}

export async function availabilityZones(ctx: Pick<ApplyContext, "endpoint">): Promise<{ names: string[]; zoneIds: string[] }> {
    const zones = xmlItems(xmlFind(await ec2(ctx.endpoint, "DescribeAvailabilityZones"), "availabilityZoneInfo"))
        .filter((z) => (z.zoneType ?? "availability-zone") === "availability-zone");
    return { names: zones.map((z) => String(z.zoneName)), zoneIds: zones.map((z) => String(z.zoneId)) };
}
