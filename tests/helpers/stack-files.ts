/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the CLI hands them to a program: project defaults
 * first, stack values over them, every value a string (objects JSON-encoded), keys namespaced.
 */
import { readFileSync, readdirSync } from "fs";
import * as path from "path";
import { parse } from "yaml";

export const ROOT = path.resolve(__dirname, "..", "..");

export interface ProjectFile {
    name: string;
    config: Record<string, { type: string; default?: unknown; description?: string }>;
}

export function projectFile(): ProjectFile {
    return parse(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
}

export function stackNames(): string[] {
    return readdirSync(ROOT)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export function stackFileConfig(stack: string): Record<string, unknown> {
    return parse(readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config ?? {};
}

function asString(v: unknown): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

/** The full namespaced config map for a stack, optionally with overrides (`key` without namespace for project keys). */
export function stackConfig(stack: string, overrides: Record<string, unknown> = {}): Record<string, string> {
    const project = projectFile();
    const out: Record<string, string> = {};
    for (const [key, decl] of Object.entries(project.config ?? {})) {
        if (decl.default !== undefined) out[`${project.name}:${key}`] = asString(decl.default);
    }
    for (const [key, value] of Object.entries(stackFileConfig(stack))) out[key] = asString(value);
    for (const [key, value] of Object.entries(overrides)) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        if (value === undefined) delete out[full]; else out[full] = asString(value);
    }
    return out;
}

/** Project keys without namespace, as config/load.ts takes them. */
export function rawProjectConfig(stack: string, overrides: Record<string, unknown> = {}): Record<string, string> {
    const name = projectFile().name;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(stackConfig(stack, overrides))) {
        if (k.startsWith(`${name}:`)) out[k.slice(name.length + 1)] = v;
    }
    return out;
}
