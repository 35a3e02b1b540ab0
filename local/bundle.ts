/**
 * What the local stack's processes run: the project image's command (`autoscale`, cli/autoscale.ts) and
 * the two small hosts of local/hosts/, bundled once per start with esbuild into `.autoscale/bundle/`, so
 * a task starts in a fraction of a second instead of compiling TypeScript. The local stack itself
 * (local/stack.ts, which loads the Pulumi program) stays out: local/entry.ts requires it by a computed path.
 */
import * as path from "path";
import { build } from "esbuild";
import { COMMON_OPTIONS } from "../bundle/esbuild";

export interface Bundles {
    /** `node <autoscale> worker run`, `... gateway run`, `... autoscaler run`, `... emulate`. */
    readonly autoscale: string;
    /** `node <functionHost> <code.js> <export>`: a warm Lambda execution environment. */
    readonly functionHost: string;
    /** `node <httpStandIn>`: answers HTTP on PORT for an image the project does not build (nginx). */
    readonly httpStandIn: string;
}

export async function buildBundles(root: string, outDir: string): Promise<Bundles> {
    await build({
        entryPoints: {
            autoscale: path.join(root, "cli", "autoscale.ts"),
            "function-host": path.join(root, "local", "hosts", "function-host.ts"),
            "http-stand-in": path.join(root, "local", "hosts", "http-stand-in.ts"),
        },
        ...COMMON_OPTIONS,
        outdir: outDir,
        absWorkingDir: root,
        // The Node that runs the local stack (package.json engines: >= 22).
        target: "node22",
        sourcemap: false,
        logLevel: "error",
    });
    return {
        autoscale: path.join(outDir, "autoscale.js"),
        functionHost: path.join(outDir, "function-host.js"),
        httpStandIn: path.join(outDir, "http-stand-in.js"),
    };
}
