/**
 * Puts the autoscaler together: queue source, actuator, control loop, failure-simulation schedule and
 * the /healthz + /metrics server. Installs nothing global (no signal handlers, no global metrics
 * registry); the caller stops it with stop().
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Registry } from "prom-client";
import { ApiCallError, operationOf } from "../aws/call";
import { createCloudWatchClient, createEcsClient, createSqsClient } from "../aws/clients";
import { createLogger, redactUrl, type Logger } from "../aws/logger";
import { EcsFleet } from "./actuator";
import { ChaosNotAllowedError, ChaosScheduler, healLeftovers, runChaos, SIMULATIONS, type ChaosKind, type ChaosReport, type ChaosTarget } from "./chaos";
import { arrivalTasks } from "./decision";
import { emfRecord } from "./emf";
import { slotsLearned, type ArrivalProfile } from "./forecast";
import { readArrivalProfiles } from "./forecast-store";
import { startOpsServer, type OpsServer } from "./http";
import { ControlLoop, type ControlLoopOptions, type ScaledService } from "./loop";
import { defaultPacing, mapBounded } from "./pacing";
import { preflight } from "./preflight";
import { MultiQueueSource } from "./sources/multi";
import { lastActionsFromTags, readTags } from "./service-tags";
import { AutoscalerMetrics } from "./metrics";
import { SettingsError, type AutoscalerSettings, type ChaosRunSettings, type SourceSettings } from "./settings";
import type { RabbitMqQueueSourceOptions } from "./sources/rabbitmq";
import { SqsQueueSource } from "./sources/sqs";
import { OldestAges } from "./sources/sqs-oldest-ages";
import { realSleep } from "./time";
import type { LastActions, QueueSource, ServiceState } from "./types";

export { PreflightError, preflight } from "./preflight";

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
    /**
     * Opens a RabbitMQ queue source (runtime/autoscaler/sources/rabbitmq.ts). Default: none, and a
     * RabbitMQ queue in the settings is refused before anything starts: the autoscaler task's entry
     * reads SQS queues only, so its bundle carries no AMQP client; the `autoscale` command gives one.
     */
    readonly rabbitMq: (options: RabbitMqQueueSourceOptions) => QueueSource;
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
 * tick starts at once. Before that it checks the cluster, services and queues (PreflightError), undoes
 * what a killed failure simulation left behind, and reads back each service's last actions from its
 * tags so that their cooldowns hold across a restart. Throws ChaosNotAllowedError, before anything
 * starts, when a failure simulation is enabled but not allowed.
 */
export async function startAutoscaler(settings: AutoscalerSettings, deps: Partial<AutoscalerDeps> = {}): Promise<RunningAutoscaler> {
    const enabled = (["stopTask", "drain", "partition"] as const).filter((k) => settings.chaos[k].enabled);
    if (enabled.length > 0 && !settings.chaos.allowed) throw new ChaosNotAllowedError(enabled.join(", "));

    const openRabbitMq = deps.rabbitMq;
    // (An injected source replaces the first service's queues.)
    const rabbit = settings.services.flatMap((s, i) => (i === 0 && deps.source ? [] : s.sources)).find((q) => q.kind === "rabbitmq");
    if (!openRabbitMq && rabbit?.kind === "rabbitmq") {
        throw new SettingsError([`--rabbitmq-url: ${JSON.stringify(redactUrl(rabbit.url))} is a RabbitMQ queue; this build of the autoscaler (the task's entry) reads SQS queues only: run \`autoscale autoscaler run\` to scale from RabbitMQ`]);
    }

    const logger = deps.logger ?? createLogger({ name: "autoscaler", level: settings.logLevel });
    const clock = deps.clock ?? Date.now;
    const sleep = deps.sleep ?? realSleep;
    const ecs = deps.ecs ?? createEcsClient();
    const cloudwatch = deps.cloudwatch ?? createCloudWatchClient();
    const anySqs = settings.services.some((s) => s.sources.some((q) => q.kind === "sqs"));
    const sqs = deps.sqs ?? (anySqs || settings.chaos.partition.enabled ? createSqsClient() : undefined);
    const many = settings.services.length > 1;

    const metrics = new AutoscalerMetrics();
    for (const client of [ecs, cloudwatch, sqs]) countCalls(client, (operation) => metrics.apiCall(operation));
    const onAuxiliaryError = (error: ApiCallError): void => {
        metrics.apiError(error.operation);
        logger.warn({ operation: error.operation, code: error.code, throttling: error.throttling, err: error }, `${error.message} (not fatal; the tick goes on)`);
    };
    // Many queues: their ages in one GetMetricData a minute (SQS has one data point a minute).
    const oldestAges = many ? new OldestAges({ cloudwatch, clock, onAuxiliaryError }) : undefined;
    const sourceOf = (src: SourceSettings): QueueSource => (src.kind === "sqs"
        ? new SqsQueueSource({ sqs: sqs!, cloudwatch, queueUrl: src.queueUrl, clock, onAuxiliaryError, ...(oldestAges ? { oldestAges } : {}) })
        : openRabbitMq!({ url: src.url, queueName: src.queue, cloudwatch, clock, onAuxiliaryError }));
    const queues = new Map(settings.services.map((s, i) => [s.service, i === 0 && deps.source ? [deps.source] : s.sources.map(sourceOf)]));
    const closeSources = () => Promise.all([...queues.values()].flat().map((q) => q.close()));

    const pacing = defaultPacing(clock, sleep);
    const fleet = new EcsFleet({ ecs, cluster: settings.cluster, dryRun: settings.dryRun, logger, clock, onAuxiliaryError, describeBucket: pacing.describeServices });
    const first = settings.services[0]!;
    const firstSqs = first.sources.find((q) => q.kind === "sqs");
    const chaosTarget: ChaosTarget = {
        ecs,
        cluster: settings.cluster,
        service: first.service,
        ...(sqs ? { sqs } : {}),
        ...(firstSqs?.kind === "sqs" ? { queueUrl: firstSqs.queueUrl } : {}),
        ...(settings.chaos.workerRoleArn ? { workerRoleArn: settings.chaos.workerRoleArn } : {}),
    };

    const initialLastActions = new Map<string, LastActions>();
    try {
        const checked = await preflight(settings, ecs, queues);
        for (const problem of checked.transient) logger.warn({ problem }, `start-up check: ${problem}; retrying in the loop`);
        // What a killed failure simulation left behind is undone first, whatever is enabled now.
        if (!settings.dryRun && !many && checked.services.has(first.service)) {
            await healLeftovers(chaosTarget, { clock, logger }).catch((error: unknown) => {
                if (!(error instanceof ApiCallError)) throw error;
                logger.error({ err: error, operation: error.operation, code: error.code }, `could not undo what an interrupted failure simulation left: ${error.message}`);
            });
        }
        await mapBounded([...checked.services.entries()], 5, async ([name, state]) => {
            initialLastActions.set(name, await readLastActions(ecs, state, logger, onAuxiliaryError));
        });
    } catch (error) {
        await closeSources();
        throw error;
    }
    const profiles = await readProfiles(settings, cloudwatch, clock(), logger, onAuxiliaryError);

    const emf = (fields: Record<string, unknown>) => logger.info(fields, "metrics");
    const onTick: ControlLoopOptions["onTick"] = (t) => {
        emf(t.ok
            ? emfRecord(t.service, t.at, {
                ...(t.report.observation ? { QueueVisible: t.report.observation.visible, QueueInFlight: t.report.observation.inFlight } : {}),
                DesiredTasks: t.report.counts.desired,
                RunningTasks: t.report.counts.running,
                DecidedTasks: t.report.decision.desired,
                ScalingActions: t.report.outcome === "updated" ? 1 : 0,
                TickFailures: 0,
                TickDuration: t.report.tickMs,
                DeploymentHoldExpired: t.report.deploymentHoldExpired ? 1 : 0,
                Paused: t.report.controls.paused ? 1 : 0,
                FallbackActive: t.report.controls.fallbackActive ? 1 : 0,
                ActivationHolding: t.report.controls.activationHolding ? 1 : 0,
                ...(t.report.decision.demand?.arrivalRate === undefined ? {} : { ArrivalRate: t.report.decision.demand.arrivalRate }),
                ...(t.report.decision.demand && arrivalTasks(t.report.decision.demand) !== undefined ? { ArrivalTasks: arrivalTasks(t.report.decision.demand)! } : {}),
                ...(t.report.decision.demand?.forecast ? { ForecastTasks: t.report.decision.demand.forecast.tasks } : {}),
            })
            : emfRecord(t.service, t.at, { TickFailures: 1, ScalingActions: 0, TickDuration: t.tickMs }));
    };
    const services: ScaledService[] = settings.services.map((s) => ({
        service: s.service,
        source: queues.get(s.service)!.length === 1 ? queues.get(s.service)![0]! : new MultiQueueSource(queues.get(s.service)!),
        settings: s.decision,
        ...(initialLastActions.has(s.service) ? { initialLastActions: initialLastActions.get(s.service)! } : {}),
        ...(s.fallback ? { fallback: s.fallback } : {}),
        ...(profiles.has(s.service) ? { initialProfile: profiles.get(s.service)! } : {}),
    }));
    const loop = new ControlLoop({
        services,
        fleet,
        intervalMs: settings.intervalMs,
        clock,
        sleep,
        logger,
        metrics,
        pacing,
        deploymentHoldMs: settings.deploymentHoldMs,
        oldestMessageWarningSeconds: settings.oldestMessageWarningSeconds,
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
            metrics.chaosRun(kind, outcome);
            if (error !== undefined) metrics.apiError(operationOf(error), first.service);
        },
        hold: (run) => loop.hold(run, first.service),
        pollIntervalMs: settings.chaos.pollIntervalMs,
        recoveryTimeoutMs: settings.chaos.recoveryTimeoutMs,
        drainTimeoutMs: settings.chaos.drainTimeoutMs,
    });

    let server: OpsServer;
    try {
        server = await startOpsServer({ port: settings.healthPort, health: () => loop.health(), registry: metrics.registry });
    } catch (error) {
        await closeSources();
        throw error;
    }

    const describeSource = (src: SourceSettings) => (src.kind === "sqs" ? { kind: "sqs", queueUrl: src.queueUrl } : { kind: "rabbitmq", url: redactUrl(src.url), queue: src.queue });
    logger.info({
        ...(many ? {} : { source: describeSource(first.sources[0]!), service: first.service, decision: first.decision }),
        services: settings.services.map((s) => ({ service: s.service, queues: s.sources.map(describeSource), decision: s.decision, ...(s.fallback ? { fallback: s.fallback } : {}) })),
        cluster: settings.cluster,
        intervalMs: settings.intervalMs,
        deploymentHoldMs: settings.deploymentHoldMs,
        dryRun: settings.dryRun,
        healthPort: server.port,
        lastActions: many ? undefined : initialLastActions.get(first.service) ?? {},
        chaos: { allowed: settings.chaos.allowed, enabled: chaos.enabledKinds() },
    }, many
        ? `autoscaler started for ${settings.services.length} services in cluster ${settings.cluster}`
        : `autoscaler started for ${first.service} on queue ${services[0]!.source.queueName}`);
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
                await closeSources();
                logger.info({ services: settings.services.length }, "autoscaler stopped");
            })();
            return stopping;
        },
    };
}

/**
 * The arrival profiles of the services that forecast, read back from their ArrivalRate history
 * (forecast-store.ts); empty profiles (and a warning) when CloudWatch cannot be read.
 */
async function readProfiles(settings: AutoscalerSettings, cloudwatch: CloudWatchClient, now: number, logger: Logger, onError: (e: ApiCallError) => void): Promise<Map<string, ArrivalProfile>> {
    const forecasting = settings.services.flatMap((s) => (s.decision.forecast?.enabled ? [{ service: s.service, forecast: s.decision.forecast }] : []));
    if (forecasting.length === 0) return new Map();
    try {
        const profiles = await readArrivalProfiles(cloudwatch, forecasting, now);
        for (const [service, p] of profiles) {
            const learned = slotsLearned(p);
            logger.info({ service, slotsLearned: learned }, `read back the arrival profile of ${service}: ${learned.weekly} slots of the week, ${learned.daily} of the day`);
        }
        return profiles;
    } catch (error) {
        if (!(error instanceof ApiCallError)) throw error;
        onError(error);
        return new Map();
    }
}

/** Counts every request a client sends (each retry too), by operation, at the finalize step. */
function countCalls(client: ECSClient | SQSClient | CloudWatchClient | undefined, count: (operation: string) => void): void {
    (client as ECSClient | undefined)?.middlewareStack.add((next, context) => (args) => {
        count(String(context.commandName ?? "unknown").replace(/Command$/, ""));
        return next(args);
    }, { step: "finalizeRequest", name: "countApiCalls", override: true });
}

/** What the autoscaler last did, from the service's tags; {} (and a warning) when they cannot be read. */
async function readLastActions(ecs: ECSClient, service: ServiceState, logger: Logger, onError: (e: ApiCallError) => void): Promise<LastActions> {
    if (service.arn === "") return {};
    try {
        const last = lastActionsFromTags(await readTags(ecs, service.arn));
        if (last.scaleUp || last.scaleDown) logger.info({ service: service.arn, lastActions: last }, "read back the last scaling actions from the service's tags; their cooldowns still hold");
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
