/**
 * Option parsing the commands share. The autoscaler's flags derive from its settings table
 * (runtime/autoscaler/options.ts, shared with the autoscaler task's own entry).
 */
import { execFileSync } from "child_process";
import { existsSync } from "fs";
import * as path from "path";
import type { Command } from "commander";
import type { StackConfig } from "../config/load";
import { loadStackFile, PROJECT_ROOT, stackNames } from "../config/stack-file";
import { UsageError } from "../input/usage";
import type { FlagValues, ValueSource } from "../runtime/autoscaler/settings";

export { addSettingOptions, ALL_SETTINGS, settingOption, valuesOf } from "../runtime/autoscaler/options";

/** Values of a repeatable option, accumulated by commander. */
export function collect(value: string, previous: string[] = []): string[] {
    return [...previous, value];
}

/** Reads a whole file, or stdin for `-`. */
export async function readTextSource(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
    if (path !== "-") {
        const { readFile } = await import("fs/promises");
        return readFile(path, "utf8");
    }
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    return Buffer.concat(chunks).toString("utf8");
}

/**
 * The project whose stack files a command reads: the nearest folder from `cwd` upwards that holds a
 * Pulumi.yaml, else the checkout this code came from. Never the folder of a build output, so
 * `npm run build` changes nothing about which files a command finds.
 */
export function projectRoot(cwd: string = process.cwd()): string {
    for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
        if (existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) break;
    }
    return PROJECT_ROOT;
}

/** Where commands write their files unless told otherwise: under the project, ignored by git. */
export const OUTPUT_DIR = path.join(".autoscale", "out");

/** `name` under OUTPUT_DIR: the default of an --out flag. */
export function defaultOutput(name: string): string {
    return path.join(OUTPUT_DIR, name);
}

/**
 * Refuses an output path that would overwrite files git tracks (the path itself, or any file under
 * it), naming the flag: results never replace committed files such as docs/proof/.
 */
export function refuseTrackedOutput(flag: string, target: string, cwd: string = process.cwd()): void {
    let tracked: string[];
    try {
        tracked = execFileSync("git", ["ls-files", "--", path.resolve(cwd, target)], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
            .split("\n").filter((l) => l !== "");
    } catch {
        return; // not a git checkout: nothing tracked to protect
    }
    if (tracked.length > 0) {
        throw new UsageError(`${flag}: ${JSON.stringify(target)} holds ${tracked.length} file${tracked.length === 1 ? "" : "s"} tracked by git (${tracked.slice(0, 3).join(", ")}${tracked.length > 3 ? ", ..." : ""}); write elsewhere, e.g. the default ${OUTPUT_DIR}/`);
    }
}

/** The flags that name a service: its key in a stack file (`--stack` with `--service`), or its ECS names. */
export interface ServiceFlags {
    stack?: string;
    service?: string;
    ecsService?: string;
    cluster?: string;
}

/** The help of `--service` in every command: one meaning everywhere. */
export const SERVICE_KEY_HELP = "the service's key under `services` in the stack file of --stack (api, worker, ...); its ECS service and cluster names come from the stack";

/** Adds --stack and --service (the stack-file key), and, unless the command takes them from its settings, --cluster and --ecs-service. */
export function addServiceOptions(cmd: Command, raw: boolean = true): Command {
    cmd.option("--stack <name>", "the stack file Pulumi.<name>.yaml that --service is read from")
        .option("--service <key>", SERVICE_KEY_HELP);
    if (raw) {
        cmd.option("--cluster <name>", "ECS cluster name (default with --service: the stack's cluster)")
            .option("--ecs-service <name>", "ECS service name, instead of --stack and --service");
    }
    return cmd;
}

/**
 * The ECS cluster and service names `flags` give: `--service` is the service's key in the stack file of
 * `--stack`, resolved to its ECS service name and, unless --cluster is given, the stack's cluster;
 * `--ecs-service` is an ECS name as it is. Throws a UsageError naming the flag, the value and the rule
 * (an unknown key lists the stack's keys).
 */
export function resolveService(flags: ServiceFlags, root: string = projectRoot()): { cluster?: string; ecsService?: string } {
    const given = { ...(flags.cluster ? { cluster: flags.cluster } : {}), ...(flags.ecsService ? { ecsService: flags.ecsService } : {}) };
    if (flags.service === undefined) return given;
    if (flags.ecsService) {
        throw new UsageError(`--service and --ecs-service: give one: --service ${JSON.stringify(flags.service)} is a key of the stack file, --ecs-service ${JSON.stringify(flags.ecsService)} an ECS service name`);
    }
    if (!flags.stack) {
        throw new UsageError(`--stack: (missing) is required with --service ${JSON.stringify(flags.service)}, which names a service of a stack file (stacks here: ${stackNames(root).join(", ") || "(none)"}); or give the ECS name with --ecs-service`);
    }
    let config: StackConfig;
    try {
        config = loadStackFile(flags.stack, {}, root);
    } catch (e) {
        throw new UsageError(`--stack: ${(e as Error).message}`);
    }
    const ecsService = config.names.services[flags.service];
    if (ecsService === undefined) {
        throw new UsageError(`--service: ${JSON.stringify(flags.service)} is not a service of stack ${flags.stack}; expected one of ${Object.keys(config.services).join(", ")}`);
    }
    return { cluster: flags.cluster || config.names.cluster, ecsService };
}

/**
 * For the commands whose --cluster and --ecs-service are settings (autoscaler run, chaos): takes
 * --stack and --service out of `flags` and, when --service is given, sets ecsService (and cluster,
 * unless given as a flag) from the stack, as if given as flags. A flag wins over the environment.
 */
export function applyServiceKey(flags: FlagValues, sources: Record<string, ValueSource>, root?: string): void {
    const { stack, service } = flags as { stack?: string; service?: string };
    delete flags.stack;
    delete flags.service;
    delete sources.stack;
    delete sources.service;
    if (service === undefined) return;
    const explicit = (key: string) => (sources[key] === "cli" ? (flags[key] as string | undefined) : undefined);
    const r = resolveService({ stack, service, ecsService: explicit("ecsService"), cluster: explicit("cluster") }, root);
    flags.ecsService = r.ecsService;
    sources.ecsService = "cli";
    flags.cluster = r.cluster;
    sources.cluster = "cli";
}

/** resolveService, with both names required: a missing one is a UsageError naming the flags that give it. */
export function requireService(flags: ServiceFlags, root?: string): { cluster: string; ecsService: string } {
    const r = resolveService(flags, root);
    const missing: string[] = [];
    if (!r.ecsService) missing.push("--service: (missing) give --stack with --service <key>, or --ecs-service <name>");
    if (!r.cluster) missing.push("--cluster: (missing) the ECS cluster name is required (or --stack with --service)");
    if (missing.length > 0) throw new UsageError(missing.join("; "));
    return { cluster: r.cluster!, ecsService: r.ecsService! };
}
