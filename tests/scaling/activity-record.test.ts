import { expect } from "chai";
import { formatActivityRecord, parseActivityRecords, taskChangeEvent, type ScalingActivityRecord } from "../../scaling/activity-record";

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
        expect(() => formatActivityRecord({ ...RECORD, event: "" })).to.throw('invalid scaling-activity record: event: "" must be a non-empty string when given');
        expect(() => formatActivityRecord({ ...RECORD, alarm: "" })).to.throw('invalid scaling-activity record: alarm: "" must be a non-empty string when given');
    });

    it("writes a scheduled action's record without an alarm (none invokes it) and reads it back", () => {
        const { alarm: _alarm, ...rest } = RECORD;
        const scheduled: ScalingActivityRecord = { ...rest, policy: "office-hours", cause: "scheduled action name office-hours set min capacity to 3, changing the desired capacity from 2 to 4" };
        const line = formatActivityRecord(scheduled);
        expect(line).to.equal('{"time":"2026-11-23T20:15:00.000Z","resourceId":"service/proof/proof-api","policy":"office-hours","oldDesired":2,"newDesired":4,' +
            '"cause":"scheduled action name office-hours set min capacity to 3, changing the desired capacity from 2 to 4"}');
        expect(parseActivityRecords(line)).to.deep.equal({ records: [scheduled], problems: [] });
    });

    it("carries the ECS service event last when there is one, and reads it back", () => {
        const withEvent = { ...RECORD, event: "(service proof-api) has started 2 tasks." };
        const line = formatActivityRecord(withEvent);
        expect(line.endsWith(',"cause":"monitor alarm TargetTracking-service/proof/proof-api-AlarmHigh-1 in state ALARM triggered policy proof-api-synthetic-load","event":"(service proof-api) has started 2 tasks."}')).to.equal(true);
        expect(parseActivityRecords(`${line}\n${formatActivityRecord(RECORD)}`)).to.deep.equal({ records: [withEvent, RECORD], problems: [] });
        expect(parseActivityRecords(JSON.stringify({ ...RECORD, event: 3 })).problems).to.deep.equal(["line 1: event: 3 must be a non-empty string when given"]);
    });

    it("words the event as ECS's scheduler does: tasks to start or stop to reach the new desired count", () => {
        // moto reports a new service's tasks as pending (running 0, pending 2): the scheduler counts both.
        expect(taskChangeEvent("proof-api", 0 + 2, 4)).to.equal("(service proof-api) has started 2 tasks.");
        expect(taskChangeEvent("proof-api", 4, 2)).to.equal("(service proof-api) has stopped 2 running tasks.");
        expect(taskChangeEvent("proof-api", 3, 3)).to.equal(undefined);
    });
});
