/**
 * Turns raw config strings into the typed, validated StackConfig and the scaling plans. Pure: it takes
 * the key/value map Pulumi hands the program, so it is tested without Pulumi. Each section's module
 * holds its schema, its rules and its result; this one reads every key through its section, reports
 * every problem at once (each naming the key, the value and the rule), and composes the result.
 */
import { z } from "zod";
import { AuroraConfig, auroraKey, auroraProblems, databaseUserProblems, toAuroraConfig } from "./aurora";
import { AutoscalerConfig, autoscalerConfig, autoscalerKey, autoscalerProblems, queueAutoscalerServices } from "./autoscaler";
import { containerInsightsProblems } from "./backlog-per-task";
import { CapacityProviderItem, capacityStrategyKey } from "./capacity-strategy";
import {
    CustomMetricTestConfig, customMetricTestConfig, customMetricTestKey, customMetricTestOverrides, customMetricTestProblems,
} from "./custom-metric-test";
import { ConfigError } from "./errors";
import { LoadBalancerInput, loadBalancerKey, loadBalancerProblems } from "./load-balancer";
import { NamedResources, ResourceNames, physicalNameProblems, physicalNames, resourceNames } from "./names";
import { NetworkInput, networkKey } from "./network";
import { QueueConfig, queueConfigs, queueProblems, queuesKey } from "./queues";
import { RawConfig, readKey, short } from "./read";
import { namePrefixOf, namePrefixProblems, readScalars, scalars, scalarsConfig } from "./scalars";
import { ServiceConfig, ServiceInput, serviceConfig, servicesKey, servicesProblems } from "./services";

export type { AutoscalerConfig } from "./autoscaler";
export type { CustomMetricTestConfig } from "./custom-metric-test";
export type { QueueConfig } from "./queues";
export type { RawConfig } from "./read";
export type { ServiceConfig } from "./services";
export { QUEUE_URL_ENV } from "./services";
export { regionProblems } from "./network";

/** Structured keys, set in the stack files, each with its section's schema (and the value it takes when unset). */
const STRUCTURED = {
    network: networkKey,
    capacityStrategy: capacityStrategyKey,
    loadBalancer: loadBalancerKey,
    queues: queuesKey,
    services: servicesKey,
    customMetricTest: customMetricTestKey,
    autoscaler: autoscalerKey,
    aurora: auroraKey,
} as const;

type Structured = typeof STRUCTURED;

/** Every key of the project's namespace the program reads: the scalars (declared in Pulumi.yaml), then the structured keys. */
export const CONFIG_KEYS: readonly string[] = [...Object.keys(scalars), ...Object.keys(STRUCTURED)];

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly names: ResourceNames;
    readonly logRetentionDays: number;
    readonly alertEmail?: string;
    /** False leaves out what LocalStack's free tier cannot run (ECS, Application Auto Scaling, ELBv2, RDS). */
    readonly paidTierResources: boolean;
    /** Container Insights on the cluster; on whenever a plan reads its metrics (containerInsightsProblems). */
    readonly containerInsights: boolean;
    readonly network: NetworkInput;
    readonly capacityStrategy: readonly CapacityProviderItem[];
    readonly listenerPort: number;
    /** The stack's SQS queues by key, with their physical names. */
    readonly queues: Readonly<Record<string, QueueConfig>>;
    /** The `loadBalancer` key: listener port, certificate, access logs, deletion protection. */
    readonly loadBalancer: LoadBalancerInput;
    /** Customer managed key of the alerts topic; undefined: the stack creates one. */
    readonly alertsKmsKeyArn?: string;
    readonly services: Readonly<Record<string, ServiceConfig>>;
    readonly customMetricTest: CustomMetricTestConfig;
    readonly autoscaler: AutoscalerConfig;
    /** The Aurora PostgreSQL cluster; undefined when the stack sets no `aurora` key. */
    readonly aurora?: AuroraConfig;
}

export function loadStackConfig(raw: RawConfig, ctx: { project: string; stack: string; /** `aws:region`, when the caller knows it. */ region?: string }): StackConfig {
    // Each key alone: unknown keys, then every key through its schema.
    const problems = unknownKeyProblems(raw);
    const read = <K extends keyof Structured>(key: K) => readKey(raw, key, STRUCTURED[key], "object", problems) as z.infer<Structured[K]> | undefined;
    const sc = readScalars(raw, problems);
    const network = read("network");
    const capacityStrategy = read("capacityStrategy");
    const loadBalancer = read("loadBalancer");
    const queues = read("queues");
    const services = read("services");
    const cmt = read("customMetricTest");
    const autoscaler = read("autoscaler");
    const aurora = read("aurora");
    if (problems.length > 0) throw new ConfigError(problems);
    // Every read succeeded: each value is defined from here on (or optional, as aurora).

    const prefix = namePrefixOf(sc!.namePrefix, ctx);
    const prefixProblems = namePrefixProblems(sc!.namePrefix, prefix);
    if (prefixProblems.length > 0) throw new ConfigError(prefixProblems);
    const paid = sc!.paidTierResources;
    const names = resourceNames(prefix, Object.keys(services!), Object.keys(queues!));

    // Rules across keys, section by section.
    problems.push(
        ...loadBalancerProblems(loadBalancer!, ctx.region),
        ...servicesProblems(services!, queues!, queueAutoscalerServices(autoscaler!)),
        ...containerInsightsProblems(sc!.containerInsights, services!),
        ...customMetricTestProblems(cmt!, Object.keys(services!), paid),
        ...queueProblems(queues!),
        ...autoscalerProblems(autoscaler!, { services: services!, paidTierResources: paid, customMetricTest: cmt! }),
        ...(aurora ? auroraProblems(aurora) : []),
        ...databaseUserProblems(services!, aurora !== undefined),
    );
    if (problems.length > 0) throw new ConfigError(problems);

    const customMetricTest = customMetricTestConfig(cmt!, ctx.stack, names);
    const serviceConfigs: Record<string, ServiceConfig> = {};
    for (const [key, svc] of Object.entries(services!)) {
        serviceConfigs[key] = serviceConfig(key, svc, {
            names,
            scaledBy: queueAutoscalerServices(autoscaler!).includes(key) ? "queueAutoscaler" : "applicationAutoScaling",
            underTest: customMetricTestOverrides(cmt!, customMetricTest.series, key),
        });
    }

    // Every physical name within its AWS rule and unique in the stack, as the components will name them.
    problems.push(...physicalNameProblems(physicalNames(names, namedResources(serviceConfigs, services!, Object.keys(queues!), autoscaler!, paid))));
    if (problems.length > 0) throw new ConfigError(problems);

    const scalarValues = scalarsConfig(sc!);
    return {
        project: ctx.project,
        stack: ctx.stack,
        names,
        logRetentionDays: scalarValues.logRetentionDays,
        alertEmail: scalarValues.alertEmail,
        paidTierResources: scalarValues.paidTierResources,
        containerInsights: scalarValues.containerInsights,
        network: network!,
        capacityStrategy: capacityStrategy!,
        listenerPort: loadBalancer!.listenerPort,
        queues: queueConfigs(queues!, names.queues),
        loadBalancer: loadBalancer!,
        alertsKmsKeyArn: scalarValues.alertsKmsKeyArn,
        services: serviceConfigs,
        customMetricTest,
        autoscaler: autoscalerConfig(autoscaler!, serviceConfigs),
        ...(aurora ? { aurora: toAuroraConfig(aurora, prefix) } : {}),
    };
}

function unknownKeyProblems(raw: RawConfig): string[] {
    const problems: string[] = [];
    for (const key of Object.keys(raw)) {
        if (key === "queue") {
            problems.push(`queue: value ${short(raw[key])} uses the single-queue key, which was replaced by queues (a map of named queues); ` +
                "move this value under queues.work and name that key in each consumer's consumesQueue");
        } else if (!CONFIG_KEYS.includes(key)) {
            problems.push(`${key}: unknown config key (value ${short(raw[key])}); known keys are ${CONFIG_KEYS.join(", ")}`);
        }
    }
    return problems;
}

/** What the stack deploys that has a physical name: services with their policies and alarms, queues, the autoscaler, the project image. */
function namedResources(
    services: Readonly<Record<string, ServiceConfig>>, inputs: Readonly<Record<string, ServiceInput>>, queues: readonly string[],
    autoscaler: { readonly enabled: boolean; readonly image?: string }, ecs: boolean,
): NamedResources {
    return {
        ecs,
        services: Object.values(services).map((s) => ({
            key: s.key,
            loadBalanced: s.loadBalancer !== undefined,
            policies: s.plan.policies.map((p) => p.kind === "step" ? `${s.name}-${p.name}-${p.direction}` : `${s.name}-${p.name}`),
            alarms: s.plan.policies.flatMap((p) => p.kind === "step" ? [`${s.name}-${p.name}-${p.direction}`] : []),
            scheduledActions: (s.plan.scheduledActions ?? []).map((a) => `${s.name}-${a.name}`),
        })),
        queues,
        autoscaler: autoscaler.enabled ? {} : undefined,
        projectImage: (autoscaler.enabled || Object.values(inputs).some((svc) => svc.workload !== undefined)) ? { ecr: autoscaler.image === undefined } : undefined,
    };
}
