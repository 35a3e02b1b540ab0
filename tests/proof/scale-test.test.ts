import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import type { ScalingPolicy } from "@aws-sdk/client-application-auto-scaling";
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { main } from "../../cli/autoscale";
import { plannedService } from "../../proof/plan-aws";
import { missedBudget, plannedCount, resultTable, watchCounts } from "../../proof/scale-measure";
import { differenceLines, verifyDifferences, type LiveService } from "../../proof/verify-diff";
import { loadStackFile, stackFileConfig } from "../../config/stack-file";

const staging = loadStackFile("staging");
const worker = staging.services.worker;
const planned = plannedService(worker.plan, staging.names.cluster, worker.name);
const RID = planned.resourceId;

/** The live state exactly as the plan says: what verify must find no difference in. */
function liveFromPlan(): { policies: ScalingPolicy[]; alarms: MetricAlarm[] } {
    const policies: ScalingPolicy[] = [];
    const alarms: MetricAlarm[] = [];
    planned.policies.forEach((p, i) => {
        const arn = `arn:policy:${i}`;
        const tt = p.input.PolicyType === "TargetTrackingScaling";
        const alarmNames = tt ? [`TargetTracking-${RID}-AlarmHigh-${i}`, `TargetTracking-${RID}-AlarmLow-${i}`] : [];
        policies.push({
            PolicyName: p.name, PolicyARN: arn, PolicyType: p.input.PolicyType, ResourceId: RID, ServiceNamespace: "ecs",
            ScalableDimension: "ecs:service:DesiredCount", CreationTime: new Date(0),
            // Copies, so that a test changing the live side leaves the plan alone.
            TargetTrackingScalingPolicyConfiguration: structuredClone(p.input.TargetTrackingScalingPolicyConfiguration),
            StepScalingPolicyConfiguration: structuredClone(p.input.StepScalingPolicyConfiguration),
            Alarms: alarmNames.map((AlarmName) => ({ AlarmName, AlarmARN: `arn:alarm:${AlarmName}` })),
        });
        for (const name of alarmNames) alarms.push({ AlarmName: name, AlarmActions: [arn] });
        if (p.alarm) alarms.push({ ...p.alarm, Dimensions: [...p.alarm.Dimensions!].reverse(), AlarmActions: [arn] } as MetricAlarm);
    });
    return { policies, alarms };
}

describe("scale-test verify: each difference", () => {
    const base = (): LiveService => ({ target: { minCapacity: 1, maxCapacity: 10 }, ...liveFromPlan() });

    it("none when live matches the plan (dimension order does not matter)", () => {
        expect(verifyDifferences(planned, base())).to.deep.equal([]);
    });

    it("target missing, or its min and max changed", () => {
        expect(differenceLines(verifyDifferences(planned, { ...base(), target: undefined }))).to.deep.equal([`target ${RID}: expected registered, live (missing)`]);
        expect(differenceLines(verifyDifferences(planned, { ...base(), target: { minCapacity: 2, maxCapacity: 12 } }))).to.deep.equal([
            `target ${RID} minCapacity: expected 1, live 2`,
            `target ${RID} maxCapacity: expected 10, live 12`,
        ]);
    });

    it("a target-tracking setting, a step bound and adjustment, a step alarm's threshold, dimension and action", () => {
        const live = base();
        const cpu = live.policies[0] as { TargetTrackingScalingPolicyConfiguration: { TargetValue: number; ScaleInCooldown: number } };
        cpu.TargetTrackingScalingPolicyConfiguration.TargetValue = 50;
        cpu.TargetTrackingScalingPolicyConfiguration.ScaleInCooldown = 60;
        const out = live.policies[2] as { StepScalingPolicyConfiguration: { StepAdjustments: { ScalingAdjustment: number; MetricIntervalUpperBound?: number }[] } };
        out.StepScalingPolicyConfiguration.StepAdjustments[2].ScalingAdjustment = 5;
        out.StepScalingPolicyConfiguration.StepAdjustments[0].MetricIntervalUpperBound = 40;
        const alarm = live.alarms.find((a) => a.AlarmName === `${worker.name}-queue-depth-out`)! as MetricAlarm & { Threshold: number };
        alarm.Threshold = 60;
        alarm.Dimensions = [{ Name: "QueueName", Value: "other" }];
        alarm.AlarmActions = [];
        expect(differenceLines(verifyDifferences(planned, live))).to.deep.equal([
            `policy ${worker.name}-cpu TargetValue: expected 70, live 50`,
            `policy ${worker.name}-cpu ScaleInCooldown: expected 300, live 60`,
            `policy ${worker.name}-queue-depth-out StepAdjustments[0].MetricIntervalUpperBound: expected 50, live 40`,
            `policy ${worker.name}-queue-depth-out StepAdjustments[2].ScalingAdjustment: expected 3, live 5`,
            `alarm ${worker.name}-queue-depth-out Dimensions.QueueName: expected "${staging.queues.work.name}", live "other"`,
            `alarm ${worker.name}-queue-depth-out Threshold: expected 50, live 60`,
            `alarm ${worker.name}-queue-depth-out AlarmActions: expected includes "arn:policy:2", live []`,
        ]);
    });

    it("a policy missing, one not in the plan, a target-tracking alarm missing, a step alarm missing", () => {
        const full = base();
        const [cpu, memory, out, inn] = full.policies;
        void memory;
        const live: LiveService = { ...full, policies: [cpu, out, { ...inn }, { PolicyName: "manual", PolicyARN: "x", PolicyType: "StepScaling", ResourceId: RID, ServiceNamespace: "ecs", ScalableDimension: "ecs:service:DesiredCount", CreationTime: new Date(0) }],
            alarms: full.alarms.filter((a) => !a.AlarmName!.includes("AlarmLow-0") && a.AlarmName !== `${worker.name}-queue-depth-in`) };
        expect(differenceLines(verifyDifferences(planned, live))).to.deep.equal([
            `policy ${worker.name}-cpu AlarmLow: expected present, live (missing)`,
            `policy ${worker.name}-memory: expected present, live (missing)`,
            `alarm ${worker.name}-queue-depth-in: expected present, live (missing)`,
            "policy manual: expected (absent), live present",
        ]);
    });
});

describe("scale-test scale-up and scale-down: the measurement", () => {
    const ecsMock = () => mockClient(ECSClient);
    let ecs: ReturnType<typeof ecsMock>;
    before(() => {
        ecs = ecsMock();
    });
    afterEach(() => ecs.reset());
    after(() => ecs.restore());

    it("the planned count comes from the rule that decides it: the autoscaler's workersNeeded, a step, target tracking's proportion", () => {
        // localstack worker: queue autoscaler with the opt-in threshold 5, bounds 0..3.
        const localstack = loadStackFile("localstack", { autoscaler: { ...(stackFileConfig("localstack")["ecs-autoscaling:autoscaler"] as object), scaleUpThreshold: 5 } });
        expect([1, 5, 6, 15, 100].map((m) => plannedCount(localstack, "worker", "sqs", m))).to.deep.equal([1, 1, 2, 3, 3]);
        // staging worker: steps 50/100/200 -> +1/+2/+3 from min 1, max 10.
        expect([10, 50, 150, 250].map((m) => plannedCount(staging, "worker", "sqs", m))).to.deep.equal([1, 2, 3, 4]);
        const cmt = loadStackFile("staging", { customMetricTest: { enabled: true, service: "api" } });
        // bounds 2..4, target 100: 200 -> ceil(2 x 200 / 100) = 4; 120 -> 3.
        expect([200, 120, 1000].map((v) => plannedCount(cmt, "api", "metric", v))).to.deep.equal([4, 3, 4]);
    });

    it("records the first change, the planned desired count and the planned running count, from the first load", async () => {
        const counts = [[1, 0], [1, 1], [3, 1], [5, 3], [5, 5]];
        let i = 0;
        ecs.on(DescribeServicesCommand).callsFake(() => {
            const [desired, running] = counts[Math.min(i++, counts.length - 1)];
            return { services: [{ serviceName: "w", desiredCount: desired, runningCount: running }] };
        });
        let now = 1_000;
        const m = await watchCounts(
            { cluster: "c", service: "w", goal: 5, direction: "up", start: 1_000, pollMs: 500, timeoutMs: 60_000, initialDesired: 1 },
            { ecs: new ECSClient({}), clock: () => now, sleep: async (ms) => { now += ms; } },
        );
        expect([m.firstChangeMs, m.desiredMs, m.runningMs, m.ended]).to.deep.equal([1_000, 1_500, 2_000, undefined]);
        expect(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).to.deep.equal({ cluster: "c", services: ["w"] });
        const r = { phase: "scale-up" as const, load: "x", measurement: m, budgetMs: 1_500 };
        expect(missedBudget(r)).to.equal(true);
        expect(missedBudget({ ...r, budgetMs: 60_000 })).to.equal(false);
        expect(resultTable([{ ...r, budgetMs: 60_000 }])).to.equal([
            "phase     measure                        measured  expected",
            "scale-up  first desired change (from 1)  1.0 s",
            "scale-up  desired at planned 5           1.5 s",
            "scale-up  running at planned 5           2.0 s     <= 60.0 s met",
        ].join("\n"));
    });

    it("gives up at the timeout and says so", async () => {
        ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: "w", desiredCount: 3, runningCount: 3 }] });
        let now = 0;
        const m = await watchCounts(
            { cluster: "c", service: "w", goal: 0, direction: "down", start: 0, pollMs: 1_000, timeoutMs: 3_000, initialDesired: 3 },
            { ecs: new ECSClient({}), clock: () => now, sleep: async (ms) => { now += ms; } },
        );
        expect(m.ended).to.equal("timeout");
        expect(m.samples).to.have.length(4);
        expect(missedBudget({ phase: "scale-down", load: "x", measurement: m, budgetMs: 10_000 })).to.equal(true);
    });

    it("usage errors exit 2 before any AWS call; --dry-run prints the plan", async () => {
        const run = async (args: string[]) => {
            const out: string[] = [];
            const err: string[] = [];
            const code = await main(["scale-test", ...args], { env: {}, out: (s) => out.push(s), err: (s) => err.push(s), onStopSignal: () => () => undefined });
            return { code, out: out.join(""), err: err.join("") };
        };
        expect(await run(["soak", "--stack", "staging", "--service", "worker"])).to.deep.equal({ code: 2, out: "", err: 'error: test: "soak" must be one of verify, scale-up, scale-down, all\n' });
        expect((await run(["verify", "--stack", "prod", "--service", "worker"])).err).to.match(/^error: --stack: stack "prod": no Pulumi\.prod\.yaml; known stacks are localstack, staging\n$/);
        expect((await run(["verify", "--stack", "staging", "--service", "db"])).err).to.equal('error: --service: "db" is not a service of stack staging; expected one of api, worker, jobs, batch, gateway, preview\n');
        expect((await run(["scale-up", "--stack", "staging", "--service", "api"])).err).to.equal("error: --url: (missing) the URL to send HTTP load to is required with --load http\n");
        expect((await run(["scale-up", "--stack", "staging", "--service", "worker", "--messages", "20000"])).err).to.equal("error: --messages: 20000 is more than 10000 per run\n");
        expect(ecs.calls()).to.have.length(0);
        // The localstack file sets no threshold and no processing rate: the autoscaler learns the rate, so no count is planned.
        const dry = await run(["all", "--stack", "localstack", "--service", "worker", "--messages", "15", "--expect-scale-up", "60s", "--dry-run"]);
        expect(dry.code).to.equal(0);
        expect(dry.out).to.contain("scale-up load: 15 messages into ecs-autoscaling-localstack-work");
        expect(dry.out).to.contain("scale-down: stop the load; wait for min 0\n");
    });
});
