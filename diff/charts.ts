/** Writes the SVG chart of each service whose plan changed (vega-lite, rendered without a browser). */
import { mkdir, writeFile } from "fs/promises";
import * as path from "path";
import { renderSvg } from "../proof/svg-chart";
import { behaviourChartSpec, chartFileName } from "./report";
import type { DiffResult } from "./run";

/** The files written, in stack and service order. */
export async function writeCharts(result: DiffResult, dir: string): Promise<string[]> {
    const charts = result.stacks.flatMap((s) => s.behaviour.map((b) => ({ file: path.join(dir, chartFileName(s.stack, b.service)), spec: behaviourChartSpec(s.stack, b) })));
    if (charts.length > 0) await mkdir(dir, { recursive: true });
    for (const c of charts) await writeFile(c.file, await renderSvg(c.spec));
    return charts.map((c) => c.file);
}
