/**
 * The start-up check: before the loop starts, the cluster, every service and every queue must exist
 * and be readable. Services are described ten a call and queues read a few at once, as the loop does.
 */
import { ApiCallError, errorCode, operationOf } from "../aws/call";
import { endpointAnswerOf } from "../aws/endpoint-answer";
import { describeServicesBatched, ServiceNotFoundError } from "./actuator";
import type { ECSClient } from "@aws-sdk/client-ecs";
import { mapBounded } from "./pacing";
import type { AutoscalerSettings, SourceSettings } from "./settings";
import type { QueueSource, ServiceState } from "./types";

/** Error codes that mean a resource is missing or may not be read: no retry will fix them. */
const PERMANENT_CODES = /NotFound|DoesNotExist|NonExistent|AccessDenied|Unauthorized|UnrecognizedClient|InvalidClientTokenId|InvalidParameter|InvalidAddress|SignatureDoesNotMatch|ServiceNotFoundError|EndpointAnswerError/;

/**
 * The start-up check failed: the cluster, a service or a queue is missing or may not be read. One
 * problem per line, each naming the flag and the value; the command exits 2 (a restart will not fix it).
 */
export class PreflightError extends Error {
    readonly problems: readonly string[];
    /** True when every problem is permanent (missing, access denied); false when one may be transient. */
    readonly permanent: boolean;
    constructor(problems: readonly string[], permanent: boolean) {
        super(problems.join("\n"));
        this.name = "PreflightError";
        this.problems = problems;
        this.permanent = permanent;
    }
}

function describeProblem(error: unknown): { text: string; permanent: boolean } {
    const cause = error instanceof ApiCallError ? error.cause : error;
    const code = error instanceof ApiCallError ? error.code : errorCode(error);
    const text = cause instanceof Error ? cause.message : String(cause);
    return { text: `${operationOf(error)}: ${code}: ${text}`, permanent: PERMANENT_CODES.test(code) || cause instanceof ServiceNotFoundError };
}

function queueFlag(many: boolean, service: string, src: SourceSettings): string {
    const what = src.kind === "sqs" ? `queue ${JSON.stringify(src.queueUrl)}` : `queue ${JSON.stringify(src.queue)}`;
    if (many) return `--services: ${service}: ${what}`;
    return src.kind === "sqs" ? `--queue-url: ${what}` : `--rabbitmq-queue: ${what}`;
}

/**
 * Checks every service (DescribeServices, ten a call) and every queue (one observation each, at most
 * eight at once). Throws PreflightError listing the permanent problems (missing, access denied). A
 * transient failure (timeout, throttling) is not a reason to stop: it comes back in `transient` and
 * the loop retries.
 */
export async function preflight(
    settings: AutoscalerSettings, ecs: ECSClient, sources: ReadonlyMap<string, readonly QueueSource[]>,
): Promise<{ services: Map<string, ServiceState>; transient: string[] }> {
    const many = settings.services.length > 1 || settings.services.some((s) => s.sources.length > 1);
    const names = settings.services.map((s) => s.service);
    const permanent: string[] = [];
    const transient: string[] = [];
    const services = new Map<string, ServiceState>();
    const [described] = await Promise.all([
        describeServicesBatched(ecs, settings.cluster, names),
        mapBounded(settings.services.flatMap((s) => s.sources.map((src, i) => ({ s, src, queue: sources.get(s.service)![i]! }))), 8, async ({ s, src, queue }) => {
            try {
                await queue.observe();
            } catch (error) {
                const p = describeProblem(error);
                (p.permanent ? permanent : transient).push(`${queueFlag(many, s.service, src)} cannot be read: ${p.text}`);
            }
        }),
    ]);
    // An endpoint that answers HTML answers every call so: its one line says all, and no retry fixes it.
    const answer = endpointAnswerOf([...described.values()].find((r) => endpointAnswerOf(r)));
    if (answer) throw answer;
    const clusterProblems = new Set<string>();
    for (const name of names) {
        const r = described.get(name)!;
        if (!(r instanceof Error)) {
            services.set(name, r);
            continue;
        }
        const p = describeProblem(r);
        if (/Cluster/.test(r.code)) {
            const line = `--cluster: cluster ${JSON.stringify(settings.cluster)} cannot be read: ${p.text}`;
            if (!clusterProblems.has(line)) (p.permanent ? permanent : transient).push(line);
            clusterProblems.add(line);
            continue;
        }
        const flag = many ? `--services: service ${JSON.stringify(name)}` : `--ecs-service: service ${JSON.stringify(name)}`;
        (p.permanent ? permanent : transient).push(`${flag} in cluster ${JSON.stringify(settings.cluster)} cannot be read: ${p.text}`);
    }
    if (permanent.length > 0) throw new PreflightError(permanent, true);
    return { services, transient };
}
