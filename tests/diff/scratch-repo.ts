/**
 * A throwaway git repository made of this tree's own files (tracked and untracked, as on disk), with
 * one commit and node_modules shared, for `autoscale diff` tests that need a base and a head of their own.
 */
import { execFileSync } from "child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { parseDocument, type Document } from "yaml";

const ROOT = path.resolve(__dirname, "../..");

export interface ScratchRepo {
    readonly dir: string;
    git(...args: string[]): string;
    commit(message: string): void;
    read(file: string): string;
    write(file: string, text: string): void;
    /** Changes a YAML file through its document (comments and layout kept). */
    editYaml(file: string, change: (doc: Document) => void): void;
    remove(): void;
}

export function scratchRepo(): ScratchRepo {
    const dir = mkdtempSync(path.join(os.tmpdir(), "autoscale-diff-test-"));
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
        .split("\0").filter((f) => f !== "" && !f.startsWith("node_modules"));
    for (const f of files) {
        try {
            mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
            cpSync(path.join(ROOT, f), path.join(dir, f));
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e; // deleted in the working tree
        }
    }
    symlinkSync(realpathSync(path.join(ROOT, "node_modules")), path.join(dir, "node_modules"), "dir");
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=diff test", "-c", "user.email=diff@example.com", "-c", "commit.gpgsign=false", ...args], { cwd: dir, encoding: "utf8" });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "base");
    return {
        dir,
        git,
        commit: (message) => {
            git("add", "-A");
            git("commit", "-q", "-m", message);
        },
        read: (file) => readFileSync(path.join(dir, file), "utf8"),
        write: (file, text) => writeFileSync(path.join(dir, file), text),
        editYaml(file, change) {
            const doc = parseDocument(readFileSync(path.join(dir, file), "utf8"));
            change(doc);
            writeFileSync(path.join(dir, file), doc.toString());
        },
        remove: () => rmSync(dir, { recursive: true, force: true }),
    };
}
