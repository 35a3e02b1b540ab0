/**
 * The arrival profile outlives the task against moto_server: one autoscaler process learns the work
 * arriving (arrival rate / processing rate) and publishes it in its EMF lines (ArrivalTasks); those
 * lines reach CloudWatch as CloudWatch Logs would put them (tests/helpers/emf-extraction.ts); a new process, started once the slot has
 * ended, reads them back with GetMetricData and starts from the same profile: each slot's rate is the
 * mean of the first process's readings in it.
 */
import { expect } from "chai";
import type { AwsClients } from "../../../runtime/aws/clients";
import { createLogger } from "../../../runtime/aws/logger";
import { profileFromSlots } from "../../../runtime/autoscaler/forecast";
import { startAutoscaler, type RunningAutoscaler } from "../../../runtime/autoscaler/service";
import { parseSettings } from "../../../runtime/autoscaler/settings";
import { getHealth } from "../../helpers/health";
import { extractEmf } from "../../helpers/emf-extraction";
import { recordAwsCalls } from "../../helpers/aws-call-recorder";
import { createFixture, motoClients, pollUntil, sendBurst, startMoto, stopAll, type Fixture, type MotoServer } from "../../../local/moto-server";

const FIXTURE = { cluster: "fc-cluster", service: "fc-worker", queue: "fc-jobs", desiredCount: 0, settled: true } as const;
const SLOT_S = 300;
const SLOT_MS = SLOT_S * 1000;

describe("integration: the arrival profile read back by a new autoscaler process (moto_server)", function () {
    recordAwsCalls(__filename, "autoscaler", { cluster: FIXTURE.cluster, service: FIXTURE.service, queue: FIXTURE.queue });
    this.timeout(60_000);

    let moto: MotoServer | undefined;
    let clients: AwsClients;
    let fixture: Fixture;
    let first: RunningAutoscaler | undefined;
    let second: RunningAutoscaler | undefined;
    let secondClients: AwsClients | undefined;

    function settings() {
        return parseSettings({
            services: JSON.stringify({ [FIXTURE.service]: { queueUrl: fixture.queueUrl, min: 0, max: 0, processingRate: 2, forecast: { enabled: true, slotSeconds: SLOT_S } } }),
            cluster: FIXTURE.cluster, interval: "1", healthPort: "0",
        }, {});
    }

    before(async () => {
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
        fixture = await createFixture(motoClients(moto.endpoint), FIXTURE);
    });

    after(async () => {
        await second?.stop();
        secondClients?.ecs.destroy();
        secondClients?.sqs.destroy();
        secondClients?.cloudwatch.destroy();
        await stopAll({ autoscaler: first, moto, clients });
    });

    it("starts a new process from the slots the first one published: same rates, same count of slots", async () => {
        // The first process: max 0, so nothing is processed and the arrival rate is the queue's growth (in tasks at 2/s each).
        const lines: Record<string, any>[] = [];
        first = await startAutoscaler(settings(), { ...clients, logger: createLogger({ level: "info", destination: { write: (l: string) => void lines.push(JSON.parse(l)) } }) });
        for (let i = 0; i < 6; i++) {
            await sendBurst(clients.sqs, fixture.queueUrl, 3 + i, `a${i}`);
            await new Promise((r) => setTimeout(r, 700));
        }
        await pollUntil(async () => lines.filter((l) => l.msg === "metrics" && typeof l.ArrivalTasks === "number").length, (n) => n >= 4,
            { timeoutMs: 10_000, everyMs: 100, what: "four ticks with an arrival rate" });
        await first.stop();
        first = undefined;
        const emf = lines.filter((l) => l.msg === "metrics");
        const rates = emf.filter((l) => typeof l.ArrivalTasks === "number").map((l) => ({ at: l._aws.Timestamp as number, rate: l.ArrivalTasks as number }));
        expect(rates.some((r) => r.rate > 0)).to.equal(true);
        expect(await extractEmf(clients.cloudwatch, emf)).to.be.above(0);

        // What the first process learned, slot by slot: the mean of its readings in each.
        const bySlot = new Map<number, number[]>();
        for (const r of rates) {
            const slot = Math.floor(r.at / SLOT_MS) * SLOT_MS;
            bySlot.set(slot, [...(bySlot.get(slot) ?? []), r.rate]);
        }
        const expected = profileFromSlots([...bySlot].map(([start, xs]) => ({ start, rate: xs.reduce((a, b) => a + b, 0) / xs.length })), { slotSeconds: SLOT_S, weight: 0.5 });

        // The second process starts after those slots have ended (its clock a slot later).
        const lastSlot = Math.max(...bySlot.keys());
        const later = lastSlot + SLOT_MS + 1_000 - Date.now();
        const logs: Record<string, any>[] = [];
        secondClients = motoClients(moto!.endpoint);
        second = await startAutoscaler(settings(), {
            ...secondClients, clock: () => Date.now() + later,
            logger: createLogger({ level: "info", destination: { write: (l: string) => void logs.push(JSON.parse(l)) } }),
        });
        const profile = second.loop.scaler(FIXTURE.service).profile!;
        expect(profile.weekly.map((s) => s && { seen: s.seen, rate: Number(s.rate.toFixed(9)) }))
            .to.deep.equal(expected.weekly.map((s) => s && { seen: s.seen, rate: Number(s.rate.toFixed(9)) }));
        expect(profile.daily.filter(Boolean).length).to.equal(bySlot.size);
        const read = logs.find((l) => l.msg?.startsWith("read back the arrival profile of fc-worker"))!;
        expect(read.slotsLearned).to.deep.equal({ weekly: bySlot.size, daily: bySlot.size });
        const body = JSON.parse((await getHealth(second.healthPort)).body!);
        expect(body.services[FIXTURE.service].forecastSlotsLearned).to.deep.equal({ weekly: bySlot.size, daily: bySlot.size });
    });
});
