/**
 * `autoscale evidence --stack <name> --service <key> | --cluster <c> --ecs-service <s> [--since 1h] [--activities record.jsonl] [--out dir]`:
 * runs the evidence tool (proof/evidence.ts), prints a verdict line per item and the files written, and
 * exits 1 when any item FAILs. Where the endpoint has no DescribeScalingActivities (moto), the
 * activities come from the record that `autoscale emulate` writes (scaling/activity-record.ts).
 */
import type { Command } from "commander";
import { runEvidence, type EvidenceFlags } from "../../proof/evidence";
import { evidenceExitCode } from "../../proof/evidence-judge";
import { evidenceText } from "../../proof/evidence-report";
import { createApplicationAutoScalingClient, createCloudWatchClient, createEcsClient } from "../../runtime/aws/clients";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";
import { addServiceOptions, defaultOutput, refuseTrackedOutput, requireService, type ServiceFlags } from "../options";

/** Registers `evidence` on the program. */
export function addEvidenceCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const cmd = program.command("evidence")
        .description("collect and judge the proof that a service scales: target, policies, series match, metric, datapoints, alarms, activities, service events")
        .option("--since <duration|time>", "start of the window: how long ago (30m, 2h) or an ISO-8601 time", "1h")
        .option("--activities <file.jsonl>", "activity record written by `autoscale emulate`, read where the endpoint has no DescribeScalingActivities")
        .option("--period <duration>", "period of the datapoints read back (default 60s; sub-minute only for high-resolution metrics)")
        .option("--out <dir>", "directory for evidence.md, evidence.json and evidence.svg", defaultOutput("evidence"))
        .option("--json", "print the verdicts as JSON (cluster, service, window, verdicts, files)");
    addServiceOptions(cmd);
    cmd.action((given: EvidenceFlags & ServiceFlags & { json?: boolean }) => setRun(() => runTool(io, async () => {
        const target = requireService(given);
        const flags: EvidenceFlags = { ...given, cluster: target.cluster, service: target.ecsService };
        refuseTrackedOutput("--out", flags.out);
        const clients = {
            autoscaling: createApplicationAutoScalingClient(),
            cloudwatch: createCloudWatchClient(),
            ecs: createEcsClient(),
        };
        try {
            const { report, files } = await runEvidence(flags, clients, Date.now());
            if (given.json) {
                io.out(`${JSON.stringify({ cluster: report.cluster, service: report.service, window: report.window, verdicts: report.verdicts, files })}\n`);
            } else {
                io.out(evidenceText(report));
                io.out(`wrote ${files.join(", ")}\n`);
            }
            return evidenceExitCode(report.verdicts) === 0 ? EXIT.ok : EXIT.failure;
        } finally {
            for (const c of Object.values(clients)) c.destroy();
        }
    })));
    return cmd;
}
