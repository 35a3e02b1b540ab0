/**
 * A Ctrl-C or a kill of a process that started local processes (the local stack's tasks, through
 * spawnLocal) leaves none behind: they run in process groups of their own, which the terminal's signal
 * never reaches; local/stop-hooks.ts kills them and the process still ends by the signal. A process with
 * its own stop listener (autoscale up's teardown) keeps them until it stops them itself.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

function alive(pid: number): boolean {
    try {
        process.kill(-pid, 0);
        return true;
    } catch {
        return false;
    }
}

async function until(ms: number, check: () => boolean): Promise<boolean> {
    const end = Date.now() + ms;
    while (Date.now() < end && !check()) await new Promise((r) => setTimeout(r, 50));
    return check();
}

/** A node process that starts `sleep 60` through spawnLocal, prints its pid, and (with `ownListener`) handles SIGINT itself. */
async function parent(dir: string, ownListener: boolean) {
    const code = `const p = require('./local/processes').spawnLocal({ name: 'sleeper', command: 'sleep', args: ['60'], env: process.env, logFile: ${JSON.stringify(path.join(dir, "s.log"))} });` +
        (ownListener ? "process.on('SIGINT', () => { console.log('own stop'); setTimeout(() => p.stop(100).then(() => process.exit(0)), 300); });" : "") +
        "console.log(p.pid); setInterval(() => undefined, 1000);";
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", code], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    const lines: string[] = [];
    child.stdout!.on("data", (d: Buffer) => lines.push(...d.toString().trim().split("\n")));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once("exit", (c, s) => resolve(s ?? c)));
    await until(20_000, () => lines.length > 0);
    return { child, exited, pid: Number(lines[0]), lines };
}

describe("local processes: a stop signal leaves none behind", function () {
    this.timeout(60_000);
    let dir: string;
    before(() => (dir = mkdtempSync(path.join(os.tmpdir(), "stop-hooks-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("kills the groups spawnLocal started when the process gets SIGINT, and the process still ends by SIGINT", async () => {
        const p = await parent(dir, false);
        expect(alive(p.pid), "sleep running before the signal").to.equal(true);
        p.child.kill("SIGINT");
        expect(await p.exited).to.equal("SIGINT");
        expect(await until(3_000, () => !alive(p.pid)), `sleep ${p.pid} still running`).to.equal(true);
    });

    it("leaves the stop to a listener of the process's own, which stops them itself", async () => {
        const p = await parent(dir, true);
        p.child.kill("SIGINT");
        // The harness did not kill it at once: the own listener decides.
        await new Promise((r) => setTimeout(r, 150));
        expect(alive(p.pid)).to.equal(true);
        expect(await p.exited).to.equal(0);
        expect(p.lines).to.include("own stop");
        expect(await until(3_000, () => !alive(p.pid))).to.equal(true);
    });
});
