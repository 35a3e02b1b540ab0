/**
 * What a local stack created, in order, kept in `.autoscale/<stack>/state.json` (gitignored) so that
 * `autoscale down` deletes it in reverse order, and a lock naming the process that runs the stack so a
 * second `autoscale up` of it is refused. Written after every resource, so an interrupted start can be
 * cleaned up too.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "fs";
import * as path from "path";

export interface StateEntry {
    /** `<type>::<logical name>`: the resource's identity across runs. */
    readonly key: string;
    readonly type: string;
    /** The program's logical name. */
    readonly name: string;
    /** The id the endpoint gave it. */
    readonly id: string;
    readonly inputsHash: string;
    readonly inputs: Record<string, unknown>;
    readonly outputs: Record<string, unknown>;
}

export interface StackState {
    readonly stack: string;
    /** The endpoint the resources live in. */
    endpoint: string;
    /** True when `autoscale up` started that endpoint itself (it goes away with the stack). */
    ownEndpoint: boolean;
    region: string;
    entries: StateEntry[];
    /** The stack's outputs, as the program returned them. */
    outputs: Record<string, unknown>;
    /** Process groups started for the stack (endpoint, tasks, helpers), so `down` can end them. */
    processGroups: number[];
    /** The live page, while the stack runs. */
    pageUrl?: string;
}

export interface Lock {
    readonly pid: number;
    readonly pageUrl?: string;
}

export function stackDir(root: string, stack: string): string {
    return path.join(root, ".autoscale", stack);
}

function write(file: string, value: unknown): void {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(value, null, 1)}\n`);
    renameSync(tmp, file);
}

export function readState(root: string, stack: string): StackState | undefined {
    const file = path.join(stackDir(root, stack), "state.json");
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, "utf8")) as StackState;
}

export function writeState(root: string, state: StackState): void {
    write(path.join(stackDir(root, state.stack), "state.json"), state);
}

export function removeState(root: string, stack: string): void {
    rmSync(path.join(stackDir(root, stack), "state.json"), { force: true });
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** The lock of a stack whose process still runs; a lock left by a process that died is ignored. */
export function liveLock(root: string, stack: string): Lock | undefined {
    const file = path.join(stackDir(root, stack), "lock.json");
    if (!existsSync(file)) return undefined;
    const lock = JSON.parse(readFileSync(file, "utf8")) as Lock;
    return lock.pid !== process.pid && alive(lock.pid) ? lock : undefined;
}

export function writeLock(root: string, stack: string, lock: Lock): void {
    write(path.join(stackDir(root, stack), "lock.json"), lock);
}

export function removeLock(root: string, stack: string): void {
    const file = path.join(stackDir(root, stack), "lock.json");
    if (!existsSync(file)) return;
    const lock = JSON.parse(readFileSync(file, "utf8")) as Lock;
    if (lock.pid === process.pid) rmSync(file, { force: true });
}
