/**
 * Benchmark: time from a burst landing in an SQS queue to the autoscaler's UpdateService call.
 *
 * Starts moto_server on a free loopback port, creates the ECS + SQS fixture and runs the real
 * autoscaler (startAutoscaler) on real time with a 1 s interval. Each burst is one SendMessageBatch of
 * 10 messages; the clock starts when it resolves (the messages are in the queue) and stops when the
 * ECS client sends the UpdateServiceCommand (an initialize-step middleware timestamps it). Between
 * bursts the control loop's actuation is held while the queue is purged and the desired count set back
 * to min, so every burst triggers a fresh scale-up. The scale-up cooldown is 0 here: with a cooldown,
 * a burst that follows the previous scale-up sooner than the cooldown would be held back by design,
 * and that wait would be measured instead of the loop's reaction time.
 *
 * Run: npm run bench:autoscaler
 */
import { PurgeQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { createEcsClient } from "../runtime/aws/clients";
import { createLogger } from "../runtime/aws/logger";
import { startAutoscaler, type RunningAutoscaler } from "../runtime/autoscaler/service";
import { parseSettings } from "../runtime/autoscaler/settings";
import {
    createFixture,
    describeDesired,
    motoClientOverrides,
    motoClients,
    onUpdateService,
    pollUntil,
    startMoto,
    type MotoServer,
    type UpdateServiceCall,
} from "../local/moto-server";

const BURSTS = 20;
const MESSAGES_PER_BURST = 10;
const FLAGS = {
    min: "1",
    max: "10",
    scaleUpThreshold: "2",
    scaleDownThreshold: "1",
    scaleUpCooldown: "0",
    scaleDownCooldown: "3600",
    scaleDownStep: "1",
    interval: "1",
    healthPort: "0",
} as const;
/** ceil(10 / 2) */
const TARGET = Math.ceil(MESSAGES_PER_BURST / Number(FLAGS.scaleUpThreshold));
/** A burst whose UpdateService has not come after this long counts as a failure of the run. */
const UPDATE_TIMEOUT_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
    const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
    return sorted[rank - 1]!;
}

async function main(): Promise<void> {
    let moto: MotoServer | undefined;
    let autoscaler: RunningAutoscaler | undefined;
    try {
        moto = await startMoto();
        const clients = motoClients(moto.endpoint);
        // The bench resets the service through a client of its own, so only the autoscaler's calls are timed.
        const admin = createEcsClient(motoClientOverrides(moto.endpoint));
        const updates: UpdateServiceCall[] = [];
        let onUpdate: ((call: UpdateServiceCall) => void) | undefined;
        onUpdateService(clients.ecs, (call) => {
            updates.push(call);
            onUpdate?.(call);
        });

        const fixture = await createFixture(clients, { cluster: "bench", service: "bench-worker", queue: "bench-jobs", desiredCount: Number(FLAGS.min) });
        const settings = parseSettings({ ...FLAGS, queueUrl: fixture.queueUrl, cluster: fixture.cluster, ecsService: fixture.service }, {});
        autoscaler = await startAutoscaler(settings, { ...clients, logger: createLogger({ level: "silent" }) });
        const loop = autoscaler.loop;
        await pollUntil(async () => loop.lastSuccessAt, (t) => t !== undefined, { timeoutMs: 5_000, everyMs: 20, what: "first tick" });

        console.log("burst-to-UpdateService benchmark (moto_server %s, real time)", moto.endpoint);
        console.log(
            "settings: interval %d ms, min %d, max %d, scale-up threshold %d msgs/worker, scale-up cooldown %d ms (0 on purpose: each burst must trigger a scale-up), " +
                "scale-down threshold %d, scale-down cooldown %d ms; burst = 1 SendMessageBatch of %d messages -> desired %d -> %d; %d bursts",
            settings.intervalMs,
            settings.services[0]!.decision.minCapacity,
            settings.services[0]!.decision.maxCapacity,
            settings.services[0]!.decision.scaleUpThreshold,
            settings.services[0]!.decision.scaleUpCooldownMs,
            settings.services[0]!.decision.scaleDownThreshold,
            settings.services[0]!.decision.scaleDownCooldownMs,
            MESSAGES_PER_BURST,
            settings.services[0]!.decision.minCapacity,
            TARGET,
            BURSTS,
        );

        const samples: number[] = [];
        for (let i = 1; i <= BURSTS; i++) {
            const got = new Promise<UpdateServiceCall>((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error(`burst ${i}: no UpdateService within ${UPDATE_TIMEOUT_MS} ms`)), UPDATE_TIMEOUT_MS);
                onUpdate = (call) => {
                    clearTimeout(timer);
                    onUpdate = undefined;
                    resolve(call);
                };
            });
            const sent = await clients.sqs.send(
                new SendMessageBatchCommand({
                    QueueUrl: fixture.queueUrl,
                    Entries: Array.from({ length: MESSAGES_PER_BURST }, (_, j) => ({ Id: `m${j}`, MessageBody: `burst-${i}-${j}` })),
                }),
            );
            const landed = Date.now();
            if ((sent.Failed ?? []).length > 0) throw new Error(`burst ${i}: SendMessageBatch failed entries ${JSON.stringify(sent.Failed)}`);
            const call = await got;
            const ms = call.at - landed;
            if (call.desiredCount !== TARGET) throw new Error(`burst ${i}: UpdateService set ${call.desiredCount}, expected ${TARGET}`);
            samples.push(ms);
            console.log("burst %s: UpdateService(desiredCount=%d) %d ms after the burst landed", String(i).padStart(2), call.desiredCount, ms);

            await pollUntil(() => describeDesired(clients.ecs, fixture.cluster, fixture.service), (d) => d === TARGET, {
                timeoutMs: 5_000,
                everyMs: 20,
                what: `burst ${i}: desiredCount ${TARGET}`,
            });
            // Reset with actuation held. A tick that was under way when the hold began may still write,
            // so wait for the next tick end first; then purge and set min; then wait for one more tick
            // end, so that a tick which read the queue before the purge and the service after the reset
            // is over (held) before actuation resumes.
            await loop.hold(async () => {
                const nextTickEnd = async () => {
                    const t = loop.lastSuccessAt;
                    await pollUntil(async () => loop.lastSuccessAt, (s) => s !== t, { timeoutMs: 5_000, everyMs: 10, what: "a tick" });
                };
                await nextTickEnd();
                await clients.sqs.send(new PurgeQueueCommand({ QueueUrl: fixture.queueUrl }));
                await admin.send(new UpdateServiceCommand({ cluster: fixture.cluster, service: fixture.service, desiredCount: Number(FLAGS.min) }));
                await nextTickEnd();
            });
            const attrs = await clients.sqs.send(
                new GetQueueAttributesCommand({ QueueUrl: fixture.queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
            );
            const d = await describeDesired(clients.ecs, fixture.cluster, fixture.service);
            if (attrs.Attributes?.ApproximateNumberOfMessages !== "0" || d !== Number(FLAGS.min)) {
                throw new Error(`burst ${i}: reset failed (queue ${attrs.Attributes?.ApproximateNumberOfMessages}, desired ${d})`);
            }
            // Land the next burst at a different phase of the 1 s tick cycle.
            await sleep(137 * i % settings.intervalMs);
        }

        const sorted = [...samples].sort((a, b) => a - b);
        const median = sorted.length % 2 === 1
            ? sorted[(sorted.length - 1) / 2]!
            : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
        console.log(
            "burst landed -> UpdateService sent, ms (n=%d): median %d, p90 %d, min %d, max %d",
            samples.length,
            median,
            percentile(sorted, 90),
            sorted[0],
            sorted[sorted.length - 1],
        );
        console.log("UpdateService calls by the autoscaler: %d (one per burst)", updates.length);
        admin.destroy();
        clients.ecs.destroy();
        clients.sqs.destroy();
        clients.cloudwatch.destroy();
    } finally {
        await autoscaler?.stop();
        await moto?.stop();
    }
}

main().then(
    () => process.exit(0),
    (err: unknown) => {
        console.error(err instanceof Error ? err.stack ?? err.message : String(err));
        process.exit(1);
    },
);
