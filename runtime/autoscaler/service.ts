/**
 * Puts the autoscaler together: queue source, actuator, control loop, failure-simulation schedule and
 * the /healthz + /metrics server. Installs nothing global (no signal handlers, no global metrics
 * registry); the caller stops it with stop().
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Registry } from "prom-client";
import { ApiCallError, errorCode, operationOf } from "../aws/call";
import { createCloudWatchClient, createEcsClient, createSqsClient } from "../aws/clients";
import { createLogger, type Logger } from "../aws/logger";
import { EcsActuator, ServiceNotFoundError } from "./actuator";
import { ChaosNotAllowedError, ChaosScheduler, healLeftovers, runChaos, SIMULATIONS, type ChaosKind, type ChaosReport, type ChaosTarget } from "./chaos";
import { emfRecord } from "./emf";
import { startOpsServer, type OpsServer } from "./http";
import { ControlLoop, type ControlLoopOptions } from "./loop";
import { lastActionsFromTags, readTags } from "./service-tags";
import { AutoscalerMetrics } from "./metrics";
import type { AutoscalerSettings, ChaosRunSettings } from "./settings";
import { RabbitMqQueueSource, redactUrl } from "./sources/rabbitmq";
import { SqsQueueSource } from "./sources/sqs";
import { realSleep } from "./time";
import type { LastActions, QueueSource, ServiceState } from "./types";

/** Error codes that mean a resource is missing or may not be read: no retry will fix them. */
const PERMANENT_CODES = /NotFound|DoesNotExist|NonExistent|AccessDenied|Unauthorized|UnrecognizedClient|InvalidClientTokenId|InvalidParameter|InvalidAddress|SignatureDoesNotMatch|ServiceNotFoundError/;

/**
 * The start-up check failed: the cluster, service or queue is missing or may not be read. One problem
 * per line, each naming the flag and the value; the command exits 2 (a restart will not fix it).
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

/**
 * Checks, before the loop starts, that the cluster, service and queue exist and may be read: one
 * DescribeServices and one observation of the queue, in parallel. Throws PreflightError listing the
 * permanent problems (missing, access denied). A transient failure (timeout, throttling) is not a
 * reason to stop: it comes back in `transient` and the loop retries with backoff.
 */
export async function preflight(settings: AutoscalerSettings, actuator: EcsActuator, source: QueueSource): Promise<{ service?: ServiceState; transient: string[] }> {
    const [svc, queue] = await Promise.allSettled([actuator.readCounts(), source.observe()]);
    const permanent: string[] = [];
    const transient: string[] = [];
    if (svc.status === "rejected") {
        const p = describeProblem(svc.reason);
        const code = svc.reason instanceof ApiCallError ? svc.reason.code : errorCode(svc.reason);
        const flag = /Cluster/.test(code) ? `--cluster: cluster ${JSON.stringify(settings.cluster)}` : `--service: service ${JSON.stringify(settings.service)} in cluster ${JSON.stringify(settings.cluster)}`;
        (p.permanent ? permanent : transient).push(`${flag} cannot be read: ${p.text}`);
    }
    if (queue.status === "rejected") {
        const p = describeProblem(queue.reason);
        const src = settings.source;
        const flag = src.kind === "sqs" ? `--queue-url: queue ${JSON.stringify(src.queueUrl)}` : `--rabbitmq-queue: queue ${JSON.stringify(src.queue)}`;
        (p.permanent ? permanent : transient).push(`${flag} cannot be read: ${p.text}`);
    }
    if (permanent.length > 0) throw new PreflightError(permanent, true);
    return { ...(svc.status === "fulfilled" ? { service: svc.value } : {}), transient };
}

/** What startAutoscaler and runChaosOnce can be given instead of building it themselves. */
export interface AutoscalerDeps {
    /** Default: createEcsClient() (AWS_REGION / AWS_ENDPOINT_URL). */
    readonly ecs: ECSClient;
    /** Default: createSqsClient(). */
    readonly sqs: SQSClient;
    /** Default: createCloudWatchClient() (request compression off). */
    readonly cloudwatch: CloudWatchClient;
    /** Epoch milliseconds; default Date.now. */
    readonly clock: () => number;
    /** Default: real time (cut short on stop). */
    readonly sleep: (ms: number) => Promise<void>;
    /** Default: createLogger({ name: "autoscaler" }) (JSON on stdout, LOG_LEVEL). */
    readonly logger: Logger;
    /** Replaces the queue source built from settings.source (e.g. a RabbitMQ source on an injected channel). */
    readonly source: QueueSource;
    /** [0, 1), picks the task a stop-task run stops; default Math.random. */
    readonly random: () => number;
    /** runChaosOnce only: aborting it ends the run early, restoring what it disrupted. */
    readonly signal: AbortSignal;
}

export interface RunningAutoscaler {
    /** Stops the schedule (restoring any disruption), the loop (after its current tick), the server and the source. */
    stop(): Promise<void>;
    /** The port /healthz and /metrics listen on. */
    readonly healthPort: number;
    /** The autoscaler's own metrics registry. */
    readonly registry: Registry;
    readonly loop: ControlLoop;
    readonly chaos: ChaosScheduler;
}

/**
 * Starts the autoscaler described by `settings` and resolves once its HTTP server listens; the first
 * tick starts at once. Before that it checks the cluster, service and queue (PreflightError), undoes
 * what a killed failure simulation left behind, and reads back its last actions from the service's
 * tags so that their cooldowns hold across a restart. Throws ChaosNotAllowedError, before anything
 * starts, when a failure simulation is enabled but not allowed.
 */
export async function startAutoscaler(settings: AutoscalerSettings, deps: Partial<AutoscalerDeps> = {}): Promise<RunningAutoscaler> {
    const enabled = (["stopTask", "drain", "partition"] as const).filter((k) => settings.chaos[k].enabled);
    if (enabled.length > 0 && !settings.chaos.allowed) throw new ChaosNotAllowedError(enabled.join(", "));

    const logger = deps.logger ?? createLogger({ name: "autoscaler", level: settings.logLevel });
    const clock = deps.clock ?? Date.now;
    const sleep = deps.sleep ?? realSleep;
    const ecs = deps.ecs ?? createEcsClient();
    const cloudwatch = deps.cloudwatch ?? createCloudWatchClient();
    const sqs = deps.sqs ?? (settings.source.kind === "sqs" || settings.chaos.partition.enabled ? createSqsClient() : undefined);

    let metrics: AutoscalerMetrics | undefined;
    const onAuxiliaryError = (error: ApiCallError): void => {
        metrics?.apiError(error.operation);
        logger.warn({ operation: error.operation, code: error.code, throttling: error.throttling, err: error }, `${error.message} (not fatal; the tick goes on)`);
    };
    const src = settings.source;
    const source = deps.source ?? (src.kind === "sqs"
        ? new SqsQueueSource({ sqs: sqs!, cloudwatch, queueUrl: src.queueUrl, clock, onAuxiliaryError })
        : new RabbitMqQueueSource({ url: src.url, queueName: src.queue, cloudwatch, clock, onAuxiliaryError }));
    metrics = new AutoscalerMetrics({ queue: source.queueName, service: settings.service });

    const actuator = new EcsActuator({ ecs, cluster: settings.cluster, service: settings.service, dryRun: settings.dryRun, logger, clock, onAuxiliaryError });
    const chaosTarget: ChaosTarget = {
        ecs,
        cluster: settings.cluster,
        service: settings.service,
        ...(sqs ? { sqs } : {}),
        ...(src.kind === "sqs" ? { queueUrl: src.queueUrl } : {}),
        ...(settings.chaos.workerRoleArn ? { workerRoleArn: settings.chaos.workerRoleArn } : {}),
    };

    let initialLastActions: LastActions = {};
    try {
        const checked = await preflight(settings, actuator, source);
        for (const problem of checked.transient) logger.warn({ problem }, `start-up check: ${problem}; retrying in the loop`);
        if (checked.service) {
            // What a killed failure simulation left behind is undone first, whatever is enabled now.
            if (!settings.dryRun) {
                await healLeftovers(chaosTarget, { clock, logger }).catch((error: unknown) => {
                    if (!(error instanceof ApiCallError)) throw error;
                    logger.error({ err: error, operation: error.operation, code: error.code }, `could not undo what an interrupted failure simulation left: ${error.message}`);
                });
            }
            initialLastActions = await readLastActions(ecs, checked.service, logger, onAuxiliaryError);
        }
    } catch (error) {
        await source.close();
        throw error;
    }

    const emf = (fields: Record<string, unknown>) => logger.info(fields, "metrics");
    const onTick: ControlLoopOptions["onTick"] = (t) => {
        emf(t.ok
            ? emfRecord(settings.service, t.at, {
                QueueVisible: t.report.observation.visible,
                QueueInFlight: t.report.observation.inFlight,
                DesiredTasks: t.report.counts.desired,
                RunningTasks: t.report.counts.running,
                DecidedTasks: t.report.decision.desired,
                ScalingActions: t.report.outcome === "updated" ? 1 : 0,
                TickFailures: 0,
                TickDuration: t.report.tickMs,
            })
            : emfRecord(settings.service, t.at, { TickFailures: 1, ScalingActions: 0, TickDuration: t.tickMs }));
    };
    const loop = new ControlLoop({
        source,
        actuator,
        settings: settings.decision,
        intervalMs: settings.intervalMs,
        clock,
        sleep,
        logger,
        metrics,
        oldestMessageWarningSeconds: settings.oldestMessageWarningSeconds,
        initialLastActions,
        onTick,
    });
    const chaos = new ChaosScheduler({
        target: chaosTarget,
        schedule: settings.chaos,
        allowed: settings.chaos.allowed,
        clock,
        sleep,
        logger,
        random: deps.random,
        onRun: (kind, outcome, error) => {
            metrics?.chaosRun(kind, outcome);
            if (error !== undefined) metrics?.apiError(operationOf(error));
        },
        hold: (run) => loop.hold(run),
        pollIntervalMs: settings.chaos.pollIntervalMs,
        recoveryTimeoutMs: settings.chaos.recoveryTimeoutMs,
        drainTimeoutMs: settings.chaos.drainTimeoutMs,
    });

    let server: OpsServer;
    try {
        server = await startOpsServer({ port: settings.healthPort, health: () => loop.health(), registry: metrics.registry });
    } catch (error) {
        await source.close();
        throw error;
    }

    logger.info({
        source: src.kind === "sqs" ? { kind: "sqs", queueUrl: src.queueUrl } : { kind: "rabbitmq", url: redactUrl(src.url), queue: src.queue },
        cluster: settings.cluster,
        service: settings.service,
        decision: settings.decision,
        intervalMs: settings.intervalMs,
        dryRun: settings.dryRun,
        healthPort: server.port,
        lastActions: initialLastActions,
        chaos: { allowed: settings.chaos.allowed, enabled: chaos.enabledKinds() },
    }, `autoscaler started for ${settings.service} on queue ${source.queueName}`);
    loop.start();
    chaos.start();

    let stopping: Promise<void> | undefined;
    return {
        healthPort: server.port,
        registry: metrics.registry,
        loop,
        chaos,
        stop() {
            stopping ??= (async () => {
                await Promise.all([chaos.stop(), loop.stop()]);
                await server.close();
                await source.close();
                logger.info({ service: settings.service }, "autoscaler stopped");
            })();
            return stopping;
        },
    };
}

/** What the autoscaler last did, from the service's tags; {} (and a warning) when they cannot be read. */
async function readLastActions(ecs: ECSClient, service: ServiceState, logger: Logger, onError: (e: ApiCallError) => void): Promise<LastActions> {
    if (service.arn === "") return {};
    try {
        const last = lastActionsFromTags(await readTags(ecs, service.arn));
        if (last.scaleUp || last.scaleDown) logger.info({ lastActions: last }, "read back the last scaling actions from the service's tags; their cooldowns still hold");
        return last;
    } catch (error) {
        if (!(error instanceof ApiCallError)) throw error;
        onError(error);
        return {};
    }
}

/**
 * Runs one failure simulation (`autoscale chaos <kind>`) and resolves with its report. Refused with
 * ChaosNotAllowedError, before any client is built or call made, unless settings.allowed.
 */
export async function runChaosOnce(kind: ChaosKind, settings: ChaosRunSettings, deps: Partial<AutoscalerDeps> = {}): Promise<ChaosReport> {
    if (!settings.allowed) throw new ChaosNotAllowedError(kind);
    const ecs = deps.ecs ?? createEcsClient();
    const sqs = kind === "partition" ? deps.sqs ?? createSqsClient() : deps.sqs;
    const target: ChaosTarget = {
        ecs,
        cluster: settings.cluster,
        service: settings.service,
        ...(sqs ? { sqs } : {}),
        ...(settings.queueUrl ? { queueUrl: settings.queueUrl } : {}),
        ...(settings.workerRoleArn ? { workerRoleArn: settings.workerRoleArn } : {}),
    };
    const logger = deps.logger ?? createLogger({ name: "autoscale-chaos" });
    // A run of this kind that was killed before it restored is undone before a new one starts.
    await SIMULATIONS[kind].heal({
        t: target, clock: deps.clock ?? Date.now, sleep: deps.sleep ?? realSleep, logger, random: Math.random,
        pollMs: settings.pollIntervalMs, recoveryTimeoutMs: settings.recoveryTimeoutMs, drainTimeoutMs: settings.drainTimeoutMs, partitionMs: settings.partitionDurationMs,
    }).then((what) => {
        if (what !== undefined) logger.warn({ chaos: kind, healed: what }, `failure simulation ${kind}: ${what}`);
    });
    return runChaos(kind, target, {
        allowed: settings.allowed,
        clock: deps.clock,
        sleep: deps.sleep,
        logger,
        random: deps.random,
        signal: deps.signal,
        pollIntervalMs: settings.pollIntervalMs,
        recoveryTimeoutMs: settings.recoveryTimeoutMs,
        drainTimeoutMs: settings.drainTimeoutMs,
        partitionDurationMs: settings.partitionDurationMs,
    });
}
