/**
 * Where the stack's tasks and load balancer live: the account's default VPC, subnets that already
 * exist, or a VPC of the stack's own with public and private subnets in each availability zone.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SUBNET_PREFIX_BITS, vpcCidrProblem } from "../aws/vpc";

/** Where the stack's tasks and load balancer run. */
export type NetworkPlacement =
    | { readonly mode: "default" }
    | {
        readonly mode: "subnets";
        readonly vpcId: string;
        readonly publicSubnetIds: readonly string[];
        readonly privateSubnetIds: readonly string[];
        /** Whether tasks need a public IP (true when the private subnets have no NAT route). */
        readonly assignPublicIp: boolean;
    }
    | {
        readonly mode: "vpc";
        /** The VPC's IPv4 block, /16 to /24. */
        readonly cidrBlock: string;
        /** Zones the subnets are spread over, one public and one private subnet in each. */
        readonly availabilityZones: number;
        /** One NAT gateway for the private subnets' internet route. */
        readonly natGateway: boolean;
    };

export interface NetworkArgs {
    /**
     * The network to use or create. Required.
     * - `default`: the account's default VPC and its default subnets. Public and private subnet ids are
     *   the same default subnets and tasks get public IPs, because the default VPC has no NAT gateway.
     * - `subnets`: the given VPC and subnet ids; `assignPublicIp` as configured.
     * - `vpc`: a new VPC; tasks run in private subnets without public IPs. With `natGateway: false`
     *   they have no route to the internet at all (no image pulls from public registries, no AWS API
     *   calls) unless VPC endpoints are added.
     */
    readonly network: NetworkPlacement;
}


/** Public and private subnet CIDRs of a VPC, one of each per availability zone, in zone order. */
export interface SubnetLayout {
    readonly publicCidrs: readonly string[];
    readonly privateCidrs: readonly string[];
}

/**
 * Carves a VPC CIDR into equal subnets SUBNET_PREFIX_BITS longer than the VPC's prefix. Public subnets
 * take the first blocks of the lower half, private subnets the first blocks of the upper half, so
 * adding a zone appends subnets and never moves an existing one. 10.40.0.0/16 with 2 zones:
 * public 10.40.0.0/20, 10.40.16.0/20; private 10.40.128.0/20, 10.40.144.0/20.
 */
export function subnetLayout(cidrBlock: string, zoneCount: number): SubnetLayout {
    // The CIDR rule config applies too (aws/vpc.ts): a caller that bypasses config hears it in the same words.
    const problem = vpcCidrProblem(cidrBlock);
    if (problem) throw new Error(`network.cidrBlock: ${JSON.stringify(cidrBlock)} ${problem}`);
    const [address, prefixText] = cidrBlock.split("/");
    const octets = address.split(".").map(Number);
    const prefix = Number(prefixText);
    const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const blocks = 2 ** SUBNET_PREFIX_BITS;
    const half = blocks / 2;
    if (!Number.isInteger(zoneCount) || zoneCount < 1 || zoneCount > half) {
        throw new Error(`network.availabilityZones (${zoneCount}) must be a whole number from 1 to ${half}; the VPC is split into ${blocks} subnets, half public and half private`);
    }
    const subnetPrefix = prefix + SUBNET_PREFIX_BITS;
    const size = 2 ** (32 - subnetPrefix);
    const cidr = (block: number) => `${ipv4(base + block * size)}/${subnetPrefix}`;
    const zones = Array.from({ length: zoneCount }, (_, i) => i);
    return {
        publicCidrs: zones.map((i) => cidr(i)),
        privateCidrs: zones.map((i) => cidr(half + i)),
    };
}

function ipv4(address: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** The first `count` zones of those available, or an error when the region has fewer. */
export function pickZones(available: readonly string[], count: number): string[] {
    if (available.length < count) {
        throw new Error(`network.availabilityZones (${count}) exceeds the ${available.length} availability zones available in this region (${available.join(", ")})`);
    }
    return available.slice(0, count);
}

/** Only regular zones: Local and Wavelength Zones (opt-in) lack NAT gateways and ALB support. */
export const REGULAR_ZONES_QUERY: aws.GetAvailabilityZonesArgs = {
    state: "available",
    filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
};

export class Network extends pulumi.ComponentResource {
    /** The VPC the load balancer, tasks and security groups live in. */
    readonly vpcId: pulumi.Output<string>;
    /** Subnets for the internet-facing load balancer (and the NAT gateway of a stack VPC). */
    readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Subnets for the tasks. */
    readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Whether tasks need a public IP to reach the internet (image registries, AWS APIs). */
    readonly assignPublicIp: boolean;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:network:Network", name, {}, opts);
        const network = args.network;

        switch (network.mode) {
            case "default": {
                const vpc = aws.ec2.getVpcOutput({ default: true }, { parent: this });
                const subnets = aws.ec2.getSubnetsOutput({
                    filters: [
                        { name: "vpc-id", values: [vpc.id] },
                        { name: "default-for-az", values: ["true"] },
                    ],
                }, { parent: this });
                // Sorted so that the order AWS lists them in never shows up as a diff.
                const ids = subnets.ids.apply((list) => [...list].sort());
                this.vpcId = vpc.id;
                this.publicSubnetIds = ids;
                this.privateSubnetIds = ids;
                this.assignPublicIp = true;
                break;
            }
            case "subnets": {
                this.vpcId = pulumi.output(network.vpcId);
                this.publicSubnetIds = pulumi.output([...network.publicSubnetIds]);
                this.privateSubnetIds = pulumi.output([...network.privateSubnetIds]);
                this.assignPublicIp = network.assignPublicIp;
                break;
            }
            case "vpc": {
                const built = this.buildVpc(name, network);
                this.vpcId = built.vpcId;
                this.publicSubnetIds = built.publicSubnetIds;
                this.privateSubnetIds = built.privateSubnetIds;
                this.assignPublicIp = false;
                break;
            }
        }

        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            assignPublicIp: this.assignPublicIp,
        });
    }

    private buildVpc(name: string, network: Extract<NetworkPlacement, { mode: "vpc" }>) {
        const layout = subnetLayout(network.cidrBlock, network.availabilityZones);
        const parent = { parent: this };

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: network.cidrBlock,
            enableDnsSupport: true,
            enableDnsHostnames: true,
        }, parent);
        const zones = aws.getAvailabilityZonesOutput(REGULAR_ZONES_QUERY, parent).names.apply((names) => pickZones(names, network.availabilityZones));

        const internetGateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id }, parent);
        const publicRouteTable = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id }, parent);
        new aws.ec2.Route(`${name}-public-internet`, {
            routeTableId: publicRouteTable.id,
            destinationCidrBlock: "0.0.0.0/0",
            gatewayId: internetGateway.id,
        }, parent);
        const privateRouteTable = new aws.ec2.RouteTable(`${name}-private`, { vpcId: vpc.id }, parent);

        const subnets = (kind: "public" | "private", cidrs: readonly string[], routeTable: aws.ec2.RouteTable) =>
            cidrs.map((cidrBlock, i) => {
                const subnet = new aws.ec2.Subnet(`${name}-${kind}-${i}`, {
                    vpcId: vpc.id,
                    cidrBlock,
                    availabilityZone: zones.apply((z) => z[i]),
                    // Nothing launched here needs an address of its own: the ALB and the NAT gateway
                    // bring theirs.
                    mapPublicIpOnLaunch: false,
                }, parent);
                new aws.ec2.RouteTableAssociation(`${name}-${kind}-${i}`, {
                    subnetId: subnet.id,
                    routeTableId: routeTable.id,
                }, parent);
                return subnet;
            });
        const publicSubnets = subnets("public", layout.publicCidrs, publicRouteTable);
        const privateSubnets = subnets("private", layout.privateCidrs, privateRouteTable);

        if (network.natGateway) {
            const eip = new aws.ec2.Eip(`${name}-nat`, { domain: "vpc" }, { parent: this, dependsOn: [internetGateway] });
            const natGateway = new aws.ec2.NatGateway(`${name}-nat`, {
                allocationId: eip.allocationId,
                subnetId: publicSubnets[0].id,
            }, { parent: this, dependsOn: [internetGateway] });
            new aws.ec2.Route(`${name}-private-nat`, {
                routeTableId: privateRouteTable.id,
                destinationCidrBlock: "0.0.0.0/0",
                natGatewayId: natGateway.id,
            }, parent);
        }

        return {
            vpcId: vpc.id,
            publicSubnetIds: pulumi.all(publicSubnets.map((s) => s.id)),
            privateSubnetIds: pulumi.all(privateSubnets.map((s) => s.id)),
        };
    }
}
