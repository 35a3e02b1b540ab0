/**
 * Loaded by mocha after ts-node. ts-node maps every stack trace back to the TypeScript source, and
 * @pulumi/pulumi asks for a stack trace on every promise it tracks (debuggablePromise, for its leak
 * report) and for every resource it registers (Resource.callsites, with no frame limit, for the source
 * position it sends to the engine). Under mocks neither is read, yet mapping them took about a third
 * of the unit tests' CPU. Those two get V8's own unmapped text; every other stack, a failing test's
 * included, is still mapped to the TypeScript line.
 */
const mapped = Error.prepareStackTrace;
if (mapped) {
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
        const caller = frames[0]?.getFunctionName();
        if (caller === "debuggablePromise" || caller === "callsites") {
            return [String(error), ...frames.map((f) => `    at ${f}`)].join("\n");
        }
        return mapped(error, frames);
    };
}
