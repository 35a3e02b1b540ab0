/**
 * What the rules of a service's parts (its policies, predictive and backlog-per-task policies, scale to
 * zero, secrets) read of the service they belong to. services.ts's ServiceInput, the parsed
 * `services.<key>`, satisfies it; it is a module of its own because ServiceInput is made of those parts'
 * schemas, so the parts cannot import it without an import cycle.
 */
import type { LoadBalancerRoute } from "./load-balancer";

export interface ServiceFields {
    readonly loadBalancer?: LoadBalancerRoute;
    /** Key of the stack queue the service consumes, if any. */
    readonly consumesQueue?: string;
    readonly maxCapacity: number;
    /** The service's default cooldowns, seconds, for a policy that sets none. */
    readonly scaleOutCooldown: number;
    readonly scaleInCooldown: number;
    readonly environment: Readonly<Record<string, string>>;
    readonly secrets: Readonly<Record<string, string>>;
}
