/** The project's invariants as policies, in the order the pack reports them. */
import type { ProjectPolicy } from "./graph";
import { iamWildcardResources } from "./rules/iam-wildcards";
import { oneOwnerPerDesiredCount } from "./rules/one-owner";
import { noWorldOpenSecurityGroups } from "./rules/open-security-groups";
import { productionProtection } from "./rules/production-protection";
import { watchedSeriesArePublished } from "./rules/published-series";
import { scalingBoundsAndSteps } from "./rules/scaling-steps";

export const POLICIES: readonly ProjectPolicy[] = [
    oneOwnerPerDesiredCount,
    scalingBoundsAndSteps,
    watchedSeriesArePublished,
    iamWildcardResources,
    noWorldOpenSecurityGroups,
    productionProtection,
];
