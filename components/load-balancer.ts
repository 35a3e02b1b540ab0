/**
 * The stack's internet-facing Application Load Balancer: one HTTP listener whose default action is a
 * 404, so a request reaches a service only through the listener rule that service adds.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface LoadBalancerArgs {
    /** VPC of the load balancer's security group. Required. */
    readonly vpcId: pulumi.Input<string>;
    /** Public subnets to place the load balancer in; an ALB needs at least two availability zones. Required. */
    readonly subnetIds: pulumi.Input<string[]>;
    /** Port of the HTTP listener, the only port open to the internet (1-65535). Required. */
    readonly listenerPort: number;
}

/** Body of the listener's default response, returned for any path no service has claimed. */
export const NOT_FOUND_BODY = "Not Found";

/**
 * An internet-facing ALB with its own security group. The group allows ingress on the listener port
 * from anywhere (IPv4 and IPv6) and nothing else, and has no egress rule at all: every service behind
 * the load balancer adds a `aws.vpc.SecurityGroupEgressRule` on `securityGroupId` to its own task
 * security group on its container port (and the matching ingress on the task group), so the load
 * balancer can reach exactly the ports of the services it routes to.
 */
export class LoadBalancer extends pulumi.ComponentResource {
    /** The load balancer's security group; services add their egress rules to it. */
    readonly securityGroupId: pulumi.Output<string>;
    /** The HTTP listener; services attach their listener rules to it. */
    readonly listenerArn: pulumi.Output<string>;
    /** `app/<name>/<id>`, the LoadBalancer dimension of AWS/ApplicationELB metrics. */
    readonly arnSuffix: pulumi.Output<string>;
    readonly dnsName: pulumi.Output<string>;
    readonly loadBalancer: aws.lb.LoadBalancer;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:network:LoadBalancer", name, {}, opts);
        if (!Number.isInteger(args.listenerPort) || args.listenerPort < 1 || args.listenerPort > 65535) {
            throw new Error(`listenerPort (${args.listenerPort}) must be a whole number from 1 to 65535`);
        }
        const parent = { parent: this };

        const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: `Internet-facing ALB: HTTP on port ${args.listenerPort}`,
        }, parent);
        const anywhere: [string, { cidrIpv4: string } | { cidrIpv6: string }][] = [
            ["ipv4", { cidrIpv4: "0.0.0.0/0" }],
            ["ipv6", { cidrIpv6: "::/0" }],
        ];
        for (const [family, source] of anywhere) {
            new aws.vpc.SecurityGroupIngressRule(`${name}-http-${family}`, {
                securityGroupId: securityGroup.id,
                description: `HTTP listener, from anywhere (${family})`,
                ipProtocol: "tcp",
                fromPort: args.listenerPort,
                toPort: args.listenerPort,
                ...source,
            }, parent);
        }

        this.loadBalancer = new aws.lb.LoadBalancer(`${name}-alb`, {
            loadBalancerType: "application",
            internal: false,
            securityGroups: [securityGroup.id],
            subnets: args.subnetIds,
            // Requests with header names that are not valid HTTP are dropped, not passed to the tasks.
            dropInvalidHeaderFields: true,
        }, parent);

        const listener = new aws.lb.Listener(`${name}-http`, {
            loadBalancerArn: this.loadBalancer.arn,
            port: args.listenerPort,
            protocol: "HTTP",
            defaultActions: [{
                type: "fixed-response",
                fixedResponse: { contentType: "text/plain", messageBody: NOT_FOUND_BODY, statusCode: "404" },
            }],
        }, parent);

        this.securityGroupId = securityGroup.id;
        this.listenerArn = listener.arn;
        this.arnSuffix = this.loadBalancer.arnSuffix;
        this.dnsName = this.loadBalancer.dnsName;

        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            listenerArn: this.listenerArn,
            arnSuffix: this.arnSuffix,
            dnsName: this.dnsName,
        });
    }
}
