#!/usr/bin/env node
// The `autoscale` command: runs the esbuild bundle when it has been built (`npm run build`),
// otherwise the TypeScript entry through ts-node, and exits with the code main() returns. main() takes
// the arguments after the script name.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const bundle = path.join(root, "dist", "autoscale", "index.js");

function load() {
    if (fs.existsSync(bundle)) return require(bundle);
    require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
    return require(path.join(root, "cli", "autoscale.ts"));
}

Promise.resolve()
    .then(() => load().main(process.argv.slice(2)))
    .then(
        (code) => process.exit(typeof code === "number" ? code : 0),
        (err) => {
            console.error(err instanceof Error ? err.stack : err);
            process.exit(1);
        },
    );
