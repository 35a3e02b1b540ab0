/**
 * `autoscale emulate --stack <name> [--service <key>] | --cluster <name> [--ecs-service <name>] [--speed N]
 * [--activities file.jsonl] [--wait] [--json]`: runs the emulator (emulator/emulate.ts) against a local AWS
 * endpoint until SIGINT/SIGTERM, appending each scaling activity to --activities, and prints its summary.
 * An endpoint that is not local is refused unless --i-know-this-is-aws is given, before any AWS call; one
 * that holds no scalable target for the service exits 2 naming both, unless --wait is given (then a
 * progress line on stderr every few seconds until one appears).
 */
import { appendFile, mkdir } from "fs/promises";
import * as path from "path";
import type { Command } from "commander";
import { runEmulator, type EmulatorSummary } from "../../emulator/emulate";
import { clientEndpointProblem, endpointProblem } from "../../emulator/endpoint";
import { UsageError } from "../../input/usage";
import { realSleep } from "../../runtime/autoscaler/time";
import { createApplicationAutoScalingClient, createCloudWatchClient, createEcsClient } from "../../runtime/aws/clients";
import { createLogger } from "../../runtime/aws/logger";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";
import { addServiceOptions, defaultOutput, resolveService, type ServiceFlags } from "../options";

interface EmulateFlags extends ServiceFlags {
    speed: string;
    activities: string;
    iKnowThisIsAws?: boolean;
    wait?: boolean;
    json?: boolean;
}

/** Seconds between two progress lines while --wait waits for a scalable target. */
export const WAIT_POLL_MS = 5_000;

/** The summary in words. */
function summaryText(s: EmulatorSummary, activities: string): string {
    return `emulated ${s.targets.length} scalable target${s.targets.length === 1 ? "" : "s"} (${s.targets.join(", ") || "none"}): ` +
        `${s.activities} scaling activit${s.activities === 1 ? "y" : "ies"} (recorded in ${activities}), ${s.alarmChanges} alarm state change${s.alarmChanges === 1 ? "" : "s"}` +
        (s.skipped.length > 0 ? `; not emulated: ${s.skipped.join("; ")}` : "");
}

/** Registers `emulate` on the program. */
export function addEmulateCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const cmd = program.command("emulate")
        .description("evaluate the alarms and scaling policies stored in a local AWS endpoint (moto) and apply them, recording each scaling activity")
        .option("--speed <factor>", "virtual seconds per real second", "1")
        .option("--activities <file.jsonl>", "activity record to append to (read by autoscale evidence --activities)", defaultOutput("scaling-activities.jsonl"))
        .option("--wait", "when the endpoint holds no scalable target for the service yet, wait for one (a progress line every 5 s) instead of exiting 2")
        .option("--json", "print the summary as JSON")
        .option("--i-know-this-is-aws", "allow an endpoint that is not local");
    addServiceOptions(cmd);
    cmd.action((flags: EmulateFlags) => setRun(() => runTool(io, async (signal) => {
        const { cluster, ecsService } = resolveService(flags);
        if (!cluster) throw new UsageError("--cluster: (missing) the ECS cluster name is required (or --stack, whose cluster it then is)");
        const speed = Number(flags.speed);
        if (flags.speed.trim() === "" || !Number.isFinite(speed) || speed <= 0 || speed > 3600) {
            throw new UsageError(`--speed: ${JSON.stringify(flags.speed)} must be a number > 0 and <= 3600`);
        }
        const problem = endpointProblem(io.env, flags.iKnowThisIsAws === true);
        if (problem) throw new UsageError(problem);
        // A local endpoint (moto) answers any region: without AWS_REGION the SDK would stop with "Region is missing".
        const region = flags.iKnowThisIsAws || io.env.AWS_REGION?.trim() || io.env.AWS_DEFAULT_REGION?.trim() ? {} : { region: "us-east-1" };
        const clients = { autoscaling: createApplicationAutoScalingClient(region), cloudwatch: createCloudWatchClient(region), ecs: createEcsClient(region) };
        try {
            const resolved = await clientEndpointProblem(clients, flags.iKnowThisIsAws === true);
            if (resolved) throw new UsageError(resolved);
            const endpoint = io.env.AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING?.trim() || io.env.AWS_ENDPOINT_URL?.trim() || "AWS";
            await mkdir(path.dirname(flags.activities), { recursive: true });
            const summary = await runEmulator({
                cluster, ...(ecsService ? { service: ecsService } : {}), speed, endpoint, wait: flags.wait === true, waitPollMs: WAIT_POLL_MS,
            }, {
                ...clients,
                clock: Date.now, sleep: realSleep, record: (line) => appendFile(flags.activities, `${line}\n`),
                logger: createLogger({ name: "emulate", env: io.env }), signal,
                progress: (line) => io.err(`${line}\n`),
            });
            io.out(`${flags.json ? JSON.stringify(summary) : summaryText(summary, flags.activities)}\n`);
            return EXIT.ok;
        } finally {
            // Sockets closed: the process exits when the run ends, as evidence's does.
            for (const c of Object.values(clients)) c.destroy();
        }
    })));
    return cmd;
}
