/**
 * A command lives in cli/commands/<command>.ts, exports add<Command>Command (a CommandRegistration), and is listed once in COMMANDS;
 * it parses flags, calls the code of its room, prints, and maps errors to exit codes, importing only cli/io.ts and cli/options.ts of cli/.
 *
 * The `autoscale` command: assembles the commands of cli/commands/ and maps what they throw to exit codes.
 *
 *   autoscale autoscaler run [flags]            run the queue-driven autoscaler until SIGTERM/SIGINT
 *   autoscale chaos stop-task|drain|partition   run one failure simulation (needs --chaos-allowed)
 *   autoscale --version
 *
 * Flags, their environment variables (`--queue-url` <-> AUTOSCALER_QUEUE_URL; the flag wins) and defaults come
 * from the settings table in scaling/autoscaler-settings.ts. Region and endpoint come from AWS_REGION
 * and AWS_ENDPOINT_URL. Bad flags exit 2 before any AWS call; so does a cluster, service or queue that
 * is missing or may not be read (checked at start, one line per problem).
 */
import { Command } from "commander";
import { exitWith, runProgram } from "../runtime/autoscaler/command";
import { addAuroraCommand } from "./commands/aurora";
import { addAutoscalerCommand } from "./commands/autoscaler";
import { addChaosCommand } from "./commands/chaos";
import { addDbCommand } from "./commands/db";
import { addDiffCommand } from "./commands/diff";
import { addDownCommand } from "./commands/down";
import { addEmulateCommand } from "./commands/emulate";
import { addEvidenceCommand } from "./commands/evidence";
import { addGatewayCommand } from "./commands/gateway";
import { addMetricCommand } from "./commands/metric";
import { addScaleTestCommand } from "./commands/scale-test";
import { addSimulateCommand } from "./commands/simulate";
import { addValidateCommand } from "./commands/validate";
import { addUpCommand } from "./commands/up";
import { addLoadCommand } from "./commands/load";
import { addWakeCommand } from "./commands/wake";
import { addWorkerCommand } from "./commands/worker";
import { EXIT, processIo, type CliIo, type CommandRegistration, type SetRun } from "./io";
import { version } from "../package.json";

/** The exit codes, as every `--help` lists them. */
export const EXIT_CODES_HELP = `
Exit codes:
  ${EXIT.ok}  success (also a stop by SIGTERM/SIGINT)
  ${EXIT.failure}  failure at run time (an AWS call, a failed check, a measurement that missed its budget)
  ${EXIT.usage}  bad usage: a flag, an environment variable, a stack file, a missing resource or an endpoint that is not AWS's`;

/** Every command, one line each, in the order `--help` lists them. */
export const COMMANDS: readonly CommandRegistration[] = [
    addAutoscalerCommand,
    addChaosCommand,
    addMetricCommand,
    addEvidenceCommand,
    addScaleTestCommand,
    addSimulateCommand,
    addEmulateCommand,
    addWorkerCommand,
    addGatewayCommand,
    addWakeCommand,
    addDbCommand,
    addDiffCommand,
    addUpCommand,
    addDownCommand,
    addLoadCommand,
    addValidateCommand,
    addAuroraCommand,
];

/** The program with every command; main() parses with it, tests walk its tree. */
export function buildProgram(io: CliIo, setResult: SetRun): Command {
    const program = new Command("autoscale")
        .description("Queue-driven autoscaling of ECS services, and failure simulation")
        .version(version, "-V, --version", "print the version")
        .exitOverride()
        .configureOutput({ writeOut: io.out, writeErr: io.err })
        .showHelpAfterError("(add --help for the flags and their environment variables)");

    for (const register of COMMANDS) register(program, io, setResult);
    // Subcommands inherit the exit override and the output, so their errors come back to main().
    for (const cmd of program.commands) applyToTree(cmd, (c) => c.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err }));
    // Every --help ends with what the exit code means, so a script can act on it.
    applyToTree(program, (c) => c.addHelpText("after", EXIT_CODES_HELP));
    return program;
}

function applyToTree(cmd: Command, f: (c: Command) => void): void {
    f(cmd);
    for (const sub of cmd.commands) applyToTree(sub, f);
}

/**
 * Runs the command with `argv` (the arguments after the script name) and resolves with the exit
 * code: 0 done (also stopped by SIGTERM/SIGINT), 1 failed, 2 bad usage or a missing resource.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
    return runProgram(argv, io, (setRun) => buildProgram(io, setRun));
}

if (require.main === module) exitWith(main(process.argv.slice(2)));
