/**
 * The behaviour half of `autoscale diff` without git or child processes: which services count as
 * changed, and that each side is simulated exactly as `autoscale simulate` simulates that stack (the
 * same figures for the same stack config), for a service Application Auto Scaling owns and for the one
 * the queue autoscaler owns.
 */
import { expect } from "chai";
import type { StackConfig } from "../../config/load";
import { changedServices, compareBehaviour, DIFF_TRACES } from "../../diff/behaviour";
import type { SnapshotService } from "../../diff/snapshot";
import { simulateStack } from "../../proof/simulate";
import { loadStackFile, stackFileConfig } from "../helpers/stack-files";

function sides(config: StackConfig): { services: SnapshotService[]; autoscaler: StackConfig["autoscaler"] } {
    return {
        services: Object.values(config.services).map((s) => ({ key: s.key, name: s.name, consumesQueue: s.consumesQueue ?? null, scaledBy: s.scaledBy, plan: s.plan })),
        autoscaler: config.autoscaler,
    };
}

/** `autoscale simulate --stack staging --service <key> --trace <trace>` with its defaults, as figures per controller. */
function simulated(config: StackConfig, service: string, trace: string): Record<string, unknown> {
    const run = simulateStack(config, { service, trace, seed: "1", out: "unused", tick: "5", workerRate: "2", targetAge: "60", taskCapacity: "100" });
    return Object.fromEntries(run.results.map((r) => [r.controller, r.metrics]));
}

describe("autoscale diff: simulated behaviour before and after", () => {
    const base = loadStackFile("staging");
    const autoscaler = stackFileConfig("staging")["ecs-autoscaling:autoscaler"] as Record<string, unknown>;

    it("the queue autoscaler's settings change only the service it owns (jobs), run by its decision function as `autoscale simulate` runs it", () => {
        const head = loadStackFile("staging", { autoscaler: { ...autoscaler, scaleUpThreshold: 40 } });
        const changed = changedServices(sides(base), sides(head));
        expect(changed.map((c) => c.key)).to.deep.equal(["jobs"]);
        const b = compareBehaviour(changed[0].before, changed[0].after);
        expect(b.controllers).to.deep.equal({ before: "queue-autoscaler", after: "queue-autoscaler" });
        expect(b.traces.map((t) => t.trace)).to.deep.equal([...DIFF_TRACES]);
        for (const t of b.traces) {
            expect(t.before!.metrics, `${t.trace} before`).to.deep.equal(simulated(base, "jobs", t.trace)["queue-autoscaler"]);
            expect(t.after!.metrics, `${t.trace} after`).to.deep.equal(simulated(head, "jobs", t.trace)["queue-autoscaler"]);
        }
        expect(b.traces.some((t) => JSON.stringify(t.before!.metrics) !== JSON.stringify(t.after!.metrics)), "a threshold four times higher changes some trace's figures").to.equal(true);
    });

    it("the worker's step threshold changes only the worker, run by the engine as `autoscale simulate` runs it", () => {
        const services = stackFileConfig("staging")["ecs-autoscaling:services"] as any;
        const worker = structuredClone(services.worker);
        const steps = worker.policies.find((p: { kind: string }) => p.kind === "stepScaling");
        expect(steps.scaleOut.steps[0].lower).to.equal(50);
        steps.scaleOut.steps[0].lower = 80;
        const head = loadStackFile("staging", { services: { ...services, worker } });
        const changed = changedServices(sides(base), sides(head));
        expect(changed.map((c) => c.key)).to.deep.equal(["worker"]);
        const b = compareBehaviour(changed[0].before, changed[0].after);
        expect(b.controllers).to.deep.equal({ before: "application-auto-scaling", after: "application-auto-scaling" });
        for (const t of b.traces) {
            expect(t.before!.metrics, `${t.trace} before`).to.deep.equal(simulated(base, "worker", t.trace)["application-auto-scaling"]);
            expect(t.after!.metrics, `${t.trace} after`).to.deep.equal(simulated(head, "worker", t.trace)["application-auto-scaling"]);
        }
    });

    it("an unchanged stack changes no service", () => {
        expect(changedServices(sides(base), sides(loadStackFile("staging")))).to.deep.equal([]);
    });

    it("a service the autoscaler stops scaling is run before and not after", () => {
        const head = loadStackFile("staging", { autoscaler: { ...autoscaler, enabled: false } });
        const changed = changedServices(sides(base), sides(head));
        expect(changed.map((c) => c.key)).to.deep.equal(["jobs"]);
        const b = compareBehaviour(changed[0].before, changed[0].after);
        // jobs has no policies of its own: with the autoscaler off, nothing scales it.
        expect(b.controllers).to.deep.equal({ before: "queue-autoscaler" });
        expect(b.traces.every((t) => t.before !== undefined && t.after === undefined)).to.equal(true);
    });
});

