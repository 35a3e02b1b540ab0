/**
 * The CrossGuard policy pack of ecs-autoscaling: `pulumi preview --policy-pack policy` checks a stack's
 * graph against the project's invariants (policies.ts). Each rule is a pure function of the graph, run
 * here as a stack validation, so it sees every resource at once. During a preview, a value the cloud
 * has not assigned yet (the ARN of a policy that does not exist yet) cannot be checked: the engine
 * reports the policy as not checkable for that preview, and `pulumi up` checks it with real values.
 */
import { PolicyPack } from "@pulumi/policy";
import { policyContext, type PackConfig, DEFAULT_PRODUCTION_STACKS } from "./context";
import { POLICIES } from "./policies";

new PolicyPack("ecs-autoscaling", {
    description: "The invariants of ecs-autoscaling: one owner per desired count, consistent scaling, published series, scoped IAM, closed security groups, protected production data.",
    enforcementLevel: "mandatory",
    policies: POLICIES.map((p) => ({
        name: p.name,
        description: p.description,
        configSchema: {
            properties: {
                productionStacks: { type: "array", items: { type: "string" }, default: DEFAULT_PRODUCTION_STACKS },
                publishedNamespaces: { type: "array", items: { type: "string" }, default: [] },
            },
        },
        validateStack: async (args, reportViolation) => {
            const context = await policyContext(args.resources, args.getConfig<PackConfig>(), args.stackTags);
            for (const v of p.check(args.resources, context)) reportViolation(v.message, v.urn);
        },
    })),
});
