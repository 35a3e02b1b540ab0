/**
 * What a long-running process of the runtime touches outside itself (environment, output, stop
 * signals; tests replace it) and the exit codes it ends with. The `autoscale` command (cli/io.ts) and
 * the queue autoscaler task's own entry (runtime/autoscaler/main.ts) share it.
 */

/** Exit codes: 0 success (also a stop by SIGTERM/SIGINT), 1 runtime failure, 2 bad usage or a missing resource. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The stop reason given for an uncaught error (the run then exits 1). */
export const UNCAUGHT = "uncaught error";

export interface ProcessIo {
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

export const processIo: ProcessIo = {
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
export function stopSignal(io: ProcessIo): { stopped: Promise<string>; remove: () => void } {
    let remove: () => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
        remove = io.onStopSignal(resolve);
    });
    return { stopped, remove };
}
