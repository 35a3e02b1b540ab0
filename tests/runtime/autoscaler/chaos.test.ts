/**
 * The failure simulations against stubbed ECS and SQS: refused unless allowed, stop-task (a random
 * worker task, then recovery), and drain (to 0 and back, its restore count kept in tags).
 */
import { DescribeServicesCommand, DescribeTasksCommand, ListTagsForResourceCommand, ListTasksCommand, StopTaskCommand, TagResourceCommand, UntagResourceCommand, UpdateServiceCommand, type UpdateServiceCommandInput } from "@aws-sdk/client-ecs";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { expect } from "chai";
import { ChaosNotAllowedError, ChaosScheduler, healLeftovers, runChaos, STOP_TASK_REASON, type ChaosKind } from "../../../runtime/autoscaler/chaos";
import { runChaosOnce } from "../../../runtime/autoscaler/service";
import { CHAOS_TIMING_DEFAULTS } from "../../../runtime/autoscaler/settings";
import { captureLogs, type FakeTime } from "../support";
import { QUEUE_URL, QUEUE_ARN, ROLE, taskArn, chaosHarness, type CountStep, type ServiceCounts } from "./chaos-harness";

describe("failure simulation", () => {
    let t: FakeTime;
    let svc: ServiceCounts;
    /** How DescribeServices moves running after each read; default: running follows desired at once. */
    let step: CountStep;
    const { ecs, sqs, ecsMock, sqsMock, target, options, drive } = chaosHarness(__filename, {
        reset: (fresh) => ({ t, svc, step } = fresh),
        current: () => ({ t, svc, step }),
    });

    describe("refused unless allowed", () => {
        for (const kind of ["stop-task", "drain", "partition"] as ChaosKind[]) {
            it(`${kind}: ChaosNotAllowedError and no API call`, async () => {
                const error = await runChaos(kind, target, options({ allowed: false })).then(() => undefined, (e: unknown) => e as Error);
                expect(error).to.be.instanceOf(ChaosNotAllowedError);
                expect(error!.message).to.equal(`failure simulation "${kind}" refused: failure simulation is not allowed (set --chaos-allowed or AUTOSCALER_CHAOS_ALLOWED=true)`);
                const again = await runChaosOnce(kind, { allowed: false, cluster: "main", service: "worker", queueUrl: QUEUE_URL, workerRoleArn: ROLE, partitionDurationMs: 1_000, ...CHAOS_TIMING_DEFAULTS }, { ecs, sqs })
                    .then(() => undefined, (e: unknown) => e);
                expect(again).to.be.instanceOf(ChaosNotAllowedError);
                expect([ecsMock.calls().length, sqsMock.calls().length]).to.deep.equal([0, 0]);
            });
        }

        it("a schedule with a kind enabled refuses to start", () => {
            const scheduler = new ChaosScheduler({
                target, allowed: false, clock: t.now, sleep: t.sleep,
                schedule: { stopTask: { enabled: true, intervalMs: 60_000 }, drain: { enabled: false, intervalMs: 60_000 }, partition: { enabled: false, intervalMs: 60_000, durationMs: 1_000 } },
            });
            expect(() => scheduler.start()).to.throw(ChaosNotAllowedError);
        });
    });

    describe("stop-task", () => {
        it("lists RUNNING tasks of the service, keeps group service:<name>, stops a random one with the simulation's reason", async () => {
            ecsMock.on(ListTasksCommand).resolves({ taskArns: [taskArn("a"), taskArn("b"), taskArn("c"), taskArn("d")] });
            ecsMock.on(DescribeTasksCommand).resolves({
                tasks: [
                    { taskArn: taskArn("a"), group: "service:worker" },
                    { taskArn: taskArn("b"), group: "service:api" },
                    { taskArn: taskArn("c"), group: "family:worker" },
                    { taskArn: taskArn("d"), group: "service:worker" },
                ],
            });
            ecsMock.on(StopTaskCommand).resolves({});
            const logs = captureLogs();
            const report = await drive(runChaos("stop-task", target, options({ random: () => 0.99, logger: logs.logger })));
            expect(ecsMock.commandCalls(ListTasksCommand).map((c) => c.args[0].input)).to.deep.equal([{ cluster: "main", serviceName: "worker", desiredStatus: "RUNNING", nextToken: undefined }]);
            expect(ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input)).to.deep.equal([{ cluster: "main", tasks: [taskArn("a"), taskArn("b"), taskArn("c"), taskArn("d")] }]);
            expect(ecsMock.commandCalls(StopTaskCommand).map((c) => c.args[0].input)).to.deep.equal([{ cluster: "main", task: taskArn("d"), reason: STOP_TASK_REASON }]);
            expect(STOP_TASK_REASON).to.equal("ecs-autoscaling failure simulation (stop-task): worker stopped on purpose");
            expect([report.kind, report.outcome, report.action]).to.deep.equal(["stop-task", "done", `stopped task ${taskArn("d")} (1 of 2 running)`]);
            expect(report.recovery).to.deep.equal({ recovered: true, seconds: 0, text: "recovered in 0s (running 3 >= desired 3)" });
            expect(logs.lines.map((l) => l.msg)).to.deep.equal([`failure simulation stop-task: stopped task ${taskArn("d")} (1 of 2 running); recovered in 0s (running 3 >= desired 3)`]);
        });

        it("follows ListTasks pages and measures recovery by polling until running >= desired", async () => {
            ecsMock.on(ListTasksCommand, { nextToken: undefined }).resolves({ taskArns: [taskArn("a")], nextToken: "p2" });
            ecsMock.on(ListTasksCommand, { nextToken: "p2" }).resolves({ taskArns: [taskArn("b")] });
            ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: taskArn("a"), group: "service:worker" }, { taskArn: taskArn("b"), group: "service:worker" }] });
            ecsMock.on(StopTaskCommand).callsFake(() => {
                svc.running = 2;
                // The replacement starts after three polls.
                let polls = 0;
                step = (s) => {
                    if (++polls >= 3) s.running = s.desired;
                };
                return {};
            });
            const report = await drive(runChaos("stop-task", target, options({ random: () => 0 })));
            expect(ecsMock.commandCalls(ListTasksCommand)).to.have.length(2);
            expect(ecsMock.commandCalls(StopTaskCommand)[0]!.args[0].input.task).to.equal(taskArn("a"));
            expect(report.recovery).to.deep.equal({ recovered: true, seconds: 15, text: "recovered in 15s (running 3 >= desired 3)" });
        });

        it("reports 'not recovered within 20s' when running stays below desired", async () => {
            ecsMock.on(ListTasksCommand).resolves({ taskArns: [taskArn("a")] });
            ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: taskArn("a"), group: "service:worker" }] });
            ecsMock.on(StopTaskCommand).callsFake(() => {
                svc.running = 2;
                step = () => undefined;
                return {};
            });
            const report = await drive(runChaos("stop-task", target, options()));
            expect(report.recovery).to.deep.equal({ recovered: false, seconds: 20, text: "not recovered within 20s" });
            expect(report.outcome).to.equal("done");
            // Polled at 0, 5, 10, 15 and 20 s.
            expect(ecsMock.commandCalls(DescribeServicesCommand)).to.have.length(5);
        });

        it("stops nothing when the service has no running task", async () => {
            ecsMock.on(ListTasksCommand).resolves({ taskArns: [taskArn("x")] });
            ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: taskArn("x"), group: "service:other" }] });
            const report = await drive(runChaos("stop-task", target, options()));
            expect([report.outcome, report.action]).to.deep.equal(["nothing_to_do", "no running task of service worker to stop"]);
            expect(ecsMock.commandCalls(StopTaskCommand)).to.have.length(0);
        });
    });

    describe("drain", () => {
        it("sets desired 0, polls until running is 0, restores the previous desired count, measures recovery", async () => {
            let polls = 0;
            step = (s) => {
                // Running falls one task per poll towards desired.
                polls++;
                if (s.running > s.desired) s.running--;
                else if (s.running < s.desired) s.running = s.desired;
            };
            const report = await drive(runChaos("drain", target, options()));
            expect(ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).to.deep.equal([
                { cluster: "main", service: "worker", desiredCount: 0 },
                { cluster: "main", service: "worker", desiredCount: 3 },
            ]);
            expect(svc.desired).to.equal(3);
            expect(report.outcome).to.equal("done");
            expect(report.action).to.equal("set desired of worker from 3 to 0, drained to 0 running in 15s, restored desired 3");
            expect(report.details).to.deep.equal({ previousDesired: 3, drained: true, drainSeconds: 15 });
            expect(report.recovery!.recovered).to.equal(true);
            expect(polls).to.be.greaterThan(4);
        });

        it("records the count to restore on the service before draining, and removes the record after restoring", async () => {
            const ARN = "arn:aws:ecs:us-east-1:123456789012:service/main/worker";
            const order: string[] = [];
            ecsMock.on(DescribeServicesCommand).callsFake(() => ({ services: [{ serviceName: "worker", serviceArn: ARN, desiredCount: svc.desired, runningCount: svc.desired, pendingCount: 0 }] }));
            ecsMock.on(UpdateServiceCommand).callsFake((input: UpdateServiceCommandInput) => {
                order.push(`UpdateService ${input.desiredCount}`);
                svc.desired = input.desiredCount!;
                return {};
            });
            ecsMock.on(TagResourceCommand).callsFake((input: { resourceArn: string; tags: { key: string; value: string }[] }) => {
                order.push(`TagResource ${input.resourceArn} ${input.tags.map((x) => `${x.key}=${x.value}`).join(",")}`);
                return {};
            });
            ecsMock.on(UntagResourceCommand).callsFake((input: { resourceArn: string; tagKeys: string[] }) => {
                order.push(`UntagResource ${input.tagKeys.join(",")}`);
                return {};
            });
            await drive(runChaos("drain", target, options()));
            expect(order).to.deep.equal([
                `TagResource ${ARN} ecs-autoscaling:drain-restore=3/5000000`,
                "UpdateService 0",
                "UpdateService 3",
                "UntagResource ecs-autoscaling:drain-restore",
            ]);
        });

        it("heals a drain killed before it restored: the recorded count comes back, once", async () => {
            const ARN = "arn:aws:ecs:us-east-1:123456789012:service/main/worker";
            svc = { desired: 0, running: 0 };
            let tags = [{ key: "ecs-autoscaling:drain-restore", value: "4/4990000" }, { key: "team", value: "x" }];
            ecsMock.on(DescribeServicesCommand).callsFake(() => ({ services: [{ serviceName: "worker", serviceArn: ARN, desiredCount: svc.desired, runningCount: svc.running, pendingCount: 0 }] }));
            ecsMock.on(ListTagsForResourceCommand).callsFake(() => ({ tags }));
            ecsMock.on(UntagResourceCommand).callsFake((input: { tagKeys: string[] }) => {
                tags = tags.filter((x) => !input.tagKeys.includes(x.key));
                return {};
            });
            sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: QUEUE_ARN } });
            const healed = await healLeftovers(target, { clock: t.now });
            expect(healed).to.deep.equal(["restored desired 4 of worker, left at 0 by a drain started at 1970-01-01T01:23:10.000Z that did not finish"]);
            expect(ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).to.deep.equal([{ cluster: "main", service: "worker", desiredCount: 4 }]);
            expect(tags).to.deep.equal([{ key: "team", value: "x" }]);
            expect(await healLeftovers(target, { clock: t.now })).to.deep.equal([]);
            expect(ecsMock.commandCalls(UpdateServiceCommand)).to.have.length(1);
        });

        it("restores the previous desired count when running never reaches 0", async () => {
            step = () => undefined;
            const report = await drive(runChaos("drain", target, options()));
            expect(ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.desiredCount)).to.deep.equal([0, 3]);
            expect(report.action).to.equal("set desired of worker from 3 to 0, running did not reach 0 within 30s, restored desired 3");
        });

        it("restores the previous desired count when interrupted", async () => {
            step = () => undefined;
            const abort = new AbortController();
            const run = runChaos("drain", target, options({ signal: abort.signal }));
            await t.settle();
            await t.advance(7_000);
            abort.abort();
            const report = await drive(run);
            expect(ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.desiredCount)).to.deep.equal([0, 3]);
            expect([report.outcome, report.recovery]).to.deep.equal(["interrupted", undefined]);
        });

        it("does nothing to a service already at desired 0", async () => {
            svc = { desired: 0, running: 0 };
            const report = await drive(runChaos("drain", target, options()));
            expect(report.outcome).to.equal("nothing_to_do");
            expect(ecsMock.commandCalls(UpdateServiceCommand)).to.have.length(0);
        });
    });
});
