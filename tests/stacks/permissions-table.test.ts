/** docs/security.md's permissions table is the one the recorded AWS calls generate. */
import { expect } from "chai";
import { committedRequests } from "../../proof/iam-records";
import { END, permissionsTable, readSecurityDoc, START } from "../../proof/permissions-table";

describe("docs/security.md permissions table", () => {
    it("is the table generated from tests/iam/recorded (npm run docs:permissions)", () => {
        const doc = readSecurityDoc();
        const committed = doc.slice(doc.indexOf(START), doc.indexOf(END) + END.length);
        expect(committed).to.equal(permissionsTable());
    });

    it("has one row per role, action and resource of the recorded calls", () => {
        const rows = new Set(committedRequests().map((r) => `${r.principal} ${r.action} ${r.resource}`));
        const table = permissionsTable().split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| role") && !l.startsWith("| ---"));
        expect(table).to.have.length(rows.size);
    });
});
