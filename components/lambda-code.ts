/**
 * A Lambda function's code as Pulumi deploys it: the entry bundled by the project's one bundler
 * (bundle/esbuild.ts) into the `index.js` of a zip archive.
 */
import * as pulumi from "@pulumi/pulumi";
import { bundleLambda } from "../bundle/esbuild";

/** The archive of `entry`'s bundle; the build runs once per process however many functions share it. */
export function lambdaArchive(entry: string): pulumi.Output<pulumi.asset.Archive> {
    return pulumi.output(bundleLambda(entry))
        .apply((js) => new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(js) }));
}
