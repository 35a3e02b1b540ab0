/**
 * `autoscale scale-test <verify|scale-up|scale-down|all> --stack <name> --service <key>`: runs the test
 * (proof/scale-test.ts), prints a table and, when it ran to its end, writes the JSON report (under .autoscale/out/); exits 1 when a difference is found or
 * --expect-scale-up / --expect-scale-down is missed; --dry-run prints the plan and the load without
 * calling anything. SIGINT stops the load and prints what was measured.
 */
import { mkdir, writeFile } from "fs/promises";
import * as path from "path";
import type { Command } from "commander";
import { MAX_MESSAGES } from "../../load/traffic";
import { resultTable } from "../../proof/scale-measure";
import { TESTS, dryRunText, runScaleTest, scaleTestPlan, type ScaleTestFlags, type ScaleTestReport } from "../../proof/scale-test";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";
import { SERVICE_KEY_HELP, defaultOutput, projectRoot, refuseTrackedOutput } from "../options";

/** Registers `scale-test` on the program. */
export function addScaleTestCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const cmd = program.command("scale-test")
        .description("verify a service's live scaling against its stack plan, and measure scale-up and scale-down under load")
        .argument("<test>", TESTS.join(" | "))
        .option("--stack <name>", "stack whose Pulumi.<stack>.yaml holds the plan")
        .option("--service <key>", SERVICE_KEY_HELP)
        .option("--load <kind>", "sqs | http | metric (default: what the service scales on)")
        .option("--messages <count>", `sqs: messages to send (default: enough for the maximum; at most ${MAX_MESSAGES})`)
        .option("--url <url>", "http: URL to load")
        .option("--connections <count>", "http: concurrent connections", "10")
        .option("--value <number>", "metric: value to publish during scale-up (default: twice the target)")
        .option("--every <duration>", "metric: period between datapoints", "60s")
        .option("--expect-scale-up <duration>", "budget from the first load to the planned count of running tasks")
        .option("--expect-scale-down <duration>", "budget from the end of the load to min running tasks")
        .option("--timeout <duration>", "longest wait per phase (at most 1h)", "15m")
        .option("--poll <duration>", "time between DescribeServices reads", "5s")
        .option("--out <file>", "JSON report, written when the test has run to its end", defaultOutput("scale-test.json"))
        .option("--dry-run", "print the plan and the load; call nothing")
        .option("--json", "print the report as JSON (the table and progress go to stderr)");
    cmd.action((test: string, flags: ScaleTestFlags & { json?: boolean }) => setRun(() => runTool(io, async (signal) => {
        const plan = scaleTestPlan(test, flags, projectRoot());
        if (flags.dryRun) {
            io.out(dryRunText(plan));
            return EXIT.ok;
        }
        refuseTrackedOutput("--out", plan.out);
        const report: ScaleTestReport = { stack: plan.stack.stack, service: plan.serviceKey, results: [] };
        let passed: boolean | undefined;
        // With --json, stdout holds the one JSON result; the words go to stderr.
        const words = flags.json ? io.err : io.out;
        try {
            // A line per reading of the service (every --poll) on stderr: a phase may take up to --timeout.
            passed = await runScaleTest(plan, words, signal, report, (line) => io.err(`${line}\n`));
        } finally {
            if (report.results.length > 0) words(`${resultTable(report.results)}\n`);
            if (signal.aborted) words(`stopped (${String(signal.reason)}): the load was stopped; the table shows what was measured\n`);
        }
        // A report is written only for a test that ran to its end (passed or measured a miss): an
        // error or a stop leaves no file that could be taken for a result.
        if (passed === undefined || signal.aborted) {
            words(`${plan.out} not written: the test did not finish\n`);
            return EXIT.failure;
        }
        await mkdir(path.dirname(plan.out), { recursive: true });
        await writeFile(plan.out, `${JSON.stringify(report, null, 2)}\n`);
        io.out(flags.json ? `${JSON.stringify({ ...report, passed, file: plan.out })}\n` : `wrote ${plan.out}\n`);
        return passed ? EXIT.ok : EXIT.failure;
    })));
    return cmd;
}
