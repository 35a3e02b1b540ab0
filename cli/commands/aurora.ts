/**
 * `autoscale aurora teardown --cluster <id>`: the step before `pulumi destroy` on a stack with Aurora.
 * Removes the instances Pulumi does not know (Application Auto Scaling's readers, the class scaler's
 * instances) and waits until they are gone (runtime/aurora/teardown.ts), then prints what it removed
 * and what it left for Pulumi. A missing --cluster exits 2 before any AWS call.
 */
import type { Command } from "commander";
import { UsageError } from "../../input/usage";
import { teardownAurora } from "../../runtime/aurora/teardown";
import { createApplicationAutoScalingClient, createRdsClient } from "../../runtime/aws/clients";
import { createLogger } from "../../runtime/aws/logger";
import { realSleep } from "../../runtime/autoscaler/time";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";

/** Registers `aurora teardown` on the program. */
export function addAuroraCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const aurora = program.command("aurora").description("operations on the stack's Aurora cluster");
    aurora.command("teardown")
        .description("before pulumi destroy: delete the cluster's instances outside Pulumi's state (Application Auto Scaling's readers, the class scaler's instances) and wait until they are gone")
        .option("--cluster <id>", "Aurora cluster identifier (the stack output aurora.clusterIdentifier, <namePrefix>-aurora)")
        .option("--json", "print the result as JSON")
        .action((flags: { cluster?: string; json?: boolean }) => setRun(() => runTool(io, async (signal) => {
            if (!flags.cluster?.trim()) throw new UsageError("--cluster: (missing) is required");
            const rds = createRdsClient();
            const autoscaling = createApplicationAutoScalingClient();
            try {
                const r = await teardownAurora(flags.cluster, {
                    rds, autoscaling, logger: createLogger({ name: "aurora-teardown" }), now: Date.now,
                    sleep: (ms) => realSleep(ms, signal),
                });
                const result = { cluster: flags.cluster, removed: r.removed, leftForPulumi: r.kept };
                io.out(`${flags.json ? JSON.stringify(result) : `${flags.cluster}: removed ${r.removed.length} instance${r.removed.length === 1 ? "" : "s"} (${r.removed.join(", ") || "none"}); left for pulumi destroy: ${r.kept.join(", ") || "none"}`}\n`);
                return EXIT.ok;
            } finally {
                rds.destroy();
                autoscaling.destroy();
            }
        })));
    return aurora;
}
