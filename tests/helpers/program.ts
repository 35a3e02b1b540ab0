/**
 * Runs the whole program (index.ts) under Pulumi mocks with the config the CLI would pass, as
 * `pulumi up` would: the exported async program, its stack outputs resolved, every registration done.
 */
import * as pulumi from "@pulumi/pulumi";
import { allRegistered, promiseOf, setupMocks } from "./pulumi-mocks";
import { stackConfig } from "./stack-files";

const PROGRAM = require.resolve("../../index");

/**
 * Runs index.ts for a stack file (with overrides) and resolves its exports once every resource is
 * registered. `constructed`, when given, receives every resource the program constructs with its
 * options (a stack transformation sees what the mocks cannot: dependsOn, deleteBeforeReplace, ignoreChanges).
 */
export function runProgram(
    stack: string,
    overrides: Record<string, unknown> = {},
    constructed?: pulumi.ResourceTransformationArgs[],
): Promise<Record<string, any>> {
    return runProgramWithConfig(stack, stackConfig(stack, overrides), constructed);
}

/** Runs index.ts as stack `stack` with a full namespaced config map and resolves its stack outputs. */
export async function runProgramWithConfig(
    stack: string,
    config: Record<string, string>,
    constructed?: pulumi.ResourceTransformationArgs[],
): Promise<Record<string, any>> {
    setupMocks("ecs-autoscaling", stack);
    pulumi.runtime.setAllConfig(config);
    delete require.cache[PROGRAM];
    try {
        // index.ts exports the async program Pulumi runs; its result is the stack outputs.
        const exports = await pulumi.runtime.runInPulumiStack(async () => {
            if (constructed) pulumi.runtime.registerStackTransformation((a) => { constructed.push(a); return undefined; });
            const mod = await import(PROGRAM);
            const main = (mod as any).default ?? mod;
            return typeof main === "function" ? main() : { ...mod };
        });
        const resolved: Record<string, any> = {};
        for (const [k, v] of Object.entries(exports ?? {})) {
            resolved[k] = pulumi.Output.isInstance(v) ? await promiseOf(v) : v;
        }
        return resolved;
    } finally {
        // Let every registration finish, the stack's own outputs included, before the caller looks at
        // the graph or the next run replaces the mocks (which would orphan a late registration).
        await allRegistered();
        await new Promise((r) => setTimeout(r, 0));
        await allRegistered();
    }
}
