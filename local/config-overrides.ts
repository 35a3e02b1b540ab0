/**
 * `autoscale up --config <path>=<value>`: a stack config value for this run only, as
 * `pulumi up --config-path --config <path>=<value>` takes it (`autoscaler.scaleDownCooldownSeconds=5`,
 * `services.worker.maxCapacity=6`): the path names a key of the project and then fields inside its
 * structured value; the value is read as YAML (so `5` is a number, `true` a boolean).
 */
import { parse } from "yaml";
import { projectFile, stackFileConfig } from "../config/stack-file";
import { LocalStackError } from "./errors";

function setPath(target: Record<string, unknown>, keys: readonly string[], value: unknown, whole: string): void {
    let node: Record<string, unknown> = target;
    for (const [i, key] of keys.slice(0, -1).entries()) {
        const next = node[key];
        if (next === undefined) node[key] = {};
        else if (typeof next !== "object" || next === null) throw new LocalStackError(`--config: ${whole}: ${keys.slice(0, i + 1).join(".")} is not a structured value`);
        node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = value;
}

/** Overrides (keys without the project namespace) for config/stack-file.ts stackConfig. */
export function configOverrides(root: string, stack: string, settings: readonly string[]): Record<string, unknown> {
    if (settings.length === 0) return {};
    const project = projectFile(root).name;
    const file = stackFileConfig(stack, root);
    const out: Record<string, unknown> = {};
    for (const setting of settings) {
        const eq = setting.indexOf("=");
        const path = eq > 0 ? setting.slice(0, eq).trim() : "";
        if (!/^[A-Za-z][\w-]*(\.[\w-]+)*$/.test(path)) throw new LocalStackError(`--config: ${JSON.stringify(setting)} must be <path>=<value>, e.g. autoscaler.scaleDownCooldownSeconds=5`);
        const value = parse(setting.slice(eq + 1));
        const [top, ...rest] = path.split(".");
        if (rest.length === 0) {
            out[top] = value;
            continue;
        }
        const base = out[top] ?? structuredClone(file[`${project}:${top}`] ?? {});
        if (typeof base !== "object" || base === null) throw new LocalStackError(`--config: ${setting}: ${top} is not a structured value`);
        setPath(base as Record<string, unknown>, rest, value, setting);
        out[top] = base;
    }
    return out;
}
