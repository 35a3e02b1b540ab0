/**
 * The `schedules` key of a service: staging's office hours, and for every rule one accepted and one
 * refused value with the exact message (AWS's rules from PutScheduledAction and the Application Auto
 * Scaling user guide; the one-owner rule against the queue autoscaler).
 */
import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { rawProjectConfig } from "../helpers/stack-files";

const ctx = { project: "ecs-autoscaling", stack: "staging" };

function staging(): any {
    return JSON.parse(rawProjectConfig("staging").services);
}

/** Staging with `schedules` of one service replaced; the problems (empty when valid). */
function problemsWith(key: string, schedules: unknown[]): string[] {
    const services = staging();
    services[key].schedules = schedules;
    try {
        loadStackConfig(rawProjectConfig("staging", { services }), ctx);
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return [...e.problems];
    }
}

const base = { name: "morning", expression: "cron(0 8 ? * MON-FRI *)", timezone: "Europe/London", minCapacity: 4 };

describe("config: schedules", () => {
    it("staging's api: office hours in London, min 4 at 08:00 and 2 at 19:00 on weekdays, in the plan", () => {
        const api = loadStackConfig(rawProjectConfig("staging"), ctx).services.api;
        expect(api.plan.scheduledActions).to.deep.equal([
            { name: "office-hours-start", schedule: "cron(0 8 ? * MON-FRI *)", timezone: "Europe/London", minCapacity: 4 },
            { name: "office-hours-end", schedule: "cron(0 19 ? * MON-FRI *)", timezone: "Europe/London", minCapacity: 2 },
        ]);
        expect(loadStackConfig(rawProjectConfig("staging"), ctx).services.worker.plan.scheduledActions).to.equal(undefined);
    });

    it("timezone defaults to UTC, AWS's default", () => {
        const services = staging();
        services.api.schedules = [{ name: "n", expression: "rate(1 day)", maxCapacity: 8 }];
        const api = loadStackConfig(rawProjectConfig("staging", { services }), ctx).services.api;
        expect(api.plan.scheduledActions).to.deep.equal([{ name: "n", schedule: "rate(1 day)", timezone: "UTC", maxCapacity: 8 }]);
    });

    // [rule, accepted schedule, refused schedule, exact message of the refusal]
    const table: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
        ["name: AWS's characters", { ...base, name: "office hours 08:00".replace(":", "h") }, { ...base, name: "office/hours" },
            'services.api.schedules[0].name: "office/hours" must be 1-256 characters without control characters, : / or |, and without a leading or trailing space (Application Auto Scaling scheduled action names)'],
        // The AWS name is `<service physical name>-<name>`: ecs-autoscaling-staging-api- takes 28 of the 256 characters.
        ["name: AWS's length, with the service's name before it", { ...base, name: "n".repeat(228) }, { ...base, name: "n".repeat(229) },
            `services.api.schedules: scheduled action name "ecs-autoscaling-staging-api-${"n".repeat(229)}" (257 characters) must be 1-256 characters without control characters, : / or |, and without a leading or trailing space (Application Auto Scaling scheduled action names)`],
        ["expression: one of the three forms", { ...base, expression: "at(2026-12-24T08:00:00)" }, { ...base, expression: "every(1 day)" },
            'services.api.schedules[0].expression: "every(1 day)" must be at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(Minutes Hours Day-of-month Month Day-of-week Year)'],
        ["at(): a calendar date", { ...base, expression: "at(2028-02-29T08:00:00)" }, { ...base, expression: "at(2026-02-29T08:00:00)" },
            'services.api.schedules[0].expression: "at(2026-02-29T08:00:00)" is not a calendar date and time: at() takes yyyy-mm-ddThh:mm:ss'],
        ["rate(): AWS's units", { ...base, expression: "rate(12 hours)" }, { ...base, expression: "rate(2 weeks)" },
            'services.api.schedules[0].expression: "rate(2 weeks)" has an unknown unit: rate(value unit) takes minute, minutes, hour, hours, day or days'],
        ["rate(): a positive value", { ...base, expression: "rate(1 minute)" }, { ...base, expression: "rate(0 minutes)" },
            'services.api.schedules[0].expression: "rate(0 minutes)" must have a positive value: rate(value unit) takes a whole number of at least 1'],
        ["cron(): six fields", { ...base, expression: "cron(0 8 ? * MON-FRI *)" }, { ...base, expression: "cron(0 8 * * MON-FRI)" },
            'services.api.schedules[0].expression: "cron(0 8 * * MON-FRI)" has 5 cron fields; cron() takes six: Minutes Hours Day-of-month Month Day-of-week Year'],
        ["cron(): Hours 0-23", { ...base, expression: "cron(0 23 ? * MON-FRI *)" }, { ...base, expression: "cron(0 24 ? * MON-FRI *)" },
            'services.api.schedules[0].expression: "cron(0 24 ? * MON-FRI *)" Hours "24" is not allowed: it takes 0-23 with , - * /'],
        ["cron(): Day-of-week SUN-SAT and its wildcards", { ...base, expression: "cron(0 8 ? * FRI#1 *)" }, { ...base, expression: "cron(0 8 ? * FUN *)" },
            'services.api.schedules[0].expression: "cron(0 8 ? * FUN *)" Day-of-week "FUN" is not allowed: it takes 1-7 or SUN-SAT with , - * / ? L #'],
        ["cron(): Year 1970-2199", { ...base, expression: "cron(0 8 1 * ? 2199)" }, { ...base, expression: "cron(0 8 1 * ? 2200)" },
            'services.api.schedules[0].expression: "cron(0 8 1 * ? 2200)" Year "2200" is not allowed: it takes 1970-2199 with , - * /'],
        ["cron(): ? in exactly one of the day fields", { ...base, expression: "cron(0 8 1 * ? *)" }, { ...base, expression: "cron(0 8 * * MON *)" },
            'services.api.schedules[0].expression: "cron(0 8 * * MON *)" must have ? in exactly one of Day-of-month and Day-of-week (AWS cron: the two cannot both be set, and one must be ?)'],
        ["timezone: IANA", { ...base, timezone: "America/New_York" }, { ...base, timezone: "Europe/Londres" },
            'services.api.schedules[0].timezone: "Europe/Londres" is not an IANA time zone (e.g. Europe/London, America/New_York, UTC)'],
        ["minCapacity or maxCapacity", { ...base, minCapacity: undefined, maxCapacity: 6 }, { name: "m", expression: "rate(1 day)", timezone: "UTC" },
            'services.api.schedules[0]: {"name":"m","expression":"rate(1 day)","timezone":"UTC"} must set minCapacity, maxCapacity or both (a scheduled action sets the service\'s bounds)'],
        ["minCapacity <= maxCapacity", { ...base, minCapacity: 5, maxCapacity: 5 }, { ...base, minCapacity: 6, maxCapacity: 5 },
            "services.api.schedules[0].minCapacity: 6 must be <= services.api.schedules[0].maxCapacity (5)"],
        ["a lone minCapacity within the service's max", { ...base, minCapacity: 10 }, { ...base, minCapacity: 11 },
            "services.api.schedules[0].minCapacity: 11 must be <= services.api.maxCapacity (10) or come with services.api.schedules[0].maxCapacity: a new minimum may not exceed the maximum it leaves in place"],
        ["a lone maxCapacity within the service's min", { ...base, minCapacity: undefined, maxCapacity: 2 }, { ...base, minCapacity: undefined, maxCapacity: 1 },
            "services.api.schedules[0].maxCapacity: 1 must be >= services.api.minCapacity (2) or come with services.api.schedules[0].minCapacity: a new maximum may not be below the minimum it leaves in place"],
        ["startTime: ISO 8601", { ...base, startTime: "2026-01-05T00:00:00Z" }, { ...base, startTime: "5 Jan 2026" },
            'services.api.schedules[0].startTime: "5 Jan 2026" must be an ISO 8601 instant with a zone, e.g. 2026-01-05T00:00:00Z'],
        ["endTime after startTime", { ...base, startTime: "2026-01-05T00:00:00Z", endTime: "2026-03-31T00:00:00+01:00" },
            { ...base, startTime: "2026-01-05T00:00:00Z", endTime: "2026-01-04T00:00:00Z" },
            'services.api.schedules[0].endTime: "2026-01-04T00:00:00Z" must be after services.api.schedules[0].startTime ("2026-01-05T00:00:00Z")'],
    ];

    for (const [rule, accepted, refused, message] of table) {
        it(`${rule}: one value accepted, one refused with the exact message`, () => {
            expect(problemsWith("api", [JSON.parse(JSON.stringify(accepted))])).to.deep.equal([]);
            const problems = problemsWith("api", [JSON.parse(JSON.stringify(refused))]);
            expect(problems, JSON.stringify(problems, null, 1)).to.include(message);
        });
    }

    it("names unique per service", () => {
        expect(problemsWith("api", [base, { ...base, name: "evening" }])).to.deep.equal([]);
        expect(problemsWith("api", [base, base])).to.include('services.api.schedules[1].name: "morning" is used twice in services.api.schedules; scheduled action names must be unique per scalable target');
    });

    it("at most 200 scheduled actions per scalable target (Application Auto Scaling quota)", () => {
        const many = (n: number) => Array.from({ length: n }, (_, i) => ({ ...base, name: `s${i}` }));
        expect(problemsWith("api", many(200))).to.deep.equal([]);
        expect(problemsWith("api", many(201))).to.include("services.api.schedules: 201 scheduled actions exceed Application Auto Scaling's quota of 200 per scalable target (not adjustable)");
    });

    it("one owner: a schedule on a service the queue autoscaler owns is refused, naming both keys", () => {
        expect(problemsWith("jobs", [base])).to.include(
            'services.jobs.schedules: 1 scheduled action(s) (morning) cannot be set on "jobs": autoscaler.services (or autoscaler.service) names "jobs", so the queue autoscaler owns its desired count; ' +
            "a service's desired count has one owner: scale it with Application Auto Scaling (policies and schedules) or with the queue autoscaler, not both");
    });
});
