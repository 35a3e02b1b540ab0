/**
 * `autoscaler.services`: one autoscaler for several queue consumers. Each listed service must exist,
 * consume the queue it names and have no other owner of its desired count; a problem names the key,
 * the value and the rule, before anything is created.
 */
import { expect } from "chai";
import { loadStackConfig } from "../../config/load";
import { rawProjectConfig } from "../helpers/stack-files";
import { problemsOf } from "../helpers/config-problems";

/** Staging's services plus `reports`, a second consumer of the jobs queue with no policy. */
function withReports(change: (services: any) => void = () => undefined): any {
    const services = JSON.parse(rawProjectConfig("staging").services);
    services.reports = { ...services.jobs, minCapacity: 0, maxCapacity: 4 };
    change(services);
    return services;
}

const AUTOSCALER = { enabled: true, intervalSeconds: 5, scaleUpThreshold: 10, scaleDownThreshold: 2, scaleUpCooldownSeconds: 30, scaleDownCooldownSeconds: 120 };

describe("config: autoscaler.services", () => {
    it("scales every listed service from its own queue, with its own bounds and the settings it sets for itself", () => {
        const config = loadStackConfig(rawProjectConfig("staging", {
            services: withReports(),
            autoscaler: { ...AUTOSCALER, services: { jobs: {}, reports: { acceptableAgeSeconds: 120, scaleDownCooldownSeconds: 60, fallback: { failureThreshold: 3, replicas: 2 } } } },
        }), { project: "ecs-autoscaling", stack: "staging" });
        expect(config.autoscaler.scaled).to.deep.equal([
            { service: "jobs", queues: ["jobs"], settings: { min: 0, max: 10 } },
            { service: "reports", queues: ["jobs"], settings: { min: 0, max: 4, acceptableAge: 120, scaleDownCooldown: 60, fallback: { failureThreshold: 3, replicas: 2 } } },
        ]);
        expect([config.services.jobs!.scaledBy, config.services.reports!.scaledBy, config.services.worker!.scaledBy])
            .to.deep.equal(["queueAutoscaler", "queueAutoscaler", "applicationAutoScaling"]);
    });

    it("takes the deployment hold from the stack (default 600 s, ECS's services-stable waiter)", () => {
        const held = loadStackConfig(rawProjectConfig("staging", { autoscaler: { ...AUTOSCALER, service: "jobs", deploymentHoldSeconds: 120 } }), { project: "ecs-autoscaling", stack: "staging" });
        const byDefault = loadStackConfig(rawProjectConfig("staging"), { project: "ecs-autoscaling", stack: "staging" });
        expect([held.autoscaler.deploymentHoldSeconds, byDefault.autoscaler.deploymentHoldSeconds]).to.deep.equal([120, 600]);
    });

    it("keeps today's one-service form as shorthand: autoscaler.service alone is a map of that one service", () => {
        const config = loadStackConfig(rawProjectConfig("staging"), { project: "ecs-autoscaling", stack: "staging" });
        // Staging's worked example also sets the controls of its one service at the top of the key.
        expect(config.autoscaler.scaled).to.deep.equal([{ service: "jobs", queues: ["jobs"], settings: {
            min: 0, max: 10, fallback: { failureThreshold: 6, replicas: 4 }, activation: { messages: 5 }, forecast: { enabled: true, slotSeconds: 900, weight: 0.5, minDays: 1 },
        } }]);
    });

    it("hands each service its fallback, pause, activation and enabled forecast (the forecast's defaults filled in)", () => {
        const config = loadStackConfig(rawProjectConfig("staging", {
            services: withReports(),
            autoscaler: { ...AUTOSCALER, services: { jobs: { paused: true, forecast: { enabled: true } }, reports: { activation: { messages: 5 }, fallback: { failureThreshold: 2, replicas: 0 }, forecast: { enabled: false } } } },
        }), { project: "ecs-autoscaling", stack: "staging" });
        expect(config.autoscaler.scaled.map((s) => s.settings)).to.deep.equal([
            { min: 0, max: 10, paused: true, forecast: { enabled: true, slotSeconds: 900, weight: 0.5, minDays: 1 } },
            { min: 0, max: 4, fallback: { failureThreshold: 2, replicas: 0 }, activation: { messages: 5 } },
        ]);
    });

    it("takes the controls of the one-service form from the top of autoscaler", () => {
        const config = loadStackConfig(rawProjectConfig("staging", {
            autoscaler: { ...AUTOSCALER, service: "jobs", paused: false, fallback: { failureThreshold: 3, replicas: 10 }, forecast: { enabled: true, slotSeconds: 300, weight: 1, minDays: 7 } },
        }), { project: "ecs-autoscaling", stack: "staging" });
        expect(config.autoscaler.scaled).to.deep.equal([{ service: "jobs", queues: ["jobs"], settings: {
            min: 0, max: 10, fallback: { failureThreshold: 3, replicas: 10 }, forecast: { enabled: true, slotSeconds: 300, weight: 1, minDays: 7 },
        } }]);
    });

    const controls = (c: Record<string, unknown>) => ({ services: withReports(), autoscaler: { ...AUTOSCALER, services: { jobs: {}, reports: c } } });
    const table: [string, Record<string, unknown>, string][] = [
        ["a fallback threshold of 0", controls({ fallback: { failureThreshold: 0, replicas: 1 } }),
            "autoscaler.services.reports.fallback.failureThreshold: 0 must be a whole number >= 1"],
        ["a negative fallback count", controls({ fallback: { failureThreshold: 1, replicas: -1 } }),
            "autoscaler.services.reports.fallback.replicas: -1 must be a whole number >= 0"],
        ["a fallback above max in the one-service form", { autoscaler: { ...AUTOSCALER, service: "jobs", fallback: { failureThreshold: 3, replicas: 11 } } },
            "autoscaler.fallback.replicas: 11 must be <= services.jobs.maxCapacity (10)"],
        ["paused as a string", controls({ paused: "yes" }),
            'autoscaler.services.reports.paused: "yes" must be true or false'],
        ["an activation threshold of 0", controls({ activation: { messages: 0 } }),
            "autoscaler.services.reports.activation.messages: 0 must be a whole number >= 1"],
        ["activation on a service whose min is above 0", { services: withReports((s) => { s.reports.minCapacity = 1; }), autoscaler: { ...AUTOSCALER, services: { jobs: {}, reports: { activation: { messages: 5 } } } } },
            "autoscaler.services.reports.activation.messages: 5 applies to a service at 0, but services.reports.minCapacity is 1; set minCapacity: 0 or leave activation out"],
        ["forecast.enabled as a string", controls({ forecast: { enabled: "on" } }),
            'autoscaler.services.reports.forecast.enabled: "on" must be true or false'],
        ["a forecast slot that does not divide a day", controls({ forecast: { enabled: true, slotSeconds: 700 } }),
            "autoscaler.services.reports.forecast.slotSeconds: 700 must be one of 300, 600, 900, 1200, 1800, 3600 (a multiple of 60 that divides a day)"],
        ["a forecast weight of 0", controls({ forecast: { enabled: true, weight: 0 } }),
            "autoscaler.services.reports.forecast.weight: 0 must be a number > 0 and <= 1"],
        ["forecast.minDays of 8", controls({ forecast: { enabled: true, minDays: 8 } }),
            "autoscaler.services.reports.forecast.minDays: 8 must be a whole number >= 1 and <= 7"],
        ["a service that does not exist", { autoscaler: { ...AUTOSCALER, services: { jobs: {}, billing: {} } } },
            'autoscaler.services.billing: "billing" is not a configured service; expected one of api, worker, jobs, batch, gateway, preview'],
        ["a service that consumes no queue", { autoscaler: { ...AUTOSCALER, services: { jobs: {}, gateway: {} } } },
            'autoscaler.services.gateway: "gateway" consumes no queue (services.gateway.consumesQueue is not set); the autoscaler scales a queue consumer from its queue\'s depth'],
        ["a queue the service does not consume", { services: withReports(), autoscaler: { ...AUTOSCALER, services: { jobs: {}, reports: { queues: ["work"] } } } },
            'autoscaler.services.reports.queues: "work" is not the queue services.reports consumes ("jobs"); the autoscaler reads the queues the service consumes'],
        ["a service with scaling policies (another owner of its desired count)", { autoscaler: { ...AUTOSCALER, services: { jobs: {}, worker: {} } } },
            'autoscaler.services.worker: "worker" is also scaled by Application Auto Scaling through services.worker.policies (cpu, memory, queue-depth); ' +
            "a service's desired count has one owner: scale it with its policies or with the queue autoscaler (autoscaler.enabled), not both"],
        ["an empty map", { autoscaler: { ...AUTOSCALER, services: {} } },
            "autoscaler.services: {} names no service; list the services it scales, or leave it out and set autoscaler.service"],
        ["a failure simulation with two services", { services: withReports(), autoscaler: { ...AUTOSCALER, services: { jobs: {}, reports: {} }, failureSimulation: { allowed: true, drain: { enabled: true } } } },
            "autoscaler.failureSimulation: a failure simulation acts on one service, but autoscaler.services lists 2 (jobs, reports); turn the simulations off or scale one service"],
        ["a fallback above the service's max", { services: withReports(), autoscaler: { ...AUTOSCALER, services: { jobs: {}, reports: { fallback: { failureThreshold: 3, replicas: 9 } } } } },
            "autoscaler.services.reports.fallback.replicas: 9 must be <= services.reports.maxCapacity (4)"],
        ["a service's own thresholds inverted", { services: withReports(), autoscaler: { ...AUTOSCALER, services: { jobs: {}, reports: { scaleDownThreshold: 12 } } } },
            "autoscaler.services.reports.scaleDownThreshold: 12 must be < scaleUpThreshold (10)"],
        ["a setting outside the autoscaler's own bounds", { services: withReports(), autoscaler: { ...AUTOSCALER, services: { jobs: {}, reports: { scaleUpCooldownSeconds: -1 } } } },
            "autoscaler.services.reports.scaleUpCooldownSeconds: -1 must be a whole number >= 0 and <= 86400"],
        ["a negative deployment hold", { autoscaler: { ...AUTOSCALER, service: "jobs", deploymentHoldSeconds: -1 } },
            "autoscaler.deploymentHoldSeconds: -1 must be a whole number >= 0 and <= 86400"],
        ["an unknown key of a service", { services: withReports(), autoscaler: { ...AUTOSCALER, services: { jobs: {}, reports: { queue: "jobs" } } } },
            'autoscaler.services.reports.queue: unknown key (value "jobs"); check the spelling'],
    ];
    for (const [title, overrides, message] of table) {
        it(`refuses ${title}, naming the key, the value and the rule`, () => {
            expect(problemsOf(overrides)).to.include(message);
        });
    }
});
