/** The resource graph diff: paths inside JSON documents, added and removed resources, ignoreChanges. */
import { expect } from "chai";
import { graphDiff, inputChanges } from "../../diff/graph-diff";

const URN = "urn:pulumi:s::p::aws:x/y:Y::";

describe("autoscale diff: resource graph diff", () => {
    it("names each changed leaf by its path, inside JSON documents too", () => {
        const before = { threshold: 50, policy: JSON.stringify({ Statement: [{ Action: "a", Resource: "r1" }] }), tags: { a: "1" } };
        const after = { threshold: 80, policy: JSON.stringify({ Statement: [{ Action: "a", Resource: "r2" }] }), tags: { a: "1", b: "2" } };
        expect(inputChanges(before, after)).to.deep.equal([
            { path: "policy.Statement[0].Resource", before: "r1", after: "r2" },
            { path: "tags.b", after: "2" },
            { path: "threshold", before: 50, after: 80 },
        ]);
    });

    it("lists added, removed and changed resources by URN, and leaves out inputs the resource ignores changes to", () => {
        const d = graphDiff(
            [
                { urn: `${URN}gone`, type: "aws:x/y:Y", inputs: {} },
                { urn: `${URN}kept`, type: "aws:x/y:Y", inputs: { finalSnapshotIdentifier: "f-1", size: 1, tags: { at: "1" } } },
            ],
            [
                { urn: `${URN}kept`, type: "aws:x/y:Y", inputs: { finalSnapshotIdentifier: "f-2", size: 2, tags: { at: "2" } }, ignoreChanges: ["finalSnapshotIdentifier", "tags"] },
                { urn: `${URN}new`, type: "aws:x/y:Y", inputs: {} },
            ],
        );
        expect(d).to.deep.equal({
            added: [{ urn: `${URN}new`, type: "aws:x/y:Y" }],
            removed: [{ urn: `${URN}gone`, type: "aws:x/y:Y" }],
            changed: [{ urn: `${URN}kept`, type: "aws:x/y:Y", changes: [{ path: "size", before: 1, after: 2 }] }],
        });
    });
});
