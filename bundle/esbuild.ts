/**
 * The one bundler of the project's runtime code: esbuild options every bundle shares, and the Lambda
 * bundle every function of the stack deploys (the scale-to-zero functions, the Aurora instance-class
 * scaler). Used by components/ (at deploy time) and by scripts/build.ts (the `autoscale` command's
 * container bundle). Imports only aws/ of the project's, so a build needs nothing else.
 */
import * as path from "path";
import { build, type BuildOptions } from "esbuild";
import { LAMBDA_NODE_TARGET } from "../aws/lambda";

export const ROOT = path.resolve(__dirname, "..");

/**
 * What every bundle is: one CommonJS file for Node with every dependency inside, the AWS SDK included
 * (a container has no SDK, and a Lambda runtime's preinstalled one is not pinned: a bundle runs the
 * version tested here). Paths in messages and metafiles are relative to the repository root.
 */
export const COMMON_OPTIONS: BuildOptions = {
    absWorkingDir: ROOT,
    bundle: true,
    platform: "node",
    format: "cjs",
    external: [],
    logLevel: "warning",
};

/** The Lambda entries of the stack, each bundled into the `index.js` its functions run. */
export const LAMBDA_ENTRIES = {
    /** Both scale-to-zero handlers in one file: index.idleCheck and index.wake. */
    scaleToZero: path.join(ROOT, "runtime", "scale-to-zero", "lambda.ts"),
    /** The Aurora instance-class scaler: index.handler. */
    auroraScaler: path.join(ROOT, "runtime", "aurora", "handler.ts"),
} as const;

/** esbuild options of a Lambda bundle: in memory, minified, for the functions' Node version. */
export function lambdaBundleOptions(entry: string): BuildOptions {
    return {
        ...COMMON_OPTIONS,
        entryPoints: [entry],
        outfile: "index.js",
        target: LAMBDA_NODE_TARGET,
        write: false,
        minify: true,
        legalComments: "none",
    };
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
