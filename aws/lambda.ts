/**
 * The Lambda runtime every function of the stack runs on, and the Node version its bundles target.
 * nodejs22.x is a supported managed runtime (Lambda developer guide, "Supported runtimes") that ships
 * Node.js 22; the bundles target that version so esbuild emits nothing it cannot run.
 * Imports nothing of the project's.
 */

/** Lambda `Runtime` of every function. */
export const LAMBDA_NODE_RUNTIME = "nodejs22.x";

/** esbuild `target` of every Lambda bundle: the Node.js major of LAMBDA_NODE_RUNTIME. */
export const LAMBDA_NODE_TARGET = "node22";
