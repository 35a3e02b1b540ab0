/**
 * The zod building blocks every section's schema is made of: numbers AWS stores as 32-bit integers,
 * scaling targets, cooldowns, names, CloudWatch series. Each section module (services.ts, queues.ts,
 * autoscaler.ts, ...) holds its own schema, with its defaults next to the rule each key must satisfy;
 * objects are strict, so a misspelt key fails instead of being ignored.
 */
import { z } from "zod";
import { AwsRule, MAX_DIMENSIONS, rules } from "./aws-rules";

/** A string or number schema that also satisfies one AWS rule, refused with the rule's own words. */
export function aws<T extends z.ZodString | z.ZodNumber>(schema: T, rule: AwsRule<z.infer<T>>): T {
    return (schema as unknown as z.ZodType<z.infer<T>>).refine((v) => rule.test(v), { error: rule.says }) as unknown as T;
}

/** Whole numbers AWS stores as 32-bit integers (`1e300` is an integer to JavaScript, not to AWS). */
export const int32 = aws(z.number(), rules.int32);
export const positiveInt = int32.gt(0, { error: "must be > 0" });
export const nonNegativeInt = int32.min(0, { error: "must be a whole number >= 0" });
/** Scaling targets: strictly positive and within Application Auto Scaling's TargetValue range; percentages may not exceed 100. */
export const percentTarget = z.number().gt(0, { error: "must be > 0" }).max(100, { error: "must be <= 100 (it is a percentage)" });
export const positiveTarget = aws(z.number().gt(0, { error: "must be > 0" }), rules.targetValue);
export const cooldown = int32.min(0, { error: "must be >= 0 seconds" });
/** Keys of services, queues and policies: they become parts of physical names. */
export const name = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, { error: "must be lower-case letters, digits and dashes, starting with a letter, at most 31 characters" });

/** A custom series as CloudWatch names it. */
export const namespace = aws(z.string(), rules.namespace);
export const metricName = aws(z.string(), rules.metricName);
export const dimensions = z.record(aws(z.string(), rules.dimensionName), aws(z.string(), rules.dimensionValue))
    .refine((d) => Object.keys(d).length <= MAX_DIMENSIONS, { error: `must have at most ${MAX_DIMENSIONS} dimensions (CloudWatch)` });

/** A KMS key ARN (IAM grants name keys by ARN, not by alias). */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
export const KMS_KEY_ARN_RULE = "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)";
export const kmsKeyArn = z.string().regex(KMS_KEY_ARN, { error: KMS_KEY_ARN_RULE });
