/**
 * The queue autoscaler's command line, `autoscaler run [flags]`, with the flags of its settings table
 * (runtime/autoscaler/options.ts). Registered by
 * the `autoscale` command (cli/commands/autoscaler.ts) and by the task's own small entry
 * (runtime/autoscaler/main.ts); both run the same function. A stop aborts the calls in flight, gives a
 * failure simulation a few seconds to restore what it disrupted, and exits 0.
 */
import { CommanderError, type Command } from "commander";
import { logDestination } from "../aws/log-format";
import { createLogger, LogLevelError } from "../aws/logger";
import { EXIT, stopSignal, UNCAUGHT, type ProcessIo } from "../aws/process";
import { ChaosNotAllowedError } from "./chaos/types";
import { PreflightError } from "./preflight";
import { startAutoscaler, type AutoscalerDeps } from "./service";
import { addSettingOptions, ALL_SETTINGS, valuesOf } from "./options";
import { parseSettings, SettingsError, type FlagValues, type ValueSource } from "./settings";
import { endpointAnswerOf } from "../aws/endpoint-answer";
import { UsageError } from "../../input/usage";

/**
 * Longest wait for the autoscaler to stop after a stop signal, ms. The calls in flight are aborted at
 * once; a failure simulation's restore tries for STOPPING_RESTORE_BUDGET_MS (5 s) and leaves the rest
 * to heal by itself. Well inside the 30 s ECS gives a task before SIGKILL (aws/api-limits.ts).
 */
export const STOP_DEADLINE_MS = 9_000;

/**
 * What a registration adds to the autoscaler it starts: the queue sources a build carries beyond SQS,
 * and flags of its own (the `autoscale` command's --stack and --service, read from a stack file),
 * applied to the flag values before the settings are read.
 */
export type AutoscalerCapabilities = Pick<Partial<AutoscalerDeps>, "rabbitMq"> & {
    readonly options?: (cmd: Command) => void;
    readonly applyOptions?: (flags: FlagValues, sources: Record<string, ValueSource>) => void;
};

async function run(cmd: Command, io: ProcessIo, capabilities: AutoscalerCapabilities): Promise<number> {
    const { flags, sources } = valuesOf(cmd);
    capabilities.applyOptions?.(flags, sources);
    const settings = parseSettings(flags, io.env, sources);
    const logger = createLogger({ name: "autoscaler", level: settings.logLevel, destination: logDestination(settings.logFormat, io) });
    const signal = stopSignal(io);
    try {
        let running: Awaited<ReturnType<typeof startAutoscaler>>;
        try {
            running = await startAutoscaler(settings, { ...(capabilities.rabbitMq ? { rabbitMq: capabilities.rabbitMq } : {}), logger });
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

/** Adds `autoscaler run` to `program`; its action hands `setRun` the function that runs it. */
export function addAutoscalerCommand(program: Command, io: ProcessIo, setRun: (run: () => Promise<number>) => void, capabilities: AutoscalerCapabilities = {}): Command {
    const autoscaler = program.command("autoscaler").description("the queue-driven autoscaler");
    const runCmd = autoscaler.command("run")
        .description(`scale the service of ${capabilities.options ? "--stack with --service, or " : ""}--cluster with --ecs-service from the depth of --queue-url or --rabbitmq-queue until SIGTERM/SIGINT (then exit 0)`);
    capabilities.options?.(runCmd);
    addSettingOptions(runCmd, ALL_SETTINGS);
    runCmd.action((_opts, cmd: Command) => setRun(() => run(cmd, io, capabilities)));
    return autoscaler;
}

/**
 * Parses `argv` with `program` (its commands hand their run to `setRun`), runs the one selected and
 * resolves with the exit code: 0 done (also help and version, and a stop by SIGTERM/SIGINT), 1 failed,
 * 2 bad usage or a missing resource. No command selected prints the help (exit 2). The `autoscale`
 * command and the autoscaler task's entry end the same way.
 */
export async function runProgram(argv: readonly string[], io: Pick<ProcessIo, "err">, build: (setRun: (run: () => Promise<number>) => void) => Command): Promise<number> {
    let selected: (() => Promise<number>) | undefined;
    const program = build((run) => (selected = run));
    try {
        await program.parseAsync([...argv], { from: "user" });
    } catch (error) {
        // Help and version asked for exit 0; everything else commander rejects is bad usage.
        if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
        throw error;
    }
    if (!selected) {
        io.err(program.helpInformation());
        return EXIT.usage;
    }
    try {
        return await selected();
    } catch (error) {
        const code = autoscalerErrorExit(error, io);
        if (code !== undefined) return code;
        io.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        return EXIT.failure;
    }
}

/** Writes a last error of `main` and sets the exit code of the process when `main` resolves. */
export function exitWith(main: Promise<number>): void {
    main.then((code) => {
        process.exitCode = code;
    }, (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = EXIT.failure;
    });
}

/**
 * The exit code of an error the autoscaler's settings, start-up check or failure simulations throw,
 * after writing it as `error: <problem>` lines; undefined for any other error. Bad settings, a missing
 * resource and a refused simulation are bad usage (2); a start-up check that may pass later is a failure (1).
 */
export function autoscalerErrorExit(error: unknown, io: Pick<ProcessIo, "err">): number | undefined {
    // An endpoint that answers HTML (a wrong AWS_ENDPOINT_URL or region): one line naming it, whatever command called.
    const answer = endpointAnswerOf(error);
    if (answer) {
        io.err(`error: ${answer.message}\n`);
        return EXIT.usage;
    }
    if (error instanceof SettingsError || error instanceof PreflightError) {
        io.err(`${error.problems.map((p) => `error: ${p}`).join("\n")}\n`);
        return error instanceof PreflightError && !error.permanent ? EXIT.failure : EXIT.usage;
    }
    if (error instanceof ChaosNotAllowedError || error instanceof LogLevelError || error instanceof UsageError) {
        io.err(`error: ${error.message}\n`);
        return EXIT.usage;
    }
    return undefined;
}
