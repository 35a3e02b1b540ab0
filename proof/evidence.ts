/**
 * The evidence run behind `autoscale evidence`: collects every artifact of seed 000's proof checklist
 * for one service (read-only calls only), judges each item, and writes evidence.md, evidence.json and
 * evidence.svg. Where the endpoint has no DescribeScalingActivities (moto), the activities come from
 * the record that `autoscale emulate` writes (scaling/activity-record.ts).
 */
import { mkdir, readFile, writeFile } from "fs/promises";
import * as path from "path";
import { collectEvidence, type EvidenceClients } from "./evidence-collect";
import { judgeEvidence } from "./evidence-judge";
import { evidenceChartSpec, evidenceJson, evidenceMarkdown, type EvidenceReport } from "./evidence-report";
import { UsageError, parseDuration } from "../input/usage";
import { renderSvg } from "./svg-chart";

export interface EvidenceFlags {
    cluster?: string;
    service?: string;
    since: string;
    activities?: string;
    /** Default 60s. */
    period?: string;
    out: string;
}

/** `--since 30m` (that long ago) or an ISO-8601 time. */
export function parseSince(text: string, now: number): Date {
    if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
        const t = Date.parse(text);
        if (Number.isNaN(t)) throw new UsageError(`--since: ${JSON.stringify(text)} is not a valid ISO-8601 time`);
        if (t >= now) throw new UsageError(`--since: ${text} is not in the past`);
        return new Date(t);
    }
    const ms = parseDuration(text, "--since");
    if (ms <= 0) throw new UsageError(`--since: ${JSON.stringify(text)} must be > 0`);
    return new Date(now - ms);
}

/** Collects, judges and writes the three report files; returns the report and the files written. */
export async function runEvidence(flags: EvidenceFlags, clients: EvidenceClients, now: number): Promise<{ report: EvidenceReport; files: string[] }> {
    if (!flags.cluster) throw new UsageError("--cluster: (missing) the ECS cluster name is required");
    if (!flags.service) throw new UsageError("--service: (missing) the ECS service name is required");
    const start = parseSince(flags.since, now);
    const period = flags.period ?? "60s";
    const periodMs = parseDuration(period, "--period");
    // GetMetricData periods: 1, 5, 10, 30 s (high-resolution data) or a multiple of 60 s.
    if (![1_000, 5_000, 10_000, 30_000].includes(periodMs) && (periodMs <= 0 || periodMs % 60_000 !== 0)) {
        throw new UsageError(`--period: ${period} must be 1s, 5s, 10s, 30s or a multiple of 60s (GetMetricData)`);
    }
    let activityRecord: { file: string; text: string } | undefined;
    if (flags.activities !== undefined) {
        try {
            activityRecord = { file: flags.activities, text: await readFile(flags.activities, "utf8") };
        } catch (e) {
            throw new UsageError(`--activities: ${JSON.stringify(flags.activities)} cannot be read (${(e as Error).message})`);
        }
    }
    const evidence = await collectEvidence(clients, { cluster: flags.cluster, service: flags.service, start, end: new Date(now), periodS: periodMs / 1_000, activityRecord });
    const report: EvidenceReport = {
        cluster: flags.cluster, service: flags.service, window: evidence.data.window, verdicts: judgeEvidence(evidence.data), evidence,
    };
    await mkdir(flags.out, { recursive: true });
    const files = ["evidence.md", "evidence.json", "evidence.svg"].map((f) => path.join(flags.out, f));
    await writeFile(files[0], evidenceMarkdown(report, "evidence.svg"));
    await writeFile(files[1], evidenceJson(report));
    await writeFile(files[2], await renderSvg(evidenceChartSpec(report)));
    return { report, files };
}
