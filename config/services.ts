/**
 * The `services` key: the stack's ECS Fargate services by key. Their schema, every rule of one service
 * (task size, image or built-in workload, queue, step sources, task definition size, security, listener
 * route), and the ServiceConfig each becomes, with its scaling plan.
 */
import { z } from "zod";
import { DEFAULT_COOLDOWN_SECONDS } from "../aws/defaults";
import { SQS_MAX_WAIT_SECONDS, TASK_PROTECTION_MAX_MINUTES, TASK_PROTECTION_MIN_MINUTES } from "../aws/limits";
import { LOG_LEVELS, parseLogLevel } from "../scaling/log-levels";
import { TASK_DEFINITION_MAX_BYTES, rules } from "./aws-rules";
import { capacityStrategy, type CapacityProviderItem } from "./capacity-strategy";
import { loadBalancerRoute, routePriorityProblems } from "./load-balancer";
import type { ResourceNames } from "./names";
import { policy, policyProblems, scalingPolicies, stepSourceProblems } from "./policies";
import { type QueueInput, unknownQueueProblems } from "./queues";
import { short } from "./read";
import { schedule, scheduledActionPlans, schedulesProblems } from "./schedules";
import { ScaleToZeroConfig, scaleToZero, scaleToZeroConfig, scaleToZeroProblems } from "./scale-to-zero";
import { aws, cooldown, int32, kmsKeyArn, nonNegativeInt, name } from "./schema";
import { containerUser, envName, secretArn, serviceSecurityProblems } from "./security";
import type { ScalingPolicy, ServiceScalingPlan } from "../scaling/plan";

/** Fargate task sizes: CPU units -> allowed memory (MiB), from the ECS task definition size table. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
    256: [512, 1024, 2048],
    512: [1024, 2048, 3072, 4096],
    1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
    2048: range(4096, 16384, 1024),
    4096: range(8192, 30720, 1024),
    8192: range(16384, 61440, 4096),
    16384: range(32768, 122880, 8192),
};
function range(from: number, to: number, step: number): number[] {
    const out: number[] = [];
    for (let v = from; v <= to; v += step) out.push(v);
    return out;
}

/** The `autoscale` commands of the project image a service may run, and the container command of each. */
export const BUILTIN_WORKLOADS = ["worker", "gateway"] as const;
export type BuiltinWorkload = typeof BUILTIN_WORKLOADS[number];
export const WORKLOAD_COMMANDS: Readonly<Record<BuiltinWorkload, readonly string[]>> = {
    worker: ["worker", "run"],
    gateway: ["gateway", "run"],
};

/** Environment variable through which a queue consumer's container learns its queue's URL. */
export const QUEUE_URL_ENV = "QUEUE_URL";

export const service = z.strictObject({
    /** Container image; ECS's reference format (registry, lower-case repository, tag, digest; 255 characters). Exactly one of image or workload. */
    image: aws(z.string(), rules.image).optional(),
    /**
     * A built-in workload of this repository's image (the one the queue autoscaler runs) instead of an
     * image: `worker` consumes `consumesQueue` (PROCESSING_MS in `environment`: work per message, default
     * 1000), `gateway` is a long-running stand-in. Exactly one of image or workload.
     */
    workload: z.enum(BUILTIN_WORKLOADS, { error: `must be one of ${BUILTIN_WORKLOADS.join(", ")} (a built-in workload of this repository's image)` }).optional(),
    /** Fargate CPU units. */
    cpu: int32.default(256),
    /** Fargate memory in MiB. */
    memory: int32.default(512),
    /** Port the container listens on; required when the service is behind the load balancer. */
    containerPort: int32.min(1).max(65535).optional(),
    environment: z.record(envName, z.string()).default({}),
    /** Variable name -> Secrets Manager secret or SSM parameter ARN: ECS reads it at task start and the execution role may read exactly these. */
    secrets: z.record(envName, secretArn).default({}),
    /** Customer managed KMS key that encrypts the secrets: the execution role gets kms:Decrypt on it. AWS managed keys need nothing. */
    secretsKmsKeyArn: kmsKeyArn.optional(),
    /** User the container runs as; non-root by default. Set "root" only for an image that cannot run otherwise. */
    user: containerUser.default("1000:1000"),
    /** Mount the container's root filesystem read-only; false only for an image that writes to it. */
    readonlyRootFilesystem: z.boolean().default(true),
    loadBalancer: loadBalancerRoute.optional(),
    /**
     * Key of the stack queue (under `queues`) the service consumes: its task role may receive and delete
     * on that queue only, and its container gets the queue's URL as QUEUE_URL. Unset: no queue.
     */
    consumesQueue: z.string({ error: "must name one of the stack's queues (a key under queues); true/false was the single-queue form" }).optional(),
    /**
     * The service connects to the stack's Aurora cluster: its tasks may open PostgreSQL (5432) to the
     * cluster's security group, which admits exactly the services that set this. Needs `aurora`.
     */
    usesDatabase: z.boolean().default(false),
    minCapacity: nonNegativeInt,
    maxCapacity: nonNegativeInt,
    /** Default scale-out cooldown of the service's policies, seconds (AWS's default). */
    scaleOutCooldown: cooldown.default(DEFAULT_COOLDOWN_SECONDS),
    /** Default scale-in cooldown of the service's policies, seconds (AWS's default). */
    scaleInCooldown: cooldown.default(DEFAULT_COOLDOWN_SECONDS),
    /** Overrides the cluster's default capacity provider strategy. */
    capacityStrategy: capacityStrategy.optional(),
    policies: z.array(policy).default([]),
    /** Scheduled actions that set minCapacity and/or maxCapacity at given times (config/schedules.ts). Unset: none. */
    schedules: z.array(schedule).default([]),
    /** Go to 0 tasks after idleMinutes without requests, wake on the first request. Unset: always on. */
    scaleToZero: scaleToZero.optional(),
});

/** The key as a stack file sets it; unset: no service. */
export const servicesKey = z.record(name, service).default({});

export type ServiceInput = z.infer<typeof service>;

export interface ServiceConfig {
    /** Logical name (the key under `services`). */
    readonly key: string;
    /** Physical ECS service name. */
    readonly name: string;
    /** Container image; undefined when the service runs a built-in workload of the project image. */
    readonly image?: string;
    /** Built-in workload of the project image (components/project-image.ts) the service runs instead of `image`. */
    readonly workload?: BuiltinWorkload;
    /** Container command: the workload's `autoscale` subcommand; undefined runs the image's own. */
    readonly command?: readonly string[];
    readonly cpu: number;
    readonly memory: number;
    readonly containerPort?: number;
    readonly environment: Readonly<Record<string, string>>;
    readonly loadBalancer?: { readonly pathPatterns: readonly string[]; readonly priority: number; readonly healthCheckPath: string };
    /** Key (under `queues`) of the queue the service consumes, if any. */
    readonly consumesQueue?: string;
    /** Its tasks connect to the stack's Aurora cluster (5432 to the cluster's security group, admitted there). */
    readonly usesDatabase: boolean;
    /** Who sets the desired count: its Application Auto Scaling policies, or the queue autoscaler. */
    readonly scaledBy: "applicationAutoScaling" | "queueAutoscaler";
    readonly capacityStrategy?: readonly CapacityProviderItem[];
    /** Variable name -> Secrets Manager secret or SSM parameter ARN, passed as ECS secrets. */
    readonly secrets: Readonly<Record<string, string>>;
    readonly secretsKmsKeyArn?: string;
    /** User the container runs as. */
    readonly user: string;
    readonly readonlyRootFilesystem: boolean;
    readonly plan: ServiceScalingPlan;
    /** Sleep after an idle window, wake on the first request; undefined: always on. */
    readonly scaleToZero?: ScaleToZeroConfig;
}

/** Every service's problems, service by service. `queueAutoscalerServices`: the services the queue autoscaler scales (none while it is off). */
/**
 * What each built-in workload reads from its environment, with the bound its command checks at start
 * (cli/commands/worker.ts and gateway.ts, whole numbers like parseCount): refused here, naming the key,
 * instead of the task exiting 2 after it is deployed.
 */
export const WORKLOAD_ENVIRONMENT: Readonly<Record<BuiltinWorkload, Readonly<Record<string, { readonly min: number; readonly max?: number; readonly what: string }>>>> = {
    worker: {
        PROCESSING_MS: { min: 0, what: "work per message, ms" },
        WAIT_SECONDS: { min: 0, max: SQS_MAX_WAIT_SECONDS, what: "the SQS long-poll wait, s" },
        PROTECTION_MINUTES: { min: TASK_PROTECTION_MIN_MINUTES, max: TASK_PROTECTION_MAX_MINUTES, what: "the ECS task-protection expiry, minutes" },
    },
    gateway: {
        PORT: { min: 1, max: 65535, what: "the port it listens on" },
    },
};

function workloadEnvironmentProblems(path: string, svc: ServiceInput): string[] {
    if (svc.workload === undefined) return [];
    const problems: string[] = [];
    for (const [name, rule] of Object.entries(WORKLOAD_ENVIRONMENT[svc.workload])) {
        const text = svc.environment[name];
        if (text === undefined) continue;
        const n = Number(text);
        if (text.trim() === "" || !Number.isInteger(n) || n < rule.min || (rule.max !== undefined && n > rule.max)) {
            const range = rule.max !== undefined ? `from ${rule.min} to ${rule.max}` : `>= ${rule.min}`;
            problems.push(`${path}.environment.${name}: ${JSON.stringify(text)} must be a whole number ${range} (${rule.what}, read by the ${svc.workload} when it starts)`);
        }
    }
    // Both workloads log through runtime/aws/logger.ts, which refuses an unknown level at start (blank: info).
    const level = svc.environment.LOG_LEVEL;
    if (level !== undefined && level.trim() !== "" && parseLogLevel(level) === undefined) {
        problems.push(`${path}.environment.LOG_LEVEL: ${JSON.stringify(level)} must be one of ${LOG_LEVELS.join(", ")} (read by the ${svc.workload} when it starts)`);
    }
    return problems;
}

export function servicesProblems(services: Readonly<Record<string, ServiceInput>>, queues: Readonly<Record<string, QueueInput>>, queueAutoscalerServices: readonly string[]): string[] {
    const problems: string[] = [];
    const priorities = new Map<number, string>();
    for (const [key, svc] of Object.entries(services)) {
        problems.push(...serviceProblems(key, svc, queues, queueAutoscalerServices), ...routePriorityProblems(key, svc.loadBalancer, priorities));
    }
    return problems;
}

function serviceProblems(key: string, svc: ServiceInput, queues: Readonly<Record<string, QueueInput>>, queueAutoscalerServices: readonly string[]): string[] {
    const path = `services.${key}`;
    const problems: string[] = [];
    if (svc.minCapacity > svc.maxCapacity) {
        problems.push(`${path}.minCapacity: ${svc.minCapacity} must be <= ${path}.maxCapacity (${svc.maxCapacity})`);
    }
    const memories = FARGATE_SIZES[svc.cpu];
    if (!memories) {
        problems.push(`${path}.cpu: ${svc.cpu} is not a Fargate CPU size; expected one of ${Object.keys(FARGATE_SIZES).join(", ")}`);
    } else if (!memories.includes(svc.memory)) {
        problems.push(`${path}.memory: ${svc.memory} MiB is not allowed with cpu ${svc.cpu}; expected one of ${memories.join(", ")}`);
    }
    if (svc.loadBalancer && svc.containerPort === undefined) {
        problems.push(`${path}.containerPort: (missing) is required when loadBalancer is set`);
    }
    problems.push(...policyProblems(path, svc), ...scaleToZeroProblems(key, svc, queueAutoscalerServices),
        ...schedulesProblems(key, svc.schedules, svc, queueAutoscalerServices));
    if (svc.image !== undefined && svc.workload !== undefined) {
        problems.push(`${path}.workload: "${svc.workload}" and ${path}.image: ${short(svc.image)} are both set; set exactly one of image or workload`);
    } else if (svc.image === undefined && svc.workload === undefined) {
        problems.push(`${path}.image: (missing) set exactly one of image (a container image) or workload (${BUILTIN_WORKLOADS.join(" or ")}, a built-in workload of this repository's image)`);
    }
    problems.push(...workloadEnvironmentProblems(path, svc));
    if (svc.workload === "worker" && svc.consumesQueue === undefined) {
        problems.push(`${path}.workload: "worker" requires ${path}.consumesQueue: the worker consumes the queue whose URL it gets as ${QUEUE_URL_ENV}`);
    }
    if (svc.consumesQueue !== undefined) {
        problems.push(...unknownQueueProblems(`${path}.consumesQueue`, svc.consumesQueue, queues));
        if (svc.environment[QUEUE_URL_ENV] !== undefined) {
            problems.push(`${path}.environment.${QUEUE_URL_ENV}: ${short(svc.environment[QUEUE_URL_ENV])} must not be set on a queue consumer: ` +
                `the program sets ${QUEUE_URL_ENV} to the URL of queues.${svc.consumesQueue}`);
        }
    }
    problems.push(...stepSourceProblems(path, svc, queues));
    const definitionBytes = containerDefinitionBytes(key, svc);
    if (definitionBytes > TASK_DEFINITION_MAX_BYTES) {
        problems.push(`${path}.environment: ${Object.keys(svc.environment).length} variables make the task definition about ${definitionBytes} bytes; ` +
            `ECS allows at most ${TASK_DEFINITION_MAX_BYTES} bytes (64 KiB) per task definition`);
    }
    problems.push(...serviceSecurityProblems(path, svc, svc.consumesQueue !== undefined ? [QUEUE_URL_ENV] : []));
    return problems;
}

/**
 * Bytes of the service's container definition as the component writes it: what config holds, plus a
 * generous allowance for what is known only at deploy time (ARNs, the queue URL, the log options).
 */
function containerDefinitionBytes(key: string, svc: ServiceInput): number {
    const DEPLOY_TIME_ALLOWANCE = 4096;
    const environment = Object.entries(svc.environment).map(([name, value]) => ({ name, value }));
    return Buffer.byteLength(JSON.stringify([{ name: key, image: svc.image ?? svc.workload, essential: true, memory: svc.memory, environment }]), "utf8") + DEPLOY_TIME_ALLOWANCE;
}

/** What a service's result depends on besides its own key: names, who owns its desired count, the custom-metric test. */
export interface ServiceContext {
    readonly names: ResourceNames;
    readonly scaledBy: ServiceConfig["scaledBy"];
    /** The synthetic-load policy and test bounds, when the custom-metric test drives this service. */
    readonly underTest?: { readonly policy: ScalingPolicy; readonly minCapacity: number; readonly maxCapacity: number };
}

/** The ServiceConfig of a service that servicesProblems found valid. */
export function serviceConfig(key: string, svc: ServiceInput, ctx: ServiceContext): ServiceConfig {
    const policies = svc.policies.flatMap((p) => scalingPolicies(p, svc, key, ctx.names));
    if (ctx.underTest) policies.push(ctx.underTest.policy);
    return {
        key,
        name: ctx.names.services[key],
        image: svc.image,
        ...(svc.workload !== undefined ? { workload: svc.workload, command: WORKLOAD_COMMANDS[svc.workload] } : {}),
        cpu: svc.cpu,
        memory: svc.memory,
        containerPort: svc.containerPort,
        environment: svc.environment,
        loadBalancer: svc.loadBalancer,
        consumesQueue: svc.consumesQueue,
        usesDatabase: svc.usesDatabase,
        scaledBy: ctx.scaledBy,
        capacityStrategy: svc.capacityStrategy,
        secrets: svc.secrets,
        secretsKmsKeyArn: svc.secretsKmsKeyArn,
        user: svc.user,
        readonlyRootFilesystem: svc.readonlyRootFilesystem,
        ...(svc.scaleToZero ? { scaleToZero: scaleToZeroConfig(svc.scaleToZero) } : {}),
        plan: {
            service: key,
            minCapacity: ctx.underTest?.minCapacity ?? svc.minCapacity,
            maxCapacity: ctx.underTest?.maxCapacity ?? svc.maxCapacity,
            policies,
            ...(svc.schedules.length > 0 ? { scheduledActions: scheduledActionPlans(svc.schedules) } : {}),
        },
    };
}
