/**
 * The stack's internet-facing Application Load Balancer. Without a certificate: one HTTP listener whose
 * default action is a 404, so a request reaches a service only through the listener rule that service
 * adds. With a certificate: the services' rules go on an HTTPS listener (443, same 404 default) and the
 * HTTP listener only redirects to it. Optionally the access logs go to an S3 bucket of the stack, and
 * the load balancer refuses deletion.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HTTPS_LISTENER_PORT } from "../aws/elb";

export interface LoadBalancerArgs {
    /** VPC of the load balancer's security group. Required. */
    readonly vpcId: pulumi.Input<string>;
    /** Public subnets to place the load balancer in; an ALB needs at least two availability zones. Required. */
    readonly subnetIds: pulumi.Input<string[]>;
    /** Port of the HTTP listener (1-65535, not HTTPS_PORT when a certificate is set). Required. */
    readonly listenerPort: number;
    /** ACM certificate of the HTTPS listener; then HTTP redirects to HTTPS. Defaults to none (HTTP only). */
    readonly certificateArn?: string;
    /** Write access logs to an S3 bucket of the stack. Defaults to false. */
    readonly accessLogs?: boolean;
    /** Refuse deletion of the load balancer (and keep a non-empty log bucket on destroy). Defaults to false. */
    readonly deletionProtection?: boolean;
}

/** Body of the listener's default response, returned for any path no service has claimed. */
export const NOT_FOUND_BODY = "Not Found";

/** Port of the HTTPS listener (config refuses the same port for the HTTP listener). */
export const HTTPS_PORT = HTTPS_LISTENER_PORT;

/**
 * TLS policy of the HTTPS listener: TLS 1.3 and 1.2 with forward-secret ciphers only, the policy the
 * ELB guide recommends for new listeners ("Security policies for your Application Load Balancer").
 */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** Key prefix of the access logs in the bucket; ELB writes under `<prefix>/AWSLogs/<account>/`. */
export const ACCESS_LOG_PREFIX = "alb";

/**
 * An internet-facing ALB with its own security group. The group allows ingress on the listener ports
 * from anywhere (IPv4 and IPv6) and nothing else, and has no egress rule at all: every service behind
 * the load balancer adds a `aws.vpc.SecurityGroupEgressRule` on `securityGroupId` to its own task
 * security group on its container port (and the matching ingress on the task group), so the load
 * balancer can reach exactly the ports of the services it routes to.
 */
export class LoadBalancer extends pulumi.ComponentResource {
    /** The load balancer's security group; services add their egress rules to it. */
    readonly securityGroupId: pulumi.Output<string>;
    /** The listener services attach their rules to: HTTPS with a certificate, HTTP without. */
    readonly listenerArn: pulumi.Output<string>;
    /** `app/<name>/<id>`, the LoadBalancer dimension of AWS/ApplicationELB metrics. */
    readonly arnSuffix: pulumi.Output<string>;
    readonly dnsName: pulumi.Output<string>;
    /** `https://<dns>` with a certificate, `http://<dns>:<listenerPort>` without. */
    readonly url: pulumi.Output<string>;
    readonly loadBalancer: aws.lb.LoadBalancer;
    /** The access-log bucket, when access logs are on. */
    readonly accessLogBucket?: aws.s3.Bucket;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:network:LoadBalancer", name, {}, opts);
        const parent = { parent: this };
        // Defaults, in one place.
        const accessLogs = args.accessLogs ?? false;
        const deletionProtection = args.deletionProtection ?? false;
        const https = args.certificateArn !== undefined;
        const ports: [string, number][] = [["http", args.listenerPort], ...(https ? [["https", HTTPS_PORT] as [string, number]] : [])];

        const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: `Internet-facing ALB: ${ports.map(([p, port]) => `${p.toUpperCase()} on port ${port}`).join(", ")}`,
        }, parent);
        const anywhere: [string, { cidrIpv4: string } | { cidrIpv6: string }][] = [
            ["ipv4", { cidrIpv4: "0.0.0.0/0" }],
            ["ipv6", { cidrIpv6: "::/0" }],
        ];
        for (const [protocol, port] of ports) {
            for (const [family, source] of anywhere) {
                new aws.vpc.SecurityGroupIngressRule(`${name}-${protocol}-${family}`, {
                    securityGroupId: securityGroup.id,
                    description: `${protocol.toUpperCase()} listener, from anywhere (${family})`,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    ...source,
                }, parent);
            }
        }

        const logs = accessLogs ? accessLogBucket(name, deletionProtection, this) : undefined;
        this.accessLogBucket = logs?.bucket;

        this.loadBalancer = new aws.lb.LoadBalancer(`${name}-alb`, {
            loadBalancerType: "application",
            internal: false,
            securityGroups: [securityGroup.id],
            subnets: args.subnetIds,
            // Requests with header names that are not valid HTTP are dropped, not passed to the tasks.
            dropInvalidHeaderFields: true,
            enableDeletionProtection: deletionProtection,
            ...(logs ? { accessLogs: { bucket: logs.bucket.id, prefix: ACCESS_LOG_PREFIX, enabled: true } } : {}),
        // ELB checks that it may write to the bucket when access logs are turned on: the policy comes first.
        }, { parent: this, dependsOn: logs ? [logs.policy] : [] });

        const notFound = {
            type: "fixed-response",
            fixedResponse: { contentType: "text/plain", messageBody: NOT_FOUND_BODY, statusCode: "404" },
        };
        const httpListener = new aws.lb.Listener(`${name}-http`, {
            loadBalancerArn: this.loadBalancer.arn,
            port: args.listenerPort,
            protocol: "HTTP",
            defaultActions: [https ? {
                type: "redirect",
                redirect: { protocol: "HTTPS", port: String(HTTPS_PORT), statusCode: "HTTP_301" },
            } : notFound],
        }, parent);
        const httpsListener = https ? new aws.lb.Listener(`${name}-https`, {
            loadBalancerArn: this.loadBalancer.arn,
            port: HTTPS_PORT,
            protocol: "HTTPS",
            sslPolicy: TLS_POLICY,
            certificateArn: args.certificateArn,
            defaultActions: [notFound],
        }, parent) : undefined;

        this.securityGroupId = securityGroup.id;
        this.listenerArn = (httpsListener ?? httpListener).arn;
        this.arnSuffix = this.loadBalancer.arnSuffix;
        this.dnsName = this.loadBalancer.dnsName;
        this.url = https ? pulumi.interpolate`https://${this.dnsName}` : pulumi.interpolate`http://${this.dnsName}:${args.listenerPort}`;

        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            listenerArn: this.listenerArn,
            arnSuffix: this.arnSuffix,
            dnsName: this.dnsName,
            url: this.url,
        });
    }
}

/**
 * The access-log bucket: autonamed (bucket names are global), SSE-S3 encrypted (the only encryption ELB
 * access logs support: ALB guide, "Enable access logs"), public access blocked, objects owned by the
 * bucket owner, TLS required, and writable only by the region's ELB account under the log prefix.
 */
/** How the provider refuses a region it knows no ELB account for (terraform-provider-aws, aws_elb_service_account). */
const UNKNOWN_ELB_REGION = /unsupported AWS Region|unknown region/i;

/**
 * Who delivers the access logs, from the provider's lookup of the region's ELB account. Regions opened
 * before August 2022 deliver as that account; later ones, which have none (the lookup fails), as the
 * log-delivery service principal (ALB guide, "Enable access logs", step 2). CDK's load balancer
 * decides the same way from its table of ELB accounts. Any other failure of the lookup is the error.
 */
export async function accessLogWriter(elbAccount: Promise<{ arn: string }>): Promise<{ AWS: string } | { Service: string }> {
    try {
        return { AWS: (await elbAccount).arn };
    } catch (error) {
        if (UNKNOWN_ELB_REGION.test((error as Error).message)) return { Service: "logdelivery.elasticloadbalancing.amazonaws.com" };
        throw error;
    }
}

function accessLogBucket(name: string, deletionProtection: boolean, parent: pulumi.Resource): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
    const opts = { parent };
    const bucket = new aws.s3.Bucket(`${name}-access-logs`, {
        // A protected load balancer keeps its logs too: destroy fails while the bucket holds any.
        forceDestroy: !deletionProtection,
    }, opts);
    new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-access-logs-encryption`, {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    }, opts);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-access-logs-public-access`, {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
    }, opts);
    new aws.s3.BucketOwnershipControls(`${name}-access-logs-ownership`, {
        bucket: bucket.id,
        rule: { objectOwnership: "BucketOwnerEnforced" },
    }, opts);
    const account = aws.getCallerIdentityOutput({}, opts).accountId;
    const policy = new aws.s3.BucketPolicy(`${name}-access-logs-policy`, {
        bucket: bucket.id,
        policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ElbWritesAccessLogs",
                    Effect: "Allow",
                    Principal: pulumi.output(accessLogWriter(aws.elb.getServiceAccount({}, opts))),
                    Action: "s3:PutObject",
                    Resource: pulumi.interpolate`${bucket.arn}/${ACCESS_LOG_PREFIX}/AWSLogs/${account}/*`,
                },
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        }),
    // S3 refuses a bucket policy while the public-access block is being written.
    }, { parent, dependsOn: [publicAccess] });
    return { bucket, policy };
}
