/**
 * `autoscale simulate --stack <name> --service <name> --trace <name|file.csv> [--compare]`: reads the
 * stack file, runs the simulation (proof/simulate.ts), prints its table and writes
 * <out>/<stack>-<service>-<trace>.json and .svg.
 */
import type { Command } from "commander";
import type { StackConfig } from "../../config/load";
import { loadStackFile } from "../../config/stack-file";
import { UsageError } from "../../input/usage";
import { simulateStack, simulationTable, writeSimulation, type SimulateFlags } from "../../proof/simulate";
import { DEFAULT_ENGINE_PARAMS } from "../../scaling/engine/params";
import { EXIT, progressLines, runTool, type CliIo, type SetRun } from "../io";
import { SERVICE_KEY_HELP, defaultOutput, projectRoot, refuseTrackedOutput } from "../options";

/** Registers `simulate` on the program. */
export function addSimulateCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const cmd = program.command("simulate")
        .description("replay a load trace against a service's scaling plan as AWS would run it; --compare runs every controller the plan can hold; the oracle is the reference")
        .option("--stack <name>", "stack whose Pulumi.<stack>.yaml is read")
        .option("--service <key>", SERVICE_KEY_HELP)
        .option("--trace <name|file.csv>", "built-in trace (step, burst, ramp, diurnal, diurnal-week, office-hours, sawtooth, idle, mixed, mixed-poisson) or a CSV file of seconds,rate")
        .option("--compare", "run every controller the service's plan can hold: AWS reactive, + scheduled, predictive + reactive, backlog per task, the queue autoscaler with and without its forecast")
        .option("--seed <n>", "seed of any randomness in the trace", "1")
        .option("--out <dir>", "directory for the JSON and SVG results", defaultOutput("simulation"))
        .option("--tick <seconds>", "simulation step", "5")
        .option("--worker-rate <messages/s>", "messages one queue worker task processes per second", "2")
        .option("--start-delay <seconds>", `seconds from a desired-count increase until a task runs (default ${DEFAULT_ENGINE_PARAMS.taskStartSeconds})`)
        .option("--target-age <seconds>", "acceptable message age: the oracle's goal and the time-above-target line", "60")
        .option("--task-capacity <requests/s>", "requests/s one task serves at 100 % CPU (request workloads)", "100")
        .option("--high-resolution", "track ECS CPU and memory at 20-s resolution");
    cmd.option("--json", "print the result as JSON (each controller's figures and the files written)");
    cmd.action((flags: SimulateFlags & { json?: boolean }) => setRun(() => runTool(io, async () => {
        for (const k of ["stack", "service", "trace"] as const) {
            if (!flags[k]) throw new UsageError(`--${k}: (missing) is required`);
        }
        let config: StackConfig;
        try {
            config = loadStackFile(flags.stack!, {}, projectRoot());
        } catch (e) {
            throw new UsageError(`--stack: ${(e as Error).message}`);
        }
        refuseTrackedOutput("--out", flags.out);
        // A line on stderr every few seconds of a long run (stdout keeps the result).
        const progress = progressLines(io);
        const run = simulateStack(config, flags, (done, total) => progress(() => `simulating ${flags.stack}/${flags.service} on ${flags.trace}: ${Math.floor((done / total) * 100)} % (${done} of ${total} ticks)`));
        const base = await writeSimulation(run, flags.out);
        io.out(flags.json
            ? `${JSON.stringify({
                stack: run.stack, service: run.service, trace: run.trace, seed: run.seed, tickSeconds: run.tickSeconds,
                controllers: run.results.map((r) => ({ controller: r.controller, metrics: r.metrics })), files: [`${base}.json`, `${base}.svg`],
            })}\n`
            : `${simulationTable(run)}\nwrote ${base}.json and ${base}.svg\n`);
        return EXIT.ok;
    })));
    return cmd;
}
