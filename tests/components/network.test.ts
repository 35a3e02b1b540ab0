/**
 * Network under Pulumi mocks: the subnet layout as a pure function, and for each mode the exact
 * resources, invokes and outputs, including the staging stack's own VPC.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { Network, pickZones, subnetLayout } from "../../components/network";
import { loadStackConfig } from "../../config/load";
import type { NetworkInput } from "../../config/network";
import { REGION, allRegistered, invoked, named, ofType, promiseOf, recorded, setupMocks } from "../helpers/pulumi-mocks";
import { rawProjectConfig } from "../helpers/stack-files";

const T = {
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    igw: "aws:ec2/internetGateway:InternetGateway",
    routeTable: "aws:ec2/routeTable:RouteTable",
    route: "aws:ec2/route:Route",
    association: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    eip: "aws:ec2/eip:Eip",
    nat: "aws:ec2/natGateway:NatGateway",
};

async function build(network: NetworkInput) {
    const net = new Network("network", { network });
    const [vpcId, publicSubnetIds, privateSubnetIds] = await promiseOf(pulumi.all([net.vpcId, net.publicSubnetIds, net.privateSubnetIds]));
    await allRegistered();
    return { net, vpcId, publicSubnetIds, privateSubnetIds };
}

describe("subnetLayout", () => {
    const cases: [string, number, string[], string[]][] = [
        ["10.40.0.0/16", 2, ["10.40.0.0/20", "10.40.16.0/20"], ["10.40.128.0/20", "10.40.144.0/20"]],
        ["10.40.0.0/16", 3, ["10.40.0.0/20", "10.40.16.0/20", "10.40.32.0/20"], ["10.40.128.0/20", "10.40.144.0/20", "10.40.160.0/20"]],
        ["172.16.0.0/20", 2, ["172.16.0.0/24", "172.16.1.0/24"], ["172.16.8.0/24", "172.16.9.0/24"]],
        ["192.168.10.0/24", 4,
            ["192.168.10.0/28", "192.168.10.16/28", "192.168.10.32/28", "192.168.10.48/28"],
            ["192.168.10.128/28", "192.168.10.144/28", "192.168.10.160/28", "192.168.10.176/28"]],
        ["10.255.0.0/16", 2, ["10.255.0.0/20", "10.255.16.0/20"], ["10.255.128.0/20", "10.255.144.0/20"]],
    ];
    for (const [cidr, zones, publicCidrs, privateCidrs] of cases) {
        it(`${cidr} in ${zones} zones`, () => {
            expect(subnetLayout(cidr, zones)).to.deep.equal({ publicCidrs, privateCidrs });
        });
    }

    it("keeps the existing subnets when a zone is added", () => {
        const two = subnetLayout("10.40.0.0/16", 2);
        const three = subnetLayout("10.40.0.0/16", 3);
        expect(three.publicCidrs.slice(0, 2)).to.deep.equal(two.publicCidrs);
        expect(three.privateCidrs.slice(0, 2)).to.deep.equal(two.privateCidrs);
    });

    const invalid: [string, number, string][] = [
        ["10.40.1.0/16", 2, "network.cidrBlock: \"10.40.1.0/16\" must be a network address: a /16 has no host bits set"],
        ["10.40.0.0/25", 2, "network.cidrBlock: \"10.40.0.0/25\" must have a prefix between /16"],
        ["10.0.0.0/15", 2, "network.cidrBlock: \"10.0.0.0/15\" must have a prefix between /16"],
        ["10.300.0.0/16", 2, "network.cidrBlock: \"10.300.0.0/16\" must be an IPv4 CIDR: every octet at most 255"],
        ["10.40.0.0", 2, "network.cidrBlock: \"10.40.0.0\" must be an IPv4 CIDR such as 10.40.0.0/16"],
        ["10.40.0.0/16", 0, "network.availabilityZones (0) must be a whole number from 1 to 8"],
        ["10.40.0.0/16", 9, "network.availabilityZones (9) must be a whole number from 1 to 8"],
    ];
    for (const [cidr, zones, message] of invalid) {
        it(`rejects ${cidr} with ${zones} zones`, () => {
            expect(() => subnetLayout(cidr, zones)).to.throw(message);
        });
    }
});

describe("pickZones", () => {
    it("takes the first zones in the order AWS lists them", () => {
        expect(pickZones(["us-east-1a", "us-east-1b", "us-east-1c"], 2)).to.deep.equal(["us-east-1a", "us-east-1b"]);
    });
    it("names the setting when the region has too few zones", () => {
        expect(() => pickZones(["eu-north-1a", "eu-north-1b"], 3))
            .to.throw("network.availabilityZones (3) exceeds the 2 availability zones available in this region (eu-north-1a, eu-north-1b)");
    });
});

describe("Network", () => {
    beforeEach(() => setupMocks());

    describe("vpc mode (the staging stack file)", () => {
        let out: Awaited<ReturnType<typeof build>>;
        beforeEach(async () => {
            // GIVEN the staging network: 10.40.0.0/16, 2 zones, NAT gateway
            const staging = loadStackConfig(rawProjectConfig("staging"), { project: "ecs-autoscaling", stack: "staging" });
            expect(staging.network).to.deep.equal({ mode: "vpc", cidrBlock: "10.40.0.0/16", availabilityZones: 2, natGateway: true });
            // WHEN the component is built
            out = await build(staging.network);
        });

        it("creates a VPC with DNS support and hostnames", () => {
            expect(ofType(T.vpc).map((r) => [r.name, r.inputs])).to.deep.equal([
                ["network-vpc", { cidrBlock: "10.40.0.0/16", enableDnsSupport: true, enableDnsHostnames: true }],
            ]);
        });

        it("asks for the available regular zones only", () => {
            expect(invoked.filter((i) => i.token === "aws:index/getAvailabilityZones:getAvailabilityZones").map((i) => i.inputs)).to.deep.equal([
                { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
            ]);
        });

        it("puts one public and one private subnet in each zone, with the carved CIDRs and no public IPs on launch", () => {
            const subnets = Object.fromEntries(ofType(T.subnet).map((r) => [r.name, r.inputs]));
            expect(subnets).to.deep.equal({
                "network-public-0": { vpcId: "vpc-network-vpc", cidrBlock: "10.40.0.0/20", availabilityZone: `${REGION}a`, mapPublicIpOnLaunch: false },
                "network-public-1": { vpcId: "vpc-network-vpc", cidrBlock: "10.40.16.0/20", availabilityZone: `${REGION}b`, mapPublicIpOnLaunch: false },
                "network-private-0": { vpcId: "vpc-network-vpc", cidrBlock: "10.40.128.0/20", availabilityZone: `${REGION}a`, mapPublicIpOnLaunch: false },
                "network-private-1": { vpcId: "vpc-network-vpc", cidrBlock: "10.40.144.0/20", availabilityZone: `${REGION}b`, mapPublicIpOnLaunch: false },
            });
        });

        it("routes the public subnets to the internet gateway and the private subnets to the NAT gateway", () => {
            expect(named(T.igw, "network-igw").inputs).to.deep.equal({ vpcId: "vpc-network-vpc" });
            expect(ofType(T.routeTable).map((r) => [r.name, r.inputs])).to.deep.equal([
                ["network-public", { vpcId: "vpc-network-vpc" }],
                ["network-private", { vpcId: "vpc-network-vpc" }],
            ]);
            expect(Object.fromEntries(ofType(T.route).map((r) => [r.name, r.inputs]))).to.deep.equal({
                "network-public-internet": { routeTableId: "network-public-id", destinationCidrBlock: "0.0.0.0/0", gatewayId: "network-igw-id" },
                "network-private-nat": { routeTableId: "network-private-id", destinationCidrBlock: "0.0.0.0/0", natGatewayId: "network-nat-id" },
            });
            expect(Object.fromEntries(ofType(T.association).map((r) => [r.name, r.inputs]))).to.deep.equal({
                "network-public-0": { subnetId: "network-public-0-id", routeTableId: "network-public-id" },
                "network-public-1": { subnetId: "network-public-1-id", routeTableId: "network-public-id" },
                "network-private-0": { subnetId: "network-private-0-id", routeTableId: "network-private-id" },
                "network-private-1": { subnetId: "network-private-1-id", routeTableId: "network-private-id" },
            });
        });

        it("places one NAT gateway, with its own Elastic IP, in the first public subnet", () => {
            expect(ofType(T.eip).map((r) => [r.name, r.inputs])).to.deep.equal([["network-nat", { domain: "vpc" }]]);
            expect(ofType(T.nat).map((r) => [r.name, r.inputs])).to.deep.equal([
                ["network-nat", { allocationId: "eipalloc-network-nat", subnetId: "network-public-0-id" }],
            ]);
        });

        it("gives the load balancer the public subnets and the tasks the private ones, without public IPs", () => {
            expect(out.vpcId).to.equal("vpc-network-vpc");
            expect(out.publicSubnetIds).to.deep.equal(["network-public-0-id", "network-public-1-id"]);
            expect(out.privateSubnetIds).to.deep.equal(["network-private-0-id", "network-private-1-id"]);
            expect(out.net.assignPublicIp).to.equal(false);
        });

        it("registers nothing else", () => {
            expect(recorded.map((r) => r.type).sort()).to.deep.equal([
                "ecs-autoscaling:network:Network",
                T.eip, T.igw, T.nat,
                T.route, T.route,
                T.association, T.association, T.association, T.association,
                T.routeTable, T.routeTable,
                T.subnet, T.subnet, T.subnet, T.subnet,
                T.vpc,
            ].sort());
        });
    });

    it("vpc mode without a NAT gateway: no EIP, no NAT, the private route table has no default route", async () => {
        // GIVEN a VPC of 3 zones without NAT
        const out = await build({ mode: "vpc", cidrBlock: "10.8.0.0/16", availabilityZones: 3, natGateway: false });
        // THEN
        expect(ofType(T.eip)).to.deep.equal([]);
        expect(ofType(T.nat)).to.deep.equal([]);
        expect(ofType(T.route).map((r) => [r.name, r.inputs])).to.deep.equal([
            ["network-public-internet", { routeTableId: "network-public-id", destinationCidrBlock: "0.0.0.0/0", gatewayId: "network-igw-id" }],
        ]);
        expect(ofType(T.subnet).map((r) => `${r.name} ${r.inputs.cidrBlock} ${r.inputs.availabilityZone}`)).to.deep.equal([
            `network-public-0 10.8.0.0/20 ${REGION}a`,
            `network-public-1 10.8.16.0/20 ${REGION}b`,
            `network-public-2 10.8.32.0/20 ${REGION}c`,
            `network-private-0 10.8.128.0/20 ${REGION}a`,
            `network-private-1 10.8.144.0/20 ${REGION}b`,
            `network-private-2 10.8.160.0/20 ${REGION}c`,
        ]);
        expect(out.privateSubnetIds).to.deep.equal(["network-private-0-id", "network-private-1-id", "network-private-2-id"]);
        expect(out.net.assignPublicIp).to.equal(false);
    });

    it("vpc mode rejects a CIDR with host bits before registering anything", () => {
        expect(() => new Network("network", { network: { mode: "vpc", cidrBlock: "10.40.0.1/16", availabilityZones: 2, natGateway: true } }))
            .to.throw("network.cidrBlock: \"10.40.0.1/16\" must be a network address: a /16 has no host bits set");
        expect(recorded.filter((r) => r.type.startsWith("aws:"))).to.deep.equal([]);
    });

    it("default mode: the default VPC and its default-for-az subnets, public IPs on, nothing created", async () => {
        // GIVEN the localstack stack's network
        const localstack = loadStackConfig(rawProjectConfig("localstack"), { project: "ecs-autoscaling", stack: "localstack" });
        expect(localstack.network).to.deep.equal({ mode: "default" });
        // WHEN
        const out = await build(localstack.network);
        // THEN
        expect(invoked.map((i) => [i.token, i.inputs])).to.deep.equal([
            ["aws:ec2/getVpc:getVpc", { default: true }],
            ["aws:ec2/getSubnets:getSubnets", { filters: [{ name: "vpc-id", values: ["vpc-default"] }, { name: "default-for-az", values: ["true"] }] }],
        ]);
        expect(out.vpcId).to.equal("vpc-default");
        expect(out.publicSubnetIds).to.deep.equal(["subnet-default-a", "subnet-default-b"]);
        expect(out.privateSubnetIds).to.deep.equal(["subnet-default-a", "subnet-default-b"]);
        expect(out.net.assignPublicIp).to.equal(true);
        expect(recorded.map((r) => r.type)).to.deep.equal(["ecs-autoscaling:network:Network"]);
    });

    for (const assignPublicIp of [false, true]) {
        it(`subnets mode: the given ids as they are, assignPublicIp ${assignPublicIp} from config`, async () => {
            const out = await build({
                mode: "subnets",
                vpcId: "vpc-0given",
                publicSubnetIds: ["subnet-pub-b", "subnet-pub-a"],
                privateSubnetIds: ["subnet-priv-a"],
                assignPublicIp,
            });
            expect(out.vpcId).to.equal("vpc-0given");
            expect(out.publicSubnetIds).to.deep.equal(["subnet-pub-b", "subnet-pub-a"]);
            expect(out.privateSubnetIds).to.deep.equal(["subnet-priv-a"]);
            expect(out.net.assignPublicIp).to.equal(assignPublicIp);
            expect(invoked).to.deep.equal([]);
            expect(recorded.map((r) => r.type)).to.deep.equal(["ecs-autoscaling:network:Network"]);
        });
    }
});
