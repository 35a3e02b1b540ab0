/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI hands them to a program: project
 * defaults first, stack values over them, every value a string (objects JSON-encoded), keys namespaced.
 * The operator tools (`autoscale simulate`, `scale-test verify`) and the tests use it to get the very
 * StackConfig that `pulumi up` would build from a stack file, without the Pulumi CLI.
 */
import { readFileSync, readdirSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { loadStackConfig, StackConfig } from "./load";

/** The repository root: where Pulumi.yaml and the stack files live. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

export interface ProjectFile {
    name: string;
    config: Record<string, { type: string; default?: unknown; description?: string }>;
}

export function projectFile(root = PROJECT_ROOT): ProjectFile {
    return parse(readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
}

/** The stacks that have a `Pulumi.<stack>.yaml`, sorted. */
export function stackNames(root = PROJECT_ROOT): string[] {
    return readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** The `config:` map of a stack file as written (namespaced keys, structured values). */
export function stackFileConfig(stack: string, root = PROJECT_ROOT): Record<string, unknown> {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch {
        throw new Error(`stack "${stack}": no ${path.relative(process.cwd(), file) || file}; known stacks are ${stackNames(root).join(", ") || "(none)"}`);
    }
    return parse(text)?.config ?? {};
}

function asString(v: unknown): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

/** The full namespaced config map for a stack, optionally with overrides (`key` without namespace for project keys; undefined removes a key). */
export function stackConfig(stack: string, overrides: Record<string, unknown> = {}, root = PROJECT_ROOT): Record<string, string> {
    const project = projectFile(root);
    const out: Record<string, string> = {};
    for (const [key, decl] of Object.entries(project.config ?? {})) {
        if (decl.default !== undefined) out[`${project.name}:${key}`] = asString(decl.default);
    }
    for (const [key, value] of Object.entries(stackFileConfig(stack, root))) out[key] = asString(value);
    for (const [key, value] of Object.entries(overrides)) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        if (value === undefined) delete out[full]; else out[full] = asString(value);
    }
    return out;
}

/** Project keys without namespace, as config/load.ts takes them. */
export function rawProjectConfig(stack: string, overrides: Record<string, unknown> = {}, root = PROJECT_ROOT): Record<string, string> {
    const name = projectFile(root).name;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(stackConfig(stack, overrides, root))) {
        if (k.startsWith(`${name}:`)) out[k.slice(name.length + 1)] = v;
    }
    return out;
}

/** The validated StackConfig of a stack file, exactly as the program would build it (throws ConfigError). */
export function loadStackFile(stack: string, overrides: Record<string, unknown> = {}, root = PROJECT_ROOT): StackConfig {
    return loadStackConfig(rawProjectConfig(stack, overrides, root), { project: projectFile(root).name, stack });
}
