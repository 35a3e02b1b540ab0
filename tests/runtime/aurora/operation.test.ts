/**
 * runtime/aurora/operation.ts: the scaler's decision for each alarm state, writer class, cooldown and
 * operation in progress, and the operation tag's encoding.
 */
import { expect } from "chai";
import { decide, decodeOperation, encodeOperation, type Operation } from "../../../runtime/aurora/operation";
import { CLUSTER } from "./fake-rds";
import { LARGE, SMALL, T0s, WRITER, settings } from "./scaler-fixture";

describe("aurora instance-class scaler: decision table", () => {
    const base = { now: T0s, writerClass: SMALL, alarm: { state: "ALARM" as const, since: T0s - 600 } };
    const cases: [string, Parameters<typeof decide>[0], string][] = [
        ["ALARM, small writer", base, "start up"],
        ["ALARM, large writer", { ...base, writerClass: LARGE }, "none"],
        ["ALARM, writer of a third class", { ...base, writerClass: "db.r7g.xlarge" }, "none"],
        ["OK for 30 min, large writer", { ...base, writerClass: LARGE, alarm: { state: "OK", since: T0s - 1800 } }, "start down"],
        ["OK for 29 min, large writer", { ...base, writerClass: LARGE, alarm: { state: "OK", since: T0s - 1740 } }, "none"],
        ["OK, small writer", { ...base, alarm: { state: "OK", since: T0s - 99999 } }, "none"],
        ["INSUFFICIENT_DATA, large writer", { ...base, writerClass: LARGE, alarm: { state: "INSUFFICIENT_DATA", since: T0s - 99999 } }, "none"],
        ["ALARM within cooldown", { ...base, lastChange: { direction: "down", at: T0s - 100 } }, "none"],
        ["ALARM after cooldown", { ...base, lastChange: { direction: "down", at: T0s - 3600 } }, "start up"],
        ["operation in progress", { ...base, operation: decodeOperation(`dir=down step=wait-failover from=${LARGE} to=${SMALL} old=a cand=b create=0 at=1`) }, "resume"],
    ];
    for (const [name, o, want] of cases) {
        it(`${name} -> ${want}`, () => {
            const d = decide(o, settings);
            expect(d.action === "start" ? `start ${d.direction}` : d.action).to.equal(want);
        });
    }

    it("the operation tag round-trips and uses only characters RDS allows in tag values", () => {
        const op: Operation = { direction: "up", step: "wait-failover", fromClass: SMALL, toClass: LARGE, oldWriter: WRITER, candidate: `${CLUSTER}-up-x`, createCandidate: true, startedAt: T0s };
        const v = encodeOperation(op);
        expect(v).to.match(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
        expect(decodeOperation(v)).to.deep.equal(op);
    });
});
