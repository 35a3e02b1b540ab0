/**
 * Pins the resource graph: for every Pulumi.<stack>.yaml, the URN of every resource the program
 * registers (its type, its name and its parent's type chain) must be one that
 * tests/stacks/urns/<stack>.json holds. A changed URN is a delete and a create on the next
 * `pulumi up`, so a refactoring that moves a resource must keep its URN, or name the old one in
 * `aliases` (a resource matches the snapshot under its URN or any of its aliases).
 *
 * When resources are added or removed on purpose, rewrite the snapshots and commit the diff:
 *
 *     UPDATE_URN_SNAPSHOTS=1 npx mocha tests/stacks/urn-snapshot.test.ts
 *
 * A resource that moved with an alias stays pinned under the URN the snapshot knew it by.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../helpers/program";
import { stackNames } from "../helpers/stack-files";
import { compareUrns, identities } from "../helpers/urns";

const SNAPSHOTS = path.join(__dirname, "urns");
const UPDATE = process.env.UPDATE_URN_SNAPSHOTS === "1";

function snapshotFile(stack: string): string {
    return path.join(SNAPSHOTS, `${stack}.json`);
}

function readSnapshot(stack: string): string[] | undefined {
    const file = snapshotFile(stack);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
}

function writeSnapshot(stack: string, urns: readonly string[]): void {
    fs.mkdirSync(SNAPSHOTS, { recursive: true });
    fs.writeFileSync(snapshotFile(stack), `${JSON.stringify(urns, null, 2)}\n`);
}

function listed(title: string, urns: readonly string[]): string {
    return urns.length ? `${title} (${urns.length}):\n${urns.map((u) => `  ${u}`).join("\n")}\n` : "";
}

describe("stacks: every resource keeps its URN (tests/stacks/urns/<stack>.json)", () => {
    for (const stack of stackNames()) {
        it(`Pulumi.${stack}.yaml`, async () => {
            const constructed: pulumi.ResourceTransformationArgs[] = [];
            await runProgram(stack, {}, constructed);
            const current = await identities(constructed);

            // The engine refuses two resources with one URN; say which, before comparing.
            const urns = current.map((r) => r.urn);
            expect(urns.filter((u, i) => urns.indexOf(u) !== i), "URNs registered twice").to.deep.equal([]);

            const snapshot = readSnapshot(stack);
            const { added, removed, pinned } = compareUrns(current, snapshot ?? []);
            if (UPDATE) {
                writeSnapshot(stack, pinned);
                return;
            }
            expect(snapshot, `${snapshotFile(stack)} is missing: run UPDATE_URN_SNAPSHOTS=1 npx mocha tests/stacks/urn-snapshot.test.ts`).to.not.equal(undefined);
            const report = listed("added (not in the snapshot, under any alias)", added)
                + listed("removed (in the snapshot, no resource answers to it: it would be deleted)", removed);
            expect(report, `${stack}: the graph's URNs differ from ${path.relative(process.cwd(), snapshotFile(stack))}.\n`
                + "A move needs `aliases` naming the old URN; a resource added or removed on purpose needs\n"
                + `UPDATE_URN_SNAPSHOTS=1 npx mocha tests/stacks/urn-snapshot.test.ts\n${report}`).to.equal("");
        });
    }
});
