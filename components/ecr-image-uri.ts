/**
 * Recognises private Amazon ECR image references, so a task's execution role can be granted pull
 * rights on exactly the repository its image lives in. Pure: no Pulumi, no AWS calls.
 */

/** A private ECR image reference, split into the parts an IAM policy needs. */
export interface EcrImage {
    readonly accountId: string;
    readonly region: string;
    /** `aws`, `aws-cn` or `aws-us-gov`. */
    readonly partition: string;
    /** Repository name, including any namespace path (`team/app`). */
    readonly repository: string;
    /** `arn:<partition>:ecr:<region>:<account>:repository/<repository>`. */
    readonly repositoryArn: string;
}

// <12-digit account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>[:tag][@sha256:<digest>]
// Repository names are lower-case path components separated by `/`, each made of letters and digits
// joined by single `.`, `_` or `-` (ECR CreateRepository naming rule); tags are up to 128 characters.
const ECR_IMAGE = new RegExp(
    "^(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z]{2}(?:-[a-z]+)+-\\d)\\.amazonaws\\.com(\\.cn)?" +
    "/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)" +
    "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?" +
    "(?:@sha256:[a-f0-9]{64})?$",
);

/**
 * Parses `image` as a private ECR reference. Returns undefined for anything else (Docker Hub,
 * ECR Public `public.ecr.aws/...`, other registries), which need no IAM permission to pull.
 */
export function parseEcrImageUri(image: string): EcrImage | undefined {
    const m = ECR_IMAGE.exec(image);
    if (!m) return undefined;
    const [, accountId, region, chinaSuffix, repository] = m;
    const partition = chinaSuffix ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    return {
        accountId,
        region,
        partition,
        repository,
        repositoryArn: `arn:${partition}:ecr:${region}:${accountId}:repository/${repository}`,
    };
}
