/**
 * The partition failure simulation against stubbed SQS: a Deny for the worker role added to the queue
 * policy with its own expiry, the previous policy restored, leftovers healed.
 */
import { GetQueueAttributesCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { expect } from "chai";
import { clearExpiredPartitions, partitionPolicy, runChaos } from "../../../runtime/autoscaler/chaos";
import { captureLogs, sdkError, type FakeTime } from "../support";
import { QUEUE_URL, QUEUE_ARN, ROLE, chaosHarness } from "./chaos-harness";

describe("failure simulation: partition", () => {
    let t: FakeTime;
    const { ecs, sqsMock, target, options, drive } = chaosHarness(__filename, { reset: (fresh) => ({ t } = fresh) });

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
});
