/**
 * One autoscaler process scaling twenty services of one cluster against moto_server: bursts on five
 * queues move exactly those five services within two intervals; a service whose queue is deleted
 * mid-run is reported (log line, /healthz, metrics) and skipped, while the others keep scaling.
 */
import { DeleteQueueCommand, PurgeQueueCommand } from "@aws-sdk/client-sqs";
import { expect } from "chai";
import type { AwsClients } from "../../../runtime/aws/clients";
import { createLogger } from "../../../runtime/aws/logger";
import { startAutoscaler, type RunningAutoscaler } from "../../../runtime/autoscaler/service";
import { parseSettings } from "../../../runtime/autoscaler/settings";
import { getHealth } from "../../helpers/health";
import { createFixture, describeDesired, motoClients, onUpdateService, pollUntil, sendBurst, startMoto, stopAll, type Fixture, type MotoServer, type UpdateServiceCall } from "../../../local/moto-server";

const SERVICES = 20;
const INTERVAL_MS = 1_000;
const BURST = 45;
/** ceil(45 / 10 messages per task). */
const EXPECTED = 5;
const BURSTED = [2, 6, 9, 13, 17].map((i) => name(i));
const DELETED = name(0);
const LATE = name(4);

function name(i: number): string {
    return `many-${String(i).padStart(2, "0")}`;
}

describe("integration: one autoscaler for twenty services against moto_server", function () {
    this.timeout(60_000);

    let moto: MotoServer | undefined;
    let clients: AwsClients;
    let watched: AwsClients | undefined;
    let autoscaler: RunningAutoscaler | undefined;
    const fixtures = new Map<string, Fixture>();
    const updates: UpdateServiceCall[] = [];
    const logs: Record<string, any>[] = [];

    before(async () => {
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
        for (let i = 0; i < SERVICES; i++) {
            fixtures.set(name(i), await createFixture(clients, { cluster: "many", service: name(i), queue: `${name(i)}-jobs`, desiredCount: 1, settled: true }));
        }
        watched = motoClients(moto.endpoint);
        onUpdateService(watched.ecs, (u) => updates.push(u));
        const services = Object.fromEntries([...fixtures.values()].map((f) => [f.service, { queueUrl: f.queueUrl }]));
        const settings = parseSettings({
            services: JSON.stringify(services), cluster: "many", min: "1", max: "10", interval: String(INTERVAL_MS / 1000), healthPort: "0",
            // The opt-in threshold rule, so a burst's size alone sets the count: 45 messages at 10 per task is 5.
            scaleUpThreshold: "10", scaleDownThreshold: "2",
        }, {});
        autoscaler = await startAutoscaler(settings, {
            ...watched,
            logger: createLogger({ level: "info", destination: { write: (l: string) => void logs.push(JSON.parse(l)) } }),
        });
        // Every service has had a tick with its empty queue.
        await pollUntil(async () => new Set(logs.filter((l) => l.msg === "tick").map((l) => l.service)).size, (n) => n === SERVICES,
            { timeoutMs: 10_000, everyMs: 50, what: "a first tick of every service" });
    });

    after(async () => {
        await stopAll({ autoscaler, moto, clients });
        watched?.ecs.destroy();
        watched?.sqs.destroy();
        watched?.cloudwatch.destroy();
    });

    it(`bursts on 5 of ${SERVICES} queues move exactly those 5 services, each within 2 intervals`, async function () {
        expect(updates).to.deep.equal([]);
        const sentAt = new Map<string, number>();
        await Promise.all(BURSTED.map(async (s) => {
            await sendBurst(clients.sqs, fixtures.get(s)!.queueUrl, BURST, s);
            sentAt.set(s, Date.now());
        }));
        await pollUntil(async () => updates.length, (n) => n >= BURSTED.length, { timeoutMs: 2 * INTERVAL_MS + 2_000, everyMs: 20, what: "five scale-ups" });
        // One more interval: nothing else moves.
        await new Promise((r) => setTimeout(r, INTERVAL_MS + 200));
        expect(updates.map((u) => [u.service, u.desiredCount]).sort()).to.deep.equal(BURSTED.map((s) => [s, EXPECTED]));
        const lags = updates.map((u) => u.at - sentAt.get(u.service!)!);
        this.test!.title += ` (burst to UpdateService: ${Math.min(...lags)}-${Math.max(...lags)} ms)`;
        for (const lag of lags) expect(lag).to.be.below(2 * INTERVAL_MS);
        for (const [s, f] of fixtures) expect(await describeDesired(clients.ecs, f.cluster, s), s).to.equal(BURSTED.includes(s) ? EXPECTED : 1);
    });

    it("a service whose queue is deleted is reported and skipped; the others keep scaling", async () => {
        for (const s of BURSTED) await clients.sqs.send(new PurgeQueueCommand({ QueueUrl: fixtures.get(s)!.queueUrl }));
        const before = updates.length;
        await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: fixtures.get(DELETED)!.queueUrl }));
        const failed = await pollUntil(async () => logs.filter((l) => l.msg?.startsWith("tick failed") && l.service === DELETED),
            (lines) => lines.length >= 2, { timeoutMs: 5_000, everyMs: 50, what: "two skipped ticks of the service without a queue" });
        expect([failed.value[0]!.operation, failed.value[0]!.code]).to.deep.equal(["GetQueueAttributes", "QueueDoesNotExist"]);

        await sendBurst(clients.sqs, fixtures.get(LATE)!.queueUrl, BURST, LATE);
        const sent = Date.now();
        await pollUntil(() => describeDesired(clients.ecs, "many", LATE), (d) => d === EXPECTED, { timeoutMs: 2 * INTERVAL_MS + 1_000, everyMs: 20, what: `${LATE} scaled` });
        const late = updates.slice(before).filter((u) => u.service === LATE);
        expect(late.map((u) => u.desiredCount)).to.deep.equal([EXPECTED]);
        expect(late[0]!.at - sent).to.be.below(2 * INTERVAL_MS);
        expect(updates.slice(before).some((u) => u.service === DELETED)).to.equal(false);

        const health = await getHealth(autoscaler!.healthPort);
        const body = JSON.parse(health.body!);
        expect(health.status).to.equal(200);
        expect(body.servicesRead).to.equal(SERVICES - 1);
        // "failing" while its last good reading is within 3 intervals, "stale" after.
        expect(["failing", "stale"]).to.include(body.services[DELETED].status);
        expect(body.services[DELETED].consecutiveFailures).to.be.at.least(2);
        expect(body.services[DELETED].lastError).to.match(/^GetQueueAttributes failed: QueueDoesNotExist/);
        expect(body.services[LATE]).to.deep.include({ status: "ok", consecutiveFailures: 0 });
        const metrics = await autoscaler!.registry.metrics();
        const skipped = new RegExp(`^autoscaler_service_skipped_ticks_total\\{service="${DELETED}",queue="${DELETED}-jobs"\\} (\\d+)$`, "m").exec(metrics);
        expect(Number(skipped?.[1])).to.be.at.least(2);
        expect(metrics).to.not.match(new RegExp(`autoscaler_service_skipped_ticks_total\\{service="${LATE}"`));
    });
});
