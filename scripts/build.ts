/**
 * Bundles the `autoscale` command (cli/autoscale.ts) into dist/autoscale/index.js with esbuild. The
 * bundle runs in a container, not in Lambda, so the AWS SDK is bundled too: the image then needs no
 * node_modules at all.
 */
import * as path from "path";
import { build, BuildOptions, BuildResult } from "esbuild";
import { COMMON_OPTIONS, ROOT } from "../bundle/esbuild";

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

export async function bundle(): Promise<BuildResult> {
    return build(OPTIONS);
}

if (require.main === module) {
    bundle().then(
        (result) => {
            const outputs = result.metafile?.outputs ?? {};
            for (const [file, out] of Object.entries(outputs)) {
                console.log(`${file}  ${(out.bytes / 1024).toFixed(1)} KiB`);
            }
        },
        (err: unknown) => {
            // esbuild has already printed its diagnostics.
            console.error(err instanceof Error ? err.message : err);
            process.exit(1);
        },
    );
}
