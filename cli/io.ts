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

/** What a command touches outside itself (runtime/aws/process.ts: environment, output, stop signals). */
export type CliIo = ProcessIo;

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
