/**
 * The `autoscale` command.
 *
 *   autoscale autoscaler run [flags]            run the queue-driven autoscaler until SIGTERM/SIGINT
 *   autoscale chaos stop-task|drain|partition   run one failure simulation (needs --chaos-allowed)
 *
 * Every flag has an environment variable: upper case with underscores (`--queue-url` <-> QUEUE_URL);
 * the flag wins. Region and endpoint come from AWS_REGION and AWS_ENDPOINT_URL. Bad flags are reported
 * with exit code 2 before any AWS call.
 */
import { Command, CommanderError } from "commander";
import { createLogger } from "../runtime/aws/logger";
import { CHAOS_KINDS, ChaosNotAllowedError, type ChaosKind } from "../runtime/autoscaler/chaos";
import { envName, flagName, parseChaosSettings, parseSettings, SETTING_DEFAULTS, SettingsError, type FlagValues } from "../runtime/autoscaler/settings";
import { runChaosOnce, startAutoscaler } from "../runtime/autoscaler/service";
import { addMetricCommand } from "./metric-publish";
import { addEvidenceCommand } from "./evidence";
import { addScaleTestCommand } from "./scale-test";
import { addSimulateCommand } from "./simulate";

/** Exit codes: 0 success, 1 runtime failure, 2 bad usage (flags, refused simulation). */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The stop reason given for an uncaught error (the run then exits 1). */
export const UNCAUGHT = "uncaught error";

/** What the command touches outside itself; tests replace it. */
export interface CliIo {
    readonly env: NodeJS.ProcessEnv;
    readonly out: (text: string) => void;
    readonly err: (text: string) => void;
    /**
     * Calls `onStop` on SIGTERM/SIGINT, and on an uncaught error (so that a failure simulation still
     * restores what it disrupted); returns a function that removes the handlers.
     */
    readonly onStopSignal: (onStop: (reason: string) => void) => () => void;
}

export const processIo: CliIo = {
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    onStopSignal(onStop) {
        const onSigterm = () => onStop("SIGTERM");
        const onSigint = () => onStop("SIGINT");
        const onError = (error: unknown) => {
            process.stderr.write(`uncaught error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
            onStop(UNCAUGHT);
        };
        process.on("SIGTERM", onSigterm);
        process.on("SIGINT", onSigint);
        process.on("uncaughtException", onError);
        process.on("unhandledRejection", onError);
        return () => {
            process.off("SIGTERM", onSigterm);
            process.off("SIGINT", onSigint);
            process.off("uncaughtException", onError);
            process.off("unhandledRejection", onError);
        };
    },
};

/** Every flag: the name of its value ("[bool]": an optional true/false) and its help text. */
const OPTIONS: Readonly<Record<string, readonly [value: string, help: string]>> = {
    queueUrl: ["<url>", "SQS queue URL to watch"],
    rabbitmqUrl: ["<url>", "amqp:// URL of the RabbitMQ broker (instead of --queue-url)"],
    rabbitmqQueue: ["<name>", "RabbitMQ queue to watch (with --rabbitmq-url)"],
    cluster: ["<name>", "ECS cluster name or ARN"],
    service: ["<name>", "ECS service to scale"],
    min: ["<count>", `fewest tasks (default ${SETTING_DEFAULTS.min})`],
    max: ["<count>", "most tasks (required)"],
    scaleUpThreshold: ["<messages>", `scale up when messages > tasks x this (default ${SETTING_DEFAULTS.scaleUpThreshold})`],
    scaleDownThreshold: ["<messages>", `scale down when messages < tasks x this (default ${SETTING_DEFAULTS.scaleDownThreshold})`],
    interval: ["<seconds>", `time between ticks (default ${SETTING_DEFAULTS.interval})`],
    scaleUpCooldown: ["<seconds>", `after a scale-up, only larger scale-ups (default ${SETTING_DEFAULTS.scaleUpCooldown})`],
    scaleDownCooldown: ["<seconds>", `after a scale-down, no scale-down (default ${SETTING_DEFAULTS.scaleDownCooldown})`],
    scaleDownStep: ["<count>", `tasks removed per scale-down at most (default ${SETTING_DEFAULTS.scaleDownStep})`],
    countInFlight: ["[bool]", "count in-flight messages as work (default false)"],
    oldestMessageWarning: ["<seconds>", `warn when the oldest message is older (default ${SETTING_DEFAULTS.oldestMessageWarning})`],
    healthPort: ["<port>", `port of /healthz and /metrics, 0 for any (default ${SETTING_DEFAULTS.healthPort})`],
    dryRun: ["[bool]", "decide and log, never change the service (default false)"],
    chaosAllowed: ["[bool]", "allow failure simulation at all (default false)"],
    chaosStopTaskEnabled: ["[bool]", "stop a random worker task on a schedule (default false)"],
    chaosStopTaskInterval: ["<seconds>", `stop-task interval (default ${SETTING_DEFAULTS.chaosStopTaskInterval})`],
    chaosDrainEnabled: ["[bool]", "drain the service to 0 and restore it on a schedule (default false)"],
    chaosDrainInterval: ["<seconds>", `drain interval (default ${SETTING_DEFAULTS.chaosDrainInterval})`],
    chaosPartitionEnabled: ["[bool]", "cut the workers off the SQS queue on a schedule (default false)"],
    chaosPartitionInterval: ["<seconds>", `partition interval (default ${SETTING_DEFAULTS.chaosPartitionInterval})`],
    chaosPartitionDuration: ["<seconds>", `how long a partition lasts (default ${SETTING_DEFAULTS.chaosPartitionDuration})`],
    workerRoleArn: ["<arn>", "the workers' task role ARN (partition)"],
};

/** The flags of `autoscaler run`: all of them. */
const RUN_FLAGS = Object.keys(OPTIONS);
/** The flags of each `chaos <kind>`. */
const CHAOS_FLAGS: Record<ChaosKind, readonly string[]> = {
    "stop-task": ["cluster", "service", "chaosAllowed"],
    drain: ["cluster", "service", "chaosAllowed"],
    partition: ["cluster", "service", "chaosAllowed", "queueUrl", "workerRoleArn", "chaosPartitionDuration"],
};

function addOptions(cmd: Command, keys: readonly string[]): Command {
    for (const key of keys) {
        const [value, help] = OPTIONS[key]!;
        cmd.option(`${flagName(key)} ${value}`, `${help} [env ${envName(key)}]`);
    }
    return cmd;
}

function message(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/** Resolves when `onStopSignal` fires; the function it returns removes the handlers. */
function stopSignal(io: CliIo): { stopped: Promise<string>; remove: () => void } {
    let remove: () => void = () => undefined;
    const stopped = new Promise<string>((resolve) => {
        remove = io.onStopSignal(resolve);
    });
    return { stopped, remove };
}

async function runAutoscaler(flags: FlagValues, io: CliIo): Promise<number> {
    const settings = parseSettings(flags, io.env);
    const logger = createLogger({ name: "autoscaler", env: io.env });
    const signal = stopSignal(io);
    try {
        const running = await startAutoscaler(settings, { logger });
        const reason = await signal.stopped;
        logger.info({ reason }, `stopping (${reason})`);
        await running.stop();
        return reason === UNCAUGHT ? EXIT.failure : EXIT.ok;
    } finally {
        signal.remove();
    }
}

async function runChaosCommand(kind: ChaosKind, flags: FlagValues, io: CliIo): Promise<number> {
    const settings = parseChaosSettings(kind, flags, io.env);
    const logger = createLogger({ name: "autoscale-chaos", env: io.env });
    const abort = new AbortController();
    const signal = stopSignal(io);
    signal.stopped.then((reason) => {
        logger.warn({ reason }, `interrupted (${reason}); restoring what was disrupted`);
        abort.abort();
    }, () => undefined);
    try {
        const report = await runChaosOnce(kind, settings, { logger, signal: abort.signal });
        io.out(`${JSON.stringify(report)}\n`);
        return report.outcome === "done" || report.outcome === "nothing_to_do" ? EXIT.ok : EXIT.failure;
    } finally {
        signal.remove();
    }
}

function buildProgram(io: CliIo, setResult: (run: () => Promise<number>) => void): Command {
    const program = new Command("autoscale")
        .description("Queue-driven autoscaling of ECS services, and failure simulation")
        .exitOverride()
        .configureOutput({ writeOut: io.out, writeErr: io.err })
        .showHelpAfterError("(add --help for the flags and their environment variables)");

    const autoscaler = program.command("autoscaler").description("the queue-driven autoscaler");
    const run = autoscaler.command("run").description("scale --service from the depth of --queue-url or --rabbitmq-queue until SIGTERM");
    addOptions(run, RUN_FLAGS);
    run.action((flags: FlagValues) => setResult(() => runAutoscaler(flags, io)));

    const chaos = program.command("chaos").description("run one failure simulation (requires --chaos-allowed or CHAOS_ALLOWED=true)");
    const help: Record<ChaosKind, string> = {
        "stop-task": "stop one random running task of --service",
        drain: "set --service's desired count to 0, wait for running 0, restore it",
        partition: "deny --worker-role-arn the queue of --queue-url for --chaos-partition-duration seconds, then restore its policy",
    };
    for (const kind of CHAOS_KINDS) {
        const cmd = chaos.command(kind).description(help[kind]);
        addOptions(cmd, CHAOS_FLAGS[kind]);
        cmd.action((flags: FlagValues) => setResult(() => runChaosCommand(kind, flags, io)));
    }
    addMetricCommand(program, io, setResult);
    addEvidenceCommand(program, io, setResult);
    addScaleTestCommand(program, io, setResult);
    addSimulateCommand(program, io, setResult);
    return program;
}

/**
 * Runs the command with `argv` (the arguments after the script name) and resolves with the exit
 * code: 0 done, 1 failed, 2 bad usage (nothing was called).
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
    let selected: (() => Promise<number>) | undefined;
    const program = buildProgram(io, (run) => (selected = run));
    try {
        await program.parseAsync([...argv], { from: "user" });
    } catch (error) {
        if (error instanceof CommanderError) {
            // Help and version asked for exit 0; everything else commander rejects is bad usage.
            return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
        }
        throw error;
    }
    if (!selected) {
        io.err(program.helpInformation());
        return EXIT.usage;
    }
    try {
        return await selected();
    } catch (error) {
        if (error instanceof SettingsError) {
            io.err(`${error.problems.map((p) => `error: ${p}`).join("\n")}\n`);
            return EXIT.usage;
        }
        if (error instanceof ChaosNotAllowedError) {
            io.err(`error: ${error.message}\n`);
            return EXIT.usage;
        }
        io.err(`error: ${message(error)}\n`);
        return EXIT.failure;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    }, (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
        process.exitCode = EXIT.failure;
    });
}
