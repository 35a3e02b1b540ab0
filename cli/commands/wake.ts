/**
 * `autoscale wake --cluster <name> --service <name>`: wakes a sleeping scale-to-zero service by hand
 * (runtime/scale-to-zero/manual-wake.ts) and prints the decision. Usage errors exit 2 before any AWS
 * call; a service that never slept, or whose rule cannot be found, exits 1 with why.
 */
import type { Command } from "commander";
import { wakeTargetGroupName } from "../../config/scale-to-zero";
import { UsageError } from "../../input/usage";
import { createApplicationAutoScalingClient, createCloudWatchClient, createEcsClient, createElbv2Client } from "../../runtime/aws/clients";
import { wakeOnce } from "../../runtime/scale-to-zero/manual-wake";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";

interface WakeFlags {
    readonly cluster?: string;
    readonly service?: string;
}

/** Registers `wake` on the program. */
export function addWakeCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const cmd = program.command("wake")
        .description("wake a sleeping scale-to-zero service as its first request would: ask for its wake capacity, or route it back once a task is healthy")
        .option("--cluster <name>", "ECS cluster name")
        .option("--service <name>", "ECS service name");
    cmd.action((flags: WakeFlags) => setRun(() => runTool(io, async () => {
        const missing = (["cluster", "service"] as const).filter((k) => !flags[k]?.trim());
        if (missing.length > 0) throw new UsageError(missing.map((k) => `--${k}: (missing) is required`).join("; "));
        const clients = {
            ecs: createEcsClient(), elbv2: createElbv2Client(), autoscaling: createApplicationAutoScalingClient(), cloudwatch: createCloudWatchClient(),
        };
        try {
            const d = await wakeOnce(clients, { cluster: flags.cluster!, service: flags.service!, wakeTargetGroupName: wakeTargetGroupName(flags.service!) }, Date.now());
            io.out(`${JSON.stringify({ cluster: flags.cluster, service: flags.service, transition: d.transition, status: d.status, desiredCount: d.desiredCount, reason: d.reason })}\n`);
            return EXIT.ok;
        } finally {
            for (const c of Object.values(clients)) c.destroy();
        }
    })));
    return cmd;
}
