/**
 * Bundles the image's two programs with esbuild: the `autoscale` command (cli/autoscale.ts) into
 * dist/autoscale/index.js, and the queue autoscaler task's own entry (runtime/autoscaler/main.ts) into
 * dist/autoscaler/index.js (bundle/esbuild.ts). Both run in a container, not in Lambda, so the AWS SDK
 * is bundled too: the image then needs no node_modules at all.
 */
import * as path from "path";
import { build, BuildOptions, BuildResult } from "esbuild";
import { AUTOSCALER_TASK_OPTIONS, COMMON_OPTIONS, ROOT } from "../bundle/esbuild";

export { ROOT };
export const ENTRY = path.join(ROOT, "cli", "autoscale.ts");
export const OUTFILE = path.join(ROOT, "dist", "autoscale", "index.js");

export const OPTIONS: BuildOptions = {
    ...COMMON_OPTIONS,
    entryPoints: [ENTRY],
    outfile: OUTFILE,
    // The image's Node (Dockerfile: node:22-slim).
    target: "node22",
    sourcemap: true,
    minify: false,
    metafile: true,
};

/** Builds both bundles: the `autoscale` command's, then the autoscaler task's. */
export async function bundle(): Promise<BuildResult[]> {
    return Promise.all([build(OPTIONS), build(AUTOSCALER_TASK_OPTIONS)]);
}

if (require.main === module) {
    bundle().then(
        (results) => {
            for (const result of results) {
                for (const [file, out] of Object.entries(result.metafile?.outputs ?? {})) {
                    console.log(`${file}  ${(out.bytes / 1024).toFixed(1)} KiB`);
                }
            }
        },
        (err: unknown) => {
            // esbuild has already printed its diagnostics.
            console.error(err instanceof Error ? err.message : err);
            process.exit(1);
        },
    );
}
