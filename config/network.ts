/**
 * The `network` key: the default VPC, existing subnets or a VPC of the stack's own; its schema (with the
 * VPC CIDR rule) and the one rule only the region can answer, the number of availability zones.
 */
import { z } from "zod";
import { rules, vpcCidrProblem } from "./aws-rules";
import { aws, int32 } from "./schema";

export const network = z.discriminatedUnion("mode", [
    /** The account's default VPC and its default subnets (tasks get public IPs; there is no NAT). */
    z.strictObject({ mode: z.literal("default") }),
    /** Existing subnets. */
    z.strictObject({
        mode: z.literal("subnets"),
        vpcId: aws(z.string(), rules.vpcId),
        publicSubnetIds: z.array(aws(z.string(), rules.subnetId)).min(2, { error: "an ALB needs subnets in at least 2 availability zones" }),
        privateSubnetIds: z.array(aws(z.string(), rules.subnetId)).min(1),
        /** Whether tasks need a public IP (true when the private subnets have no NAT route). */
        assignPublicIp: z.boolean().default(false),
    }),
    /** A VPC of the stack's own: public subnets for the ALB and NAT, private subnets for tasks. */
    z.strictObject({
        mode: z.literal("vpc"),
        cidrBlock: z.string().superRefine((cidr, ctx) => {
            const problem = vpcCidrProblem(cidr);
            if (problem) ctx.addIssue({ code: "custom", message: problem });
        }).default("10.40.0.0/16"),
        availabilityZones: int32.min(2).max(4).default(2),
        /** One NAT gateway for the private subnets; without it tasks cannot pull images or reach AWS APIs. */
        natGateway: z.boolean().default(true),
    }),
], { error: (issue) => issue.code === "invalid_union" ? "unknown network mode; expected one of default, subnets, vpc" : undefined });

/** The key as a stack file sets it; unset: the account's default VPC. */
export const networkKey = network.default({ mode: "default" });

export type NetworkInput = z.infer<typeof network>;

/**
 * Problems a stack's region reveals: more availability zones than the region offers. index.ts asks the
 * region (the same regular-zone query the network uses) and checks before it registers any resource.
 */
export function regionProblems(config: { readonly paidTierResources: boolean; readonly network: NetworkInput }, availableZones: readonly string[]): string[] {
    const n = config.network;
    if (!config.paidTierResources || n.mode !== "vpc" || n.availabilityZones <= availableZones.length) return [];
    return [`network.availabilityZones: ${n.availabilityZones} exceeds the ${availableZones.length} availability zones of the stack's region (${availableZones.join(", ")})`];
}
