/**
 * VPC CIDR rules, and how the stack's own VPC is carved within them. A VPC's IPv4 block is /16 to /28
 * and a subnet's at most /28 (VPC user guide, "VPC CIDR blocks" and "Subnet CIDR blocks"). Imports
 * nothing of the project's.
 */

/** Prefix length added to the VPC's to size each subnet: a /16 VPC gets /20 subnets (16 of them). */
export const SUBNET_PREFIX_BITS = 4;

/** Problems of an IPv4 CIDR as a VPC block: well formed, octets <= 255, no host bits, /16 to /24. */
export function vpcCidrProblem(cidr: string): string | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) return "must be an IPv4 CIDR such as 10.40.0.0/16";
    const octets = m.slice(1, 5).map(Number);
    if (octets.some((o) => o > 255)) return "must be an IPv4 CIDR: every octet at most 255";
    const prefix = Number(m[5]);
    // VPC blocks are /16 to /28; the stack carves subnets SUBNET_PREFIX_BITS longer, and AWS's smallest subnet is /28.
    if (prefix < 16 || prefix > 28 - SUBNET_PREFIX_BITS) return "must have a prefix between /16 (the largest VPC) and /24 (so that the /28 subnets, the smallest AWS allows, fit)";
    const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    if (address % 2 ** (32 - prefix) !== 0) return `must be a network address: a /${prefix} has no host bits set (a multiple of ${2 ** (32 - prefix)} addresses)`;
    return undefined;
}
