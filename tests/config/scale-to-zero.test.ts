/**
 * The `scaleToZero` key of a service: defaults, and every refusal naming the key, the value and the rule.
 */
import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { ratePeriodSeconds } from "../../scaling/scale-to-zero";
import { rawProjectConfig } from "../helpers/stack-files";

const ctx = { project: "ecs-autoscaling", stack: "staging" };

function staging(): any {
    return JSON.parse(rawProjectConfig("staging").services);
}

/** Staging with one service changed; returns the problems (empty when valid). */
function problemsWith(key: string, change: (s: any) => void, extra: Record<string, unknown> = {}): string[] {
    const services = staging();
    change(services[key]);
    try {
        loadStackConfig(rawProjectConfig("staging", { services, ...extra }), ctx);
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return [...e.problems];
    }
}

describe("config: scaleToZero", () => {
    it("staging's preview: the seed's settings (5 idle minutes, 1 task on wake, a check every minute) and bounds 0..1", () => {
        const preview = loadStackConfig(rawProjectConfig("staging"), ctx).services.preview;
        expect(preview.scaleToZero).to.deep.equal({
            idleMinutes: 5, wakeCapacity: 1, checkSchedule: "rate(1 minute)", namespace: "ECSAutoscaling/ScaleToZero",
            checkPeriodSeconds: 60, idleSeconds: 300,
        });
        expect([preview.plan.minCapacity, preview.plan.maxCapacity]).to.deep.equal([0, 1]);
        expect(preview.loadBalancer).to.deep.equal({ pathPatterns: ["/preview", "/preview/*"], priority: 10, healthCheckPath: "/" });
    });

    it("defaults: scaleToZero: {} gets idleMinutes 5, wakeCapacity 1, rate(1 minute) and the project's namespace", () => {
        const services = staging();
        services.api.scaleToZero = {};
        const api = loadStackConfig(rawProjectConfig("staging", { services }), ctx).services.api;
        expect(api.scaleToZero).to.deep.equal({
            idleMinutes: 5, wakeCapacity: 1, checkSchedule: "rate(1 minute)", namespace: "ECSAutoscaling/ScaleToZero", checkPeriodSeconds: 60, idleSeconds: 300,
        });
        expect(loadStackConfig(rawProjectConfig("staging"), ctx).services.api.scaleToZero).to.equal(undefined);
    });

    const table: [title: string, key: string, change: (s: any) => void, extra: Record<string, unknown>, message: string][] = [
        ["on a service without loadBalancer", "gateway", (s) => { s.scaleToZero = {}; }, {},
            'services.gateway.scaleToZero: {"idleMinutes":5,"wakeCapacity":1,"checkSchedule":"rate(1 minute)","namespace":"ECSAutoscaling/ScaleToZero"} needs services.gateway.loadBalancer: the service sleeps after idleMinutes without requests through the load balancer and wakes on the first one, so a service without a listener rule could never wake'],
        ["on the queue autoscaler's service", "jobs", (s) => { s.scaleToZero = { idleMinutes: 10 }; s.containerPort = 80; s.loadBalancer = { priority: 20, pathPatterns: ["/jobs/*"] }; }, {},
            'services.jobs.scaleToZero: {"idleMinutes":10,"wakeCapacity":1,"checkSchedule":"rate(1 minute)","namespace":"ECSAutoscaling/ScaleToZero"} cannot be set on the queue autoscaler\'s service (autoscaler.service "jobs"): its desired count has one owner, the queue autoscaler, and it takes no requests through the load balancer'],
        ["an idle window shorter than 2 check periods", "preview", (s) => { s.scaleToZero.idleMinutes = 9; s.scaleToZero.checkSchedule = "rate(5 minutes)"; }, {},
            'services.preview.scaleToZero.idleMinutes: 9 is shorter than 2 check periods of checkSchedule "rate(5 minutes)" (2 x 300 s); the idle window must hold at least 2 checks'],
        ["an idle window of 1 minute with the default schedule", "preview", (s) => { s.scaleToZero = { idleMinutes: 1 }; }, {},
            'services.preview.scaleToZero.idleMinutes: 1 is shorter than 2 check periods of checkSchedule "rate(1 minute)" (2 x 60 s); the idle window must hold at least 2 checks'],
        ["a wake capacity above max", "preview", (s) => { s.scaleToZero.wakeCapacity = 2; }, {},
            "services.preview.scaleToZero.wakeCapacity: 2 must be <= services.preview.maxCapacity (1); a wake cannot ask for more tasks than the service may run"],
        ["a cron schedule", "preview", (s) => { s.scaleToZero.checkSchedule = "cron(0/1 * * * ? *)"; }, {},
            'services.preview.scaleToZero.checkSchedule: "cron(0/1 * * * ? *)" must be rate(<n> minute|minutes|hour|hours|day|days), e.g. rate(1 minute); a cron() schedule has no fixed period to check the idle window against'],
        ["a plural unit for 1", "preview", (s) => { s.scaleToZero.checkSchedule = "rate(1 minutes)"; }, {},
            'services.preview.scaleToZero.checkSchedule: "rate(1 minutes)" must use the singular unit for 1 and the plural otherwise (EventBridge refuses "rate(1 minutes)")'],
        ["idleMinutes 0", "preview", (s) => { s.scaleToZero.idleMinutes = 0; }, {},
            "services.preview.scaleToZero.idleMinutes: 0 must be > 0"],
        ["a namespace CloudWatch reserves", "preview", (s) => { s.scaleToZero.namespace = "AWS/Preview"; }, {},
            'services.preview.scaleToZero.namespace: "AWS/Preview" starts with "AWS/", which CloudWatch reserves for AWS services (PutMetricData refuses it)'],
        ["a misspelt key", "preview", (s) => { s.scaleToZero.idleMinute = 5; }, {},
            "services.preview.scaleToZero.idleMinute: unknown key (value 5); check the spelling"],
    ];

    for (const [title, key, change, extra, message] of table) {
        it(`refuses ${title}`, () => {
            const problems = problemsWith(key, change, extra);
            expect(problems.some((p) => p.startsWith(message)), `${JSON.stringify(problems, null, 1)}\n should include: ${message}`).to.equal(true);
        });
    }

    it("accepts an idle window of exactly 2 check periods", () => {
        expect(problemsWith("preview", (s) => { s.scaleToZero.idleMinutes = 10; s.scaleToZero.checkSchedule = "rate(5 minutes)"; })).to.deep.equal([]);
    });

    it("rate periods as EventBridge counts them", () => {
        expect([ratePeriodSeconds("rate(1 minute)"), ratePeriodSeconds("rate(5 minutes)"), ratePeriodSeconds("rate(2 hours)"), ratePeriodSeconds("rate(1 day)")])
            .to.deep.equal([{ seconds: 60 }, { seconds: 300 }, { seconds: 7200 }, { seconds: 86400 }]);
        expect(ratePeriodSeconds("rate(0 minutes)")).to.deep.equal({ problem: "must run at least once per period: the rate value must be >= 1" });
    });
});
