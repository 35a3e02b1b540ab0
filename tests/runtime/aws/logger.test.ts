import { expect } from "chai";
import { ApiCallError } from "../../../runtime/aws/call";
import { createLogger, logLevel, LogLevelError } from "../../../runtime/aws/logger";
import { sdkError } from "../support";

/** A logger at `level` whose lines the test reads. */
function logger(level?: string, env: NodeJS.ProcessEnv = {}) {
    const lines: Record<string, any>[] = [];
    const log = createLogger({ ...(level ? { level } : {}), env, destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
    return { log, lines };
}

describe("runtime logger", () => {
    const failure = () => new ApiCallError("UpdateService", sdkError("ServiceNotActiveException", "Service was not ACTIVE.", 400));

    it("writes an error with its operation, AWS error code and HTTP status, and no stack at info", () => {
        const { log, lines } = logger("info");
        log.error({ err: failure() }, "tick failed");
        expect(lines[0]!.err).to.deep.equal({
            type: "ApiCallError",
            message: "UpdateService failed: ServiceNotActiveException: Service was not ACTIVE.",
            operation: "UpdateService",
            code: "ServiceNotActiveException",
            httpStatusCode: 400,
        });
    });

    it("adds the stack, and the cause's, at debug", () => {
        const { log, lines } = logger("debug");
        log.error({ err: failure() }, "tick failed");
        expect(lines[0]!.err.stack).to.match(/^ApiCallError: UpdateService failed/);
        expect(lines[0]!.err.cause).to.include({ type: "ServiceNotActiveException", code: "ServiceNotActiveException" });
        expect(lines[0]!.err.cause.stack).to.be.a("string");
    });

    it("takes LOG_LEVEL, default info, any case, and refuses a level it does not know", () => {
        expect([logLevel(undefined, {}), logLevel(undefined, { LOG_LEVEL: "DEBUG" }), logLevel(undefined, { LOG_LEVEL: " " })]).to.deep.equal(["info", "debug", "info"]);
        expect(() => logLevel(undefined, { LOG_LEVEL: "verbose" })).to.throw(LogLevelError, 'LOG_LEVEL: "verbose" must be one of fatal, error, warn, info, debug, trace, silent');
        expect(() => createLogger({ env: { LOG_LEVEL: "loud" } })).to.throw(LogLevelError);
    });
});
