/** Rewrites the permissions table of docs/security.md from the recorded AWS calls (tests/iam/recorded/). */
import * as fs from "fs";
import { permissionsTable, readSecurityDoc, SECURITY_DOC, withTable } from "../proof/permissions-table";

fs.writeFileSync(SECURITY_DOC, withTable(readSecurityDoc(), permissionsTable()));
console.log(`wrote the permissions table of ${SECURITY_DOC}`);
