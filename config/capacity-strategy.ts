/**
 * The `capacityStrategy` key: the cluster's default capacity provider strategy (FARGATE, FARGATE_SPOT),
 * which a service may override with its own. The ECS rules of a strategy are checked in the schema.
 */
import { z } from "zod";
import { CAPACITY_PROVIDER_BASE_MAX, CAPACITY_PROVIDER_WEIGHT_MAX } from "../aws/limits";
import { int32 } from "./schema";

export const capacityProviderItem = z.strictObject({
    provider: z.enum(["FARGATE", "FARGATE_SPOT"]),
    /** Tasks always placed on this provider before weights apply (ECS: 0-100000, default 0). */
    base: int32.min(0).max(CAPACITY_PROVIDER_BASE_MAX).default(0),
    /** Share of the tasks beyond base (ECS: 0-1000, default 0). */
    weight: int32.min(0).max(CAPACITY_PROVIDER_WEIGHT_MAX).default(0),
});

export const capacityStrategy = z.array(capacityProviderItem).min(1).superRefine((items, ctx) => {
    const providers = items.map((i) => i.provider);
    providers.forEach((p, i) => {
        if (providers.indexOf(p) !== i) ctx.addIssue({ code: "custom", path: [i, "provider"], message: `provider ${p} is listed twice` });
    });
    const withBase = items.filter((i) => i.base > 0);
    if (withBase.length > 1) ctx.addIssue({ code: "custom", path: [], message: "only one provider may set base > 0 (ECS rule)" });
    const weights = items.reduce((sum, i) => sum + i.weight, 0);
    if (weights === 0) {
        ctx.addIssue({ code: "custom", path: [], message: `weights sum to 0 (${items.map((i) => `${i.provider}=${i.weight}`).join(", ")}); at least one weight must be > 0 or no task beyond base can be placed` });
    }
});

/** The key as a stack file sets it; unset: every task on FARGATE. */
export const capacityStrategyKey = capacityStrategy.default([{ provider: "FARGATE", base: 0, weight: 1 }]);

export type CapacityProviderItem = z.infer<typeof capacityProviderItem>;
