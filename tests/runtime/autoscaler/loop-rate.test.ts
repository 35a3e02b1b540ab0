import { expect } from "chai";
import type { ApplyResult } from "../../../runtime/autoscaler/actuator";
import { ControlLoop, type Fleet } from "../../../runtime/autoscaler/loop";
import { AutoscalerMetrics } from "../../../runtime/autoscaler/metrics";
import { defaultPacing } from "../../../runtime/autoscaler/pacing";
import type { Decision, QueueObservation, QueueSource, ServiceCounts, ServiceState } from "../../../runtime/autoscaler/types";
import { decisionSettings } from "../../helpers/decision-settings";
import { captureLogs } from "../support";

/** Readings 5 s apart: (visible, running); every running task holds one message in flight. */
const READINGS: readonly (readonly [number, number])[] = [[200, 1], [192.5, 1], [185, 1], [160, 3], [132.5, 3], [105, 3]];

describe("ControlLoop: a configured processing rate the drain contradicts", () => {
    it("is reported once in the log and by the gauge, and the learned rate is used", async () => {
        let i = 0;
        let now = 1_000_000;
        const source: QueueSource = {
            kind: "sqs", queueName: "work",
            async observe(): Promise<QueueObservation> {
                const [visible, running] = READINGS[i]!;
                return { visible, inFlight: running, delayed: 0, observedAt: now };
            },
            async close() {},
        };
        const fleet: Fleet = {
            async describe(): Promise<ReadonlyMap<string, ServiceState>> {
                const running = READINGS[i]![1];
                return new Map([["worker", { arn: "arn:aws:ecs:us-east-1:123456789012:service/main/worker", desired: running, running, pending: 0 }]]);
            },
            async apply(_service: string, d: Decision, read: ServiceCounts): Promise<ApplyResult> {
                return { outcome: d.desired === read.desired ? "unchanged" : "dry_run", desired: read.desired };
            },
        };
        const logs = captureLogs();
        const metrics = new AutoscalerMetrics();
        const sleep = async () => undefined;
        const loop = new ControlLoop({
            services: [{ service: "worker", source, settings: decisionSettings({ minCapacity: 1, processingRate: 4 }) }],
            fleet, intervalMs: 5_000, clock: () => now, sleep, pacing: defaultPacing(() => now, sleep), logger: logs.logger, metrics,
        });
        const rates: (number | undefined)[] = [];
        const gauge: number[] = [];
        for (; i < READINGS.length; i++, now += 5_000) {
            const tick = (await loop.tick()).services.get("worker")!;
            if (!tick.ok) throw tick.error;
            rates.push(tick.report.decision.reason.text.includes("contradicted") ? 1 : 0);
            gauge.push((await metrics.registry.getSingleMetric("autoscaler_configured_rate_contradicted")!.get()).values[0]!.value);
        }
        // 1 task drains 1.5/s while 0.5/s arrive; 3 tasks drain 5.5/s: (5.5 - 1.5) / 2 = 2/s per task, not 4.
        expect(gauge).to.deep.equal([0, 0, 0, 0, 1, 1]);
        expect(rates).to.deep.equal([0, 0, 0, 0, 1, 1]);
        const warnings = logs.lines.filter((l) => l.level === 40);
        expect(warnings.map((l) => [l.msg, l.configuredRate, l.learnedRate])).to.deep.equal([
            ["the observed drain contradicts the configured processing rate 4/s of worker (learned 2.00/s); using the learned rate", 4, 2],
        ]);
        expect(logs.withMsg("tick").map((l) => l.processingRate)).to.deep.equal([4, 4, 4, 4, 2, 2]);
    });
});
