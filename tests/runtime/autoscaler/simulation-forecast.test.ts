/**
 * The queue autoscaler with and without its forecast in the simulator's closed loop: two noise-free
 * office-hours weekdays, Monday learned, Tuesday forecast. With the forecast, Tuesday's first
 * scale-up of the morning comes from the profile, exactly the task start delay (40 s) before the slot
 * whose Monday rate needs 2 tasks; without it, only once the rising rate is measured.
 */
import { expect } from "chai";
import { simulateQueueAutoscaler } from "../../../runtime/autoscaler/simulation";
import { calendarTrace, officeHoursLevel } from "../../../scaling/traces";
import { decisionSettings } from "../../helpers/decision-settings";

const DAY = 86_400;
/** Monday and Tuesday of office hours, no noise, no history part (Monday is measured too). */
const TRACE = calendarTrace("office-hours", officeHoursLevel, { seed: 1, days: 2, historyDays: 0, noise: 0 });
const SETTINGS = decisionSettings({ minCapacity: 0, maxCapacity: 10, processingRate: 2 });
const FORECAST = { enabled: true, slotSeconds: 900, weight: 0.5, minDays: 1 } as const;

function run(forecast: boolean) {
    return simulateQueueAutoscaler({
        trace: TRACE, settings: SETTINGS, intervalSeconds: 5, workerRate: 2, startDelaySeconds: 40, targetAgeSeconds: 60, tickSeconds: 5,
        ...(forecast ? { forecast: { settings: FORECAST } } : {}),
    });
}

/** Tuesday's first scale-up from 07:00. */
const tuesdayMorning = (r: ReturnType<typeof run>) => r.actions.find((a) => a.t >= DAY + 7 * 3600 && a.to > a.from)!;

describe("simulator: the queue autoscaler's forecast", () => {
    it("raises Tuesday's floor to 2 at 08:14:20, 40 s before the 08:15 slot Monday ran at 2.5/s", () => {
        const a = tuesdayMorning(run(true));
        expect([a.t - DAY, a.from, a.to]).to.deep.equal([8 * 3600 + 14 * 60 + 20, 1, 2]);
        // 2.5 messages/s at 2 per task: 1.26 tasks of work.
        expect(a.reason).to.match(/^forecast: forecast 1\.2\d tasks of work at \+40s \(daily profile\) needs 2; scale from 1 to 2 ahead of it;/);
    });

    it("without it, Tuesday's first scale-up waits for the measured rate", () => {
        const a = tuesdayMorning(run(false));
        expect(a.t - DAY).to.be.above(8 * 3600 + 15 * 60);
        expect(a.reason).to.match(/^rate_high: /);
    });
});
