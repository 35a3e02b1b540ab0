/** Runs the whole program (index.ts) under the Pulumi mocks, as `pulumi up` would for a stack file. */
import * as pulumi from "@pulumi/pulumi";
import { promiseOf, setupMocks } from "./pulumi-mocks";
import { stackConfig } from "./stack-files";

const PROGRAM = require.resolve("../../index");

/**
 * Runs index.ts for a stack and resolves its exports once every resource is registered. `constructed`,
 * when given, receives every resource the program constructs with its options (a stack transformation
 * sees what the mocks cannot: dependsOn, deleteBeforeReplace, ignoreChanges).
 */
export async function runProgram(
    stack: string,
    overrides: Record<string, unknown> = {},
    constructed?: pulumi.ResourceTransformationArgs[],
): Promise<Record<string, any>> {
    setupMocks("ecs-autoscaling", stack);
    pulumi.runtime.setAllConfig(stackConfig(stack, overrides));
    delete require.cache[PROGRAM];
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
    // Resolve every resource's inputs so nothing is left pending when the test ends.
    await new Promise((r) => setTimeout(r, 50));
    return resolved;
}
