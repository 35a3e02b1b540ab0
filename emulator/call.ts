/** Every AWS call the emulator makes: named for its errors (runtime/aws/call.ts) and bounded in time. */
import { apiCall } from "../runtime/aws/call";

const CALL_TIMEOUT_MS = 10_000;

export function send<T>(operation: string, run: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return apiCall(operation, () => run(AbortSignal.timeout(CALL_TIMEOUT_MS)));
}
