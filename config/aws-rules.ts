/**
 * The AWS rules that can be known before `pulumi up`: name lengths and characters, integer types,
 * quotas and formats. Each rule is stated here once, phrased so that a problem reads
 * `<key>: <value> <rule>`; the numbers come from aws/ with their sources. The schema
 * (config/schema.ts) and the cross-field checks (config/load.ts) apply them; nothing else restates them.
 */
import {
    INT32_MAX, SCHEDULED_ACTION_NAME_MAX_LENGTH, SCHEDULE_EXPRESSION_MAX_LENGTH, TARGET_GROUP_NAME_MAX_LENGTH, TARGET_VALUE_MAX, TARGET_VALUE_MIN,
} from "../aws/limits";
import { DASHBOARD_NAME_PATTERN, DASHBOARD_NAME_RULE } from "../aws/names";

/** A rule: what a value must satisfy, and how a refusal says it. */
export interface AwsRule<T> {
    readonly test: (value: T) => boolean;
    /** Completes `<key>: <value> ...`, e.g. "must be at most 80 characters". */
    readonly says: string;
}

function pattern(re: RegExp, says: string): AwsRule<string> {
    return { test: (v) => re.test(v), says };
}

// The limits themselves are AWS facts, stated once in aws/; config's modules import them from here.
export { CLOUDWATCH_UNITS } from "../aws/metrics";
export { LOG_RETENTION_DAYS, MAX_DIMENSIONS, MAX_PATH_PATTERNS, TASK_DEFINITION_MAX_BYTES } from "../aws/limits";
export { vpcCidrProblem } from "../aws/vpc";

/** Docker reference grammar (distribution/reference) as ECS accepts it: registry, path, tag, digest. */
const DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?";
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const IMAGE_REFERENCE = new RegExp(
    `^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

export const rules = {
    int32: { test: (v: number) => Number.isInteger(v) && Math.abs(v) <= INT32_MAX, says: `must be a whole number within AWS's 32-bit integer range (at most ${INT32_MAX})` } as AwsRule<number>,
    targetValue: {
        test: (v: number) => v >= TARGET_VALUE_MIN && v <= TARGET_VALUE_MAX,
        says: `must be between ${TARGET_VALUE_MIN} and ${TARGET_VALUE_MAX} (Application Auto Scaling TargetValue)`,
    } as AwsRule<number>,
    /** ECS ContainerDefinition.image. */
    image: {
        test: (v: string) => v.length <= 255 && IMAGE_REFERENCE.test(v),
        says: "must be an image reference ECS accepts: at most 255 characters, [registry[:port]/]repository[:tag][@digest] " +
            "with a lower-case repository path (Docker reference format)",
    } as AwsRule<string>,
    namePrefix: pattern(/^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/,
        "must be lower-case letters and digits joined by single hyphens, starting with a letter " +
        "(ECR repository names allow no upper case and no doubled separators; ECS, ELB and SQS names no dots)"),
    /** ECS cluster, service and task family names. */
    ecsName: pattern(/^[A-Za-z0-9_-]{1,255}$/, "must be 1-255 letters, digits, hyphens and underscores (ECS names)"),
    /** ELBv2 target group names. */
    targetGroupName: pattern(new RegExp(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,${TARGET_GROUP_NAME_MAX_LENGTH - 2}}[A-Za-z0-9])?$`),
        `must be 1-${TARGET_GROUP_NAME_MAX_LENGTH} letters, digits and hyphens, not starting or ending with a hyphen (ELB target group names)`),
    sqsName: pattern(/^[A-Za-z0-9_-]{1,80}$/, "must be 1-80 letters, digits, hyphens and underscores (SQS queue names)"),
    snsName: pattern(/^[A-Za-z0-9_-]{1,256}$/, "must be 1-256 letters, digits, hyphens and underscores (SNS topic names)"),
    dashboardName: pattern(DASHBOARD_NAME_PATTERN, DASHBOARD_NAME_RULE),
    logGroupName: pattern(/^[.\-_/#A-Za-z0-9]{1,512}$/, "must be 1-512 letters, digits and . - _ / # (CloudWatch Logs group names)"),
    ecrRepositoryName: pattern(/^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
        "must be 2-256 lower-case letters and digits joined by single . _ - or / (ECR repository names)"),
    alarmName: pattern(/^[^\x00-\x1f\x7f]{1,255}$/, "must be 1-255 characters without control characters (CloudWatch alarm names)"),
    /** Application Auto Scaling PolicyName: 1-256 printable characters. */
    policyName: pattern(/^[\x20-\x7e]{1,256}$/, "must be 1-256 printable characters (Application Auto Scaling policy names)"),
    /** Application Auto Scaling ScheduledActionName (the service's physical name and a hyphen come first). */
    scheduledActionName: pattern(new RegExp(`^(?! )(?!.* $)[^\\x00-\\x1f\\x7f-\\x9f:/|]{1,${SCHEDULED_ACTION_NAME_MAX_LENGTH}}$`),
        `must be 1-${SCHEDULED_ACTION_NAME_MAX_LENGTH} characters without control characters, : / or |, and without a leading or trailing space (Application Auto Scaling scheduled action names)`),
    /** PutScheduledAction Schedule length. */
    scheduleLength: { test: (v: string) => v.length >= 1 && v.length <= SCHEDULE_EXPRESSION_MAX_LENGTH, says: `must be 1-${SCHEDULE_EXPRESSION_MAX_LENGTH} characters (PutScheduledAction Schedule)` } as AwsRule<string>,
    /** IAM role names (Pulumi appends an 8-character random suffix to the logical name). */
    iamRoleName: pattern(/^[\w+=,.@-]{1,64}$/, "must be 1-64 letters, digits and + = , . @ _ - (IAM role names)"),
    /** CloudWatch namespaces. */
    namespace: pattern(/^(?=.*\S)[0-9A-Za-z.\-_/#: ]{1,255}$/,
        "must be 1-255 ASCII letters, digits, spaces and . - _ / # : with at least one non-space character (CloudWatch namespaces)"),
    metricName: pattern(/^[\x20-\x7e]{1,255}$/, "must be 1-255 printable ASCII characters (CloudWatch metric names)"),
    dimensionName: pattern(/^(?!:)[\x20-\x7e]{1,255}$/, "must be 1-255 printable ASCII characters, not starting with a colon (CloudWatch dimension names)"),
    dimensionValue: pattern(/^[^\x00-\x1f\x7f]{1,1024}$/, "must be 1-1024 characters without control characters (CloudWatch dimension values)"),
    /** ELBv2 path-pattern condition values. */
    pathPattern: pattern(/^[A-Za-z0-9_\-.$/~"'@:+&*?]{1,128}$/,
        "must be 1-128 characters of A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & * ? (ELB listener rule path patterns)"),
    /** ELBv2 health check path. */
    healthCheckPath: pattern(/^\/[\x21-\x7e]{0,1023}$/, "must start with / and be at most 1024 printable ASCII characters without spaces (ELB health check path)"),
    /** EC2 resource ids. */
    vpcId: pattern(/^vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, "must be a VPC id (vpc- and 8 or 17 hex digits)"),
    subnetId: pattern(/^subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, "must be a subnet id (subnet- and 8 or 17 hex digits)"),
} as const;
