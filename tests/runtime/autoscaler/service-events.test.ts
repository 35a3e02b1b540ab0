import { expect } from "chai";
import { taskStartFromEvents } from "../../../runtime/autoscaler/service-events";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));

describe("task start time from the service's own ECS events", () => {
    it("launch to the next steady state, newest launch that reached one (events come newest first)", () => {
        const events = [
            { createdAt: at(95), message: "(service jobs) has reached a steady state." },
            { createdAt: at(57), message: "(service jobs) has started 3 tasks: (task a) (task b) (task c)." },
            { createdAt: at(40), message: "(service jobs) has reached a steady state." },
            { createdAt: at(0), message: "(service jobs) has started 1 tasks: (task z)." },
        ];
        expect(taskStartFromEvents(events)).to.equal(38_000);
    });

    it("a launch still starting does not count; the last completed one does", () => {
        const events = [
            { createdAt: at(70), message: "(service jobs) has started 2 tasks: (task d) (task e)." },
            { createdAt: at(41), message: "(service jobs) has reached a steady state." },
            { createdAt: at(0), message: "(service jobs) has started 1 task: (task z)." },
        ];
        expect(taskStartFromEvents(events)).to.equal(41_000);
    });

    it("a launch superseded by another before a steady state counts from the later one", () => {
        const events = [
            { createdAt: at(80), message: "(service jobs) has reached a steady state." },
            { createdAt: at(35), message: "(service jobs) has started 2 tasks: (task d) (task e)." },
            { createdAt: at(10), message: "(service jobs) has started 1 tasks: (task z)." },
        ];
        expect(taskStartFromEvents(events)).to.equal(45_000);
    });

    it("none without a launch followed by a steady state, or without events", () => {
        expect(taskStartFromEvents(undefined)).to.equal(undefined);
        expect(taskStartFromEvents([])).to.equal(undefined);
        expect(taskStartFromEvents([{ createdAt: at(5), message: "(service jobs) has reached a steady state." }])).to.equal(undefined);
        expect(taskStartFromEvents([{ createdAt: at(5), message: "(service jobs) has stopped 1 running tasks: (task z)." }, { createdAt: at(9), message: "(service jobs) has reached a steady state." }])).to.equal(undefined);
    });
});
