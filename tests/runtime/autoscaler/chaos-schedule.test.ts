/**
 * The failure-simulation schedule on a fake clock: enabled kinds on their intervals, counted, stopped,
 * and the autoscaler's writes held during a scheduled drain.
 */
import { DescribeTasksCommand, ListTasksCommand, StopTaskCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { GetQueueAttributesCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { expect } from "chai";
import { ChaosScheduler } from "../../../runtime/autoscaler/chaos";
import { AutoscalerMetrics } from "../../../runtime/autoscaler/metrics";
import { type FakeTime } from "../support";
import { QUEUE_URL, QUEUE_ARN, taskArn, chaosHarness } from "./chaos-harness";

describe("failure simulation: schedule", () => {
    let t: FakeTime;
    const { ecsMock, sqsMock, target } = chaosHarness(__filename, { reset: (fresh) => ({ t } = fresh) });

    describe("schedule", () => {
        it("runs enabled kinds on their intervals on the injected clock, counts them, and stops", async () => {
            ecsMock.on(ListTasksCommand).resolves({ taskArns: [taskArn("a")] });
            ecsMock.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: taskArn("a"), group: "service:worker" }] });
            const stops: number[] = [];
            ecsMock.on(StopTaskCommand).callsFake(() => {
                stops.push(t.now());
                return {};
            });
            const metrics = new AutoscalerMetrics();
            const scheduler = new ChaosScheduler({
                target, allowed: true, clock: t.now, sleep: t.sleep, pollIntervalMs: 5_000, recoveryTimeoutMs: 20_000, drainTimeoutMs: 30_000,
                onRun: (kind, outcome) => metrics.chaosRun(kind, outcome),
                schedule: { stopTask: { enabled: true, intervalMs: 60_000 }, drain: { enabled: false, intervalMs: 60_000 }, partition: { enabled: false, intervalMs: 60_000, durationMs: 1_000 } },
            });
            scheduler.start();
            await t.settle();
            expect(stops).to.deep.equal([]);
            for (let i = 0; i < 125; i++) {
                await t.advance(1_000);
                await t.settle();
            }
            expect(stops).to.deep.equal([5_060_000, 5_120_000]);
            await scheduler.stop();
            expect(scheduler.reports.map((r) => r.outcome)).to.deep.equal(["done", "done"]);
            const runs = await metrics.registry.getSingleMetric("autoscaler_chaos_runs_total")!.get();
            expect(runs.values.map((v) => [v.labels.kind, v.labels.outcome, v.value])).to.deep.equal([["stop-task", "done", 2]]);
        });

        it("stop() during a scheduled partition restores the policy before it resolves", async () => {
            let current: string | undefined;
            sqsMock.on(GetQueueAttributesCommand).callsFake(() => ({ Attributes: { QueueArn: QUEUE_ARN, ...(current ? { Policy: current } : {}) } }));
            sqsMock.on(SetQueueAttributesCommand).callsFake((input: { Attributes: { Policy: string } }) => {
                current = input.Attributes.Policy;
                return {};
            });
            const scheduler = new ChaosScheduler({
                target, allowed: true, clock: t.now, sleep: t.sleep,
                schedule: { stopTask: { enabled: false, intervalMs: 60_000 }, drain: { enabled: false, intervalMs: 60_000 }, partition: { enabled: true, intervalMs: 30_000, durationMs: 600_000 } },
            });
            scheduler.start();
            await t.settle();
            await t.advance(40_000);
            await t.settle();
            expect(sqsMock.commandCalls(SetQueueAttributesCommand)).to.have.length(1);
            await scheduler.stop();
            expect(sqsMock.commandCalls(SetQueueAttributesCommand).map((c) => c.args[0].input.Attributes!.Policy)).to.have.length(2);
            expect(sqsMock.commandCalls(SetQueueAttributesCommand)[1]!.args[0].input).to.deep.equal({ QueueUrl: QUEUE_URL, Attributes: { Policy: "" } });
            expect(scheduler.reports.map((r) => [r.kind, r.outcome])).to.deep.equal([["partition", "interrupted"]]);
        });

        it("holds the autoscaler's writes during a scheduled drain", async () => {
            const held: string[] = [];
            const scheduler = new ChaosScheduler({
                target, allowed: true, clock: t.now, sleep: t.sleep, pollIntervalMs: 5_000, recoveryTimeoutMs: 20_000, drainTimeoutMs: 30_000,
                schedule: { stopTask: { enabled: false, intervalMs: 60_000 }, drain: { enabled: true, intervalMs: 10_000 }, partition: { enabled: false, intervalMs: 60_000, durationMs: 1_000 } },
                hold: async (run) => {
                    held.push(`start ${t.now()}`);
                    try {
                        return await run();
                    } finally {
                        held.push(`end ${t.now()}`);
                    }
                },
            });
            scheduler.start();
            await t.settle();
            await t.advance(10_000);
            await t.settle();
            for (let i = 0; i < 2; i++) {
                await t.advance(5_000);
                await t.settle();
            }
            await scheduler.stop();
            // Drained at the second poll, 5 s in; restored; running back at the next poll, 5 s later.
            expect(held).to.deep.equal(["start 5010000", "end 5020000"]);
            expect(scheduler.reports[0]!.recovery).to.deep.equal({ recovered: true, seconds: 5, text: "recovered in 5s (running 3 >= desired 3)" });
            expect(ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.desiredCount)).to.deep.equal([0, 3]);
            expect(scheduler.reports.map((r) => [r.kind, r.outcome, r.details.drained])).to.deep.equal([["drain", "done", true]]);
        });
    });
});
