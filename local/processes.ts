/**
 * Child processes of a local stack: each in its own process group (so a stop reaches whatever it
 * started), its output appended to a log file under `.autoscale/<stack>/logs/`, stopped with SIGTERM and,
 * after a grace period, SIGKILL. Every group started is remembered so that a crash of the parent still
 * leaves nothing behind (the exit hook and `autoscale down` kill what is left).
 */
import { spawn, type ChildProcess } from "child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "fs";
import * as path from "path";
import { killOnStop } from "./stop-hooks";

export interface LocalProcess {
    readonly name: string;
    readonly pid: number;
    readonly child: ChildProcess;
    /** Resolves with the exit code (or the signal) once the process has ended. */
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has ended. */
    stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
    readonly name: string;
    readonly command: string;
    readonly args: readonly string[];
    readonly env: NodeJS.ProcessEnv;
    /** Log file (appended to). */
    readonly logFile: string;
    /** Called with each complete line the process writes (stdout and stderr). */
    readonly onLine?: (line: string) => void;
    /** Open an IPC channel (child.send / process.on("message")). */
    readonly ipc?: boolean;
}

const live = new Map<number, ChildProcess>();
let hooked = false;

/** Sends a signal to a whole process group; a group already gone is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
    try {
        process.kill(-pid, signal);
        return true;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
        throw error;
    }
}

/** True while any process of the group is alive. */
export function groupAlive(pid: number): boolean {
    try {
        process.kill(-pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

function lineSplitter(onLine: (line: string) => void) {
    let rest = "";
    return (chunk: Buffer) => {
        const text = rest + chunk.toString("utf8");
        const lines = text.split("\n");
        rest = lines.pop() ?? "";
        for (const l of lines) if (l.trim() !== "") onLine(l);
    };
}

export function spawnLocal(o: SpawnOptions): LocalProcess {
    if (!hooked) {
        hooked = true;
        // A parent that exits without stopping its children (an uncaught error, a Ctrl-C of a test run)
        // still takes them along (stop-hooks.ts).
        killOnStop(() => {
            for (const pid of live.keys()) signalGroup(pid, "SIGKILL");
        });
    }
    mkdirSync(path.dirname(o.logFile), { recursive: true });
    const log: WriteStream = createWriteStream(o.logFile, { flags: "a" });
    const child = spawn(o.command, [...o.args], { detached: true, stdio: o.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"], env: o.env });
    if (child.pid === undefined) {
        log.end();
        throw new Error(`${o.name}: could not start ${o.command}`);
    }
    const pid = child.pid;
    live.set(pid, child);
    const split = o.onLine ? lineSplitter(o.onLine) : undefined;
    for (const stream of [child.stdout, child.stderr]) {
        stream?.on("data", (chunk: Buffer) => {
            if (!log.writableEnded) log.write(chunk);
            split?.(chunk);
        });
    }
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.once("exit", (code, signal) => {
            live.delete(pid);
            resolve({ code, signal });
        });
        // Every error is taken (a failed IPC send is one too), so none goes unhandled.
        child.on("error", (error) => {
            if (!log.writableEnded) log.write(`process error: ${error.message}\n`);
            if (child.exitCode === null && child.signalCode === null && child.pid === undefined) {
                live.delete(pid);
                resolve({ code: null, signal: null });
            }
        });
    }).finally(() => new Promise<void>((r) => log.end(() => r())));
    return {
        name: o.name, pid, child, exited,
        async stop(graceMs = 10_000) {
            if (child.exitCode === null && child.signalCode === null) {
                signalGroup(pid, "SIGTERM");
                const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), graceMs);
                try {
                    await exited;
                } finally {
                    clearTimeout(timer);
                }
            }
            // What the process started may outlive it.
            signalGroup(pid, "SIGKILL");
        },
    };
}
