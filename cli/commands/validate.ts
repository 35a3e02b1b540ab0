/**
 * `autoscale validate [--stack <name> | --all] [--json]`: each stack file checked as `pulumi up` would
 * check it (proof/validate.ts: region, config, the program under mocks, the graph's AWS rules), every
 * problem with its key, value and rule, and each service's scaling plan in words. Exit 0 when every
 * stack checked is valid, 2 otherwise.
 */
import type { Command } from "commander";
import { stackNames } from "../../config/stack-file";
import { UsageError } from "../../input/usage";
import type { StackValidation } from "../../proof/validate";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";
import { projectRoot } from "../options";

interface ValidateFlags {
    stack?: string;
    all?: boolean;
    json?: boolean;
}

export function addValidateCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const cmd = program.command("validate")
        .description("check stack files as pulumi up would (region, config, the program under mocks, AWS's rules on the graph) and say what each service's plan does")
        .option("--stack <name>", "the stack file Pulumi.<name>.yaml")
        .option("--all", "every Pulumi.<stack>.yaml of the project")
        .option("--json", "print JSON: one object per stack with valid, problems and services");
    cmd.action((flags: ValidateFlags) => setRun(() => runTool(io, async () => {
        const root = projectRoot();
        if (Boolean(flags.stack) === Boolean(flags.all)) {
            throw new UsageError(`--stack or --all: give exactly one (stacks here: ${stackNames(root).join(", ") || "(none)"})`);
        }
        const stacks = flags.all ? stackNames(root) : [flags.stack!];
        // Loaded here, not at start: validation runs the program under Pulumi's runtime, which every other command
        // (the autoscaler's task among them) would otherwise load and hold in memory.
        const { validateStack, validationText } = await import("../../proof/validate");
        const results: StackValidation[] = [];
        for (const stack of stacks) results.push(await validateStack(stack, root));
        io.out(flags.json ? `${JSON.stringify({ stacks: results }, null, 2)}\n` : `${results.map(validationText).join("\n")}\n`);
        return results.every((r) => r.valid) ? EXIT.ok : EXIT.usage;
    })));
    return cmd;
}
