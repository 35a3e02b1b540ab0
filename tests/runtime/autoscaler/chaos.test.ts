import {
    DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTagsForResourceCommand, ListTasksCommand, StopTaskCommand, TagResourceCommand, UntagResourceCommand,
    UpdateServiceCommand, type UpdateServiceCommandInput,
} from "@aws-sdk/client-ecs";
import { GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { ChaosNotAllowedError, ChaosScheduler, clearExpiredPartitions, healLeftovers, partitionPolicy, runChaos, STOP_TASK_REASON, type ChaosKind, type ChaosOptions, type ChaosTarget } from "../../../runtime/autoscaler/chaos";
import { AutoscalerMetrics } from "../../../runtime/autoscaler/metrics";
import { runChaosOnce } from "../../../runtime/autoscaler/service";
import { CHAOS_TIMING_DEFAULTS } from "../../../runtime/autoscaler/settings";
import { captureLogs, CLIENT_CONFIG, fakeTime, sdkError, type FakeTime } from "../support";
import { recordAwsCalls } from "../../helpers/aws-call-recorder";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/work";
const QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:work";
const ROLE = "arn:aws:iam::123456789012:role/demo-worker-task";
const taskArn = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/main/${id}`;

describe("failure simulation", () => {
    recordAwsCalls(__filename, "autoscaler-failure-simulation", { cluster: "main", service: "worker", queue: "work" });
    const ecs = new ECSClient(CLIENT_CONFIG);
    const sqs = new SQSClient(CLIENT_CONFIG);
    const ecsMock = mockClient(ecs);
    const sqsMock = mockClient(sqs);
    const target: ChaosTarget = { ecs, sqs, cluster: "main", service: "worker", queueUrl: QUEUE_URL, workerRoleArn: ROLE };
    let t: FakeTime;
    let svc: { desired: number; running: number };
    /** How DescribeServices moves running after each read; default: running follows desired at once. */
    let step: (s: { desired: number; running: number }) => void;

    function mockEcs(): void {
        ecsMock.on(DescribeServicesCommand).callsFake(() => {
            const answer = { services: [{ serviceName: "worker", desiredCount: svc.desired, runningCount: svc.running, pendingCount: 0 }] };
            step(svc);
            return answer;
        });
        ecsMock.on(UpdateServiceCommand).callsFake((input: UpdateServiceCommandInput) => {
            svc.desired = input.desiredCount!;
            return {};
        });
    }

    const options = (extra: Partial<ChaosOptions> = {}): ChaosOptions => ({
        allowed: true, clock: t.now, sleep: t.sleep, pollIntervalMs: 5_000, recoveryTimeoutMs: 20_000, drainTimeoutMs: 30_000, partitionDurationMs: 60_000, ...extra,
    });

    /** Runs `run` while advancing fake time in steps until it settles. */
    async function drive<T>(run: Promise<T>, stepMs = 1_000, limitMs = 600_000): Promise<T> {
        let done = false;
        const result = run.finally(() => (done = true));
        for (let waited = 0; !done && waited <= limitMs; waited += stepMs) {
            await t.settle();
            if (!done) await t.advance(stepMs);
        }
        return result;
    }

    beforeEach(() => {
        t = fakeTime(5_000_000);
        svc = { desired: 3, running: 3 };
        step = (s) => {
            s.running = s.desired;
        };
        mockEcs();
    });
    afterEach(() => {
        ecsMock.reset();
        sqsMock.reset();
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

    describe("partition", () => {
        const EXISTING = '{\n  "Version": "2012-10-17",\n  "Id": "work-policy",\n  "Statement": [{"Sid": "AllowSns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:work"}]\n}';
        /** The Deny of a partition started at the fake clock's start (5 000 s) for 60 s: it lapses at 5 060 s by itself. */
        const DENY = {
            Sid: "ecs-autoscaling-partition-5060",
            Effect: "Deny",
            Principal: { AWS: ROLE },
            Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
            Resource: QUEUE_ARN,
            Condition: { DateLessThan: { "aws:CurrentTime": "1970-01-01T01:24:20.000Z" } },
        };
        const policies = () => sqsMock.commandCalls(SetQueueAttributesCommand).map((c) => c.args[0].input);
        /** The queue as SQS holds it: GetQueueAttributes answers what the last SetQueueAttributes wrote. */
        function mockQueue(policy: string | undefined, failSets: number[] = []): void {
            let current = policy;
            let sets = 0;
            sqsMock.on(GetQueueAttributesCommand).callsFake(() => ({ Attributes: { QueueArn: QUEUE_ARN, ...(current === undefined || current === "" ? {} : { Policy: current }) } }));
            sqsMock.on(SetQueueAttributesCommand).callsFake((input: { Attributes: { Policy: string } }) => {
                sets++;
                if (failSets.includes(sets)) throw sdkError("ThrottlingException", "Rate exceeded");
                current = input.Attributes.Policy;
                return {};
            });
        }

        it("adds an expiring Deny statement to the existing policy, waits the duration, then restores the exact previous string", async () => {
            mockQueue(EXISTING);
            const run = runChaos("partition", target, options());
            await t.settle();
            expect(sqsMock.commandCalls(GetQueueAttributesCommand).map((c) => c.args[0].input)).to.deep.equal([{ QueueUrl: QUEUE_URL, AttributeNames: ["Policy", "QueueArn"] }]);
            expect(policies()).to.have.length(1);
            expect(policies()[0]!.QueueUrl).to.equal(QUEUE_URL);
            expect(JSON.parse(policies()[0]!.Attributes!.Policy!)).to.deep.equal({ ...JSON.parse(EXISTING), Statement: [...JSON.parse(EXISTING).Statement, DENY] });

            await t.advance(59_999);
            expect(policies()).to.have.length(1);
            await t.advance(1);
            const report = await drive(run);
            expect(policies()).to.have.length(2);
            expect(policies()[1]).to.deep.equal({ QueueUrl: QUEUE_URL, Attributes: { Policy: EXISTING } });
            expect(report.outcome).to.equal("done");
            expect(report.action).to.equal(`denied ${ROLE} sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility on ${QUEUE_ARN} for 60s (statement ecs-autoscaling-partition-5060, lapsing by itself at 1970-01-01T01:24:20.000Z), then restored the previous policy`);
        });

        it("restores an absent policy as the empty string", async () => {
            mockQueue(undefined);
            await drive(runChaos("partition", target, options()));
            expect(JSON.parse(policies()[0]!.Attributes!.Policy!)).to.deep.equal({ Version: "2012-10-17", Statement: [DENY] });
            expect(policies()[1]).to.deep.equal({ QueueUrl: QUEUE_URL, Attributes: { Policy: "" } });
        });

        it("takes out only its own statement when someone changed the policy meanwhile", async () => {
            mockQueue(undefined);
            const run = runChaos("partition", target, options());
            await t.settle();
            const other = { Sid: "AddedMeanwhile", Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE_ARN };
            const cut = JSON.parse(policies()[0]!.Attributes!.Policy!);
            mockQueue(JSON.stringify({ ...cut, Statement: [other, ...cut.Statement] }));
            await drive(run);
            expect(policies()).to.have.length(2);
            expect(JSON.parse(policies()[1]!.Attributes!.Policy!)).to.deep.equal({ Version: "2012-10-17", Statement: [other] });
        });

        it("restores at once when interrupted mid-partition", async () => {
            mockQueue(EXISTING);
            const abort = new AbortController();
            const run = runChaos("partition", target, options({ signal: abort.signal }));
            await t.settle();
            await t.advance(10_000);
            abort.abort();
            await t.settle();
            const report = await run;
            expect(policies().map((p) => p.Attributes!.Policy === EXISTING)).to.deep.equal([false, true]);
            expect([report.outcome, report.details.partitionSeconds]).to.deep.equal(["interrupted", 10]);
        });

        it("retries a failed restore until it succeeds", async () => {
            mockQueue(undefined, [2, 3]);
            const logs = captureLogs();
            await drive(runChaos("partition", target, options({ logger: logs.logger })));
            expect(policies().map((p) => p.Attributes!.Policy)).to.have.length(4);
            expect(policies()[3]!.Attributes!.Policy).to.equal("");
            expect(logs.lines.filter((l) => l.level === 40).map((l) => l.attempt)).to.deep.equal([1, 2]);
        });

        it("refuses to stack on a partition that is still in force, changing nothing", async () => {
            const live = partitionPolicy(undefined, QUEUE_ARN, ROLE, 5_030_000, 4_990_000);
            mockQueue(live);
            const error = await runChaos("partition", target, options()).then(() => undefined, (e: unknown) => e as Error);
            expect(error!.message).to.equal('the queue policy holds partition statement "ecs-autoscaling-partition-5030", in force until 1970-01-01T01:23:50.000Z; another partition is on');
            expect(policies()).to.have.length(0);
        });

        it("clears the expired statement a killed run left, then partitions and restores the policy without it", async () => {
            const left = partitionPolicy(EXISTING, QUEUE_ARN, ROLE, 4_999_000, 4_900_000);
            mockQueue(left);
            const report = await drive(runChaos("partition", target, options()));
            expect(JSON.parse(policies()[0]!.Attributes!.Policy!).Statement.map((st: { Sid: string }) => st.Sid)).to.deep.equal(["AllowSns", "ecs-autoscaling-partition-5060"]);
            expect(JSON.parse(policies()[1]!.Attributes!.Policy!)).to.deep.equal(JSON.parse(EXISTING));
            expect(report.details.expiredStatementsCleared).to.equal(1);
        });

        it("the expiry is in the statement: clearExpiredPartitions keeps it until then and drops it after", () => {
            const written = partitionPolicy(EXISTING, QUEUE_ARN, ROLE, 5_060_000, 5_000_000);
            expect(clearExpiredPartitions(written, 5_059_999)).to.deep.equal({ policy: written, removed: 0, active: 1 });
            const after = clearExpiredPartitions(written, 5_060_000);
            expect([after.removed, after.active, JSON.parse(after.policy)]).to.deep.equal([1, 0, JSON.parse(EXISTING)]);
            expect(clearExpiredPartitions(partitionPolicy(undefined, QUEUE_ARN, ROLE, 5_060_000, 5_000_000), 5_060_000).policy).to.equal("");
        });

        it("needs the SQS client, queue URL and worker role", async () => {
            const error = await runChaos("partition", { ecs, cluster: "main", service: "worker" }, options()).then(() => undefined, (e: unknown) => e as Error);
            expect(error!.message).to.equal('failure simulation "partition" needs sqs, queueUrl, workerRoleArn');
            expect(sqsMock.calls()).to.have.length(0);
        });
    });

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
