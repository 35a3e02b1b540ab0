/**
 * What every `autoscale` command shares: the exit codes, what a command touches outside itself
 * (environment, output, stop signals; tests replace it), how a command hands its run to main(), and
 * how a stop signal becomes an AbortSignal and a usage error one line with exit code 2.
 */
import type { Command } from "commander";
import { UsageError } from "../input/usage";

/** Exit codes: 0 success (also a stop by SIGTERM/SIGINT), 1 runtime failure, 2 bad usage or a missing resource. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export { logDestination } from "./log-format";

/** The stop reason given for an uncaught error (the run then exits 1). */
export const UNCAUGHT = "uncaught error";

export interface CliIo {
    readonly env: NodeJS.ProcessEnv;
    readonly out: (text: string) => void;
    readonly err: (text: string) => void;
    /** True when stdout is a terminal (log lines are then readable, not JSON). */
    readonly isTerminal?: boolean;
    /**
     * Calls `onStop` on SIGTERM/SIGINT, and on an uncaught error (so that a failure simulation still
     * restores what it disrupted); returns a function that removes the handlers.
     */
    readonly onStopSignal: (onStop: (reason: string) => void) => () => void;
}

export const processIo: CliIo = {
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTerminal: process.stdout.isTTY === true,
    onStopSignal(onStop) {
        const onSigterm = () => onStop("SIGTERM");
        const onSigint = () => onStop("SIGINT");
        // Started through npx or a shell, the process may lose its parent without a signal (the
        // parent was killed); it then stops as if told to, instead of scaling on as an orphan.
        const parent = process.ppid;
        const watch = setInterval(() => {
            if (process.ppid !== parent) onStop("parent exited");
        }, 1_000);
        watch.unref();
        const onError = (error: unknown) => {
            process.stderr.write(`uncaught error: ${error instanceof Error ? error.message : String(error)}\n`);
            onStop(UNCAUGHT);
        };
        process.on("SIGTERM", onSigterm);
        process.on("SIGINT", onSigint);
        process.on("uncaughtException", onError);
        process.on("unhandledRejection", onError);
        return () => {
            clearInterval(watch);
            process.off("SIGTERM", onSigterm);
            process.off("SIGINT", onSigint);
            process.off("uncaughtException", onError);
            process.off("unhandledRejection", onError);
        };
    },
};

/** Resolves when `onStopSignal` fires; the function it returns removes the handlers. */
export function stopSignal(io: CliIo): { stopped: Promise<string>; remove: () => void } {
    let remove: () => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
        remove = io.onStopSignal(resolve);
    });
    return { stopped, remove };
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
