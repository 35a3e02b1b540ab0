/**
 * `autoscale metric publish`: publishes the series a scaling policy watches, phase by phase, as seed
 * 000's shell loop did (`--phase 200:10m --phase 0:15m --every 60s`). The series comes from the stack
 * (`pulumi stack output --json`, key customMetricSeries, the very object the policy was built from)
 * or from flags. Everything is checked before the first PutMetricData; `--dry-run` prints the exact
 * requests instead of sending them; SIGINT stops publishing and prints what was sent.
 */
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { UsageError, parseDuration } from "../../input/usage";
import { dryRunLines, publishPlan, type PhaseProgress } from "../../load/metric-publish";
import { buildPublishPlan, parseDimensions, parsePhase, seriesFromStackOutputs } from "../../load/publish-plan";
import { realSleep } from "../../runtime/autoscaler/time";
import { createCloudWatchClient } from "../../runtime/aws/clients";
import { metricSeries, type MetricSeries } from "../../scaling/metric-series";
import { EXIT, progressLines, runTool, type CliIo, type SetRun } from "../io";
import { collect, readTextSource } from "../options";

/** A bar per phase on a terminal; elsewhere a line every few seconds on stderr. */
function cliProgressBar(io: CliIo, label: string, total: number): PhaseProgress {
    if (process.stderr.isTTY !== true) {
        const progress = progressLines(io);
        return { update: (n) => progress(() => `${label}: ${n} of ${total} datapoints`), stop: () => undefined };
    }
    const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} datapoints`, stream: process.stderr, hideCursor: true });
    bar.start(total, 0);
    return { update: (n) => bar.update(n), stop: () => bar.stop() };
}

interface PublishFlags {
    stackOutputs?: string;
    namespace?: string;
    metric?: string;
    dimension?: string[];
    unit?: string;
    phase?: string[];
    every: string;
    dryRun?: boolean;
    json?: boolean;
}

/** The series from exactly one of --stack-outputs and --namespace/--metric/--dimension. */
async function resolveSeries(flags: Pick<PublishFlags, "stackOutputs" | "namespace" | "metric" | "dimension" | "unit">): Promise<MetricSeries> {
    const fromFlags = flags.namespace !== undefined || flags.metric !== undefined || (flags.dimension ?? []).length > 0;
    if (flags.stackOutputs !== undefined && fromFlags) {
        throw new UsageError("--stack-outputs and --namespace/--metric/--dimension: give one source of the series, not both");
    }
    if (flags.stackOutputs !== undefined) {
        let text: string;
        try {
            text = await readTextSource(flags.stackOutputs);
        } catch (e) {
            throw new UsageError(`--stack-outputs: ${JSON.stringify(flags.stackOutputs)} cannot be read (${(e as Error).message})`);
        }
        return seriesFromStackOutputs(text, flags.stackOutputs === "-" ? "stdin" : flags.stackOutputs);
    }
    if (flags.namespace === undefined || flags.metric === undefined) {
        throw new UsageError("--stack-outputs <file|-> or both --namespace and --metric (with --dimension Name=Value) are required");
    }
    return metricSeries({
        namespace: flags.namespace,
        metricName: flags.metric,
        dimensions: parseDimensions(flags.dimension ?? []),
        // Only read by policies and alarms; a publisher sends raw values.
        statistic: "Average",
        ...(flags.unit !== undefined ? { unit: flags.unit } : {}),
    });
}

/** Registers `metric publish` on the program. */
export function addMetricCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const metric = program.command("metric").description("publish the series a scaling policy watches");
    const publish = metric.command("publish")
        .description("publish --phase value:duration ... every --every, to the stack's customMetricSeries or a series given by flags")
        .option("--stack-outputs <file>", "JSON printed by `pulumi stack output --json` (- for stdin); its customMetricSeries is the series")
        .option("--namespace <namespace>", "metric namespace (instead of --stack-outputs)")
        .option("--metric <name>", "metric name (instead of --stack-outputs)")
        .option("--dimension <Name=Value>", "a dimension of the series (repeat for each)", collect)
        .option("--unit <unit>", "CloudWatch unit to publish with")
        .option("--phase <value:duration>", "publish value for duration, e.g. 200:10m (repeat, in order)", collect)
        .option("--every <duration>", "period between datapoints (at least 1s)", "60s")
        .option("--dry-run", "print the PutMetricData requests instead of sending them")
        .option("--json", "print the summary as JSON");
    publish.action((flags: PublishFlags) => setRun(() => runTool(io, async (signal) => {
        const phases = (flags.phase ?? []).map(parsePhase);
        const everyMs = parseDuration(flags.every, "--every");
        const plan = buildPublishPlan(await resolveSeries(flags), phases, everyMs);
        if (flags.dryRun) {
            io.out(`${dryRunLines(plan, Date.now()).join("\n")}\n`);
            return EXIT.ok;
        }
        const cloudwatch = createCloudWatchClient();
        try {
            const summary = await publishPlan(plan, { cloudwatch, clock: Date.now, sleep: realSleep, progress: (label, total) => cliProgressBar(io, label, total), signal });
            io.out(`${flags.json ? JSON.stringify(summary) : `sent ${summary.sent} of ${summary.planned} datapoints to ${summary.series} (${summary.phases.map((p) => `${p.value}: ${p.sent}/${p.planned}`).join(", ")})${summary.interrupted ? `; interrupted by ${summary.interrupted}` : ""}`}\n`);
            return summary.interrupted === undefined ? EXIT.ok : EXIT.failure;
        } finally {
            cloudwatch.destroy();
        }
    })));
    return metric;
}
