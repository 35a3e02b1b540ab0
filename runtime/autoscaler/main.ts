/**
 * The queue autoscaler task's own entry (bundled into dist/autoscaler/index.js; the task definition's
 * entry point, components/queue-autoscaler.ts): `autoscaler run [flags]`, the same command and function
 * as `autoscale autoscaler run` (runtime/autoscaler/command.ts), without the `autoscale` command's other
 * tools (the Pulumi program, charts, the local stack, load tools, the AMQP client), so the task loads
 * only what scaling needs: the AWS SDK clients it calls, commander, pino, prom-client and its settings.
 *
 *   node dist/autoscaler/index.js autoscaler run [flags]
 *   node dist/autoscaler/index.js --help | --version
 *
 * Exit codes as `autoscale`'s: 0 done (also stopped by SIGTERM/SIGINT), 1 failed, 2 bad usage or a
 * missing resource.
 */
import { Command } from "commander";
import { version } from "../../package.json";
import { processIo, type ProcessIo } from "../aws/process";
import { addAutoscalerCommand, exitWith, runProgram } from "./command";

/** Runs `argv` (the arguments after the script name) and resolves with the exit code. */
export function main(argv: readonly string[], io: ProcessIo = processIo): Promise<number> {
    return runProgram(argv, io, (setRun) => {
        const program = new Command("autoscaler")
            .description("The queue autoscaler task: `autoscaler run` scales ECS services from their queues' depth")
            .version(version, "-V, --version", "print the version")
            .showHelpAfterError("(add --help for the flags and their environment variables)");
        addAutoscalerCommand(program, io, setRun);
        // Every command of the tree returns its errors to runProgram and writes through `io`.
        for (const cmd of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
            cmd.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
        }
        return program;
    });
}

if (require.main === module) exitWith(main(process.argv.slice(2)));
