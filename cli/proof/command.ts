/**
 * What the proof tools' commands share: how a run is started from commander, how a stop signal
 * (SIGINT/SIGTERM) becomes an AbortSignal that ends the load a tool started, and how a usage error
 * becomes one line and exit code 2.
 */
import { EXIT, type CliIo } from "../autoscale";
import { UsageError } from "./usage";

/** Hands the chosen run to `main`, which awaits it for the exit code. */
export type SetRun = (run: () => Promise<number>) => void;

/**
 * Runs `body` with an AbortSignal that fires on the first stop signal; a UsageError is written as
 * `error: <message>` and gives exit code 2.
 */
export async function runTool(io: CliIo, body: (signal: AbortSignal) => Promise<number>): Promise<number> {
    const abort = new AbortController();
    const remove = io.onStopSignal((reason) => abort.abort(reason));
    try {
        return await body(abort.signal);
    } catch (error) {
        if (error instanceof UsageError) {
            io.err(`error: ${error.message}\n`);
            return EXIT.usage;
        }
        throw error;
    } finally {
        remove();
    }
}

/** Waits `ms`, or less when `signal` fires. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        if (signal?.aborted || ms <= 0) {
            resolve();
            return;
        }
        const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done, { once: true });
    });
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

/** Values of a repeatable option, accumulated by commander. */
export function collect(value: string, previous: string[] = []): string[] {
    return [...previous, value];
}
