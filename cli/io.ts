/**
 * What every `autoscale` command shares: the exit codes and what a command touches outside itself
 * (environment, output, stop signals; tests replace it), both from runtime/aws/process.ts; how a
 * command hands its run to main(), and how a stop signal becomes an AbortSignal and a usage error one
 * line with exit code 2.
 */
import type { Command } from "commander";
import { UsageError } from "../input/usage";
import { EXIT, type ProcessIo } from "../runtime/aws/process";

export { EXIT, processIo, stopSignal, UNCAUGHT } from "../runtime/aws/process";
export { logDestination } from "../runtime/aws/log-format";

/**
 * What a command touches outside itself (runtime/aws/process.ts: environment, output, stop signals),
 * and the clock progress lines are timed by (tests give a fake one).
 */
export type CliIo = ProcessIo & { readonly now?: () => number };

/** Time between two progress lines of a long command, ms. */
export const PROGRESS_EVERY_MS = 5_000;

/**
 * A progress reporter for a command that can run longer than 10 s: writes the line `line()` gives to
 * stderr (so a --json result on stdout stays clean) at most once every PROGRESS_EVERY_MS of io's clock.
 */
export function progressLines(io: CliIo, everyMs: number = PROGRESS_EVERY_MS): (line: () => string) => void {
    const now = io.now ?? Date.now;
    let last = now();
    return (line) => {
        const t = now();
        if (t - last < everyMs) return;
        last = t;
        io.err(`${line()}\n`);
    };
}

/** Hands the chosen run to main(), which awaits it for the exit code. */
export type SetRun = (run: () => Promise<number>) => void;

/** Adds one command to the program; its action hands main() the function that runs it. */
export type CommandRegistration = (program: Command, io: CliIo, setRun: SetRun) => unknown;

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
