/**
 * Fallback, pause and activation against moto_server, through one autoscaler process scaling three
 * services of one cluster (the controls come in `--services`, as the stack hands them to the task):
 * - fallback: the service's queue is deleted, so GetQueueAttributes answers QueueDoesNotExist; after
 *   failureThreshold (3) such ticks in a row the desired count is the fallback count (4);
 * - pause: a paused service's desired count stays 2 while its queue fills with 100 messages;
 * - activation: 4 visible messages (one below the threshold of 5) leave a service at 0; the fifth wakes it.
 * Each shows in the metrics and in /healthz.
 */
import { DeleteQueueCommand } from "@aws-sdk/client-sqs";
import { expect } from "chai";
import type { AwsClients } from "../../../runtime/aws/clients";
import { createLogger } from "../../../runtime/aws/logger";
import { startAutoscaler, type RunningAutoscaler } from "../../../runtime/autoscaler/service";
import { parseSettings } from "../../../runtime/autoscaler/settings";
import { getHealth } from "../../helpers/health";
import { createFixture, describeDesired, motoClients, onUpdateService, pollUntil, sendBurst, startMoto, stopAll, type Fixture, type MotoServer, type UpdateServiceCall } from "../../../local/moto-server";

const INTERVAL_MS = 1_000;
const CLUSTER = "controls";
const FALLBACK = "ctl-fallback";
const PAUSED = "ctl-paused";
const ACTIVATION = "ctl-activation";

describe("integration: fallback, pause and activation against moto_server", function () {
    this.timeout(60_000);

    let moto: MotoServer | undefined;
    let clients: AwsClients;
    let watched: AwsClients | undefined;
    let autoscaler: RunningAutoscaler | undefined;
    const fixtures = new Map<string, Fixture>();
    const updates: UpdateServiceCall[] = [];
    const logs: Record<string, any>[] = [];
    const ticksOf = (service: string) => logs.filter((l) => l.msg === "tick" && l.service === service);
    const desired = (service: string) => describeDesired(clients.ecs, CLUSTER, service);
    const gauge = async (name: string, service: string) => {
        const m = new RegExp(`^${name}\\{service="${service}",queue="${service}-jobs"\\} (\\S+)$`, "m").exec(await autoscaler!.registry.metrics());
        return m ? Number(m[1]) : undefined;
    };
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

    before(async () => {
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
        for (const [service, count] of [[FALLBACK, 1], [PAUSED, 2], [ACTIVATION, 0]] as const) {
            fixtures.set(service, await createFixture(clients, { cluster: CLUSTER, service, queue: `${service}-jobs`, desiredCount: count, settled: true }));
        }
        watched = motoClients(moto.endpoint);
        onUpdateService(watched.ecs, (u) => updates.push(u));
        const url = (s: string) => fixtures.get(s)!.queueUrl;
        const settings = parseSettings({
            services: JSON.stringify({
                [FALLBACK]: { queueUrl: url(FALLBACK), min: 1, max: 6, fallback: { failureThreshold: 3, replicas: 4 } },
                [PAUSED]: { queueUrl: url(PAUSED), min: 0, max: 10, paused: true },
                [ACTIVATION]: { queueUrl: url(ACTIVATION), min: 0, max: 10, activation: { messages: 5 } },
            }),
            cluster: CLUSTER, interval: String(INTERVAL_MS / 1000), healthPort: "0", scaleDownCooldown: "60",
        }, {});
        autoscaler = await startAutoscaler(settings, {
            ...watched,
            logger: createLogger({ level: "info", destination: { write: (l: string) => void logs.push(JSON.parse(l)) } }),
        });
        await pollUntil(async () => new Set(logs.filter((l) => l.msg === "tick").map((l) => l.service)).size, (n) => n === 3,
            { timeoutMs: 10_000, everyMs: 50, what: "a first tick of every service" });
    });

    after(async () => {
        await stopAll({ autoscaler, moto, clients });
        watched?.ecs.destroy();
        watched?.sqs.destroy();
        watched?.cloudwatch.destroy();
    });

    it("fallback: after 3 ticks in a row whose queue answers QueueDoesNotExist, desired is the fallback count 4", async () => {
        expect(await desired(FALLBACK)).to.equal(1);
        await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: fixtures.get(FALLBACK)!.queueUrl }));
        await pollUntil(() => desired(FALLBACK), (d) => d === 4, { timeoutMs: 8 * INTERVAL_MS, everyMs: 50, what: "the fallback count" });
        const failed = logs.filter((l) => l.msg?.startsWith("tick failed") && l.service === FALLBACK);
        // Two failed ticks are reported; the third sets the fallback count.
        expect(failed.map((l) => [l.operation, l.code])).to.deep.equal([["GetQueueAttributes", "QueueDoesNotExist"], ["GetQueueAttributes", "QueueDoesNotExist"]]);
        expect(updates.filter((u) => u.service === FALLBACK).map((u) => u.desiredCount)).to.deep.equal([4]);
        const fallbackTick = ticksOf(FALLBACK).at(-1)!;
        expect([fallbackTick.reason, fallbackTick.to, fallbackTick.fallbackActive]).to.deep.equal(["fallback", 4, true]);
        expect(await gauge("autoscaler_fallback_active", FALLBACK)).to.equal(1);
        const body = JSON.parse((await getHealth(autoscaler!.healthPort)).body!);
        expect(body.services[FALLBACK]).to.deep.include({ status: "ok", fallbackActive: true });
        expect(body.services[FALLBACK].consecutiveQueueFailures).to.be.at.least(3);
        // It stays at the fallback count while the queue stays unreadable.
        await wait(2 * INTERVAL_MS);
        expect([await desired(FALLBACK), updates.filter((u) => u.service === FALLBACK).length]).to.deep.equal([4, 1]);
    });

    it("pause: the desired count stays 2 while 100 messages fill the queue, and the ticks say what it would have done", async () => {
        const before = ticksOf(PAUSED).length;
        await sendBurst(clients.sqs, fixtures.get(PAUSED)!.queueUrl, 100, "paused");
        await pollUntil(async () => ticksOf(PAUSED).slice(before).filter((t) => t.visible === 100).length, (n) => n >= 3,
            { timeoutMs: 6 * INTERVAL_MS, everyMs: 50, what: "three ticks reading the 100 messages" });
        expect(await desired(PAUSED)).to.equal(2);
        expect(updates.filter((u) => u.service === PAUSED)).to.deep.equal([]);
        const ticks = ticksOf(PAUSED).slice(before).filter((t) => t.visible === 100);
        expect(ticks.map((t) => [t.reason, t.to, t.paused])).to.deep.equal(ticks.map(() => ["paused", 2, true]));
        expect(ticks[0]!.reasonText).to.match(/^paused: desired stays 2 \(would be \d+, /);
        expect(await gauge("autoscaler_paused", PAUSED)).to.equal(1);
        expect(await gauge("autoscaler_paused", ACTIVATION)).to.equal(0);
        expect(JSON.parse((await getHealth(autoscaler!.healthPort)).body!).services[PAUSED]).to.deep.include({ status: "ok", paused: true });
    });

    it("activation: 4 visible messages (threshold 5) leave the service at 0; the fifth wakes it to 1", async () => {
        const before = ticksOf(ACTIVATION).length;
        await sendBurst(clients.sqs, fixtures.get(ACTIVATION)!.queueUrl, 4, "below");
        await pollUntil(async () => ticksOf(ACTIVATION).slice(before).filter((t) => t.visible === 4).length, (n) => n >= 2,
            { timeoutMs: 5 * INTERVAL_MS, everyMs: 50, what: "two ticks reading 4 messages" });
        expect(await desired(ACTIVATION)).to.equal(0);
        expect(ticksOf(ACTIVATION).slice(before).filter((t) => t.visible === 4).map((t) => [t.reason, t.to])).to.deep.include.members([["activation_holding", 0]]);
        expect(await gauge("autoscaler_activation_holding", ACTIVATION)).to.equal(1);
        expect(JSON.parse((await getHealth(autoscaler!.healthPort)).body!).services[ACTIVATION]).to.deep.include({ activationHolding: true });
        expect(updates.filter((u) => u.service === ACTIVATION)).to.deep.equal([]);

        await sendBurst(clients.sqs, fixtures.get(ACTIVATION)!.queueUrl, 1, "threshold");
        await pollUntil(() => desired(ACTIVATION), (d) => d === 1, { timeoutMs: 4 * INTERVAL_MS, everyMs: 50, what: "the service woken" });
        expect(updates.filter((u) => u.service === ACTIVATION).map((u) => u.desiredCount)).to.deep.equal([1]);
        expect(ticksOf(ACTIVATION).filter((t) => t.visible === 5).map((t) => [t.reason, t.to])[0]).to.deep.equal(["from_zero", 1]);
        expect(await gauge("autoscaler_activation_holding", ACTIVATION)).to.equal(0);
    });
});
