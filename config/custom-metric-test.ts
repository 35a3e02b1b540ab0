/**
 * The `customMetricTest` key: one switch that puts a target-tracking policy on a synthetic series on one
 * service, with test bounds, to prove a custom-metric policy end to end. Its schema, its rules, its
 * result and the policy it adds to the service.
 */
import { z } from "zod";
import { rules } from "./aws-rules";
import type { ResourceNames } from "./names";
import { aws, cooldown, nonNegativeInt, positiveTarget } from "./schema";
import { MetricSeries, syntheticLoadSeries } from "../scaling/metric-series";
import type { ScalingPolicy } from "../scaling/plan";

export const customMetricTest = z.strictObject({
    /** The one switch: puts the SyntheticLoad policy on the service and the test bounds on its target. */
    enabled: z.boolean().default(false),
    /** Which configured service is driven by the synthetic metric. */
    service: z.string().default("api"),
    /** Value of the TestId dimension; defaults to the stack name. */
    testId: aws(z.string(), rules.dimensionValue).optional(),
    target: positiveTarget.default(100),
    minCapacity: nonNegativeInt.default(2),
    maxCapacity: nonNegativeInt.default(4),
    scaleOutCooldown: cooldown.default(60),
    scaleInCooldown: cooldown.default(60),
});

/** The key as a stack file sets it; unset: off. */
export const customMetricTestKey = customMetricTest.default({ enabled: false, service: "api", target: 100, minCapacity: 2, maxCapacity: 4, scaleOutCooldown: 60, scaleInCooldown: 60 });

export type CustomMetricTestInput = z.infer<typeof customMetricTest>;

export interface CustomMetricTestConfig {
    readonly enabled: boolean;
    readonly service: string;
    readonly testId: string;
    readonly targetValue: number;
    readonly minCapacity: number;
    readonly maxCapacity: number;
    /** The one series the policy watches and publishing tools write; undefined while disabled. */
    readonly series?: MetricSeries;
}

/** `services`: the configured service keys; `paidTierResources`: whether ECS is deployed at all. */
export function customMetricTestProblems(cmt: CustomMetricTestInput, services: readonly string[], paidTierResources: boolean): string[] {
    if (!cmt.enabled) return [];
    const problems: string[] = [];
    if (!services.includes(cmt.service)) {
        problems.push(`customMetricTest.service: "${cmt.service}" is not a configured service; expected one of ${services.join(", ") || "(none configured)"}`);
    }
    if (cmt.minCapacity > cmt.maxCapacity) {
        problems.push(`customMetricTest.minCapacity: ${cmt.minCapacity} must be <= customMetricTest.maxCapacity (${cmt.maxCapacity})`);
    }
    if (!paidTierResources) problems.push("customMetricTest.enabled: true needs ECS and Application Auto Scaling, which paidTierResources: false leaves out; set one of them the other way");
    return problems;
}

/** The validated settings; the TestId defaults to the stack name. */
export function customMetricTestConfig(cmt: CustomMetricTestInput, stack: string, names: ResourceNames): CustomMetricTestConfig {
    const testId = cmt.testId ?? stack;
    return {
        enabled: cmt.enabled,
        service: cmt.service,
        testId,
        targetValue: cmt.target,
        minCapacity: cmt.minCapacity,
        maxCapacity: cmt.maxCapacity,
        series: cmt.enabled ? syntheticLoadSeries(testId, names.cluster, names.services[cmt.service]) : undefined,
    };
}

/** The synthetic-load policy and test bounds the service under test gets, when the test is on and aimed at `service`. */
export function customMetricTestOverrides(cmt: CustomMetricTestInput, series: MetricSeries | undefined, service: string):
    { readonly policy: ScalingPolicy; readonly minCapacity: number; readonly maxCapacity: number } | undefined {
    if (!cmt.enabled || cmt.service !== service || !series) return undefined;
    return {
        policy: {
            kind: "targetTracking",
            name: "synthetic-load",
            metric: { type: "custom", series },
            targetValue: cmt.target,
            cooldowns: { scaleOut: cmt.scaleOutCooldown, scaleIn: cmt.scaleInCooldown },
            disableScaleIn: false,
        },
        minCapacity: cmt.minCapacity,
        maxCapacity: cmt.maxCapacity,
    };
}
