/**
 * What the local stack's processes run: the project image's command (`autoscale`, cli/autoscale.ts) and
 * the two small hosts of local/hosts/, bundled once per start with esbuild into `.autoscale/bundle/`, so
 * a task starts in a fraction of a second instead of compiling TypeScript. The local stack itself
 * (local/stack.ts, which loads the Pulumi program) stays out of the bundle: tasks never run it.
 */
import * as path from "path";
import { build, type Plugin } from "esbuild";

export interface Bundles {
    /** `node <autoscale> worker run`, `... gateway run`, `... autoscaler run`, `... emulate`. */
    readonly autoscale: string;
    /** `node <functionHost> <code.js> <export>`: a warm Lambda execution environment. */
    readonly functionHost: string;
    /** `node <httpStandIn>`: answers HTTP on PORT for an image the project does not build (nginx). */
    readonly httpStandIn: string;
}

/** Keeps the local stack's entry (and the Pulumi program behind it) out of the task bundle. */
function withoutLocalStack(root: string): Plugin {
    const stackEntry = path.join(root, "local", "stack");
    return {
        name: "without-local-stack",
        setup(b) {
            b.onResolve({ filter: /local\/stack$/ }, (args) => {
                const resolved = path.resolve(args.resolveDir, args.path);
                return resolved === stackEntry ? { path: args.path, external: true } : undefined;
            });
        },
    };
}

export async function buildBundles(root: string, outDir: string): Promise<Bundles> {
    await build({
        entryPoints: {
            autoscale: path.join(root, "cli", "autoscale.ts"),
            "function-host": path.join(root, "local", "hosts", "function-host.ts"),
            "http-stand-in": path.join(root, "local", "hosts", "http-stand-in.ts"),
        },
        outdir: outDir,
        absWorkingDir: root,
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        sourcemap: false,
        logLevel: "error",
        plugins: [withoutLocalStack(root)],
    });
    return {
        autoscale: path.join(outDir, "autoscale.js"),
        functionHost: path.join(outDir, "function-host.js"),
        httpStandIn: path.join(outDir, "http-stand-in.js"),
    };
}
