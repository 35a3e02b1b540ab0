/**
 * `autoscale diff`: for each stack, the base commit's program with the base's stack file against the
 * working tree's program with the working tree's stack file, both under mocks, so a change to the
 * code, to the config, or to both shows in the graph; then the simulator on every service whose
 * scaling plan changed. Stacks whose file and program are both unchanged are reported as such
 * without running anything.
 */
import { execFile } from "child_process";
import { existsSync, readdirSync } from "fs";
import { mkdtemp, readFile, rm } from "fs/promises";
import * as os from "os";
import * as path from "path";
import type { AutoscalerConfig } from "../config/load";
import { changedServices, compareBehaviour, controllerKind, type ServiceBehaviour } from "./behaviour";
import { DiffInputError } from "./errors";
import { changedPaths, extractCommit, filesAt, repositoryRoot, resolveCommit, type Checkout } from "./git";
import { graphDiff, isEmpty, type GraphDiff } from "./graph-diff";
import type { SideSnapshot, SnapshotService } from "./snapshot";

export interface DiffOptions {
    /** A directory inside the git working tree to compare (the process's working directory for the CLI). */
    readonly cwd: string;
    /** Git ref of the base: a branch, tag or commit. */
    readonly base: string;
    /** Only this stack (default: every stack of either side). */
    readonly stack?: string;
}

export type StackStatus = "changed" | "no change" | "new stack" | "removed stack";

export interface StackDiff {
    readonly stack: string;
    readonly status: StackStatus;
    /** Why the stack was not run, where it was not. */
    readonly skipped?: string;
    readonly resources: GraphDiff;
    readonly behaviour: readonly ServiceBehaviour[];
    /** Services whose plan changed but which nothing scales on either side. */
    readonly notSimulated: readonly { service: string; reason: string }[];
}

export interface DiffResult {
    readonly base: { readonly ref: string; readonly commit: string };
    readonly stacks: readonly StackDiff[];
}

const NO_RESOURCES: GraphDiff = { added: [], removed: [], changed: [] };

/**
 * Paths that are not part of what `pulumi up` runs (the operator tools and their rooms, tests, docs,
 * CI): a change there changes no stack's graph. Anything else (index.ts, Pulumi.yaml, aws/, config/,
 * components/, runtime/, scaling/, package files, ...) may, so every stack is run when one changed.
 */
const OUTSIDE_PROGRAM = [
    /^(docs|tests|bench|\.github|\.ci|policy|diff|cli|bin|proof|load|emulator|input|local)\//, /\.md$/, /^Pulumi\.[^/]+\.yaml$/,
];

export function programChanged(paths: readonly string[]): boolean {
    return paths.some((p) => !OUTSIDE_PROGRAM.some((re) => re.test(p)));
}

function stacksIn(names: readonly string[]): string[] {
    return names.map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => s !== undefined);
}

/** The runner of the code that runs this command (the working tree's own). */
const RUNNER = path.join(__dirname, "graph-runner.ts");

/** Runs one checkout's program for one stack in a child process with its own module tree. */
async function snapshot(root: string, stack: string, runner: string): Promise<SideSnapshot> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "autoscale-diff-graph-"));
    const out = path.join(dir, "snapshot.json");
    try {
        await new Promise<void>((resolve, reject) => {
            execFile(process.execPath, ["-r", "ts-node/register/transpile-only", runner, root, stack, out], {
                cwd: root, timeout: 300_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, TS_NODE_PROJECT: path.join(root, "tsconfig.json") },
            }, (error, _stdout, stderr) => {
                if (existsSync(out)) resolve();
                else reject(new Error(`running ${path.join(root, "index.ts")} for stack ${stack} under mocks failed: ${(stderr || String(error)).trim().split("\n").slice(-5).join("\n")}`));
            });
        });
        return JSON.parse(await readFile(out, "utf8")) as SideSnapshot;
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
}

function servicesOf(s: SideSnapshot): { services: readonly SnapshotService[]; autoscaler?: AutoscalerConfig } {
    return s.kind === "graph" ? { services: s.services, autoscaler: s.autoscaler } : { services: [] };
}

function stackDiff(stack: string, base: SideSnapshot, head: SideSnapshot): StackDiff {
    const resources = graphDiff(base.kind === "graph" ? base.resources : [], head.kind === "graph" ? head.resources : []);
    const behaviour: ServiceBehaviour[] = [];
    const notSimulated: { service: string; reason: string }[] = [];
    for (const { key, before, after } of changedServices(servicesOf(base), servicesOf(head))) {
        if ([before, after].some((s) => s && controllerKind(s))) behaviour.push(compareBehaviour(before, after));
        else notSimulated.push({ service: key, reason: "neither Application Auto Scaling policies nor the queue autoscaler scale it on either side" });
    }
    const status: StackStatus = base.kind === "absent" ? "new stack" : head.kind === "absent" ? "removed stack" : isEmpty(resources) ? "no change" : "changed";
    return { stack, status, resources, behaviour, notSimulated };
}

export async function runDiff(o: DiffOptions): Promise<DiffResult> {
    const root = await repositoryRoot(o.cwd);
    const commit = await resolveCommit(root, o.base);
    const paths = await changedPaths(root, commit);
    const baseFiles = await filesAt(root, commit);
    const known = [...new Set([...stacksIn(readdirSync(root)), ...stacksIn(baseFiles)])].sort();
    if (o.stack !== undefined && !known.includes(o.stack)) {
        throw new DiffInputError([`--stack: "${o.stack}" has no Pulumi.${o.stack}.yaml in the working tree or in ${o.base}; known stacks are ${known.join(", ") || "(none)"}`]);
    }
    const code = programChanged(paths);
    const stacks = o.stack !== undefined ? [o.stack] : known;
    const toRun = stacks.filter((s) => code || paths.includes(`Pulumi.${s}.yaml`));
    const runner = existsSync(RUNNER) ? RUNNER : path.join(root, "diff", "graph-runner.ts");

    let checkout: Checkout | undefined;
    const sides = new Map<string, { base: SideSnapshot; head: SideSnapshot }>();
    try {
        if (toRun.length > 0) checkout = await extractCommit(root, commit);
        // Two programs at a time: each is one Node process busy on one core.
        const results = new Map<string, SideSnapshot>();
        // A side without the stack file needs no run: all added, or all removed.
        for (const stack of toRun) {
            if (!baseFiles.includes(`Pulumi.${stack}.yaml`)) results.set(`${stack}/base`, { kind: "absent" });
            if (!existsSync(path.join(root, `Pulumi.${stack}.yaml`))) results.set(`${stack}/head`, { kind: "absent" });
        }
        const jobs = toRun.flatMap((stack) => [{ stack, side: "base" as const, dir: checkout!.dir }, { stack, side: "head" as const, dir: root }])
            .filter((j) => !results.has(`${j.stack}/${j.side}`));
        const workers = [0, 1].map(async () => {
            for (let job = jobs.shift(); job; job = jobs.shift()) results.set(`${job.stack}/${job.side}`, await snapshot(job.dir, job.stack, runner));
        });
        await Promise.all(workers);
        for (const stack of toRun) sides.set(stack, { base: results.get(`${stack}/base`)!, head: results.get(`${stack}/head`)! });
    } finally {
        await checkout?.remove();
    }

    const problems: string[] = [];
    for (const [stack, { base, head }] of sides) {
        for (const [label, side] of [[`base (${o.base}, ${commit.slice(0, 12)})`, base], ["head (working tree)", head]] as const) {
            if (side.kind === "invalid") problems.push(...side.problems.map((p) => `${label}: Pulumi.${stack}.yaml: ${p}`));
        }
    }
    if (problems.length > 0) throw new DiffInputError(problems);

    return {
        base: { ref: o.base, commit },
        stacks: stacks.map((stack) => {
            const s = sides.get(stack);
            if (s) return stackDiff(stack, s.base, s.head);
            return { stack, status: "no change", skipped: `neither Pulumi.${stack}.yaml nor the program changed`, resources: NO_RESOURCES, behaviour: [], notSimulated: [] };
        }),
    };
}
