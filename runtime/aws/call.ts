/**
 * One wrapper for every remote call the runtime makes, so that a failure always says which operation
 * failed (the label of the API-errors metric) and whether it was throttling.
 */

/** Error codes AWS services use for request-rate throttling. */
const THROTTLING_CODES = new Set([
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "ProvisionedThroughputExceededException",
    "SlowDown",
]);

/** The error name/code of an SDK (or other) error, "Error" when it has none. */
export function errorCode(error: unknown): string {
    if (error && typeof error === "object") {
        const e = error as { name?: unknown; code?: unknown; Code?: unknown };
        for (const c of [e.name, e.Code, e.code]) {
            if (typeof c === "string" && c !== "" && c !== "Error") return c;
            if (typeof c === "number") return String(c);
        }
    }
    return "Error";
}

/** True when the error is request throttling (by code, or HTTP 429). */
export function isThrottling(error: unknown): boolean {
    if (THROTTLING_CODES.has(errorCode(error))) return true;
    const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
    return status === 429;
}

/** A failed remote call: the operation, the service's error code, and the original error as `cause`. */
export class ApiCallError extends Error {
    readonly operation: string;
    readonly code: string;
    readonly throttling: boolean;

    constructor(operation: string, cause: unknown) {
        const detail = cause instanceof Error ? cause.message : String(cause);
        super(`${operation} failed: ${errorCode(cause)}: ${detail}`, { cause });
        this.name = "ApiCallError";
        this.operation = operation;
        this.code = errorCode(cause);
        this.throttling = isThrottling(cause);
    }
}

/** Runs one remote call; a failure is rethrown as an ApiCallError naming the operation. */
export async function apiCall<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
        return await send();
    } catch (error) {
        if (error instanceof ApiCallError) throw error;
        throw new ApiCallError(operation, error);
    }
}

/** The operation label of any error: the failed operation for an ApiCallError, "internal" otherwise. */
export function operationOf(error: unknown): string {
    return error instanceof ApiCallError ? error.operation : "internal";
}

/** Receives failures of calls whose result the caller can do without (logged and counted, not fatal). */
export type ApiErrorListener = (error: ApiCallError) => void;
