/**
 * An answer that is not an AWS API answer (an HTML page from a proxy, a captive portal or a web server
 * at AWS_ENDPOINT_URL) turned into one line that names the endpoint, instead of the SDK's
 * `SyntaxError: Unexpected token '<', "<!doctype "... is not valid JSON`. Every client of the factory
 * (clients.ts) carries the middleware, so every command and the runtime say the same.
 */
import type { FinalizeRequestMiddleware, HandlerExecutionContext, MetadataBearer, Pluggable } from "@smithy/types";

/** The endpoint answered something no AWS protocol parses. */
export class EndpointAnswerError extends Error {
    readonly endpoint: string;
    readonly operation: string;
    /** The HTTP status of the answer: a 5xx page is an endpoint without the operation (moto's NotImplemented). */
    readonly status: number | undefined;
    constructor(endpoint: string, operation: string, status: number | undefined, contentType: string | undefined, start: string | undefined) {
        const what = [status !== undefined ? `HTTP ${status}` : undefined, contentType, start !== undefined ? JSON.stringify(`${start}...`) : undefined]
            .filter((x) => x !== undefined).join(" ");
        super(`the endpoint ${endpoint} answered ${operation} with ${what || "a body"} that is not an AWS API answer: ` +
            "check AWS_ENDPOINT_URL (unset for AWS itself) and AWS_REGION");
        this.name = "EndpointAnswerError";
        this.endpoint = endpoint;
        this.operation = operation;
        this.status = status;
    }
}

/** The EndpointAnswerError in `error` or its causes (an ApiCallError wraps one), if any. */
export function endpointAnswerOf(error: unknown): EndpointAnswerError | undefined {
    for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
        if (e instanceof EndpointAnswerError) return e;
    }
    return undefined;
}

interface SdkParseError {
    name?: string;
    message?: string;
    $metadata?: MetadataBearer["$metadata"];
    $response?: { statusCode?: number; headers?: Record<string, string> };
}

/** True for the SDK's failure to parse a body: a SyntaxError (JSON) or an XML parser error, with the raw response attached. */
function isUnparsedAnswer(e: SdkParseError): boolean {
    if (!e.$response) return false;
    const type = e.$response.headers?.["content-type"] ?? "";
    return e.name === "SyntaxError" || /text\/html/i.test(type) || /Deserialization error/.test(e.message ?? "");
}

function middleware<I extends object, O extends MetadataBearer>(): FinalizeRequestMiddleware<I, O> {
    return (next, context: HandlerExecutionContext) => async (args) => {
        try {
            return await next(args);
        } catch (error) {
            const e = error as SdkParseError;
            if (!error || typeof error !== "object" || !isUnparsedAnswer(e)) throw error;
            const req = args.request as { protocol?: string; hostname?: string; port?: number };
            const endpoint = `${req.protocol ?? "https:"}//${req.hostname ?? "?"}${req.port ? `:${req.port}` : ""}`;
            const operation = String(context.commandName ?? "a call").replace(/Command$/, "");
            const start = /"(.{1,40}?)"\.\.\. is not valid JSON/.exec(e.message ?? "")?.[1];
            throw new EndpointAnswerError(endpoint, operation, e.$response?.statusCode ?? e.$metadata?.httpStatusCode, e.$response?.headers?.["content-type"], start);
        }
    };
}

/** The plugin every client of the factory uses. */
export function endpointAnswerPlugin<I extends object, O extends MetadataBearer>(): Pluggable<I, O> {
    return {
        applyToStack(stack) {
            stack.add(middleware<I, O>(), { step: "finalizeRequest", name: "endpointAnswerMiddleware", priority: "high" });
        },
    };
}
