/**
 * `autoscale load --trace <burst|ramp|sawtooth|diurnal|step|idle|mixed|file.csv> [--queue <name>] [--speed N]
 * [--stack localstack]`: sends messages to a queue of a stack started with `autoscale up`, following one
 * of the simulator's traces (local/load.ts), and prints one line per 10 % of the trace.
 */
import type { Command } from "commander";
import { DEFAULT_STACK, usageMessage } from "../../local/entry";
import { liveLock, readState } from "../../local/graph/state";
import { pickQueue, runLoad, traceFrom } from "../../local/load";
import { createSqsClient } from "../../runtime/aws/clients";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";
import { projectRoot } from "../options";
import { UsageError } from "../../input/usage";

interface LoadFlags { trace?: string; queue?: string; speed: string; stack: string; json?: boolean }

export function addLoadCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const cmd = program.command("load")
        .description("send messages to a queue of a running local stack (`autoscale up`) following a load trace")
        .option("--trace <name|file.csv>", "a built-in trace of the simulator, or a seconds,rate CSV file")
        .option("--queue <name>", "the queue (its key under `queues`, or its name); default: the stack's first queue")
        .option("--speed <factor>", "trace seconds per real second", "1")
        .option("--stack <name>", "the running stack", DEFAULT_STACK)
        .option("--json", "print the result as JSON (the progress lines go to stderr)");
    cmd.action((flags: LoadFlags) => setRun(() => runTool(io, async (signal) => {
        if (!flags.trace) throw new UsageError("--trace: (missing) give burst, ramp, sawtooth, diurnal, step, idle, mixed, or a seconds,rate .csv file");
        const speed = Number(flags.speed);
        if (flags.speed.trim() === "" || !Number.isFinite(speed) || speed <= 0 || speed > 10_000) throw new UsageError(`--speed: ${JSON.stringify(flags.speed)} must be a number > 0 and <= 10000`);
        const state = readState(projectRoot(), flags.stack);
        if (!state || !liveLock(projectRoot(), flags.stack)) throw new UsageError(`--stack: ${flags.stack} is not running; start it with \`npx autoscale up --stack ${flags.stack}\` (npm start)`);
        let queue;
        let trace;
        try {
            queue = pickQueue((state.outputs.queueUrls ?? {}) as Record<string, string>, flags.queue);
            trace = traceFrom(flags.trace);
        } catch (error) {
            const message = usageMessage(error);
            throw message ? new UsageError(message) : error;
        }
        const sqs = createSqsClient({ endpoint: state.endpoint, region: state.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
        try {
            const words = flags.json ? io.err : io.out;
            words(`${trace.name}: ${Math.round(trace.duration / speed)} s to ${queue.url.split("/").pop()} (${speed}x)\n`);
            let tenth = 0;
            const sent = await runLoad({
                sqs, queueUrl: queue.url, trace, speed, signal, tag: trace.name,
                onProgress: (p) => {
                    const now = Math.floor((p.traceSeconds / Math.max(1, trace.duration)) * 10);
                    if (now > tenth) { tenth = now; words(`${Math.min(100, now * 10)} %: ${p.sent} messages\n`); }
                },
            });
            io.out(flags.json ? `${JSON.stringify({ trace: trace.name, queue: queue.url, speed, sent })}\n` : `sent ${sent} messages\n`);
            return EXIT.ok;
        } finally {
            sqs.destroy();
        }
    })));
    return cmd;
}
