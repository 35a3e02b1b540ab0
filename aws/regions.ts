/**
 * The AWS Regions, by partition: the region codes of the partitions table the AWS SDK for JavaScript v3
 * resolves endpoints from (@aws-sdk/core 3.981.0, submodules/client/util-endpoints/lib/aws/partitions,
 * read on 2026-12-06), which follows the AWS General Reference's "AWS Regions" list. A region opened
 * later is missing until this list is updated; the Pulumi AWS provider refuses an unknown region the
 * same way unless `aws:skipRegionValidation` is true.
 */
export const AWS_REGIONS = {
    aws: [
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
        "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
        "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
        "il-central-1", "me-central-1", "me-south-1", "me-west-1", "mx-central-1", "sa-east-1", "sa-west-1",
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    ],
    "aws-cn": ["cn-north-1", "cn-northwest-1"],
    "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
    "aws-eusc": ["eusc-de-east-1"],
    "aws-iso": ["us-iso-east-1", "us-iso-west-1"],
    "aws-iso-b": ["us-isob-east-1", "us-isob-west-1"],
    "aws-iso-e": ["eu-isoe-west-1"],
    "aws-iso-f": ["us-isof-east-1", "us-isof-south-1"],
} as const satisfies Record<string, readonly string[]>;

/** Every region code of every partition. */
export const ALL_AWS_REGIONS: readonly string[] = Object.values(AWS_REGIONS).flat();

/** True when `name` is a region code AWS has. */
export function isAwsRegion(name: string): boolean {
    return ALL_AWS_REGIONS.includes(name);
}

/**
 * The rule broken by a region name, for errors (`must be an AWS region code such as us-east-1`),
 * with the closest code when one differs by a character or two (`us-east1` -> `us-east-1`).
 */
export function regionRule(name: string): string {
    const near = ALL_AWS_REGIONS.map((r) => ({ r, d: editDistance(name.toLowerCase(), r) })).sort((a, b) => a.d - b.d)[0];
    const hint = near && near.d <= 2 ? `; did you mean ${near.r}?` : "";
    return `must be an AWS region code such as us-east-1 (one of ${ALL_AWS_REGIONS.length} known regions)${hint}`;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const cur = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = cur;
        }
    }
    return row[b.length];
}
