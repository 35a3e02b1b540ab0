/**
 * Option parsing the commands share. The autoscaler's flags derive from its settings table
 * (runtime/autoscaler/options.ts, shared with the autoscaler task's own entry).
 */
import { execFileSync } from "child_process";
import { existsSync } from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../config/stack-file";
import { UsageError } from "../input/usage";

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
