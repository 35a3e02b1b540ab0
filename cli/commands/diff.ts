/**
 * `autoscale diff --base <git ref> [--stack <name>] [--json] [--out <dir>]`: what a change does to each
 * stack, against a base commit, with no cloud credentials: the resource graph diff under mocks and, for
 * every service whose scaling plan changed, the simulator's figures before and after (diff/). Prints
 * Markdown for a pull-request comment (or JSON) and writes an SVG chart per changed service into --out.
 * An unknown ref or stack, or a stack file either side refuses, exits 2 with every problem.
 */
import type { Command } from "commander";
import { writeCharts } from "../../diff/charts";
import { DiffInputError } from "../../diff/errors";
import { diffJson, diffMarkdown } from "../../diff/report";
import { runDiff } from "../../diff/run";
import { UsageError } from "../../input/usage";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";
import { defaultOutput } from "../options";

interface DiffFlags {
    base?: string;
    stack?: string;
    json?: boolean;
    out: string;
}

export function addDiffCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const cmd = program.command("diff")
        .description("what the working tree changes against a git ref, per stack: resource inputs under mocks (no credentials) and simulated scaling before and after")
        .option("--base <ref>", "git ref to compare the working tree with (branch, tag or commit)")
        .option("--stack <name>", "only this stack (default: every Pulumi.<stack>.yaml of either side)")
        .option("--json", "print JSON instead of Markdown")
        .option("--out <dir>", "directory for the SVG chart of each changed service", defaultOutput("diff-charts"));
    cmd.action((flags: DiffFlags) => setRun(() => runTool(io, async () => {
        if (!flags.base) throw new UsageError("--base: (missing) is required: the git ref to compare with, e.g. --base origin/main");
        let result;
        try {
            result = await runDiff({ cwd: process.cwd(), base: flags.base, ...(flags.stack !== undefined ? { stack: flags.stack } : {}) });
        } catch (error) {
            if (!(error instanceof DiffInputError)) throw error;
            io.err(error.problems.map((p) => `error: ${p}\n`).join(""));
            return EXIT.usage;
        }
        const written = await writeCharts(result, flags.out);
        io.out(flags.json ? diffJson(result) : diffMarkdown(result));
        if (written.length > 0) io.err(`wrote ${written.join(", ")}\n`);
        return EXIT.ok;
    })));
    return cmd;
}
