/**
 * The arrival profile: per slot of the week and of the day, exponentially weighted, from the
 * autoscaler's own readings; forecast from the week's slot once seen, the day's slot before that, and
 * nothing with too little history.
 */
import { expect } from "chai";
import { emptyProfile, foldSlot, forecastRate, observeArrival, profileFromSlots, slotsLearned, type ArrivalProfile } from "../../../runtime/autoscaler/forecast";

const SLOT_MS = 900_000;
const DAY_MS = 86_400_000;
/** Monday 2026-11-30 00:00 UTC. */
const MONDAY = Date.UTC(2026, 10, 30);

/** Readings every 5 s over one slot at `rate`, then one reading in the next slot (which closes it). */
function slotAt(p: ArrivalProfile, start: number, rate: number): ArrivalProfile {
    let q = p;
    for (let t = start; t < start + SLOT_MS; t += 5_000) q = observeArrival(q, t, rate, 0.5).profile;
    return q;
}

describe("arrival forecast profile", () => {
    it("closes a slot on the first reading of the next one, with the mean of its readings", () => {
        let p = emptyProfile(900);
        p = observeArrival(p, MONDAY, 2, 0.5).profile;
        p = observeArrival(p, MONDAY + 5_000, 4, 0.5).profile;
        p = observeArrival(p, MONDAY + 10_000, undefined, 0.5).profile;
        const next = observeArrival(p, MONDAY + SLOT_MS, 9, 0.5);
        expect(next.closed).to.deep.equal({ start: MONDAY, rate: 3 });
        expect(next.profile.open).to.deep.equal({ slot: (MONDAY + SLOT_MS) / SLOT_MS, sum: 9, count: 1 });
        expect(forecastRate(next.profile, MONDAY + DAY_MS, 1)).to.deep.equal({ rate: 3, source: "daily" });
    });

    it("after 3 days of one slot at 8, 4 and 2/s, weighs them 0.5: 2 x 0.5 + (4 x 0.5 + 8 x 0.5) x 0.5 = 4", () => {
        let p = emptyProfile(900);
        const tenAm = 10 * 3_600_000;
        for (const [day, rate] of [[0, 8], [1, 4], [2, 2]] as const) p = foldSlot(p, { start: MONDAY + day * DAY_MS + tenAm, rate }, 0.5);
        expect(forecastRate(p, MONDAY + 3 * DAY_MS + tenAm + 60_000, 1)).to.deep.equal({ rate: 4, source: "daily" });
        expect(p.daily[40]).to.deep.equal({ rate: 4, seen: 3 });
        expect(slotsLearned(p)).to.deep.equal({ weekly: 3, daily: 1 });
    });

    it("forecasts nothing for a slot no day has shown, nor before minDays days of it", () => {
        const p = foldSlot(emptyProfile(900), { start: MONDAY, rate: 5 }, 0.5);
        expect(forecastRate(p, MONDAY + DAY_MS + SLOT_MS, 1)).to.equal(undefined);
        expect(forecastRate(p, MONDAY + DAY_MS, 2)).to.equal(undefined);
        expect(forecastRate(p, MONDAY + DAY_MS, 1)).to.deep.equal({ rate: 5, source: "daily" });
    });

    it("prefers the slot of the week once a week has shown it: Saturday's own rate, not the weekdays'", () => {
        let p = emptyProfile(900);
        for (let day = 0; day < 7; day++) p = slotAt(p, MONDAY + day * DAY_MS + 12 * 3_600_000, day >= 5 ? 1 : 9);
        const saturdayNoon = MONDAY + 12 * DAY_MS + 12 * 3_600_000; // the next week's Saturday
        expect(forecastRate(p, saturdayNoon, 1)).to.deep.equal({ rate: 1, source: "weekly" });
        expect(forecastRate(p, MONDAY + 7 * DAY_MS + 12 * 3_600_000, 1)).to.deep.equal({ rate: 9, source: "weekly" });
    });

    it("rebuilds the same profile from the closed slots a restarted task reads back, in any order", () => {
        let live = emptyProfile(900);
        const closed = [];
        for (let i = 0; i < 200; i++) {
            const o = observeArrival(live, MONDAY + i * 300_000, (i % 7) + 0.5, 0.5);
            live = o.profile;
            if (o.closed) closed.push(o.closed);
        }
        const { open: _open, ...learned } = live;
        expect(profileFromSlots(closed.reverse(), { slotSeconds: 900, weight: 0.5 })).to.deep.equal(learned);
    });

    it("refuses a slot length that does not divide a day", () => {
        expect(() => emptyProfile(7_000)).to.throw("slotSeconds 7000 must divide a day (86400 s)");
    });
});
