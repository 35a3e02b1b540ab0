/**
 * `autoscale autoscaler run`: the queue-driven autoscaler, until SIGTERM or SIGINT. A stop aborts the
 * calls in flight, gives a failure simulation a few seconds to restore what it disrupted, and exits 0.
 */
import { Command } from "commander";
import { createLogger } from "../../runtime/aws/logger";
import { startAutoscaler } from "../../runtime/autoscaler/service";
import { parseSettings, SettingsError } from "../../runtime/autoscaler/settings";
import { EXIT, logDestination, stopSignal, UNCAUGHT, type CliIo, type SetRun } from "../io";
import { addSettingOptions, ALL_SETTINGS, valuesOf } from "../options";

/**
 * Longest wait for the autoscaler to stop after a stop signal, ms. The calls in flight are aborted at
 * once; a failure simulation's restore tries for STOPPING_RESTORE_BUDGET_MS (5 s) and leaves the rest
 * to heal by itself. Well inside the 30 s ECS gives a task before SIGKILL (aws/api-limits.ts).
 */
export const STOP_DEADLINE_MS = 9_000;

async function run(cmd: Command, io: CliIo): Promise<number> {
    const { flags, sources } = valuesOf(cmd);
    const settings = parseSettings(flags, io.env, sources);
    const logger = createLogger({ name: "autoscaler", level: settings.logLevel, destination: logDestination(settings.logFormat, io) });
    const signal = stopSignal(io);
    try {
        let running: Awaited<ReturnType<typeof startAutoscaler>>;
        try {
            running = await startAutoscaler(settings, { logger });
        } catch (error) {
            // The health server's port is a flag: name it rather than the socket's `EADDRINUSE :::8080`.
            if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
                throw new SettingsError([`--health-port: ${settings.healthPort} is in use by another process; give a free port, or 0 for any free one`]);
            }
            throw error;
        }
        const reason = await signal.stopped;
        logger.info({ reason }, `stopping (${reason}): aborting the calls in flight`);
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<"late">((resolve) => {
            timer = setTimeout(() => resolve("late"), STOP_DEADLINE_MS);
            timer.unref();
        });
        const ended = await Promise.race([running.stop().then(() => "stopped" as const), deadline]);
        clearTimeout(timer);
        if (ended === "late") {
            logger.error({ reason, deadlineMs: STOP_DEADLINE_MS }, `did not stop within ${STOP_DEADLINE_MS / 1000}s; exiting anyway`);
            return EXIT.failure;
        }
        return reason === UNCAUGHT ? EXIT.failure : EXIT.ok;
    } finally {
        signal.remove();
    }
}

export function addAutoscalerCommand(program: Command, io: CliIo, setResult: SetRun): Command {
    const autoscaler = program.command("autoscaler").description("the queue-driven autoscaler");
    const runCmd = autoscaler.command("run")
        .description("scale --service from the depth of --queue-url or --rabbitmq-queue until SIGTERM/SIGINT (then exit 0)");
    addSettingOptions(runCmd, ALL_SETTINGS);
    runCmd.action((_opts, cmd: Command) => setResult(() => run(cmd, io)));
    return autoscaler;
}
