/**
 * The only reader of Pulumi config. Reads every key of this project's namespace, validates it all
 * before the program registers any resource, and returns the typed StackConfig.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig, StackConfig } from "./load";

export * from "./load";
export { ConfigError } from "./errors";

export function readStackConfig(): StackConfig {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const all = pulumi.runtime.allConfig();
    const raw: Record<string, string> = {};
    for (const [k, v] of Object.entries(all)) {
        if (k.startsWith(prefix)) raw[k.slice(prefix.length)] = v;
    }
    return loadStackConfig(raw, { project, stack: pulumi.getStack(), region: all["aws:region"] });
}
