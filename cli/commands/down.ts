/**
 * `autoscale down [--stack localstack]`: stops a stack started with `autoscale up` (its process deletes
 * what it created, in reverse order), or deletes what a killed run left. The work is in local/stack.ts.
 */
import type { Command } from "commander";
import { DEFAULT_STACK, loadLocalStack, usageMessage } from "../../local/entry";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";
import { projectRoot } from "../options";
import { UsageError } from "../../input/usage";

export function addDownCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const cmd = program.command("down")
        .description("stop a stack started with `autoscale up` and delete what it created")
        .option("--stack <name>", "the stack", DEFAULT_STACK);
    cmd.action((flags: { stack: string }) => setRun(() => runTool(io, async () => {
        try {
            await loadLocalStack().down({ root: projectRoot(), stack: flags.stack, out: (line) => io.out(`${line}\n`) });
        } catch (error) {
            const message = usageMessage(error);
            throw message ? new UsageError(message) : error;
        }
        return EXIT.ok;
    })));
    return cmd;
}
