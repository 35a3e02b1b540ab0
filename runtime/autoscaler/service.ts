/**
 * Puts the autoscaler together: queue source, actuator, control loop, failure-simulation schedule and
 * the /healthz + /metrics server. Installs nothing global (no signal handlers, no global metrics
 * registry); the caller stops it with stop().
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Registry } from "prom-client";
import type { ApiCallError } from "../aws/call";
import { createCloudWatchClient, createEcsClient, createSqsClient } from "../aws/clients";
import { createLogger, type Logger } from "../aws/logger";
import { EcsActuator } from "./actuator";
import { ChaosNotAllowedError, ChaosScheduler, runChaos, type ChaosKind, type ChaosReport } from "./chaos";
import { startOpsServer, type OpsServer } from "./http";
import { ControlLoop } from "./loop";
import { AutoscalerMetrics } from "./metrics";
import type { AutoscalerSettings, ChaosRunSettings } from "./settings";
import { RabbitMqQueueSource, redactUrl } from "./sources/rabbitmq";
import { SqsQueueSource } from "./sources/sqs";
import { realSleep } from "./time";
import type { QueueSource } from "./types";

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
 * tick starts at once. Throws ChaosNotAllowedError, before anything starts, when a failure simulation
 * is enabled but not allowed.
 */
export async function startAutoscaler(settings: AutoscalerSettings, deps: Partial<AutoscalerDeps> = {}): Promise<RunningAutoscaler> {
    const enabled = (["stopTask", "drain", "partition"] as const).filter((k) => settings.chaos[k].enabled);
    if (enabled.length > 0 && !settings.chaos.allowed) throw new ChaosNotAllowedError(enabled.join(", "));

    const logger = deps.logger ?? createLogger({ name: "autoscaler" });
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

    const actuator = new EcsActuator({ ecs, cluster: settings.cluster, service: settings.service, dryRun: settings.dryRun, logger });
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
    });
    const chaos = new ChaosScheduler({
        target: {
            ecs,
            cluster: settings.cluster,
            service: settings.service,
            ...(sqs ? { sqs } : {}),
            ...(src.kind === "sqs" ? { queueUrl: src.queueUrl } : {}),
            ...(settings.chaos.workerRoleArn ? { workerRoleArn: settings.chaos.workerRoleArn } : {}),
        },
        schedule: settings.chaos,
        allowed: settings.chaos.allowed,
        clock,
        sleep,
        logger,
        random: deps.random,
        metrics,
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

/**
 * Runs one failure simulation (`autoscale chaos <kind>`) and resolves with its report. Refused with
 * ChaosNotAllowedError, before any client is built or call made, unless settings.allowed.
 */
export async function runChaosOnce(kind: ChaosKind, settings: ChaosRunSettings, deps: Partial<AutoscalerDeps> = {}): Promise<ChaosReport> {
    if (!settings.allowed) throw new ChaosNotAllowedError(kind);
    const ecs = deps.ecs ?? createEcsClient();
    const sqs = kind === "partition" ? deps.sqs ?? createSqsClient() : deps.sqs;
    return runChaos(kind, {
        ecs,
        cluster: settings.cluster,
        service: settings.service,
        ...(sqs ? { sqs } : {}),
        ...(settings.queueUrl ? { queueUrl: settings.queueUrl } : {}),
        ...(settings.workerRoleArn ? { workerRoleArn: settings.workerRoleArn } : {}),
    }, {
        allowed: settings.allowed,
        clock: deps.clock,
        sleep: deps.sleep,
        logger: deps.logger ?? createLogger({ name: "autoscale-chaos" }),
        random: deps.random,
        signal: deps.signal,
        pollIntervalMs: settings.pollIntervalMs,
        recoveryTimeoutMs: settings.recoveryTimeoutMs,
        drainTimeoutMs: settings.drainTimeoutMs,
        partitionDurationMs: settings.partitionDurationMs,
    });
}
