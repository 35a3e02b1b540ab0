/**
 * Bundles the `autoscale` command (cli/autoscale.ts) into dist/autoscale/index.js with esbuild. The
 * bundle runs in a container, not in Lambda, so the AWS SDK is bundled too: the image then needs no
 * node_modules at all.
 */
import * as path from "path";
import { build, BuildOptions, BuildResult } from "esbuild";

export const ROOT = path.resolve(__dirname, "..");
export const ENTRY = path.join(ROOT, "cli", "autoscale.ts");
export const OUTFILE = path.join(ROOT, "dist", "autoscale", "index.js");

export const OPTIONS: BuildOptions = {
    entryPoints: [ENTRY],
    outfile: OUTFILE,
    // Paths in the metafile and messages are relative to the repository root, wherever this runs from.
    absWorkingDir: ROOT,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    sourcemap: true,
    minify: false,
    // Nothing is external: @aws-sdk/* included (a container has no preinstalled SDK).
    external: [],
    logLevel: "warning",
    metafile: true,
};

export async function bundle(): Promise<BuildResult> {
    return build(OPTIONS);
}

/** The scale-to-zero functions' entry (both handlers in one file: index.idleCheck and index.wake). */
export const SCALE_TO_ZERO_ENTRY = path.join(ROOT, "runtime", "scale-to-zero", "lambda.ts");

/**
 * esbuild options of a Lambda bundle: one CommonJS file in memory, the AWS SDK included (the
 * runtime's preinstalled SDK version is not pinned, and a bundle runs the version tested here).
 */
export function lambdaBundleOptions(entry: string): BuildOptions {
    return { ...OPTIONS, entryPoints: [entry], outfile: "index.js", write: false, sourcemap: false, metafile: false, minify: true, legalComments: "none" };
}

const lambdaBundles = new Map<string, Promise<string>>();

/** The bundled code of a Lambda entry, built once per process (every function of a deployment shares it). */
export function bundleLambda(entry: string): Promise<string> {
    let code = lambdaBundles.get(entry);
    if (!code) {
        code = build(lambdaBundleOptions(entry)).then((result) => {
            const out = result.outputFiles?.[0];
            if (!out) throw new Error(`esbuild produced no output for ${entry}`);
            return out.text;
        });
        lambdaBundles.set(entry, code);
    }
    return code;
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
