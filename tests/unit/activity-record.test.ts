import { expect } from "chai";
import { formatActivityRecord, parseActivityRecords, type ScalingActivityRecord } from "../../scaling/activity-record";

const RECORD: ScalingActivityRecord = {
    time: "2026-11-23T20:15:00.000Z",
    resourceId: "service/proof/proof-api",
    policy: "proof-api-synthetic-load",
    alarm: "TargetTracking-service/proof/proof-api-AlarmHigh-1",
    oldDesired: 2,
    newDesired: 4,
    cause: "monitor alarm TargetTracking-service/proof/proof-api-AlarmHigh-1 in state ALARM triggered policy proof-api-synthetic-load",
};

describe("scaling-activity record (JSON lines shared by emulate and evidence)", () => {
    it("writes one line with the keys in the documented order and reads it back", () => {
        const line = formatActivityRecord(RECORD);
        expect(line).to.equal('{"time":"2026-11-23T20:15:00.000Z","resourceId":"service/proof/proof-api","policy":"proof-api-synthetic-load",' +
            '"alarm":"TargetTracking-service/proof/proof-api-AlarmHigh-1","oldDesired":2,"newDesired":4,' +
            '"cause":"monitor alarm TargetTracking-service/proof/proof-api-AlarmHigh-1 in state ALARM triggered policy proof-api-synthetic-load"}');
        expect(parseActivityRecords(`${line}\n\n${line}\n`)).to.deep.equal({ records: [RECORD, RECORD], problems: [] });
    });

    it("reports every bad line with its number instead of reading it as no activity", () => {
        const text = [formatActivityRecord(RECORD), "{oops", JSON.stringify({ ...RECORD, newDesired: -1, resourceId: "c/s", extra: 1 })].join("\n");
        expect(parseActivityRecords(text)).to.deep.equal({
            records: [RECORD],
            problems: [
                "line 2: not JSON",
                "line 3: newDesired: -1 must be a whole number >= 0",
                'line 3: resourceId: "c/s" must be service/<cluster>/<service>',
                "line 3: extra: unknown key",
            ],
        });
    });

    it("refuses to write a record that breaks a rule", () => {
        expect(() => formatActivityRecord({ ...RECORD, time: "yesterday" })).to.throw('invalid scaling-activity record: time: "yesterday" must be an ISO-8601 time');
    });
});
