/**
 * `autoscale emulate` on an endpoint that holds no scalable target for the service: one line naming the
 * endpoint and the service, exit 2; with --wait, a progress line per look until one appears.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { RegisterScalableTargetCommand, type ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { main } from "../../cli/autoscale";
import type { CliIo } from "../../cli/io";
import { runEmulator } from "../../emulator/emulate";
import { createApplicationAutoScalingClient, type AwsClients } from "../../runtime/aws/clients";
import { createFixture, motoClientOverrides, motoClients, startMoto, stopAll, type MotoServer } from "../../local/moto-server";

describe("integration: autoscale emulate with no scalable target on moto_server", function () {
    this.timeout(60_000);
    let moto: MotoServer | undefined;
    let clients: AwsClients | undefined;
    let autoscaling: ApplicationAutoScalingClient | undefined;
    let dir: string;
    const saved: Record<string, string | undefined> = {};
    const ENV = ["AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

    before(async () => {
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
        autoscaling = createApplicationAutoScalingClient(motoClientOverrides(moto.endpoint));
        dir = mkdtempSync(path.join(tmpdir(), "emulate-none-"));
        for (const k of ENV) saved[k] = process.env[k];
        Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
    });
    after(async () => {
        for (const k of ENV) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
        autoscaling?.destroy();
        await stopAll({ moto, clients });
        rmSync(dir, { recursive: true, force: true });
    });

    it("says so, naming the endpoint and the service, and exits 2; with no AWS_REGION too (a local endpoint answers any region)", async () => {
        const err: string[] = [];
        const out: string[] = [];
        const io: CliIo = { env: { ...process.env, AUTOSCALER_LOG_LEVEL: "silent", LOG_LEVEL: "silent" }, out: (s) => out.push(s), err: (s) => err.push(s), onStopSignal: () => () => undefined };
        // As the README runs it: AWS_ENDPOINT_URL only.
        delete process.env.AWS_REGION;
        delete (io.env as Record<string, string | undefined>).AWS_REGION;
        expect(await main(["emulate", "--cluster", "none-cluster", "--ecs-service", "none-api", "--activities", path.join(dir, "a.jsonl")], io)).to.equal(2);
        expect(err.join("")).to.equal(`error: no scalable target for ECS service none-api of cluster none-cluster at ${moto!.endpoint} ` +
            "(DescribeScalableTargets holds none); create the stack there first (autoscale up), or pass --wait to wait for one\n");
        expect(out.join("")).to.equal("");
        process.env.AWS_REGION = "us-east-1";
    });

    it("with --wait, prints a progress line per look until a target appears, then emulates it", async () => {
        await createFixture(clients!, { cluster: "wait-cluster", service: "wait-api", queue: "wait-jobs", desiredCount: 1 });
        const abort = new AbortController();
        let now = 1_000_000;
        let sleeps = 0;
        const lines: string[] = [];
        const summary = await runEmulator({ cluster: "wait-cluster", service: "wait-api", speed: 60, endpoint: moto!.endpoint, wait: true, waitPollMs: 5_000 }, {
            ...clients!, autoscaling: autoscaling!,
            clock: () => now,
            sleep: async (ms) => {
                now += ms;
                sleeps++;
                // The target appears while the second look waits; the run is stopped on its first pass.
                if (sleeps === 2) {
                    await autoscaling!.send(new RegisterScalableTargetCommand({
                        ServiceNamespace: "ecs", ResourceId: "service/wait-cluster/wait-api", ScalableDimension: "ecs:service:DesiredCount", MinCapacity: 1, MaxCapacity: 3,
                    }));
                }
                if (sleeps >= 3) abort.abort();
            },
            record: async () => undefined,
            signal: abort.signal,
            progress: (line) => lines.push(line),
        });
        const what = `ECS service wait-api of cluster wait-cluster at ${moto!.endpoint}`;
        expect(lines).to.deep.equal([
            `waiting for a scalable target for ${what}: 0 s`,
            `waiting for a scalable target for ${what}: 5 s`,
            "found 1 scalable target after 10 s",
        ]);
        expect(summary.targets).to.deep.equal(["service/wait-cluster/wait-api"]);
    });
});
