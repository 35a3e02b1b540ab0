import { expect } from "chai";
import {
    BUILT_IN_TRACE_NAMES, CALENDAR_WEEK_START_MS, arrivalsBetween, builtInTrace, diurnalWeekLevel, diurnalWeekTrace,
    officeHoursLevel, officeHoursTrace, rateAt,
} from "../../scaling/traces";

const H = 3600;
const D = 24 * H;
const at = (iso: string) => Date.parse(iso);

describe("scaling/traces: calendar traces", () => {
    it("the diurnal week's shape: 1/s at night, weekdays peak at 8/s at 14:00 UTC, weekends at 3/s", () => {
        expect(new Date(CALENDAR_WEEK_START_MS).toISOString()).to.equal("2026-11-02T00:00:00.000Z");
        expect(new Date(CALENDAR_WEEK_START_MS).getUTCDay()).to.equal(1); // a Monday
        expect(diurnalWeekLevel(at("2026-11-02T03:00:00Z"))).to.equal(1);
        expect(diurnalWeekLevel(at("2026-11-02T06:00:00Z"))).to.equal(1);
        expect(diurnalWeekLevel(at("2026-11-02T10:00:00Z"))).to.equal(4.5); // a quarter of the hump: 1 + 7 * (1 - cos(pi/2)) / 2
        expect(diurnalWeekLevel(at("2026-11-02T14:00:00Z"))).to.equal(8);
        expect(diurnalWeekLevel(at("2026-11-06T14:00:00Z"))).to.equal(8); // Friday
        expect(diurnalWeekLevel(at("2026-11-07T14:00:00Z"))).to.equal(3); // Saturday
        expect(diurnalWeekLevel(at("2026-11-08T14:00:00Z"))).to.equal(3); // Sunday
        expect(diurnalWeekLevel(at("2026-11-02T22:00:00Z"))).to.equal(1);
    });

    it("office hours: 0.5/s outside, ramps 08:00-09:00 to 6/s, holds to 17:00, down by 18:00 on weekdays only", () => {
        expect(officeHoursLevel(at("2026-11-02T07:00:00Z"))).to.equal(0.5);
        expect(officeHoursLevel(at("2026-11-02T08:30:00Z"))).to.equal(3.25);
        expect(officeHoursLevel(at("2026-11-02T09:00:00Z"))).to.equal(6);
        expect(officeHoursLevel(at("2026-11-02T12:00:00Z"))).to.equal(6);
        expect(officeHoursLevel(at("2026-11-02T17:30:00Z"))).to.equal(3.25);
        expect(officeHoursLevel(at("2026-11-02T18:00:00Z"))).to.equal(0.5);
        expect(officeHoursLevel(at("2026-11-07T12:00:00Z"))).to.equal(0.5); // Saturday
    });

    it("the diurnal week: 3 days of history (Friday to Sunday) then 7 measured days from Monday, in 5-minute pieces", () => {
        const t = diurnalWeekTrace(1);
        expect(t).to.include({ name: "diurnal-week", duration: 10 * D, historySeconds: 3 * D, epochMs: at("2026-10-30T00:00:00Z") });
        expect(t.segments).to.have.length(2880);
        expect(diurnalWeekTrace(1, 14)).to.include({ duration: 21 * D, historySeconds: 14 * D, epochMs: at("2026-10-19T00:00:00Z") });
    });

    it("the diurnal week with seed 1: exact rates at known times, each within 10 % of the shape", () => {
        const t = diurnalWeekTrace(1);
        // Monday 00:00, 10:00, 14:00 and the next Saturday 14:00 (seconds from Friday 00:00).
        const times = [3 * D, 3 * D + 10 * H, 3 * D + 14 * H, 8 * D + 14 * H];
        expect(times.map((s) => rateAt(t, s))).to.deep.equal([0.955558762839064, 4.093601715448313, 7.257880649715662, 3.076315509108827]);
        for (let s = 0; s < t.duration; s += 300) {
            const ratio = rateAt(t, s) / diurnalWeekLevel(t.epochMs! + s * 1000);
            expect(ratio, `at ${s} s`).to.be.within(0.9, 1.1);
        }
    });

    it("the same seed builds the same trace, another seed another", () => {
        const total = (seed: number) => arrivalsBetween(diurnalWeekTrace(seed), 0, 10 * D);
        expect([1, 1, 2].map(total)).to.deep.equal([2300313.2402466317, 2300313.2402466317, 2303578.593663859]);
        expect(arrivalsBetween(officeHoursTrace(1), 0, 10 * D)).to.equal(1499244.5682240454);
        expect(rateAt(officeHoursTrace(1), 3 * D + 12 * H)).to.equal(6.514452458918094);
    });

    it("both are built-in traces by name", () => {
        expect(BUILT_IN_TRACE_NAMES).to.include.members(["diurnal-week", "office-hours"]);
        expect(builtInTrace("diurnal-week", 2).segments).to.deep.equal(diurnalWeekTrace(2).segments);
        expect(builtInTrace("office-hours", 1).historySeconds).to.equal(3 * D);
    });
});
