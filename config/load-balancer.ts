/**
 * The `loadBalancer` key (listener port, certificate, access logs, deletion protection) and the route a
 * service takes through it (`services.<key>.loadBalancer`): their schemas and the rules that span keys.
 */
import { z } from "zod";
import { MAX_PATH_PATTERNS, rules } from "./aws-rules";
import { aws, int32 } from "./schema";
import { HTTPS_LISTENER_PORT } from "../aws/elb";

export const loadBalancer = z.strictObject({
    listenerPort: int32.min(1).max(65535).default(80),
    /** ACM certificate: adds an HTTPS listener on 443 that the services are routed from, and HTTP redirects to it. */
    certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, { error: "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)" }).optional(),
    /** Write the ALB's access logs to an S3 bucket of the stack (SSE-S3, public access blocked). */
    accessLogs: z.boolean().default(false),
    /** Refuse to delete the ALB (a `pulumi destroy` fails until it is turned off). */
    deletionProtection: z.boolean().default(false),
});

/** The key as a stack file sets it; unset: HTTP on port 80, no access logs, no deletion protection. */
export const loadBalancerKey = loadBalancer.default({ listenerPort: 80, accessLogs: false, deletionProtection: false });

export type LoadBalancerInput = z.infer<typeof loadBalancer>;

/** A service's listener rule and target group health check. */
export const loadBalancerRoute = z.strictObject({
    /** Listener rule path patterns (ELB: at most 5 per rule, 128 characters each). */
    pathPatterns: z.array(aws(z.string(), rules.pathPattern)).min(1)
        .max(MAX_PATH_PATTERNS, { error: `must list at most ${MAX_PATH_PATTERNS} path patterns (ELB: condition values per listener rule)` })
        .default(["/*"]),
    /** Listener rule priority (1-50000), unique per listener. */
    priority: int32.min(1).max(50000),
    healthCheckPath: aws(z.string(), rules.healthCheckPath).default("/"),
});

export type LoadBalancerRoute = z.infer<typeof loadBalancerRoute>;

/**
 * The HTTP listener cannot share the HTTPS listener's port; the certificate must be in the stack's
 * region (when it is known): a load balancer's listener takes ACM certificates of its own region only
 * (ACM user guide, "Supported Regions": certificates are regional resources; to use one with an ALB in
 * another region, request or import it there).
 */
export function loadBalancerProblems(lb: LoadBalancerInput, region?: string): string[] {
    const problems: string[] = [];
    if (lb.certificateArn !== undefined && lb.listenerPort === HTTPS_LISTENER_PORT) {
        problems.push(`loadBalancer.listenerPort: ${lb.listenerPort} is the HTTPS listener's port when loadBalancer.certificateArn is set; ` +
            "the HTTP listener that redirects to it needs another port (80 by default)");
    }
    const certRegion = lb.certificateArn?.split(":")[3];
    if (certRegion !== undefined && region !== undefined && certRegion !== region) {
        problems.push(`loadBalancer.certificateArn: "${lb.certificateArn}" is a certificate of ${certRegion}, not of the stack's region ${region}; ` +
            "an ALB uses ACM certificates of its own region only: request or import the certificate in " + region);
    }
    return problems;
}

/**
 * Listener rule priorities must be unique per listener. `taken` maps each priority to the first service
 * that routes with it; called once per service, in order, it reports every later one.
 */
export function routePriorityProblems(key: string, route: LoadBalancerRoute | undefined, taken: Map<number, string>): string[] {
    if (!route) return [];
    const other = taken.get(route.priority);
    taken.set(route.priority, key);
    return other ? [`services.${key}.loadBalancer.priority: ${route.priority} is already used by services.${other}; listener rule priorities must be unique`] : [];
}
