/**
 * `kind: backlogPerTask`: staging's batch consumer, and for every rule one accepted and one refused value
 * with the exact message (the target as AWS defines it, acceptable latency / seconds per message or
 * explicit, within Application Auto Scaling's TargetValue range; the queue; Container Insights on the
 * cluster; the one-owner rule against the queue autoscaler).
 */
import { expect } from "chai";
import { loadStackConfig } from "../../config/load";
import { problemsOf } from "../helpers/config-problems";
import { rawProjectConfig } from "../helpers/stack-files";

const ctx = { project: "ecs-autoscaling", stack: "staging" };

/** Staging with its services changed by `change` (and other keys set); the problems (empty when valid). */
function problemsWith(change: (services: any) => void, extra: Record<string, string> = {}): string[] {
    const services = JSON.parse(rawProjectConfig("staging").services);
    change(services);
    return problemsOf({ services, ...extra });
}

/** Staging with batch's policy replaced by `policy`. */
const batchPolicy = (policy: Record<string, unknown>) => (s: any) => { s.batch.policies = [policy]; };
const AT = "services.batch.policies[0]";

describe("config: backlogPerTask", () => {
    it("staging's batch: m1 the batch queue's visible messages (Sum), m2 its running tasks (Average), target 60 s / 1 s = 60", () => {
        const batch = loadStackConfig(rawProjectConfig("staging"), ctx).services.batch;
        expect(batch.scaledBy).to.equal("applicationAutoScaling");
        expect(batch.plan.policies).to.deep.equal([{
            kind: "backlogPerTask",
            name: "backlog",
            backlog: { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: "ecs-autoscaling-staging-batch" }, statistic: "Sum" },
            runningTasks: {
                namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount",
                dimensions: { ClusterName: "ecs-autoscaling-staging", ServiceName: "ecs-autoscaling-staging-batch" }, statistic: "Average",
            },
            targetValue: 60,
            cooldowns: { scaleOut: 60, scaleIn: 300 },
            disableScaleIn: false,
        }]);
        expect(loadStackConfig(rawProjectConfig("staging"), ctx).containerInsights).to.equal(true);
    });

    it("AWS's example: 10 s acceptable latency / 0.1 s per message is a target of 100; an explicit target, queue and cooldowns pass through", () => {
        const services = JSON.parse(rawProjectConfig("staging").services);
        services.batch.policies = [{ kind: "backlogPerTask", name: "aws-example", acceptableLatencySeconds: 10, secondsPerMessage: 0.1 }];
        services.gateway.policies.push({ kind: "backlogPerTask", queue: "work", target: 25, scaleOutCooldown: 30, scaleInCooldown: 600, disableScaleIn: true });
        const c = loadStackConfig(rawProjectConfig("staging", { services }), ctx);
        expect(c.services.batch.plan.policies[0]).to.include({ name: "aws-example", targetValue: 100 });
        const gw = c.services.gateway.plan.policies[3];
        expect(gw).to.deep.include({ name: "backlog", targetValue: 25, cooldowns: { scaleOut: 30, scaleIn: 600 }, disableScaleIn: true });
        expect(gw.kind === "backlogPerTask" && gw.backlog.dimensions).to.deep.equal({ QueueName: "ecs-autoscaling-staging-work" });
    });

    // [rule, accepted change, refused change, exact message of the refusal]
    const table: [string, (s: any) => void, (s: any) => void, string, Record<string, string>?][] = [
        ["target or the latency pair, not both",
            batchPolicy({ kind: "backlogPerTask", target: 60 }),
            batchPolicy({ kind: "backlogPerTask", target: 60, acceptableLatencySeconds: 60, secondsPerMessage: 1 }),
            `${AT}.target: 60 and ${AT}.acceptableLatencySeconds are both set; set target (messages per task) or acceptableLatencySeconds with secondsPerMessage (target = their ratio), not both`],
        ["the latency pair is whole",
            batchPolicy({ kind: "backlogPerTask", acceptableLatencySeconds: 60, secondsPerMessage: 1 }),
            batchPolicy({ kind: "backlogPerTask", acceptableLatencySeconds: 60 }),
            `${AT}.secondsPerMessage: (missing) is required with ${AT}.acceptableLatencySeconds: the target is acceptableLatencySeconds / secondsPerMessage`],
        ["a target is given one way or the other",
            batchPolicy({ kind: "backlogPerTask", target: 1 }),
            batchPolicy({ kind: "backlogPerTask" }),
            `${AT}.target: (missing) set target (messages per task) or acceptableLatencySeconds with secondsPerMessage (AWS's backlog per task: acceptable latency / time per message)`],
        ["acceptableLatencySeconds > 0",
            batchPolicy({ kind: "backlogPerTask", acceptableLatencySeconds: 0.5, secondsPerMessage: 0.1 }),
            batchPolicy({ kind: "backlogPerTask", acceptableLatencySeconds: 0, secondsPerMessage: 0.1 }),
            `${AT}.acceptableLatencySeconds: 0 must be > 0 seconds`],
        ["secondsPerMessage > 0",
            batchPolicy({ kind: "backlogPerTask", acceptableLatencySeconds: 10, secondsPerMessage: 0.001 }),
            batchPolicy({ kind: "backlogPerTask", acceptableLatencySeconds: 10, secondsPerMessage: -1 }),
            `${AT}.secondsPerMessage: -1 must be > 0 seconds`],
        ["target within Application Auto Scaling's TargetValue range",
            batchPolicy({ kind: "backlogPerTask", target: 6e54 }),
            batchPolicy({ kind: "backlogPerTask", target: 1e55 }),
            `${AT}.target: 1e+55 must be between 8.51592e-109 and 6.646144e+54 (Application Auto Scaling TargetValue)`],
        ["the ratio within the same range",
            batchPolicy({ kind: "backlogPerTask", acceptableLatencySeconds: 6e44, secondsPerMessage: 1e-10 }),
            batchPolicy({ kind: "backlogPerTask", acceptableLatencySeconds: 1e54, secondsPerMessage: 0.125 }),
            `${AT}.acceptableLatencySeconds: 1e+54 / secondsPerMessage 0.125 = 8e+54 must be between 8.51592e-109 and 6.646144e+54 (Application Auto Scaling TargetValue)`],
        ["queue: one of the stack's queues",
            batchPolicy({ kind: "backlogPerTask", queue: "work", target: 60 }),
            batchPolicy({ kind: "backlogPerTask", queue: "orders", target: 60 }),
            `${AT}.queue: "orders" is not one of the stack's queues; expected one of work, jobs, batch`],
        ["queue: required without consumesQueue",
            (s) => { s.gateway.policies.push({ kind: "backlogPerTask", queue: "work", target: 60 }); },
            (s) => { s.gateway.policies.push({ kind: "backlogPerTask", target: 60 }); },
            "services.gateway.policies[3].queue: (missing) names the SQS queue whose backlog is divided by the running tasks; required because services.gateway.consumesQueue is not set"],
        ["one owner: not on a service the queue autoscaler owns",
            (s) => { s.jobs.policies = []; },
            (s) => { s.jobs.policies = [{ kind: "backlogPerTask", target: 60 }]; },
            'autoscaler.service: "jobs" is also scaled by Application Auto Scaling through services.jobs.policies (backlog); ' +
            "a service's desired count has one owner: scale it with its policies or with the queue autoscaler (autoscaler.enabled), not both"],
    ];
    for (const [rule, accepted, refused, message] of table) {
        it(`${rule}: accepted, and refused with the exact message`, () => {
            expect(problemsWith(accepted)).to.deep.equal([]);
            expect(problemsWith(refused)).to.deep.equal([message]);
        });
    }

    it("Container Insights: containerInsights false is refused while a service divides by RunningTaskCount, accepted without one", () => {
        expect(problemsWith(() => undefined, { containerInsights: "false" })).to.deep.equal([
            "containerInsights: false cannot hold: backlogPerTask (services.batch.policies[0]) divides by ECS/ContainerInsights RunningTaskCount, " +
            "which only a cluster with Container Insights publishes; set containerInsights true or use another policy kind",
        ]);
        const services = JSON.parse(rawProjectConfig("staging").services);
        services.batch.policies = [{ kind: "cpu", target: 70 }];
        expect(loadStackConfig(rawProjectConfig("staging", { services, containerInsights: "false" }), ctx).containerInsights).to.equal(false);
    });
});
