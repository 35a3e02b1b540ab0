/**
 * The diff as a pull-request comment (Markdown), as JSON, and as one chart spec per changed service
 * (vega-lite: desired tasks before and after on each trace). Pure: rendering to SVG and writing files
 * is the command's job.
 */
import type { RunMetrics } from "../scaling/simulate";
import { DIFF_WORKLOAD, type ControllerKind, type ServiceBehaviour } from "./behaviour";
import type { ChangedResource, ResourceRef } from "./graph-diff";
import type { DiffResult, StackDiff } from "./run";

/** The comment's first line; the pull-request workflow finds its own earlier comment by it. */
export const COMMENT_MARKER = "<!-- autoscale diff -->";

const METRICS: readonly { title: string; get: (m: RunMetrics) => number | undefined; unit: string }[] = [
    { title: "task-minutes", get: (m) => m.taskMinutes, unit: "" },
    { title: "wait p95", get: (m) => m.waitP95Seconds, unit: " s" },
    { title: "wait max", get: (m) => m.waitMaxSeconds, unit: " s" },
    { title: "time above target", get: (m) => m.timeAboveTargetSeconds, unit: " s" },
    { title: "scaling changes", get: (m) => m.desiredChanges, unit: "" },
    { title: "time to needed capacity", get: (m) => m.timeToCapacitySeconds, unit: " s" },
];

function num(v: number): string {
    return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** "61.3 → 55.0 (−6.3)", "40 s → 40 s (0)", "- → 12" where a side has no run. */
export function changeCell(before: number | undefined, after: number | undefined, unit: string): string {
    if (before === undefined && after === undefined) return "-";
    if (before === undefined) return `- → ${num(after!)}${unit}`;
    if (after === undefined) return `${num(before)}${unit} → -`;
    const d = after - before;
    const delta = d === 0 ? "0" : `${d > 0 ? "+" : "−"}${num(Math.abs(Math.round(d * 10) / 10))}`;
    return `${num(before)}${unit} → ${num(after)}${unit} (${delta})`;
}

function code(text: string): string {
    const clean = text.replace(/\|/g, "\\|").replace(/\n/g, " ");
    return clean.includes("`") ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

const SHOWN = 160;

function textOf(v: unknown): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

/** The value in a code span; a long one cut to the part around its first difference from `other`. */
export function valueText(v: unknown, other?: unknown): string {
    if (v === undefined) return "(not set)";
    const text = textOf(v);
    if (text.length <= SHOWN) return code(text);
    const against = other === undefined ? "" : textOf(other);
    let first = 0;
    while (first < text.length && text[first] === against[first]) first++;
    const start = Math.max(0, Math.min(first - 60, text.length - SHOWN));
    return code(`${start > 0 ? "..." : ""}${text.slice(start, start + SHOWN)}${start + SHOWN < text.length ? "..." : ""}`);
}

function refLines(title: string, refs: readonly ResourceRef[]): string[] {
    if (refs.length === 0) return [];
    const items = refs.map((r) => `- ${code(r.urn)}`);
    if (refs.length <= 10) return [`**${title}** (${refs.length})`, "", ...items, ""];
    return ["<details>", `<summary><b>${title}</b> (${refs.length})</summary>`, "", ...items, "", "</details>", ""];
}

function changedLines(r: ChangedResource): string[] {
    return [
        `**Changed** ${code(r.urn)}`, "",
        "| input | before | after |", "| --- | --- | --- |",
        ...r.changes.map((c) => `| ${code(c.path)} | ${valueText(c.before, c.after)} | ${valueText(c.after, c.before)} |`), "",
    ];
}

export function behaviourTable(b: ServiceBehaviour): string[] {
    const metrics = METRICS.filter((m) => b.traces.some((t) => [t.before, t.after].some((s) => s && m.get(s.metrics) !== undefined)));
    return [
        `| trace | ${metrics.map((m) => m.title).join(" | ")} |`,
        `| --- | ${metrics.map(() => "---").join(" | ")} |`,
        ...b.traces.map((t) => `| ${t.trace} | ${metrics.map((m) => changeCell(t.before && m.get(t.before.metrics), t.after && m.get(t.after.metrics), m.unit)).join(" | ")} |`),
    ];
}

function workloadWords(b: ServiceBehaviour): string {
    return b.workload === "queue"
        ? `queue workers of ${DIFF_WORKLOAD.workerRate} messages/s, acceptable message age ${DIFF_WORKLOAD.targetAgeSeconds} s`
        : `tasks of ${DIFF_WORKLOAD.taskCapacity} requests/s, judged by the CPU target`;
}

const CONTROLLER_WORDS: Readonly<Record<ControllerKind, string>> = {
    "application-auto-scaling": "Application Auto Scaling as the simulator runs it",
    "queue-autoscaler": "The queue autoscaler (its decision function, the stack's `autoscaler` settings)",
};

function controllerWords(b: ServiceBehaviour): string {
    const { before, after } = b.controllers;
    if (before === after || !before || !after) return CONTROLLER_WORDS[(after ?? before)!];
    return `Before: ${CONTROLLER_WORDS[before].replace(/^The q/, "the q")}; after: ${CONTROLLER_WORDS[after].replace(/^The q/, "the q")}`;
}

export function chartFileName(stack: string, service: string): string {
    return `${stack}-${service}.svg`;
}

function stackLines(s: StackDiff): string[] {
    const counts = [
        s.resources.added.length && `${s.resources.added.length} added`,
        s.resources.removed.length && `${s.resources.removed.length} removed`,
        s.resources.changed.length && `${s.resources.changed.length} changed`,
    ].filter(Boolean).join(", ");
    if (s.status === "no change") return [`### ${code(s.stack)}: no change${s.skipped ? ` (${s.skipped})` : ""}`, ""];
    const lines = [`### ${code(s.stack)}: ${s.status} (${counts})`, ""];
    lines.push(...refLines("Added", s.resources.added), ...refLines("Removed", s.resources.removed));
    for (const r of s.resources.changed) lines.push(...changedLines(r));
    for (const b of s.behaviour) {
        lines.push(
            `#### Behaviour of ${code(b.service)}`, "",
            `${controllerWords(b)} (${workloadWords(b)}, ${DIFF_WORKLOAD.tickSeconds}-s ticks), before → after (change). ` +
            `Chart: ${code(chartFileName(s.stack, b.service))}.`, "",
            ...behaviourTable(b), "",
        );
    }
    for (const n of s.notSimulated) lines.push(`Service ${code(n.service)}: plan changed, not simulated: ${n.reason}.`, "");
    return lines;
}

export function diffMarkdown(d: DiffResult): string {
    return [
        COMMENT_MARKER,
        `## Scaling diff against ${code(d.base.ref)} (${d.base.commit.slice(0, 12)})`, "",
        "Resource inputs from running the program under mocks on both sides (no cloud credentials); behaviour from the simulator.", "",
        ...d.stacks.flatMap(stackLines),
    ].join("\n").replace(/\n+$/, "\n");
}

/** JSON without the chart series (those are in the SVGs). */
export function diffJson(d: DiffResult): string {
    const stacks = d.stacks.map((s) => ({
        ...s,
        behaviour: s.behaviour.map((b) => ({
            ...b,
            traces: b.traces.map((t) => ({ trace: t.trace, before: t.before?.metrics ?? null, after: t.after?.metrics ?? null })),
        })),
    }));
    return `${JSON.stringify({ base: d.base, stacks }, null, 2)}\n`;
}

/** Desired and running tasks before and after, one panel per trace. */
export function behaviourChartSpec(stack: string, b: ServiceBehaviour): Record<string, unknown> {
    const values = b.traces.flatMap((t) => (["before", "after"] as const).flatMap((side) =>
        (t[side]?.series ?? []).map((p) => ({ trace: t.trace, side, minute: p.t / 60, desired: p.desired }))));
    return {
        title: `${stack}/${b.service}: desired tasks before and after`,
        data: { values },
        facet: { row: { field: "trace", type: "nominal", title: null, sort: b.traces.map((t) => t.trace) } },
        spec: {
            width: 640, height: 120,
            mark: { type: "line", interpolate: "step-after" },
            encoding: {
                x: { field: "minute", type: "quantitative", title: "minutes" },
                y: { field: "desired", type: "quantitative", title: "desired tasks" },
                color: { field: "side", type: "nominal", title: null, sort: ["before", "after"] },
                strokeDash: { field: "side", type: "nominal", title: null, sort: ["before", "after"] },
            },
        },
    };
}
