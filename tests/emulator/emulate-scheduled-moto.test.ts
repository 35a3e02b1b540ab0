/**
 * `autoscale emulate` runs a scheduled action that moto only stores: an office-hours cron in
 * Europe/Berlin raising the minimum of a service at desired 1 to 3, fired on the emulator's virtual
 * clock (a fake real clock, 50x), so the target's bounds, the service's desired count and the
 * activity record all show it.
 */
import { expect } from "chai";
import {
    DescribeScalableTargetsCommand, PutScheduledActionCommand, RegisterScalableTargetCommand, type ApplicationAutoScalingClient,
} from "@aws-sdk/client-application-auto-scaling";
import { runEmulator } from "../../emulator/emulate";
import { createApplicationAutoScalingClient, type AwsClients } from "../../runtime/aws/clients";
import { parseActivityRecords } from "../../scaling/activity-record";
import { createFixture, describeDesired, motoClientOverrides, motoClients, startMoto, stopAll, type MotoServer } from "../../local/moto-server";

const CLUSTER = "sched-cluster";
const SERVICE = "sched-api";
const RESOURCE_ID = `service/${CLUSTER}/${SERVICE}`;

describe("integration: autoscale emulate runs scheduled actions on moto_server", function () {
    this.timeout(60_000);
    let moto: MotoServer | undefined;
    let clients: AwsClients | undefined;
    let autoscaling: ApplicationAutoScalingClient | undefined;

    before(async () => {
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
        autoscaling = createApplicationAutoScalingClient(motoClientOverrides(moto.endpoint));
    });
    after(async () => {
        autoscaling?.destroy();
        await stopAll({ moto, clients });
    });

    it("fires a Europe/Berlin weekday cron at 09:00 local on the virtual clock: MinCapacity 3, desired 1 -> 3, one record naming the action", async () => {
        await createFixture(clients!, { cluster: CLUSTER, service: SERVICE, queue: "sched-jobs", desiredCount: 1 });
        await autoscaling!.send(new RegisterScalableTargetCommand({
            ServiceNamespace: "ecs", ResourceId: RESOURCE_ID, ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 1, MaxCapacity: 10,
        }));
        await autoscaling!.send(new PutScheduledActionCommand({
            ServiceNamespace: "ecs", ResourceId: RESOURCE_ID, ScalableDimension: "ecs:service:DesiredCount",
            ScheduledActionName: "office-hours", Schedule: "cron(0 9 ? * MON-FRI *)", Timezone: "Europe/Berlin",
            ScalableTargetAction: { MinCapacity: 3 },
        }));
        // Monday 2026-12-07 07:59:00 UTC; at 50x a pass (10 virtual s) is 200 real ms, so 09:00 Berlin
        // (08:00 UTC, virtual) is the 6th pass, at real 07:59:01.200.
        const start = Date.parse("2026-12-07T07:59:00Z");
        let now = start;
        let passes = 0;
        const lines: string[] = [];
        const abort = new AbortController();
        const summary = await runEmulator({ cluster: CLUSTER, service: SERVICE, speed: 50, endpoint: moto!.endpoint }, {
            ...clients!, autoscaling: autoscaling!,
            clock: () => now,
            sleep: async (ms) => {
                now += ms;
                if (++passes >= 12) abort.abort();
            },
            record: async (line) => { lines.push(line); },
            signal: abort.signal,
        });

        expect(summary).to.deep.equal({ targets: [RESOURCE_ID], activities: 1, alarmChanges: 0, skipped: [] });
        const t = await autoscaling!.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: [RESOURCE_ID] }));
        expect(t.ScalableTargets?.map((x) => [x.MinCapacity, x.MaxCapacity])).to.deep.equal([[3, 10]]);
        expect(await describeDesired(clients!.ecs, CLUSTER, SERVICE)).to.equal(3);
        const { records, problems } = parseActivityRecords(lines.join("\n"));
        expect(problems).to.deep.equal([]);
        expect(records).to.deep.equal([{
            time: "2026-12-07T07:59:01.200Z", resourceId: RESOURCE_ID, policy: "office-hours", oldDesired: 1, newDesired: 3,
            cause: "scheduled action name office-hours set min capacity to 3 and max capacity to 10, changing the desired capacity from 1 to 3",
            event: "(service sched-api) has started 2 tasks.",
        }]);
    });
});
