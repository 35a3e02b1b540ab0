/**
 * What every command shares: exit codes listed in every --help, results written under the ignored
 * .autoscale/out/ by default, and an --out that would overwrite files git tracks refused (exit 2)
 * before anything runs.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as path from "path";
import type { Command } from "commander";
import { buildProgram, main } from "../../cli/autoscale";
import type { CliIo } from "../../cli/io";
import { OUTPUT_DIR, defaultOutput, projectRoot } from "../../cli/options";
import { proofOutDir } from "../../scripts/proof-moto-demo";
import { AUTOSCALER_SETTINGS, ENV_PREFIX, envName } from "../../scaling/autoscaler-settings";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";

const ROOT = path.resolve(__dirname, "..", "..");

function testIo() {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { env: {}, out: (s) => out.push(s), err: (s) => err.push(s), onStopSignal: () => () => undefined };
    return { io, out: () => out.join(""), err: () => err.join("") };
}

/** Every command path of the program (`autoscaler run`, `chaos stop-task`, ...), from its command tree. */
function commandPaths(): string[][] {
    const walk = (cmd: Command, prefix: string[]): string[][] => [prefix, ...cmd.commands.flatMap((c) => walk(c, [...prefix, c.name()]))];
    return walk(buildProgram(testIo().io, () => undefined), []);
}

/** README.md and every Markdown file under docs/. */
function docFiles(): string[] {
    return ["README.md", ...readdirSync(path.join(ROOT, "docs"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".md")).map((f) => path.join("docs", f))];
}

describe("conventions every command shares", () => {
    it("lists the exit codes in every --help", async () => {
        const paths = commandPaths();
        expect(paths.map((p) => p.join(" "))).to.include.members(["autoscaler run", "validate", "simulate", "scale-test", "chaos stop-task"]);
        for (const p of paths) {
            const t = testIo();
            expect(await main([...p, "--help"], t.io), p.join(" ")).to.equal(0);
            expect(t.out(), p.join(" ")).to.include("Exit codes:\n  0  success (also a stop by SIGTERM/SIGINT)\n  1  failure at run time");
            expect(t.out(), p.join(" ")).to.include("  2  bad usage: a flag, an environment variable, a stack file, a missing resource or an endpoint that is not AWS's");
        }
    });

    it("writes results under .autoscale/out/, which git ignores", () => {
        expect(OUTPUT_DIR).to.equal(path.join(".autoscale", "out"));
        for (const name of ["scale-test.json", "simulation", "evidence", "diff-charts", "scaling-activities.jsonl"]) {
            const file = defaultOutput(name);
            expect(file).to.equal(path.join(".autoscale", "out", name));
            // git check-ignore exits 0 and prints the path when it is ignored.
            expect(execFileSync("git", ["check-ignore", file], { cwd: ROOT, encoding: "utf8" }).trim()).to.equal(file);
        }
        for (const old of ["scale-test.json", "evidence/x.md", "scaling-activities.jsonl"]) {
            expect(execFileSync("git", ["check-ignore", old], { cwd: ROOT, encoding: "utf8" }).trim()).to.equal(old);
        }
    });

    it("the proof script with no argument writes under .autoscale/out/proof, ignored by git, never over docs/proof/", () => {
        const dir = proofOutDir([]);
        expect(dir).to.equal(path.join(ROOT, ".autoscale", "out", "proof"));
        expect(execFileSync("git", ["check-ignore", path.relative(ROOT, path.join(dir, "evidence.md"))], { cwd: ROOT, encoding: "utf8" }).trim()).to.equal(".autoscale/out/proof/evidence.md");
        expect(execFileSync("git", ["ls-files", "--", path.relative(ROOT, dir)], { cwd: ROOT, encoding: "utf8" })).to.equal("");
    });

    it("names the stack in every `pulumi config set` of the README and docs/", () => {
        const files = docFiles();
        const missing: string[] = [];
        let seen = 0;
        for (const file of files) {
            readFileSync(path.join(ROOT, file), "utf8").split("\n").forEach((line, i) => {
                for (const m of line.matchAll(/pulumi config set [^`\n#]*/g)) {
                    seen++;
                    if (!/--stack \S+/.test(m[0])) missing.push(`${file}:${i + 1}: ${m[0].trim()}`);
                }
            });
        }
        expect(seen).to.be.greaterThan(5);
        expect(missing).to.deep.equal([]);
    });

    it("names the autoscaler's environment variables in the README and docs/ only with their AUTOSCALER_ prefix", () => {
        // QUEUE_URL and LOG_LEVEL are also the sample worker's own variables, which the docs name as such; a
        // sentence saying that a generic name changes nothing may name it.
        const bare = (Object.keys(AUTOSCALER_SETTINGS) as (keyof typeof AUTOSCALER_SETTINGS)[]).filter((k) => k !== "queueUrl" && k !== "logLevel")
            .map((k) => envName(k).slice(ENV_PREFIX.length));
        const found: string[] = [];
        for (const file of docFiles()) {
            readFileSync(path.join(ROOT, file), "utf8").split("\n").forEach((line, i) => {
                if (/changes nothing|generic/.test(line)) return;
                for (const name of bare) if (line.includes(`\`${name}\``)) found.push(`${file}:${i + 1}: \`${name}\``);
            });
        }
        expect(bare).to.include.members(["MAX", "MIN", "ECS_SERVICE", "CLUSTER", "INTERVAL", "HEALTH_PORT"]);
        expect(found).to.deep.equal([]);
    });

    it("refuses an --out that holds tracked files, naming the flag, before anything runs", async () => {
        const sim = testIo();
        expect(await main(["simulate", "--stack", "staging", "--service", "worker", "--trace", "burst", "--out", "docs/proof"], sim.io)).to.equal(2);
        expect(sim.err()).to.match(/^error: --out: "docs\/proof" holds \d+ files tracked by git \(docs\/proof\/.+\); write elsewhere, e\.g\. the default \.autoscale\/out\/\n$/);
        expect(sim.out()).to.equal("");
        const st = testIo();
        expect(await main(["scale-test", "verify", "--stack", "staging", "--service", "worker", "--out", "README.md"], st.io)).to.equal(2);
        expect(st.err()).to.equal('error: --out: "README.md" holds 1 file tracked by git (README.md); write elsewhere, e.g. the default .autoscale/out/\n');
    });

    it("refuses validate without --stack or --all, and with both, listing the stacks", async () => {
        for (const args of [["validate"], ["validate", "--stack", "staging", "--all"]]) {
            const t = testIo();
            expect(await main(args, t.io)).to.equal(2);
            expect(t.err()).to.equal("error: --stack or --all: give exactly one (stacks here: localstack, staging)\n");
        }
    });

    it("finds stack files from the working directory upwards, never from where the code was built (dist/)", () => {
        expect(projectRoot(path.join(ROOT, "docs", "proof"))).to.equal(ROOT);
        const other = mkdtempSync(path.join(os.tmpdir(), "project-"));
        try {
            writeFileSync(path.join(other, "Pulumi.yaml"), "name: other\n");
            expect(projectRoot(other)).to.equal(other);
        } finally {
            rmSync(other, { recursive: true, force: true });
        }
    });
});
