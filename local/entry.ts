/**
 * What the `up`, `down` and `load` commands need without loading the Pulumi program: the defaults and
 * the local stack itself, required only when a command runs it (a computed path, which bundlers leave
 * alone, so the project image's bundle of `autoscale` does not take in the program).
 */
import * as path from "path";

/** Virtual CloudWatch seconds per real second: a 60-s period lasts 5 s, so a one-period step alarm acts within about 10 s. */
export const DEFAULT_SPEED = 12;
/** The live page's default port. */
export const DEFAULT_PAGE_PORT = 8750;
/** The stack `npm start` runs. */
export const DEFAULT_STACK = "localstack";

export type LocalStack = typeof import("./stack");

export function loadLocalStack(): LocalStack {
    return require(path.join(__dirname, "stack")) as LocalStack;
}

/** The message of an error the user fixes (a LocalStackError, or the stack config's ConfigError), else undefined. */
export function usageMessage(error: unknown): string | undefined {
    const name = (error as Error | undefined)?.name;
    return name === "LocalStackError" || name === "ConfigError" ? (error as Error).message : undefined;
}
