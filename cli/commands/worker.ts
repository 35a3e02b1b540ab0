/**
 * `autoscale worker run`: the sample queue worker (runtime/worker) the stacks deploy. Each flag has
 * an environment variable (the task definition sets QUEUE_URL); ECS_AGENT_URI, set by ECS in every
 * task, turns on scale-in protection while busy. SIGTERM lets the message in hand finish, then exits 0.
 */
import { Option, type Command } from "commander";
import { SQS_MAX_WAIT_SECONDS, TASK_PROTECTION_MAX_MINUTES, TASK_PROTECTION_MIN_MINUTES } from "../../aws/limits";
import { createSqsClient } from "../../runtime/aws/clients";
import { createLogger } from "../../runtime/aws/logger";
import { runWorker, type WorkerSettings } from "../../runtime/worker/consumer";
import { agentTaskProtection } from "../../runtime/worker/task-protection";
import { realSleep } from "../../runtime/autoscaler/time";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";
import { UsageError, parseCount } from "../../input/usage";

interface WorkerFlags {
    queueUrl?: string;
    processingMs: string;
    waitSeconds: string;
    protectionMinutes: string;
}

/** Checks the flags; throws UsageError naming the flag, the value and the rule. */
export function workerSettings(flags: WorkerFlags): WorkerSettings {
    if (!flags.queueUrl) throw new UsageError("--queue-url: (missing) the SQS queue URL is required (or set QUEUE_URL)");
    const processingMs = parseCount(flags.processingMs, "--processing-ms", 0);
    const waitSeconds = parseCount(flags.waitSeconds, "--wait-seconds", 0);
    if (waitSeconds > SQS_MAX_WAIT_SECONDS) throw new UsageError(`--wait-seconds: ${waitSeconds} must be <= ${SQS_MAX_WAIT_SECONDS} (the SQS long-poll maximum)`);
    const protectionMinutes = parseCount(flags.protectionMinutes, "--protection-minutes", TASK_PROTECTION_MIN_MINUTES);
    if (protectionMinutes > TASK_PROTECTION_MAX_MINUTES) {
        throw new UsageError(`--protection-minutes: ${protectionMinutes} must be <= ${TASK_PROTECTION_MAX_MINUTES} (the ECS maximum)`);
    }
    return { queueUrl: flags.queueUrl, processingMs, waitSeconds, protectionMinutes };
}

export function addWorkerCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const worker = program.command("worker").description("the sample queue worker");
    const run = worker.command("run").description("consume --queue-url one message at a time until SIGTERM")
        .addOption(new Option("--queue-url <url>", "SQS queue to consume").env("QUEUE_URL"))
        .addOption(new Option("--processing-ms <ms>", "work per message").env("PROCESSING_MS").default("1000"))
        .addOption(new Option("--wait-seconds <s>", `SQS long-poll wait, 0-${SQS_MAX_WAIT_SECONDS}`).env("WAIT_SECONDS").default("20"))
        .addOption(new Option("--protection-minutes <m>", `scale-in protection expiry while busy, ${TASK_PROTECTION_MIN_MINUTES}-${TASK_PROTECTION_MAX_MINUTES}`).env("PROTECTION_MINUTES").default("10"));
    run.action((flags: WorkerFlags) => setRun(() => runTool(io, async (signal) => {
        const settings = workerSettings(flags);
        const logger = createLogger({ name: "worker", env: io.env });
        const agent = io.env.ECS_AGENT_URI;
        if (!agent) logger.info("ECS_AGENT_URI is not set (not in an ECS task): no scale-in protection");
        const sqs = createSqsClient();
        try {
            await runWorker(settings, {
                sqs,
                ...(agent ? { protection: agentTaskProtection(agent) } : {}),
                clock: Date.now,
                work: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
                pause: realSleep,
                logger,
                signal,
            });
            return EXIT.ok;
        } finally {
            sqs.destroy();
        }
    })));
    return worker;
}
