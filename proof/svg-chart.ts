/**
 * Renders a vega-lite spec to an SVG string in Node, without a browser: vega-lite compiles the spec
 * to vega, and a headless vega View (renderer "none") serialises it. vega and vega-lite are ES modules
 * with top-level await, which CommonJS cannot require(); they are loaded with a native dynamic import
 * that the TypeScript compiler leaves alone (and their types, published through package exports only,
 * are described here by the little this file uses).
 */

/** A vega-lite top-level spec (https://vega.github.io/vega-lite/docs/spec.html). */
export type ChartSpec = Record<string, unknown>;

interface VegaLite { compile(spec: ChartSpec): { spec: unknown } }
interface VegaView { toSVG(): Promise<string>; finalize(): void }
interface Vega { parse(spec: unknown): unknown; View: new (runtime: unknown, options: { renderer: "none" }) => VegaView }

const importEsm = new Function("specifier", "return import(specifier)") as <T>(specifier: string) => Promise<T>;

export async function renderSvg(spec: ChartSpec): Promise<string> {
    const vl = await importEsm<VegaLite>("vega-lite");
    const vega = await importEsm<Vega>("vega");
    const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
    try {
        return await view.toSVG();
    } finally {
        view.finalize();
    }
}
