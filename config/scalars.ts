/**
 * The top-level scalar keys (name prefix, log retention, alert e-mail and key, the paid-tier switch):
 * their schema, declared with the same types and defaults in Pulumi.yaml (a test keeps them equal), the
 * name-prefix rule, and their part of the StackConfig.
 */
import { z } from "zod";
import { LOG_RETENTION_DAYS, rules } from "./aws-rules";
import { RawConfig, readKey } from "./read";
import { KMS_KEY_ARN, KMS_KEY_ARN_RULE } from "./schema";

export const scalars = {
    /** Checked with the default `<project>-<stack>` (namePrefixProblems), as every physical name derived from it. */
    namePrefix: z.string().default(""),
    logRetentionDays: z.number().refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), { error: `must be one of ${LOG_RETENTION_DAYS.join(", ")}` }).default(14),
    alertEmail: z.string().refine((e) => e === "" || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e), { error: "must be an email address or empty" }).default(""),
    paidTierResources: z.boolean().default(true),
    /** CloudWatch Container Insights on the cluster (ECS/ContainerInsights metrics); a backlogPerTask policy needs it. */
    containerInsights: z.boolean().default(true),
    /** Customer managed key of the alerts topic; empty: a key of the stack's own that CloudWatch alarms may use. */
    alertsKmsKeyArn: z.string().refine((v) => v === "" || KMS_KEY_ARN.test(v), { error: `${KMS_KEY_ARN_RULE} or empty` }).default(""),
} as const;

export type ScalarsInput = { readonly [K in keyof typeof scalars]: z.infer<(typeof scalars)[K]> };

/** The scalar keys, read in order; undefined when any of them broke its rule (the problems say which). */
export function readScalars(raw: RawConfig, problems: string[]): ScalarsInput | undefined {
    const before = problems.length;
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(scalars)) out[key] = readKey(raw, key, schema, "scalar", problems);
    return problems.length === before ? out as ScalarsInput : undefined;
}

/** The prefix every physical name starts with: namePrefix, or `<project>-<stack>` when it is empty. */
export function namePrefixOf(namePrefix: string, ctx: { project: string; stack: string }): string {
    return namePrefix || `${ctx.project}-${ctx.stack}`;
}

/**
 * The prefix's rule. The default comes from the stack name, which Pulumi lets hold upper case, dots and
 * underscores that ECR, ECS, ELB or SQS names refuse.
 */
export function namePrefixProblems(namePrefix: string, prefix: string): string[] {
    if (rules.namePrefix.test(prefix)) return [];
    return [namePrefix
        ? `namePrefix: ${JSON.stringify(prefix)} ${rules.namePrefix.says}`
        : `namePrefix: "" (unset) defaults to "<project>-<stack>" = ${JSON.stringify(prefix)}, which ${rules.namePrefix.says}; set namePrefix`];
}

/** The scalars' part of the StackConfig: empty strings mean unset. */
export function scalarsConfig(sc: ScalarsInput) {
    return {
        logRetentionDays: sc.logRetentionDays,
        alertEmail: sc.alertEmail || undefined,
        paidTierResources: sc.paidTierResources,
        containerInsights: sc.containerInsights,
        alertsKmsKeyArn: sc.alertsKmsKeyArn || undefined,
    };
}
