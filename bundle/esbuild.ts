/**
 * The one bundler of the project's runtime code: esbuild options every bundle shares, and the Lambda
 * bundle every function of the stack deploys (the scale-to-zero functions, the Aurora instance-class
 * scaler), and the queue autoscaler task's own entry. Used by components/ (at deploy time) and by
 * scripts/build.ts (the image's two bundles). Imports only aws/ of the project's, so a build needs
 * nothing else.
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

/**
 * The queue autoscaler task's entry (runtime/autoscaler/main.ts) and the bundle the image holds it in,
 * relative to the image's working directory (Dockerfile: WORKDIR /app) and to the repository root.
 * Only what `autoscaler run` needs: no Pulumi, charts, local stack or AMQP client, so the task's memory
 * is the autoscaler's (bench/many-services.ts measures it).
 */
export const AUTOSCALER_TASK_ENTRY = path.join(ROOT, "runtime", "autoscaler", "main.ts");
export const AUTOSCALER_TASK_BUNDLE = "dist/autoscaler/index.js";

/**
 * esbuild options of the autoscaler task's bundle, for the image's Node (Dockerfile: node:22-slim).
 * Packages are taken in their ES module form where they have one (`mainFields`), so that esbuild drops
 * what the task never calls (the AWS SDK clients of runtime/aws/clients.ts other than ECS, SQS and
 * CloudWatch; the commands and types of those it calls but never sends). No source map and no
 * minifying: a stack trace names a line of the readable bundle, whose comments name each source file.
 * With a source map the image's NODE_OPTIONS=--enable-source-maps has Node decode it on the first stack
 * trace (the SDK makes some at start): one service on moto (bench/many-services.ts --services 1)
 * peaked at 136 MB RSS with it and 84 MB without.
 */
export const AUTOSCALER_TASK_OPTIONS: BuildOptions = {
    ...COMMON_OPTIONS,
    entryPoints: [AUTOSCALER_TASK_ENTRY],
    outfile: path.join(ROOT, AUTOSCALER_TASK_BUNDLE),
    target: "node22",
    mainFields: ["module", "main"],
    sourcemap: false,
    minify: false,
    metafile: true,
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
