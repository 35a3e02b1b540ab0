/**
 * `autoscale wake --stack <name> --service <key> | --cluster <name> --ecs-service <name>`: wakes a sleeping scale-to-zero service by hand
 * (runtime/scale-to-zero/manual-wake.ts) and prints the decision. Usage errors exit 2 before any AWS
 * call; a service that never slept, or whose rule cannot be found, exits 1 with why.
 */
import type { Command } from "commander";
import { wakeTargetGroupName } from "../../config/scale-to-zero";
import { createApplicationAutoScalingClient, createCloudWatchClient, createEcsClient, createElbv2Client } from "../../runtime/aws/clients";
import { wakeOnce } from "../../runtime/scale-to-zero/manual-wake";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";
import { addServiceOptions, requireService, type ServiceFlags } from "../options";


/** Registers `wake` on the program. */
export function addWakeCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const cmd = program.command("wake")
        .description("wake a sleeping scale-to-zero service as its first request would: ask for its wake capacity, or route it back once a task is healthy")
        .option("--json", "print the decision as JSON (the default output is one line in words)");
    addServiceOptions(cmd);
    cmd.action((flags: ServiceFlags & { json?: boolean }) => setRun(() => runTool(io, async () => {
        const { cluster, ecsService: service } = requireService(flags);
        const clients = {
            ecs: createEcsClient(), elbv2: createElbv2Client(), autoscaling: createApplicationAutoScalingClient(), cloudwatch: createCloudWatchClient(),
        };
        try {
            const d = await wakeOnce(clients, { cluster, service, wakeTargetGroupName: wakeTargetGroupName(service) }, Date.now());
            const result = { cluster, service, transition: d.transition, status: d.status, desiredCount: d.desiredCount, reason: d.reason };
            io.out(flags.json ? `${JSON.stringify(result)}\n` : `${service}: ${d.transition} (${d.status}, desired ${d.desiredCount}): ${d.reason}\n`);
            return EXIT.ok;
        } finally {
            for (const c of Object.values(clients)) c.destroy();
        }
    })));
    return cmd;
}
