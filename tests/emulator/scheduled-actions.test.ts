import { expect } from "chai";
import type { ScheduledAction } from "@aws-sdk/client-application-auto-scaling";
import { engineActionsFromAws, firedBetween, scheduledCause } from "../../emulator/scheduled-actions";

const RID = "service/c/api";

function described(name: string, schedule: string, extra: Partial<ScheduledAction> = {}): ScheduledAction {
    return {
        ScheduledActionName: name, ScheduledActionARN: `arn:${name}`, ServiceNamespace: "ecs", Schedule: schedule,
        ResourceId: RID, ScalableDimension: "ecs:service:DesiredCount", CreationTime: new Date(0), ...extra,
    };
}

const ms = (iso: string) => Date.parse(iso);

describe("emulator/scheduled-actions", () => {
    it("keeps the exact target's actions with what they set, defaults the zone to UTC, and names an action AWS would refuse", () => {
        const r = engineActionsFromAws([
            described("office-hours", "cron(0 9 ? * MON-FRI *)", { Timezone: "Europe/Berlin", ScalableTargetAction: { MinCapacity: 3 } }),
            described("night", "at(2026-12-07T20:00:00)", {
                ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 4 }, StartTime: new Date("2026-12-01T00:00:00Z"), EndTime: new Date("2026-12-31T00:00:00Z"),
            }),
            // moto matches ResourceId as a substring: service/c/api-2 comes back for service/c/api.
            described("other", "rate(1 hour)", { ResourceId: "service/c/api-2", ScalableTargetAction: { MinCapacity: 9 } }),
            described("bad", "cron(0 9 * * MON *)", { ScalableTargetAction: { MinCapacity: 2 } }),
        ], RID);
        expect(r.actions).to.deep.equal([
            { name: "office-hours", schedule: { kind: "cron", fields: ["0", "9", "?", "*", "MON-FRI", "*"] }, window: { timezone: "Europe/Berlin", createdMs: 0 }, minCapacity: 3 },
            {
                name: "night", schedule: { kind: "at", local: { year: 2026, month: 12, day: 7, hour: 20, minute: 0, second: 0 } },
                window: { timezone: "UTC", createdMs: 0, startMs: ms("2026-12-01T00:00:00Z"), endMs: ms("2026-12-31T00:00:00Z") }, minCapacity: 1, maxCapacity: 4,
            },
        ]);
        expect(r.skipped).to.deep.equal([
            'scheduled action bad: Schedule "cron(0 9 * * MON *)" must have ? in exactly one of Day-of-month and Day-of-week (AWS cron: the two cannot both be set, and one must be ?)',
        ]);
    });

    it("fires a weekday cron at 09:00 Berlin time (08:00 UTC in winter) in (from, to], once, and not on a Sunday", () => {
        const { actions } = engineActionsFromAws([
            described("office-hours", "cron(0 9 ? * MON-FRI *)", { Timezone: "Europe/Berlin", ScalableTargetAction: { MinCapacity: 3 } }),
        ], RID);
        // 2026-12-07 is a Monday.
        const fired = firedBetween(actions, ms("2026-12-07T07:59:50Z"), ms("2026-12-07T08:00:00Z"));
        expect(fired.map((f) => [f.action.name, f.at])).to.deep.equal([["office-hours", ms("2026-12-07T08:00:00Z") / 1000]]);
        // The end of the last window is its start: not fired twice.
        expect(firedBetween(actions, ms("2026-12-07T08:00:00Z"), ms("2026-12-07T08:59:00Z"))).to.deep.equal([]);
        // Sunday 2026-12-06: no firing all day.
        expect(firedBetween(actions, ms("2026-12-06T00:00:00Z"), ms("2026-12-07T00:00:00Z"))).to.deep.equal([]);
        // Summer (CEST, UTC+2): 07:00 UTC on Monday 2026-06-01.
        expect(firedBetween(actions, ms("2026-06-01T00:00:00Z"), ms("2026-06-01T23:00:00Z")).map((f) => f.at)).to.deep.equal([ms("2026-06-01T07:00:00Z") / 1000]);
    });

    it("fires at() once at its UTC time, and only between StartTime and EndTime", () => {
        const at = (extra: Partial<ScheduledAction>) => engineActionsFromAws([described("once", "at(2026-12-07T20:00:00)", { ScalableTargetAction: { MaxCapacity: 4 }, ...extra })], RID).actions;
        const day = [ms("2026-12-07T00:00:00Z"), ms("2026-12-08T00:00:00Z")] as const;
        expect(firedBetween(at({}), ...day).map((f) => f.at)).to.deep.equal([ms("2026-12-07T20:00:00Z") / 1000]);
        expect(firedBetween(at({ StartTime: new Date("2026-12-07T20:00:01Z") }), ...day)).to.deep.equal([]);
        expect(firedBetween(at({ EndTime: new Date("2026-12-07T19:59:59Z") }), ...day)).to.deep.equal([]);
    });

    it("counts a rate() from StartTime, else from the action's CreationTime, so it fires once a period and not every pass", () => {
        const rate = (extra: Partial<ScheduledAction>) => engineActionsFromAws([
            described("hourly", "rate(1 hour)", { ScalableTargetAction: { MinCapacity: 2 }, CreationTime: new Date("2026-12-07T07:30:00Z"), ...extra }),
        ], RID).actions;
        const passes = (actions: ReturnType<typeof rate>) => [0, 1, 2, 3, 4, 5].flatMap((k) =>
            firedBetween(actions, ms("2026-12-07T08:00:00Z") + k * 600_000, ms("2026-12-07T08:00:00Z") + (k + 1) * 600_000).map((f) => new Date(f.at * 1000).toISOString()));
        expect(passes(rate({}))).to.deep.equal(["2026-12-07T08:30:00.000Z"]);
        expect(passes(rate({ StartTime: new Date("2026-12-07T07:15:00Z") }))).to.deep.equal(["2026-12-07T08:15:00.000Z"]);
    });

    it("says in AWS's words the bounds after an action, and the desired change when there is one", () => {
        expect(scheduledCause("night", { min: 1, max: 4 }, 6, 4)).to.equal("scheduled action name night set min capacity to 1 and max capacity to 4, changing the desired capacity from 6 to 4");
        expect(scheduledCause("office-hours", { min: 3, max: 10 }, 5, 5)).to.equal("scheduled action name office-hours set min capacity to 3 and max capacity to 10");
    });
});
