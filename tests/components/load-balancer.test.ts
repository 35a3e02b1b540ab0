/**
 * LoadBalancer under Pulumi mocks: an internet-facing ALB whose security group opens exactly the
 * listener port to the world and nothing else, and a listener that answers 404 by default.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { LoadBalancer, LoadBalancerArgs, NOT_FOUND_BODY, accessLogWriter } from "../../components/load-balancer";
import { loadStackConfig } from "../../config/load";
import { ACCOUNT, ELB_ACCOUNT, REGION, allRegistered, mockOptions, named, ofType, promiseOf, recorded, setupMocks } from "../helpers/pulumi-mocks";
import { rawProjectConfig } from "../helpers/stack-files";

const T = {
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    bucket: "aws:s3/bucket:Bucket",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
};
const CERTIFICATE_ARN = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const LB_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/alb-alb/0123456789abcdef`;
const NOT_FOUND = { type: "fixed-response", fixedResponse: { contentType: "text/plain", messageBody: NOT_FOUND_BODY, statusCode: "404" } };
const SUBNETS = ["subnet-pub-a", "subnet-pub-b"];

async function build(listenerPort: number, more: Partial<LoadBalancerArgs> = {}) {
    const alb = new LoadBalancer("alb", { vpcId: "vpc-0abc", subnetIds: SUBNETS, listenerPort, ...more });
    const [securityGroupId, listenerArn, arnSuffix, dnsName, url] = await promiseOf(pulumi.all([alb.securityGroupId, alb.listenerArn, alb.arnSuffix, alb.dnsName, alb.url]));
    await allRegistered();
    return { alb, securityGroupId, listenerArn, arnSuffix, dnsName, url };
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
                    enableDeletionProtection: false,
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
            expect(out.url).to.equal(`http://alb-alb.${REGION}.elb.amazonaws.com:80`);
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

    describe("with a certificate (HTTPS)", () => {
        let out: Awaited<ReturnType<typeof build>>;
        beforeEach(async () => { out = await build(80, { certificateArn: CERTIFICATE_ARN }); });

        it("adds an HTTPS listener on 443 with the certificate, TLS 1.3/1.2 policy and the 404 default", () => {
            expect(named(T.listener, "alb-https").inputs).to.deep.equal({
                loadBalancerArn: LB_ARN,
                port: 443,
                protocol: "HTTPS",
                sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
                certificateArn: CERTIFICATE_ARN,
                defaultActions: [NOT_FOUND],
            });
        });

        it("turns the HTTP listener into a permanent redirect to HTTPS 443", () => {
            expect(named(T.listener, "alb-http").inputs).to.deep.equal({
                loadBalancerArn: LB_ARN,
                port: 80,
                protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
            });
        });

        it("routes the services from the HTTPS listener and advertises an https:// URL", () => {
            expect(out.listenerArn).to.equal(named(T.listener, "alb-https").state.arn);
            expect(out.url).to.equal(`https://alb-alb.${REGION}.elb.amazonaws.com`);
        });

        it("opens 80 and 443 to the world, and nothing else", () => {
            expect(ofType(T.sg)[0].inputs.description).to.equal("Internet-facing ALB: HTTP on port 80, HTTPS on port 443");
            expect(ofType(T.ingress).map((r) => [r.name, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6])).to.deep.equal([
                ["alb-http-ipv4", 80, 80, "0.0.0.0/0"],
                ["alb-http-ipv6", 80, 80, "::/0"],
                ["alb-https-ipv4", 443, 443, "0.0.0.0/0"],
                ["alb-https-ipv6", 443, 443, "::/0"],
            ]);
        });
    });

    describe("with access logs and deletion protection (as the staging stack file sets them)", () => {
        let constructed: pulumi.ResourceTransformationArgs[];
        beforeEach(async () => {
            const lb = loadStackConfig(rawProjectConfig("staging"), { project: "ecs-autoscaling", stack: "staging" }).loadBalancer;
            expect([lb.accessLogs, lb.deletionProtection]).to.deep.equal([true, true]);
            constructed = [];
            new LoadBalancer("alb", { vpcId: "vpc-0abc", subnetIds: SUBNETS, ...lb }, { transformations: [(a) => { constructed.push(a); return undefined; }] });
            await allRegistered();
        });

        it("writes access logs under alb/ to a bucket of its own, and refuses deletion", () => {
            const inputs = named(T.lb, "alb-alb").inputs;
            expect(inputs.enableDeletionProtection).to.equal(true);
            expect(inputs.accessLogs).to.deep.equal({ bucket: "alb-access-logs-id", prefix: "alb", enabled: true });
        });

        it("encrypts the bucket with SSE-S3, blocks all public access, enforces bucket-owner objects, keeps its logs on destroy", () => {
            expect(named(T.bucket, "alb-access-logs").inputs).to.deep.equal({ forceDestroy: false });
            expect(named(T.encryption, "alb-access-logs-encryption").inputs).to.deep.equal({
                bucket: "alb-access-logs-id",
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
            });
            expect(named(T.publicAccess, "alb-access-logs-public-access").inputs).to.deep.equal({
                bucket: "alb-access-logs-id", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
            });
            expect(named(T.ownership, "alb-access-logs-ownership").inputs).to.deep.equal({ bucket: "alb-access-logs-id", rule: { objectOwnership: "BucketOwnerEnforced" } });
        });

        it("lets only the region's ELB account write, only under the log prefix, and refuses plain HTTP", () => {
            const bucketArn = named(T.bucket, "alb-access-logs").state.arn;
            expect(JSON.parse(named(T.bucketPolicy, "alb-access-logs-policy").inputs.policy)).to.deep.equal({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "ElbWritesAccessLogs",
                        Effect: "Allow",
                        Principal: { AWS: `arn:aws:iam::${ELB_ACCOUNT}:root` },
                        Action: "s3:PutObject",
                        Resource: `${bucketArn}/alb/AWSLogs/${ACCOUNT}/*`,
                    },
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [bucketArn, `${bucketArn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ],
            });
        });

        it("creates the load balancer after the bucket policy (ELB checks it may write) and the policy after the public-access block", () => {
            const optsOf = (type: string) => constructed.find((c) => c.type === type)!.opts;
            const policy = constructed.find((c) => c.type === T.bucketPolicy)!.resource;
            const block = constructed.find((c) => c.type === T.publicAccess)!.resource;
            expect(optsOf(T.lb).dependsOn).to.deep.equal([policy]);
            expect(optsOf(T.bucketPolicy).dependsOn).to.deep.equal([block]);
        });
    });

    it("access logs without deletion protection: the bucket may be destroyed with its logs", async () => {
        await build(80, { accessLogs: true });
        expect(named(T.bucket, "alb-access-logs").inputs).to.deep.equal({ forceDestroy: true });
        expect(named(T.lb, "alb-alb").inputs.enableDeletionProtection).to.equal(false);
    });

    describe("in a region opened after August 2022, which has no ELB account", () => {
        beforeEach(() => {
            mockOptions.elbAccountUnknown = true;
            setupMocks();
        });
        afterEach(() => (mockOptions.elbAccountUnknown = false));

        it("lets the log-delivery service principal write instead, under the same prefix", async () => {
            await build(80, { accessLogs: true });
            const bucketArn = named(T.bucket, "alb-access-logs").state.arn;
            expect(JSON.parse(named(T.bucketPolicy, "alb-access-logs-policy").inputs.policy).Statement[0]).to.deep.equal({
                Sid: "ElbWritesAccessLogs",
                Effect: "Allow",
                Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${bucketArn}/alb/AWSLogs/${ACCOUNT}/*`,
            });
        });
    });

    it("access-log writer: the region's ELB account where there is one, the service principal where the provider knows none, else the lookup's error", async () => {
        expect(await accessLogWriter(Promise.resolve({ arn: `arn:aws:iam::${ELB_ACCOUNT}:root` }))).to.deep.equal({ AWS: `arn:aws:iam::${ELB_ACCOUNT}:root` });
        expect(await accessLogWriter(Promise.reject(new Error("unsupported AWS Region: il-central-1")))).to.deep.equal({ Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
        const denied = await accessLogWriter(Promise.reject(new Error("AccessDenied: not authorized"))).catch((e: Error) => e.message);
        expect(denied).to.equal("AccessDenied: not authorized");
    });

    it("without access logs: no bucket", async () => {
        await build(80);
        expect(ofType(T.bucket)).to.deep.equal([]);
        expect(named(T.lb, "alb-alb").inputs.accessLogs).to.equal(undefined);
    });
});
