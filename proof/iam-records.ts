/**
 * The AWS calls the runtime code is recorded making (tests/iam/recorded/, one file per test file that
 * records them): the request each call is authorised as, by the role that makes it, with `{name}`
 * placeholders where the stack fills in its names. The IAM simulation judges them against the stack's
 * policies, and the permissions table of docs/security.md lists them (permissions-table.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../config/stack-file";

/** Who makes the calls: one kind per role of the stack whose code calls AWS. */
export type Principal =
    | "autoscaler"
    /** The autoscaler's failure simulations: only where the stack allows them (`autoscaler.failureSimulation.allowed`). */
    | "autoscaler-failure-simulation"
    | "worker"
    | "scale-to-zero-idle-check"
    | "scale-to-zero-wake"
    | "aurora-class-scaler";

/** One authorisation a call needs. */
export interface IamRequest {
    /** `service:Action`, e.g. `ecs:UpdateService`. */
    readonly action: string;
    /** The resource ARN, or "*". */
    readonly resource: string;
    /** Condition keys the request carries (request tags, tag keys, namespace, cluster, ...). */
    readonly context: Readonly<Record<string, string | string[]>>;
}

/** A recorded authorisation with placeholders for the fixture's names. */
export interface RecordedRequest extends IamRequest {
    readonly principal: Principal;
    /** The operation as the SDK names it (the action may differ in case, never in meaning). */
    readonly operation: string;
}

export const RECORD_DIR = path.join(PROJECT_ROOT, "tests", "iam", "recorded");

export function requestKey(r: RecordedRequest): string {
    const ctx = Object.keys(r.context).sort().map((k) => `${k}=${JSON.stringify(r.context[k])}`).join(",");
    return `${r.principal} ${r.action} ${r.resource} ${ctx}`;
}

/** The committed record of one test file: principal -> requests. */
export function recordFile(testFile: string): string {
    return path.join(RECORD_DIR, `${path.basename(testFile).replace(/\.test\.ts$/, "")}.json`);
}

export function readRecord(file: string): Record<string, RecordedRequest[]> {
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
}

/** Every committed recorded request, from every test file. */
export function committedRequests(): RecordedRequest[] {
    if (!fs.existsSync(RECORD_DIR)) return [];
    const all = new Map<string, RecordedRequest>();
    for (const f of fs.readdirSync(RECORD_DIR).filter((x) => x.endsWith(".json")).sort()) {
        for (const list of Object.values(readRecord(path.join(RECORD_DIR, f)))) for (const r of list) all.set(requestKey(r), r);
    }
    return [...all.values()].sort((a, b) => requestKey(a).localeCompare(requestKey(b)));
}
