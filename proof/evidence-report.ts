/**
 * The evidence report in three forms: verdict lines and Markdown for people, JSON for machines, and a
 * vega-lite chart (rendered to SVG by proof/svg-chart.ts) of the watched metric with the policy's target
 * drawn as a rule, above the desired and running task counts over the same window. Pure.
 */
import type { ChartSpec } from "./svg-chart";
import type { CollectedEvidence } from "./evidence-collect";
import { verdictLines, type Verdict } from "./evidence-judge";

export interface EvidenceReport {
    readonly cluster: string;
    readonly service: string;
    readonly window: { readonly start: string; readonly end: string };
    readonly verdicts: readonly Verdict[];
    readonly evidence: CollectedEvidence;
}

/** The chart: metric and target on top, desired and running tasks below, one time axis. */
export function evidenceChartSpec(r: EvidenceReport): ChartSpec {
    const d = r.evidence.data;
    const domain = [Date.parse(r.window.start), Date.parse(r.window.end)];
    const x = { field: "t", type: "temporal", title: "time (UTC)", scale: { domain }, axis: { format: "%H:%M", labelAngle: 0 } };
    const watched = d.policies.find((p) => p.customSeries);
    const panels: ChartSpec[] = [];
    if (watched) {
        const s = watched.customSeries!;
        const points = (d.datapoints[watched.name] ?? []).map((p) => ({ t: Date.parse(p.time), value: p.value }));
        const layers: ChartSpec[] = [{
            data: { values: points },
            mark: { type: "line", point: true, color: "#1f77b4" },
            encoding: { x, y: { field: "value", type: "quantitative", title: `${s.metricName} (${s.statistic})` } },
        }];
        if (watched.targetValue !== undefined) {
            const target = [{ target: watched.targetValue, label: `target ${watched.targetValue}` }];
            layers.push(
                { data: { values: target }, mark: { type: "rule", color: "#d62728", strokeDash: [6, 4], strokeWidth: 2 }, encoding: { y: { field: "target", type: "quantitative" } } },
                { data: { values: target }, mark: { type: "text", align: "left", dx: 4, dy: -7, color: "#d62728" }, encoding: { y: { field: "target", type: "quantitative" }, x: { value: 0 }, text: { field: "label" } } },
            );
        }
        const dims = Object.entries(s.dimensions).map(([k, v]) => `${k}=${v}`).join(", ");
        panels.push({ title: `${s.namespace} ${s.metricName} {${dims}}`, width: 640, height: 200, layer: layers });
    }
    const counts = [
        ...r.evidence.capacity.desired.map((p) => ({ t: Date.parse(p.time), tasks: p.value, series: "desired" })),
        ...r.evidence.capacity.running.map((p) => ({ t: Date.parse(p.time), tasks: p.value, series: "running" })),
    ];
    panels.push({
        title: "ECS tasks",
        width: 640,
        height: 160,
        data: { values: counts },
        mark: { type: "line", interpolate: "step-after", point: true },
        encoding: {
            x,
            y: { field: "tasks", type: "quantitative", title: "tasks", axis: { tickMinStep: 1 } },
            color: { field: "series", type: "nominal", title: null, scale: { domain: ["desired", "running"], range: ["#2ca02c", "#ff7f0e"] } },
        },
    });
    return {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title: { text: `Scaling evidence: ${r.service}`, subtitle: `cluster ${r.cluster}, ${r.window.start} to ${r.window.end}` },
        background: "white",
        vconcat: panels,
    };
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Markdown for people: the verdict table, then the artifacts behind it. */
export function evidenceMarkdown(r: EvidenceReport, svgFile?: string): string {
    const d = r.evidence.data;
    const out: string[] = [
        `# Scaling evidence: ${r.cluster}/${r.service}`,
        "",
        `Window: ${r.window.start} to ${r.window.end}. Resource: \`${d.resourceId}\`.`,
        "",
        "| verdict | item | detail |",
        "| --- | --- | --- |",
        ...r.verdicts.map((v) => `| ${v.status} | ${cell(v.item)} | ${cell(v.detail)} |`),
        "",
    ];
    for (const v of r.verdicts.filter((x) => x.diff)) {
        out.push(`## ${v.item}: ${v.status}`, "", "Policy's CustomizedMetricSpecification against the published series (`!` marks a difference):", "", "```", ...v.diff!, "```", "");
    }
    if (svgFile) out.push("## Chart", "", `![metric, target, desired and running tasks](${svgFile})`, "");
    out.push("## Scaling activities", "");
    const a = d.activities;
    if (a.kind === "unavailable") out.push(`Unavailable: ${a.reason}.`, "");
    else if (a.activities.length === 0) out.push(`None in the window (${a.kind === "api" ? "DescribeScalingActivities" : a.file}).`, "");
    else {
        out.push(`From ${a.kind === "api" ? "DescribeScalingActivities" : `the activity record ${a.file}`}:`, "", "| time | activity | cause |", "| --- | --- | --- |");
        out.push(...a.activities.map((x) => `| ${x.time} | ${cell(x.description)} | ${cell(x.cause)} |`), "");
    }
    out.push("## Alarms", "");
    if (d.alarms.length === 0) out.push("None.", "");
    for (const al of d.alarms) {
        out.push(`- \`${al.name}\`: ${al.state}${al.stateUpdated ? ` since ${al.stateUpdated}` : ""}${al.stateReason ? ` (${al.stateReason})` : ""}`);
        if (al.history === undefined) out.push("  - history: the endpoint has no DescribeAlarmHistory");
        else for (const h of al.history) out.push(`  - ${h.time}: ${h.summary}`);
    }
    out.push("", "## ECS service events about the desired count", "");
    const ev = d.serviceEvents;
    if (ev.record !== undefined) out.push(`The endpoint records no service events; these are from the activity record ${ev.record}.`, "");
    if (ev.inWindow.length === 0) out.push(ev.all === 0 ? (ev.record === undefined ? "The endpoint records no service events." : "The record carries none.") : "None in the window.", "");
    else out.push(...ev.inWindow.map((e) => `- ${e.time}: ${e.message}`), "");
    if (d.serviceCounts) out.push(`Now: desired ${d.serviceCounts.desired}, running ${d.serviceCounts.running}, pending ${d.serviceCounts.pending}.`, "");
    return out.join("\n");
}

/** JSON for machines: the verdicts and everything they were judged from. */
export function evidenceJson(r: EvidenceReport): string {
    return `${JSON.stringify({ cluster: r.cluster, service: r.service, window: r.window, verdicts: r.verdicts, data: r.evidence.data, capacity: r.evidence.capacity }, null, 2)}\n`;
}

/** The verdict lines the command prints. */
export function evidenceText(r: EvidenceReport): string {
    return `${verdictLines(r.verdicts).join("\n")}\n`;
}
