/**
 * Seed 000's proof workflow, end to end, on a local moto_server, in under three minutes:
 *
 *   1. the staging stack's custom-metric test (service api, bounds 2..4, target 100) is created in moto
 *      from the stack's plan: scalable target and target-tracking policy (moto adds its two alarms);
 *   2. `autoscale emulate --speed 12` evaluates the alarms and applies the policy as Application Auto
 *      Scaling would (moto does neither), a virtual minute every 5 s, and writes the activity record;
 *   3. `autoscale metric publish` writes the stack's customMetricSeries: 200 for 40 s, then 0 for 100 s,
 *      every 5 s (one datapoint per virtual minute);
 *   4. `autoscale evidence --period 5s --activities <record>` judges it all and writes the report.
 *
 * Usage: npx ts-node --transpile-only scripts/proof-moto-demo.ts [out-dir]   (default .autoscale/out/proof; pass docs/proof to refresh the committed files)
 */
import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { PutScalingPolicyCommand, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { ECS_DESIRED_COUNT, ECS_NAMESPACE } from "../aws/scaling-ids";
import { main } from "../cli/autoscale";
import type { CliIo } from "../cli/io";
import { plannedService } from "../proof/plan-aws";
import { loadStackFile } from "../config/stack-file";
import { createApplicationAutoScalingClient } from "../runtime/aws/clients";
import { createFixture, motoClientOverrides, motoClients, startMoto, stopAll } from "../local/moto-server";

/** Virtual seconds per real second: 60-s periods last 5 s. */
const SPEED = 12;
/** Where the files go: the folder given, else .autoscale/out/proof (ignored by git), never docs/proof/ unless asked. */
export function proofOutDir(args: readonly string[]): string {
    return path.resolve(args[0] ?? path.join(__dirname, "..", ".autoscale", "out", "proof"));
}
const OUT = proofOutDir(process.argv.slice(2));

/** Output to the terminal; `stop()` ends a command that runs until a stop signal. */
function terminalIo(): { io: CliIo; stop: () => void } {
    let onStop: ((reason: string) => void) | undefined;
    return {
        io: {
            env: process.env,
            out: (s) => process.stdout.write(s),
            err: (s) => process.stderr.write(s),
            onStopSignal: (f) => {
                onStop = f;
                return () => undefined;
            },
        },
        stop: () => onStop?.("demo done"),
    };
}

async function demo(): Promise<number> {
    const moto = await startMoto();
    const clients = motoClients(moto.endpoint);
    Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_MAX_ATTEMPTS: "1" });
    try {
        mkdirSync(OUT, { recursive: true });
        const stack = loadStackFile("staging", { customMetricTest: { enabled: true, service: "api", testId: "proof-demo" } });
        const svc = stack.services.api;
        const cluster = stack.names.cluster;
        const policy = svc.plan.policies.find((p) => p.name === "synthetic-load")!;
        const planned = plannedService({ ...svc.plan, policies: [policy] }, cluster, svc.name);

        // settled: running = desired = 2, as target tracking reads the running count.
        await createFixture(clients, { cluster, service: svc.name, queue: "proof-demo", desiredCount: planned.minCapacity, settled: true });
        const aas = createApplicationAutoScalingClient(motoClientOverrides(moto.endpoint));
        await aas.send(new RegisterScalableTargetCommand({
            ServiceNamespace: ECS_NAMESPACE, ResourceId: planned.resourceId, ScalableDimension: ECS_DESIRED_COUNT,
            MinCapacity: planned.minCapacity, MaxCapacity: planned.maxCapacity,
        }));
        await aas.send(new PutScalingPolicyCommand(planned.policies[0].input));
        aas.destroy();

        // Paths relative to the repository, as they appear in the report.
        const rel = (f: string) => path.relative(process.cwd(), f);
        const outputs = path.join(OUT, "stack-outputs.json");
        writeFileSync(outputs, `${JSON.stringify({ clusterName: cluster, customMetricSeries: stack.customMetricTest.series }, null, 2)}\n`);
        const record = path.join(OUT, "activities.jsonl");
        writeFileSync(record, "");
        const started = Date.now();

        const emulator = terminalIo();
        const emulating = main(["emulate", "--cluster", cluster, "--speed", String(SPEED), "--activities", rel(record)], emulator.io);
        const published = await main(["metric", "publish", "--stack-outputs", rel(outputs), "--phase", "200:40s", "--phase", "0:100s", "--every", "5s"], terminalIo().io);
        emulator.stop();
        const emulated = await emulating;
        if (published !== 0 || emulated !== 0) return published || emulated;
        return await main(["evidence", "--cluster", cluster, "--ecs-service", svc.name, "--since", `${Math.ceil((Date.now() - started) / 1_000) + 5}s`,
            "--period", "5s", "--activities", rel(record), "--out", rel(OUT)], terminalIo().io);
    } finally {
        await stopAll({ moto, clients });
    }
}

if (require.main === module) {
    demo().then((code) => process.exit(code), (error: unknown) => {
        console.error(error);
        process.exit(1);
    });
}
