/**
 * `autoscale emulate --cluster <name> [--service <name>] [--speed N] [--activities file.jsonl]`: runs the
 * emulator (emulator/emulate.ts) against a local AWS endpoint until SIGINT/SIGTERM, appending each
 * scaling activity to --activities, and prints its summary. An endpoint that is not local is refused
 * unless --i-know-this-is-aws is given, before any AWS call.
 */
import { appendFile } from "fs/promises";
import type { Command } from "commander";
import { runEmulator } from "../../emulator/emulate";
import { clientEndpointProblem, endpointProblem } from "../../emulator/endpoint";
import { UsageError } from "../../input/usage";
import { realSleep } from "../../runtime/autoscaler/time";
import { createApplicationAutoScalingClient, createCloudWatchClient, createEcsClient } from "../../runtime/aws/clients";
import { createLogger } from "../../runtime/aws/logger";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";
import { defaultOutput } from "../options";

interface EmulateFlags {
    cluster?: string;
    service?: string;
    speed: string;
    activities: string;
    iKnowThisIsAws?: boolean;
}

/** Registers `emulate` on the program. */
export function addEmulateCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const cmd = program.command("emulate")
        .description("evaluate the alarms and scaling policies stored in a local AWS endpoint (moto) and apply them, recording each scaling activity")
        .option("--cluster <name>", "ECS cluster whose scalable targets are emulated")
        .option("--service <name>", "only this service")
        .option("--speed <factor>", "virtual seconds per real second", "1")
        .option("--activities <file.jsonl>", "activity record to append to (read by autoscale evidence --activities)", defaultOutput("scaling-activities.jsonl"))
        .option("--i-know-this-is-aws", "allow an endpoint that is not local");
    cmd.action((flags: EmulateFlags) => setRun(() => runTool(io, async (signal) => {
        if (!flags.cluster) throw new UsageError("--cluster: (missing) the ECS cluster name is required");
        const speed = Number(flags.speed);
        if (flags.speed.trim() === "" || !Number.isFinite(speed) || speed <= 0 || speed > 3600) {
            throw new UsageError(`--speed: ${JSON.stringify(flags.speed)} must be a number > 0 and <= 3600`);
        }
        const problem = endpointProblem(io.env, flags.iKnowThisIsAws === true);
        if (problem) throw new UsageError(problem);
        const clients = { autoscaling: createApplicationAutoScalingClient(), cloudwatch: createCloudWatchClient(), ecs: createEcsClient() };
        try {
            const resolved = await clientEndpointProblem(clients, flags.iKnowThisIsAws === true);
            if (resolved) throw new UsageError(resolved);
            const summary = await runEmulator({ cluster: flags.cluster, ...(flags.service ? { service: flags.service } : {}), speed }, {
                ...clients,
                clock: Date.now, sleep: realSleep, record: (line) => appendFile(flags.activities, `${line}\n`),
                logger: createLogger({ name: "emulate", env: io.env }), signal,
            });
            io.out(`${JSON.stringify(summary)}\n`);
            return EXIT.ok;
        } finally {
            // Sockets closed: the process exits when the run ends, as evidence's does.
            for (const c of Object.values(clients)) c.destroy();
        }
    })));
    return cmd;
}
