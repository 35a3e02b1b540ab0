/**
 * The git side of `autoscale diff`: the repository of the working directory, the base ref resolved to
 * a commit, the paths that differ between that commit and the working tree (untracked files included),
 * and the base commit's tree extracted to a temporary directory to run its own program from.
 */
import { execFile, spawn } from "child_process";
import { mkdtemp, rm, symlink } from "fs/promises";
import { realpathSync } from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { DiffInputError } from "./errors";

const run = promisify(execFile);

async function git(cwd: string, args: readonly string[]): Promise<string> {
    const { stdout } = await run("git", [...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
}

/** The top of the git working tree that holds `cwd`. */
export async function repositoryRoot(cwd: string): Promise<string> {
    try {
        return (await git(cwd, ["rev-parse", "--show-toplevel"])).trim();
    } catch {
        throw new DiffInputError([`${cwd} is not inside a git working tree; autoscale diff compares a git ref with the working tree`]);
    }
}

/** The commit a ref names; an unknown ref is bad input. */
export async function resolveCommit(root: string, ref: string): Promise<string> {
    if (ref.trim() === "" || ref.startsWith("-")) throw new DiffInputError([`--base: ${JSON.stringify(ref)} is not a git ref`]);
    try {
        return (await git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim();
    } catch {
        throw new DiffInputError([`--base: ${JSON.stringify(ref)} names no commit in ${root} (git rev-parse --verify found nothing; fetch it first, e.g. git fetch origin ${ref})`]);
    }
}

/** Paths (relative to the root) that differ between the commit and the working tree, untracked ones included. */
export async function changedPaths(root: string, commit: string): Promise<string[]> {
    const tracked = (await git(root, ["diff", "--name-only", "--no-renames", commit, "--"])).split("\n");
    const untracked = (await git(root, ["ls-files", "--others", "--exclude-standard"])).split("\n");
    return [...new Set([...tracked, ...untracked].filter((p) => p !== ""))].sort();
}

/** The file names at the top of the commit's tree. */
export async function filesAt(root: string, commit: string): Promise<string[]> {
    return (await git(root, ["ls-tree", "--name-only", commit])).split("\n").filter((f) => f !== "");
}

export interface Checkout {
    readonly dir: string;
    readonly remove: () => Promise<void>;
}

/**
 * The commit's tree in a new temporary directory (`git archive`, so the repository's worktree list is
 * left alone), sharing the working tree's node_modules so both sides run on the same installed packages.
 */
export async function extractCommit(root: string, commit: string): Promise<Checkout> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "autoscale-diff-base-"));
    const remove = () => rm(dir, { recursive: true, force: true });
    try {
        await new Promise<void>((resolve, reject) => {
            const archive = spawn("git", ["archive", "--format=tar", commit], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
            const tar = spawn("tar", ["-x", "-C", dir], { stdio: ["pipe", "ignore", "pipe"] });
            let errors = "";
            archive.stderr.on("data", (d) => (errors += d));
            tar.stderr.on("data", (d) => (errors += d));
            archive.stdout.pipe(tar.stdin);
            let pending = 2;
            const done = (code: number | null) => {
                if (code !== 0) reject(new Error(`git archive ${commit} | tar -x failed: ${errors.trim() || `exit ${code}`}`));
                else if (--pending === 0) resolve();
            };
            archive.on("close", done);
            tar.on("close", done);
        });
        await symlink(realpathSync(path.join(root, "node_modules")), path.join(dir, "node_modules"), "dir");
        return { dir, remove };
    } catch (error) {
        await remove();
        throw error;
    }
}
