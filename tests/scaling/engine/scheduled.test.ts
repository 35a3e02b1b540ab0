/**
 * Scheduled actions in the engine, against Application Auto Scaling's published behaviour: user guide,
 * "How scheduled scaling for Application Auto Scaling works" (an action sets min and max; below the new
 * min it scales out to min, above the new max it scales in to max; a time zone with DST adjusts the
 * schedule to it) and PutScheduledAction (at, rate, cron forms; StartTime/EndTime bound a recurrence).
 */
import { expect } from "chai";
import { awsController } from "../../../scaling/aws-controller";
import { engineTargetFromPlan } from "../../../scaling/engine/from-plan";
import { DEFAULT_ENGINE_PARAMS } from "../../../scaling/engine/params";
import { AwsScalingEngine } from "../../../scaling/engine/scaler";
import type { ServiceScalingPlan } from "../../../scaling/plan";
import { firingsBetween, parseSchedule, type Schedule } from "../../../scaling/schedule";

const P = DEFAULT_ENGINE_PARAMS;
function schedule(expr: string): Schedule {
    const s = parseSchedule(expr);
    if ("problem" in s) throw new Error(s.problem);
    return s;
}
const iso = (ms: number) => new Date(ms).toISOString();

describe("engine: scheduled actions", () => {
    it("a scheduled action's min raise takes desired up at its time", () => {
        // Monday 2026-03-02, 07:00 London (UTC+0 in winter) is engine time 0; the action raises min to 6 at 08:00.
        const epochMs = Date.parse("2026-03-02T07:00:00Z");
        const plan: ServiceScalingPlan = {
            service: "api", minCapacity: 2, maxCapacity: 10, policies: [],
            scheduledActions: [{ name: "office-hours-start", schedule: "cron(0 8 ? * MON-FRI *)", timezone: "Europe/London", minCapacity: 6 }],
        };
        const engine = new AwsScalingEngine(engineTargetFromPlan(plan, P, { epochMs }), P);
        const before = engine.tick(3599, { desired: 2, running: 2 });
        expect(before.activity).to.equal(undefined);
        expect(engine.capacityBounds()).to.deep.equal({ min: 2, max: 10 });
        const at = engine.tick(3600, { desired: 2, running: 2 });
        expect(at.activity).to.deep.include({ at: 3600, policy: "api-office-hours-start", direction: "out", oldDesired: 2, newDesired: 6 });
        expect(engine.capacityBounds()).to.deep.equal({ min: 6, max: 10 });
    });

    it("a rate() without StartTime fires at the start and once a period after it, not on every tick", () => {
        const epochMs = Date.parse("2026-03-02T07:00:00Z");
        const plan: ServiceScalingPlan = {
            service: "api", minCapacity: 2, maxCapacity: 10, policies: [],
            scheduledActions: [{ name: "every-5-minutes", schedule: "rate(5 minutes)", timezone: "UTC", minCapacity: 3 }],
        };
        const engine = new AwsScalingEngine(engineTargetFromPlan(plan, P, { epochMs }), P);
        const fired: number[] = [];
        for (let t = 0; t <= 1200; t += 5) {
            const r = engine.tick(t, { desired: 2, running: 2 });
            if (r.activity) fired.push(r.activity.at);
            // Back to min 2 after each firing, so the next one is an activity again.
            if (r.activity) engine.setCapacityBounds(2, 10);
        }
        expect(fired).to.deep.equal([0, 300, 600, 900, 1200]);
    });

    it("an action leaves desired inside the new bounds alone, and a max cut scales in to max", () => {
        const plan: ServiceScalingPlan = {
            service: "api", minCapacity: 2, maxCapacity: 10, policies: [],
            scheduledActions: [
                { name: "raise", schedule: "at(1970-01-01T00:10:00)", timezone: "UTC", minCapacity: 4 },
                { name: "cut", schedule: "at(1970-01-01T00:20:00)", timezone: "UTC", minCapacity: 1, maxCapacity: 3 },
            ],
        };
        const engine = new AwsScalingEngine(engineTargetFromPlan(plan, P), P);
        expect(engine.tick(600, { desired: 5, running: 5 }).activity).to.equal(undefined);
        expect(engine.capacityBounds()).to.deep.equal({ min: 4, max: 10 });
        expect(engine.tick(1200, { desired: 5, running: 5 }).activity).to.deep.include({ policy: "api-cut", direction: "in", oldDesired: 5, newDesired: 3 });
        expect(engine.capacityBounds()).to.deep.equal({ min: 1, max: 3 });
    });

    it("bounds an action run outside the engine sets (autoscale emulate) are the ones the policies then act within", () => {
        const engine = new AwsScalingEngine({ resourceId: "service/c/api", minCapacity: 1, maxCapacity: 10, policies: [] }, P);
        engine.setCapacityBounds(3, 10);
        expect(engine.capacityBounds()).to.deep.equal({ min: 3, max: 10 });
        expect(engine.effectiveBounds()).to.deep.equal({ min: 3, max: 10 });
        expect(() => engine.setCapacityBounds(5, 4)).to.throw("minCapacity (5) should be lower than maxCapacity (4)");
        expect(engine.capacityBounds()).to.deep.equal({ min: 3, max: 10 });
    });

    it("a cron in a time zone fires at the local time across a DST change", () => {
        // Europe/Paris leaves UTC+1 for UTC+2 on 2026-03-29 and returns on 2026-10-25 (EU summer time):
        // 08:00 local is 07:00Z before, 06:00Z during summer time, 07:00Z after.
        const s = schedule("cron(0 8 * * ? *)");
        const w = { timezone: "Europe/Paris" };
        expect(firingsBetween(s, w, Date.parse("2026-03-28T00:00:00Z"), Date.parse("2026-03-31T00:00:00Z")).map(iso))
            .to.deep.equal(["2026-03-28T07:00:00.000Z", "2026-03-29T06:00:00.000Z", "2026-03-30T06:00:00.000Z"]);
        expect(firingsBetween(s, w, Date.parse("2026-10-24T00:00:00Z"), Date.parse("2026-10-27T00:00:00Z")).map(iso))
            .to.deep.equal(["2026-10-24T06:00:00.000Z", "2026-10-25T07:00:00.000Z", "2026-10-26T07:00:00.000Z"]);
    });

    // AWS documents neither case; this pins the simulator's choice.
    it("a local minute the autumn change repeats fires once; one the spring change skips does not fire (the simulator's choice)", () => {
        const s = schedule("cron(30 2 * * ? *)");
        const w = { timezone: "Europe/Paris" };
        expect(firingsBetween(s, w, Date.parse("2026-10-24T12:00:00Z"), Date.parse("2026-10-25T12:00:00Z")).map(iso)).to.deep.equal(["2026-10-25T00:30:00.000Z"]);
        expect(firingsBetween(s, w, Date.parse("2026-03-28T12:00:00Z"), Date.parse("2026-03-29T12:00:00Z")).map(iso)).to.deep.equal([]);
    });

    it("at() fires once, at its local time in the zone", () => {
        const s = schedule("at(2026-07-01T09:30:00)");
        expect(firingsBetween(s, { timezone: "America/New_York" }, Date.parse("2026-06-01T00:00:00Z"), Date.parse("2026-08-01T00:00:00Z")).map(iso))
            .to.deep.equal(["2026-07-01T13:30:00.000Z"]);
    });

    it("rate() repeats from the start time and stops at the end time", () => {
        const s = schedule("rate(6 hours)");
        const w = { timezone: "UTC", startMs: Date.parse("2026-01-01T01:00:00Z"), endMs: Date.parse("2026-01-02T01:00:00Z") };
        expect(firingsBetween(s, w, Date.parse("2025-12-31T00:00:00Z"), Date.parse("2026-01-05T00:00:00Z")).map(iso)).to.deep.equal([
            "2026-01-01T01:00:00.000Z", "2026-01-01T07:00:00.000Z", "2026-01-01T13:00:00.000Z", "2026-01-01T19:00:00.000Z",
        ]);
    });

    it("cron's day-of-week names, ranges and the last-weekday form select the days AWS documents", () => {
        // March 2026: Monday 2nd ... Friday 27th is the last Friday (6L: last FRI, 1 = SUN).
        const from = Date.parse("2026-03-01T00:00:00Z");
        const to = Date.parse("2026-04-01T00:00:00Z");
        expect(firingsBetween(schedule("cron(0 12 ? * 6L *)"), { timezone: "UTC" }, from, to).map(iso)).to.deep.equal(["2026-03-27T12:00:00.000Z"]);
        expect(firingsBetween(schedule("cron(0 12 ? * MON#2 *)"), { timezone: "UTC" }, from, to).map(iso)).to.deep.equal(["2026-03-09T12:00:00.000Z"]);
        expect(firingsBetween(schedule("cron(0 12 L * ? *)"), { timezone: "UTC" }, from, to).map(iso)).to.deep.equal(["2026-03-31T12:00:00.000Z"]);
        expect(firingsBetween(schedule("cron(0 12 ? * MON-FRI *)"), { timezone: "UTC" }, from, to)).to.have.length(22);
    });

    it("the closed loop: office hours raise min at 08:00 and lower it at 19:00 London time, with no load", () => {
        const plan: ServiceScalingPlan = {
            service: "api", minCapacity: 2, maxCapacity: 10, policies: [],
            scheduledActions: [
                { name: "office-hours-start", schedule: "cron(0 8 ? * MON-FRI *)", timezone: "Europe/London", minCapacity: 6 },
                { name: "office-hours-end", schedule: "cron(0 19 ? * MON-FRI *)", timezone: "Europe/London", minCapacity: 2 },
            ],
        };
        // Monday 2026-06-01 00:00 London (BST, UTC+1) is time 0: 08:00 local is t = 28800 s.
        const c = awsController(plan, { epochMs: Date.parse("2026-05-31T23:00:00Z") });
        const ticks: [number, number][] = [];
        let desired = 2;
        for (let now = 0; now <= 86400; now += 60) {
            const d = c.tick({ now, desired, running: desired, signals: {} } as never);
            if (d) { desired = d.desired; ticks.push([now, desired]); }
        }
        // Lowering min leaves desired where it is: the policies (none here) would scale in.
        expect(ticks).to.deep.equal([[28800, 6]]);
        expect(c.engine.capacityBounds()).to.deep.equal({ min: 2, max: 10 });
    });
});
