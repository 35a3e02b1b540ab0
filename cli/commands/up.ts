/**
 * `autoscale up [--stack localstack] [--speed 12] [--start-delay s] [--port 8750] [--no-demo]` (`npm start`):
 * the stack on this machine, from the program's own graph, in a local endpoint, running and scaling on a
 * live page, until Ctrl-C; then everything it created is deleted. The work is in local/stack.ts.
 */
import type { Command } from "commander";
import { DEFAULT_PAGE_PORT, DEFAULT_SPEED, DEFAULT_STACK, loadLocalStack, usageMessage } from "../../local/entry";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";
import { collect, projectRoot } from "../options";
import { UsageError, parseCount } from "../../input/usage";

interface UpFlags { stack: string; speed: string; startDelay?: string; port: string; demo: boolean; config: string[] }

export function addUpCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const cmd = program.command("up")
        .description("run a stack on this machine (moto_server, or a local AWS_ENDPOINT_URL) with a live page until Ctrl-C, then delete it")
        .option("--stack <name>", "the stack file Pulumi.<name>.yaml", DEFAULT_STACK)
        .option("--speed <factor>", "CloudWatch seconds per real second (alarm periods, cooldowns)", String(DEFAULT_SPEED))
        .option("--start-delay <seconds>", "seconds from a task's launch to its process starting (default: the simulator's Fargate start time)")
        .option("--port <port>", "port of the live page on 127.0.0.1", String(DEFAULT_PAGE_PORT))
        .option("--no-demo", "do not send the demo burst after start")
        .option("-c, --config <path=value>", "a stack config value for this run, as `pulumi up --config-path -c` (repeatable)", collect, []);
    cmd.action((flags: UpFlags) => setRun(() => runTool(io, async (signal) => {
        const speed = Number(flags.speed);
        // The emulator reads 1-s datapoints, so a 60-s period must last at least 1 real second.
        if (flags.speed.trim() === "" || !Number.isFinite(speed) || speed <= 0 || speed > 60) throw new UsageError(`--speed: ${JSON.stringify(flags.speed)} must be a number > 0 and <= 60`);
        const port = parseCount(flags.port, "--port", 0);
        if (port > 65535) throw new UsageError(`--port: ${port} must be <= 65535`);
        const startDelaySeconds = flags.startDelay === undefined ? undefined : parseCount(flags.startDelay, "--start-delay", 0);
        try {
            await loadLocalStack().up({
                root: projectRoot(), stack: flags.stack, speed, port, demo: flags.demo, env: io.env, signal, config: flags.config,
                ...(startDelaySeconds !== undefined ? { startDelaySeconds } : {}),
                out: (line) => io.out(`${line}\n`),
            });
        } catch (error) {
            // A bad stack, config, port or endpoint is the user's to fix: exit 2 with its message.
            const message = usageMessage(error);
            throw message ? new UsageError(message) : error;
        }
        return EXIT.ok;
    })));
    return cmd;
}
