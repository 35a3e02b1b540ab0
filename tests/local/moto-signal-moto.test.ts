/**
 * Ctrl-C (or a kill) of a process that started moto through the harness leaves no moto_server behind:
 * moto runs in a process group of its own, so the terminal's SIGINT never reaches it; the harness
 * kills it on the signal and the process still ends by the signal.
 */
import { expect } from "chai";
import { execFileSync, spawn } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

/** Pids of moto_server processes serving `port` (pgrep -f), empty when none. */
function motoPids(port: number): number[] {
    try {
        return execFileSync("pgrep", ["-f", `moto_server -H 127.0.0.1 -p ${port}$`], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
    } catch {
        return []; // pgrep exits 1 when nothing matches
    }
}

async function within(ms: number, check: () => boolean): Promise<boolean> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
        if (check()) return true;
        await new Promise((r) => setTimeout(r, 100));
    }
    return check();
}

describe("moto harness: a stop signal leaves no moto_server", function () {
    this.timeout(60_000);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        it(`kills moto when the process that started it gets ${signal}, and the process still ends by ${signal}`, async () => {
            const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e",
                "require('./local/moto-server').startMoto().then((m) => { console.log(m.port); setInterval(() => undefined, 1000); })"],
            { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
            const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once("exit", (code, sig) => resolve(sig ?? code)));
            const port = await new Promise<number>((resolve, reject) => {
                child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
                child.once("exit", () => reject(new Error("the process ended before moto answered")));
            });
            try {
                expect(motoPids(port), "moto_server running before the signal").to.not.be.empty;
                child.kill(signal);
                expect(await exited).to.equal(signal);
                expect(await within(5_000, () => motoPids(port).length === 0), `moto_server on port ${port} still running: ${motoPids(port).join(", ")}`).to.equal(true);
            } finally {
                for (const pid of motoPids(port)) process.kill(pid, "SIGKILL");
            }
        });
    }
});
