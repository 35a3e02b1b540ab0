/**
 * `autoscale chaos stop-task|drain|partition`: one failure simulation, refused unless allowed. A stop
 * signal interrupts it; what it disrupted is restored before it exits.
 */
import { Command } from "commander";
import type { SettingKey } from "../../scaling/autoscaler-settings";
import { createLogger } from "../../runtime/aws/logger";
import { CHAOS_KINDS, type ChaosKind } from "../../runtime/autoscaler/chaos";
import { runChaosOnce } from "../../runtime/autoscaler/service";
import { parseChaosSettings } from "../../runtime/autoscaler/settings";
import { EXIT, stopSignal, type CliIo, type SetRun } from "../io";
import { addServiceOptions, addSettingOptions, applyServiceKey, valuesOf } from "../options";

/** The flags of each kind. */
const CHAOS_FLAGS: Record<ChaosKind, readonly SettingKey[]> = {
    "stop-task": ["cluster", "ecsService", "chaosAllowed", "logLevel"],
    drain: ["cluster", "ecsService", "chaosAllowed", "logLevel"],
    partition: ["cluster", "ecsService", "chaosAllowed", "queueUrl", "workerRoleArn", "chaosPartitionDuration", "logLevel"],
};

const HELP: Record<ChaosKind, string> = {
    "stop-task": "stop one random running task of the service (--stack with --service, or --cluster with --ecs-service)",
    drain: "set the service's desired count to 0 (--stack with --service, or --cluster with --ecs-service), wait for running 0, restore it (a restarted autoscaler restores it if this is killed)",
    partition: "deny --worker-role-arn the queue of --queue-url for --chaos-partition-duration seconds (the Deny expires by itself), then restore its policy",
};

async function run(kind: ChaosKind, cmd: Command, io: CliIo): Promise<number> {
    const { flags, sources } = valuesOf(cmd);
    const json = flags.json === true;
    delete flags.json;
    delete sources.json;
    applyServiceKey(flags, sources);
    const settings = parseChaosSettings(kind, flags, io.env, sources);
    const logger = createLogger({ name: "autoscale-chaos", level: typeof flags.logLevel === "string" ? flags.logLevel : undefined, env: io.env });
    const abort = new AbortController();
    const signal = stopSignal(io);
    signal.stopped.then((reason) => {
        logger.warn({ reason }, `interrupted (${reason}); restoring what was disrupted`);
        abort.abort();
    }, () => undefined);
    try {
        const report = await runChaosOnce(kind, settings, { logger, signal: abort.signal });
        io.out(`${json ? JSON.stringify(report) : `${report.kind}: ${report.outcome}: ${report.action}${report.recovery ? `; recovery ${JSON.stringify(report.recovery)}` : ""}`}\n`);
        return report.outcome === "done" || report.outcome === "nothing_to_do" || report.outcome === "interrupted" && abort.signal.aborted ? EXIT.ok : EXIT.failure;
    } finally {
        signal.remove();
    }
}

export function addChaosCommand(program: Command, io: CliIo, setResult: SetRun): Command {
    const chaos = program.command("chaos").description("run one failure simulation (requires --chaos-allowed or AUTOSCALER_CHAOS_ALLOWED=true)");
    for (const kind of CHAOS_KINDS) {
        const cmd = chaos.command(kind).description(HELP[kind]);
        cmd.option("--json", "print the report as JSON");
        addServiceOptions(cmd, false);
        addSettingOptions(cmd, CHAOS_FLAGS[kind]);
        cmd.action((_opts, c: Command) => setResult(() => run(kind, c, io)));
    }
    return chaos;
}
