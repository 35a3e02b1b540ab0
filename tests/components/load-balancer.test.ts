/**
 * LoadBalancer under Pulumi mocks: an internet-facing ALB whose security group opens exactly the
 * listener port to the world and nothing else, and a listener that answers 404 by default.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { LoadBalancer, NOT_FOUND_BODY } from "../../components/load-balancer";
import { ACCOUNT, REGION, allRegistered, named, ofType, promiseOf, recorded, setupMocks } from "../helpers/pulumi-mocks";

const T = {
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
};
const SUBNETS = ["subnet-pub-a", "subnet-pub-b"];

async function build(listenerPort: number) {
    const alb = new LoadBalancer("alb", { vpcId: "vpc-0abc", subnetIds: SUBNETS, listenerPort });
    const [securityGroupId, listenerArn, arnSuffix, dnsName] = await promiseOf(pulumi.all([alb.securityGroupId, alb.listenerArn, alb.arnSuffix, alb.dnsName]));
    await allRegistered();
    return { alb, securityGroupId, listenerArn, arnSuffix, dnsName };
}

describe("LoadBalancer", () => {
    beforeEach(() => setupMocks());

    describe("on listener port 80", () => {
        let out: Awaited<ReturnType<typeof build>>;
        beforeEach(async () => { out = await build(80); });

        it("gives the ALB a security group of its own in the VPC, with no inline rules", () => {
            expect(ofType(T.sg).map((r) => [r.name, r.inputs])).to.deep.equal([
                ["alb-sg", { vpcId: "vpc-0abc", description: "Internet-facing ALB: HTTP on port 80" }],
            ]);
        });

        it("opens tcp 80 to 0.0.0.0/0 and ::/0 and nothing else to anyone", () => {
            expect(ofType(T.ingress).map((r) => [r.name, r.inputs])).to.deep.equal([
                ["alb-http-ipv4", { securityGroupId: "alb-sg-id", description: "HTTP listener, from anywhere (ipv4)", ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrIpv4: "0.0.0.0/0" }],
                ["alb-http-ipv6", { securityGroupId: "alb-sg-id", description: "HTTP listener, from anywhere (ipv6)", ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrIpv6: "::/0" }],
            ]);
        });

        it("adds no egress rule: each service opens its own container port from this group", () => {
            expect(ofType(T.egress)).to.deep.equal([]);
        });

        it("creates an internet-facing application load balancer in the given subnets behind that group", () => {
            expect(ofType(T.lb).map((r) => [r.name, r.inputs])).to.deep.equal([
                ["alb-alb", {
                    loadBalancerType: "application",
                    internal: false,
                    securityGroups: ["alb-sg-id"],
                    subnets: SUBNETS,
                    dropInvalidHeaderFields: true,
                }],
            ]);
        });

        it("listens on HTTP 80 and answers 404 for paths no service claims", () => {
            const listener = named(T.listener, "alb-http").inputs;
            expect(listener).to.deep.equal({
                loadBalancerArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/alb-alb/0123456789abcdef`,
                port: 80,
                protocol: "HTTP",
                defaultActions: [{
                    type: "fixed-response",
                    fixedResponse: { contentType: "text/plain", messageBody: NOT_FOUND_BODY, statusCode: "404" },
                }],
            });
        });

        it("exposes the group, listener, ARN suffix and DNS name", () => {
            expect(out.securityGroupId).to.equal("alb-sg-id");
            expect(out.listenerArn).to.equal(named(T.listener, "alb-http").state.arn);
            expect(out.arnSuffix).to.equal("app/alb-alb/0123456789abcdef");
            expect(out.dnsName).to.equal(`alb-alb.${REGION}.elb.amazonaws.com`);
            expect(out.alb.loadBalancer).to.be.instanceOf(pulumi.CustomResource);
        });

        it("registers nothing else", () => {
            expect(recorded.map((r) => r.type).sort()).to.deep.equal(
                ["ecs-autoscaling:network:LoadBalancer", T.sg, T.ingress, T.ingress, T.lb, T.listener].sort());
        });
    });

    it("follows the configured listener port (8080) in the rules and the listener", async () => {
        await build(8080);
        expect(ofType(T.ingress).map((r) => [r.inputs.fromPort, r.inputs.toPort])).to.deep.equal([[8080, 8080], [8080, 8080]]);
        expect(named(T.listener, "alb-http").inputs.port).to.equal(8080);
    });

    for (const port of [0, 65536, 80.5]) {
        it(`rejects listenerPort ${port}`, () => {
            expect(() => new LoadBalancer("alb", { vpcId: "vpc-0abc", subnetIds: SUBNETS, listenerPort: port }))
                .to.throw(`listenerPort (${port}) must be a whole number from 1 to 65535`);
        });
    }
});
