/**
 * zod schemas for every config key the program reads. Defaults live here, next to the rule each key
 * must satisfy; Pulumi.yaml declares the scalar keys with the same defaults (a test keeps them equal).
 * Objects are strict, so a misspelt key fails instead of being ignored.
 */
import { z } from "zod";
import { DEFAULT_COOLDOWN_SECONDS } from "../aws/defaults";
import { AURORA_MAX_REPLICAS, SQS_RETENTION_SECONDS } from "../aws/limits";
import { AwsRule, CLOUDWATCH_UNITS, LOG_RETENTION_DAYS, MAX_DIMENSIONS, MAX_PATH_PATTERNS, rules, vpcCidrProblem } from "./aws-rules";
import { AUTOSCALER_SETTINGS, inBounds, numberRule, type NumberSetting } from "../scaling/autoscaler-settings";

export { LOG_RETENTION_DAYS } from "./aws-rules";

/** A string or number schema that also satisfies one AWS rule, refused with the rule's own words. */
function aws<T extends z.ZodString | z.ZodNumber>(schema: T, rule: AwsRule<z.infer<T>>): T {
    return (schema as unknown as z.ZodType<z.infer<T>>).refine((v) => rule.test(v), { error: rule.says }) as unknown as T;
}

/** Whole numbers AWS stores as 32-bit integers (`1e300` is an integer to JavaScript, not to AWS). */
const int32 = aws(z.number(), rules.int32);
const positiveInt = int32.gt(0, { error: "must be > 0" });
const nonNegativeInt = int32.min(0, { error: "must be a whole number >= 0" });
/** Scaling targets: strictly positive and within Application Auto Scaling's TargetValue range; percentages may not exceed 100. */
const percentTarget = z.number().gt(0, { error: "must be > 0" }).max(100, { error: "must be <= 100 (it is a percentage)" });
const positiveTarget = aws(z.number().gt(0, { error: "must be > 0" }), rules.targetValue);
const cooldown = int32.min(0, { error: "must be >= 0 seconds" });
const replicaCount = z.number().int().min(0)
    .max(AURORA_MAX_REPLICAS, { error: `must be <= ${AURORA_MAX_REPLICAS} (Aurora allows at most ${AURORA_MAX_REPLICAS} replicas)` });
const name = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, { error: "must be lower-case letters, digits and dashes, starting with a letter, at most 31 characters" });

/** A custom series as CloudWatch names it. */
const namespace = aws(z.string(), rules.namespace);
const metricName = aws(z.string(), rules.metricName);
const dimensions = z.record(aws(z.string(), rules.dimensionName), aws(z.string(), rules.dimensionValue))
    .refine((d) => Object.keys(d).length <= MAX_DIMENSIONS, { error: `must have at most ${MAX_DIMENSIONS} dimensions (CloudWatch)` });

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

export const capacityProviderItem = z.strictObject({
    provider: z.enum(["FARGATE", "FARGATE_SPOT"]),
    /** Tasks always placed on this provider before weights apply (ECS: 0-100000, default 0). */
    base: int32.min(0).max(100000).default(0),
    /** Share of the tasks beyond base (ECS: 0-1000, default 0). */
    weight: int32.min(0).max(1000).default(0),
});

export const capacityStrategy = z.array(capacityProviderItem).min(1).superRefine((items, ctx) => {
    const providers = items.map((i) => i.provider);
    providers.forEach((p, i) => {
        if (providers.indexOf(p) !== i) ctx.addIssue({ code: "custom", path: [i, "provider"], message: `provider ${p} is listed twice` });
    });
    const withBase = items.filter((i) => i.base > 0);
    if (withBase.length > 1) ctx.addIssue({ code: "custom", path: [], message: "only one provider may set base > 0 (ECS rule)" });
    const weights = items.reduce((sum, i) => sum + i.weight, 0);
    if (weights === 0) {
        ctx.addIssue({ code: "custom", path: [], message: `weights sum to 0 (${items.map((i) => `${i.provider}=${i.weight}`).join(", ")}); at least one weight must be > 0 or no task beyond base can be placed` });
    }
});

const stepInterval = z.strictObject({
    lower: z.number().optional(),
    upper: z.number().optional(),
    change: z.number({ error: "every step needs a change (tasks to add or remove)" }),
});

const stepDirection = z.strictObject({
    steps: z.array(stepInterval),
    /** Alarm periods evaluated (1-minute periods by default). */
    evaluationPeriods: positiveInt.default(1),
    /** Breaching periods needed; defaults to evaluationPeriods (consecutive). */
    datapointsToAlarm: positiveInt.optional(),
    /** Seconds; defaults to the service's cooldown for this direction. */
    cooldown: cooldown.optional(),
});

const stepMetric = z.discriminatedUnion("source", [
    /**
     * AWS/SQS ApproximateNumberOfMessagesVisible of one of the stack's `queues`; defaults to the queue
     * the service consumes (`consumesQueue`).
     */
    z.strictObject({ source: z.literal("sqs"), queue: name.optional() }),
    /** A RabbitMQ queue whose depth the autoscaler publishes to CloudWatch. */
    z.strictObject({ source: z.literal("rabbitmq"), queue: z.string().min(1) }),
    z.strictObject({
        source: z.literal("custom"),
        namespace,
        metricName,
        dimensions,
    }),
]);

const statistic = z.enum(["Average", "Sum", "Minimum", "Maximum", "SampleCount"]);

export const policy = z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("cpu"), name: name.default("cpu"), target: percentTarget, scaleOutCooldown: cooldown.optional(), scaleInCooldown: cooldown.optional(), disableScaleIn: z.boolean().default(false) }),
    z.strictObject({ kind: z.literal("memory"), name: name.default("memory"), target: percentTarget, scaleOutCooldown: cooldown.optional(), scaleInCooldown: cooldown.optional(), disableScaleIn: z.boolean().default(false) }),
    z.strictObject({ kind: z.literal("albRequestsPerTarget"), name: name.default("alb-requests"), target: positiveTarget, scaleOutCooldown: cooldown.optional(), scaleInCooldown: cooldown.optional(), disableScaleIn: z.boolean().default(false) }),
    z.strictObject({
        kind: z.literal("customMetric"),
        name: name.default("custom"),
        namespace,
        metricName,
        dimensions,
        statistic: statistic.default("Average"),
        unit: z.enum(CLOUDWATCH_UNITS, { error: `must be a CloudWatch unit: ${CLOUDWATCH_UNITS.join(", ")}` }).optional(),
        target: positiveTarget,
        scaleOutCooldown: cooldown.optional(),
        scaleInCooldown: cooldown.optional(),
        disableScaleIn: z.boolean().default(false),
    }),
    z.strictObject({
        kind: z.literal("stepScaling"),
        name: name.default("steps"),
        metric: stepMetric.default({ source: "sqs" }),
        /** Statistic the alarms read and the policy aggregates with. */
        statistic: z.enum(["Average", "Minimum", "Maximum"]).default("Maximum"),
        /** Alarm period in seconds: 10, 20, 30 or a multiple of 60 (CloudWatch PutMetricAlarm). */
        period: int32.refine((p) => [10, 20, 30].includes(p) || (p > 0 && p % 60 === 0), { error: "must be 10, 20, 30 or a multiple of 60 seconds" }).default(60),
        scaleOut: stepDirection.optional(),
        scaleIn: stepDirection.optional(),
    }),
], { error: (issue) => issue.code === "invalid_union" ? "unknown policy kind; expected one of cpu, memory, albRequestsPerTarget, customMetric, stepScaling" : undefined });

/** Rules of the security keys (secrets, KMS keys, certificates, container user), in one place. */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "environment names must be letters, digits and _" });
/** A Secrets Manager secret (optionally `:<json-key>:<version-stage>:<version-id>`) or an SSM parameter, as ECS `valueFrom` takes them. */
export const SECRET_ARN = /^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+(:[^:]*:[^:]*:[^:]*)?|ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9/_.-]+)$/;
const secretArn = z.string().regex(SECRET_ARN, { error: "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>)" });
/** A KMS key ARN (IAM grants name keys by ARN, not by alias). */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const KMS_KEY_ARN_RULE = "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)";
const kmsKeyArn = z.string().regex(KMS_KEY_ARN, { error: KMS_KEY_ARN_RULE });
/** Container user as ECS takes it: user, user:group, uid, uid:gid, user:gid or uid:group. */
const containerUser = z.string().regex(/^([a-z_][a-z0-9_-]{0,31}|\d{1,10})(:([a-z_][a-z0-9_-]{0,31}|\d{1,10}))?$/, { error: "must be <user>, <user>:<group>, <uid> or <uid>:<gid> (names lower-case, ids numeric)" });

export const loadBalancerRoute = z.strictObject({
    /** Listener rule path patterns (ELB: at most 5 per rule, 128 characters each). */
    pathPatterns: z.array(aws(z.string(), rules.pathPattern)).min(1)
        .max(MAX_PATH_PATTERNS, { error: `must list at most ${MAX_PATH_PATTERNS} path patterns (ELB: condition values per listener rule)` })
        .default(["/*"]),
    /** Listener rule priority (1-50000), unique per listener. */
    priority: int32.min(1).max(50000),
    healthCheckPath: aws(z.string(), rules.healthCheckPath).default("/"),
});

/** Scale-to-zero of a load-balanced service (scaling/scale-to-zero.ts); cross-field rules in config/load.ts. */
export const scaleToZero = z.strictObject({
    /** Minutes without a request through the load balancer before the service goes to 0 tasks. */
    idleMinutes: positiveInt.default(5),
    /** Tasks a wake asks for; at most the service's maxCapacity. */
    wakeCapacity: positiveInt.default(1),
    /** EventBridge schedule of the idle check: rate(<n> minute|minutes|hour|hours|day|days). */
    checkSchedule: z.string().default("rate(1 minute)"),
    /** CloudWatch namespace of the state metrics (ServiceStatus, ServiceDesiredCount, WakeLatencySeconds, IdleSeconds). */
    namespace: namespace.default("ECSAutoscaling/ScaleToZero"),
});

/** The `autoscale` commands of the project image a service may run, and the container command of each. */
export const BUILTIN_WORKLOADS = ["worker", "gateway"] as const;
export type BuiltinWorkload = typeof BUILTIN_WORKLOADS[number];
export const WORKLOAD_COMMANDS: Readonly<Record<BuiltinWorkload, readonly string[]>> = {
    worker: ["worker", "run"],
    gateway: ["gateway", "run"],
};

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
    /** Go to 0 tasks after idleMinutes without requests, wake on the first request. Unset: always on. */
    scaleToZero: scaleToZero.optional(),
});

export const network = z.discriminatedUnion("mode", [
    /** The account's default VPC and its default subnets (tasks get public IPs; there is no NAT). */
    z.strictObject({ mode: z.literal("default") }),
    /** Existing subnets. */
    z.strictObject({
        mode: z.literal("subnets"),
        vpcId: aws(z.string(), rules.vpcId),
        publicSubnetIds: z.array(aws(z.string(), rules.subnetId)).min(2, { error: "an ALB needs subnets in at least 2 availability zones" }),
        privateSubnetIds: z.array(aws(z.string(), rules.subnetId)).min(1),
        /** Whether tasks need a public IP (true when the private subnets have no NAT route). */
        assignPublicIp: z.boolean().default(false),
    }),
    /** A VPC of the stack's own: public subnets for the ALB and NAT, private subnets for tasks. */
    z.strictObject({
        mode: z.literal("vpc"),
        cidrBlock: z.string().superRefine((cidr, ctx) => {
            const problem = vpcCidrProblem(cidr);
            if (problem) ctx.addIssue({ code: "custom", message: problem });
        }).default("10.40.0.0/16"),
        availabilityZones: int32.min(2).max(4).default(2),
        /** One NAT gateway for the private subnets; without it tasks cannot pull images or reach AWS APIs. */
        natGateway: z.boolean().default(true),
    }),
], { error: (issue) => issue.code === "invalid_union" ? "unknown network mode; expected one of default, subnets, vpc" : undefined });

export const queue = z.strictObject({
    visibilityTimeoutSeconds: int32.min(0).max(43200).default(60),
    messageRetentionSeconds: int32.min(SQS_RETENTION_SECONDS.min).max(SQS_RETENTION_SECONDS.max).default(SQS_RETENTION_SECONDS.default),
    /** Receives before a message moves to the dead-letter queue (SQS redrive: 1-1000). */
    maxReceiveCount: int32.min(1).max(1000).default(5),
    /** Alarm to the alerts topic when the oldest message is older than this many seconds (at most the retention, or it never fires). */
    oldestMessageAgeAlarmSeconds: positiveInt.default(900),
});

export const loadBalancer = z.strictObject({
    listenerPort: int32.min(1).max(65535).default(80),
    /** ACM certificate: adds an HTTPS listener on 443 that the services are routed from, and HTTP redirects to it. */
    certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, { error: "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)" }).optional(),
    /** Write the ALB's access logs to an S3 bucket of the stack (SSE-S3, public access blocked). */
    accessLogs: z.boolean().default(false),
    /** Refuse to delete the ALB (a `pulumi destroy` fails until it is turned off). */
    deletionProtection: z.boolean().default(false),
});

export const customMetricTest = z.strictObject({
    /** The one switch: puts the SyntheticLoad policy on the service and the test bounds on its target. */
    enabled: z.boolean().default(false),
    /** Which configured service is driven by the synthetic metric. */
    service: z.string().default("api"),
    /** Value of the TestId dimension; defaults to the stack name. */
    testId: aws(z.string(), rules.dimensionValue).optional(),
    target: positiveTarget.default(100),
    minCapacity: nonNegativeInt.default(2),
    maxCapacity: nonNegativeInt.default(4),
    scaleOutCooldown: cooldown.default(60),
    scaleInCooldown: cooldown.default(60),
});

/** A number setting of the autoscaler, with the bounds and rule text the autoscaler itself enforces. */
function autoscalerNumber(spec: NumberSetting & { readonly default: number }) {
    return autoscalerOptionalNumber(spec).default(spec.default);
}
/** A number setting of the autoscaler without a default: unset means what the table's help says. */
function autoscalerOptionalNumber(spec: NumberSetting) {
    const rule = numberRule(spec);
    return z.number({ error: rule }).refine((v) => inBounds(spec, v), { error: rule }).optional();
}
const A = AUTOSCALER_SETTINGS;

export const autoscaler = z.strictObject({
    /** Deploy the queue-driven autoscaler service. */
    enabled: z.boolean().default(false),
    /** The configured service it scales; that service's min/max are the autoscaler's bounds. */
    service: z.string().default("worker"),
    /** Container image; when absent the image is built from the repository's Dockerfile at deploy time. */
    image: z.string().min(1).optional(),
    // Bounds and defaults from scaling/autoscaler-settings.ts, the table the autoscaler parses its flags with.
    intervalSeconds: autoscalerNumber(A.interval),
    /** Scale up when work exceeds workers x this. */
    scaleUpThreshold: autoscalerNumber(A.scaleUpThreshold),
    /** Scale down when work falls below workers x this; 0: only when the queue is empty. */
    scaleDownThreshold: autoscalerNumber(A.scaleDownThreshold),
    scaleUpCooldownSeconds: autoscalerNumber(A.scaleUpCooldown),
    scaleDownCooldownSeconds: autoscalerNumber(A.scaleDownCooldown),
    /** Tasks removed per scale-down action at most. */
    scaleDownStep: autoscalerOptionalNumber(A.scaleDownStep),
    /** How long a message may wait, seconds; x processingRate, the backlog one task may hold. */
    acceptableAgeSeconds: autoscalerOptionalNumber(A.acceptableAge),
    /** Messages one task handles per second; unset: learned from the observed drain. */
    processingRate: autoscalerOptionalNumber(A.processingRate),
    /** Count in-flight (received, not yet deleted) messages as work. */
    countInFlight: z.boolean().default(A.countInFlight.default),
    /** Log a warning when the oldest message is older than this many seconds. */
    oldestMessageWarningSeconds: autoscalerNumber(A.oldestMessageWarning),
    /** Port 0 (any free port) is for local runs: the container health check needs a known one. */
    healthPort: autoscalerNumber(A.healthPort).refine((p) => p !== 0, { error: "must be a fixed port (0 picks a random one, which the container health check cannot reach)" }),
    failureSimulation: z.strictObject({
        /** The stack allows failure simulation at all; nothing runs, and no permission is granted, unless true. */
        allowed: z.boolean().default(A.chaosAllowed.default),
        stopTask: z.strictObject({ enabled: z.boolean().default(false), intervalSeconds: autoscalerNumber(A.chaosStopTaskInterval) }).prefault({}),
        drain: z.strictObject({ enabled: z.boolean().default(false), intervalSeconds: autoscalerNumber(A.chaosDrainInterval) }).prefault({}),
        partition: z.strictObject({
            enabled: z.boolean().default(false),
            intervalSeconds: autoscalerNumber(A.chaosPartitionInterval),
            durationSeconds: autoscalerNumber(A.chaosPartitionDuration),
        }).prefault({}),
    }).prefault({}),
}).superRefine((a, ctx) => {
    if (a.scaleDownThreshold >= a.scaleUpThreshold) {
        ctx.addIssue({ code: "custom", path: ["scaleDownThreshold"], message: `scaleDownThreshold (${a.scaleDownThreshold}) must be < scaleUpThreshold (${a.scaleUpThreshold})` });
    }
    const fs = a.failureSimulation;
    (["stopTask", "drain", "partition"] as const).forEach((k) => {
        if (fs[k].enabled && !fs.allowed) {
            ctx.addIssue({ code: "custom", path: ["failureSimulation", k, "enabled"], message: `${k} is enabled but failureSimulation.allowed is false; the stack must allow failure simulation first` });
        }
    });
});

/**
 * The Aurora PostgreSQL cluster (components/aurora-cluster.ts). Instance classes, ACU steps and engine
 * versions are checked against the engine in config/load.ts (scaling/aurora.ts holds the tables).
 */
const auroraReadReplicaScaling = z.strictObject({
    /** Register the reader count with Application Auto Scaling. */
    enabled: z.boolean().default(true),
    /** Readers Application Auto Scaling keeps at least (Aurora: 0-15). */
    minCapacity: replicaCount.default(1),
    /** Readers Application Auto Scaling adds at most (Aurora: 0-15). */
    maxCapacity: replicaCount.default(5),
    /** cpu: RDSReaderAverageCPUUtilization (%); connections: RDSReaderAverageDatabaseConnections (per reader). */
    metric: z.enum(["cpu", "connections"]).default("cpu"),
    /** Target value of the metric: percent for cpu, connections per reader for connections. */
    target: positiveTarget.default(75),
    /** Seconds (AWS's default for Aurora). */
    scaleOutCooldown: cooldown.default(DEFAULT_COOLDOWN_SECONDS),
    /** Seconds (AWS's default for Aurora). */
    scaleInCooldown: cooldown.default(DEFAULT_COOLDOWN_SECONDS),
});

const auroraWriteAlarm = z.strictObject({
    /** Writes per second (WriteIOPS of the writer) the alarm must exceed. */
    threshold: z.number().gt(0, { error: "must be > 0" }).default(500),
    /** Alarm period, seconds: a multiple of 60 (WriteIOPS is published every minute). */
    periodSeconds: z.number().int().refine((p) => p > 0 && p % 60 === 0, { error: "must be a multiple of 60 seconds (WriteIOPS is a 1-minute metric)" }).default(300),
    /** Consecutive breaching periods before ALARM. */
    evaluationPeriods: positiveInt.default(2),
});

const auroraClassScaler = z.strictObject({
    /** Deploy the instance-class scaler (provisioned mode only). */
    enabled: z.boolean().default(true),
    /** Minutes the write alarm must have been OK before the writer goes back to the small class. */
    okMinutesBeforeScaleDown: positiveInt.default(30),
    /** Minutes after a finished class change before the next may start. */
    cooldownMinutes: nonNegativeInt.default(60),
    /** Decide and log every step, change nothing. */
    dryRun: z.boolean().default(false),
});

const auroraCommon = {
    /** Aurora PostgreSQL engine version, major.minor. */
    engineVersion: z.string().regex(/^\d+\.\d+$/, { error: "must be an Aurora PostgreSQL version as major.minor, e.g. 16.4" }).default("16.4"),
    databaseName: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, { error: "must be lower-case letters, digits and _, starting with a letter, at most 63 characters" }).default("app"),
    /** The master user's name; its password is generated and kept by RDS in Secrets Manager. */
    masterUsername: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, { error: "must be lower-case letters, digits and _, starting with a letter, at most 63 characters" })
        .refine((u) => !["postgres", "rdsadmin", "admin"].includes(u), { error: "is reserved by Aurora PostgreSQL; choose another name" }).default("app_admin"),
    /** Refuse to delete the cluster (staging: true). */
    deletionProtection: z.boolean().default(true),
    /** Take a final snapshot when the cluster is deleted (staging: true). */
    finalSnapshot: z.boolean().default(true),
    /** Days of automated backups (RDS: 1-35). */
    backupRetentionDays: z.number().int().min(1).max(35).default(7),
    /** Readers created with the cluster; Application Auto Scaling adds and removes more. */
    readers: z.number().int().min(0).max(AURORA_MAX_REPLICAS).default(1),
    readReplicaScaling: auroraReadReplicaScaling.default(auroraReadReplicaScaling.parse({})),
    writeAlarm: auroraWriteAlarm.default(auroraWriteAlarm.parse({})),
};

export const aurora = z.discriminatedUnion("mode", [
    /** Fixed instance classes; the instance-class scaler moves the writer between the two. */
    z.strictObject({
        ...auroraCommon,
        mode: z.literal("provisioned"),
        /** The writer's and readers' class at rest. */
        instanceClass: z.string().default("db.t4g.medium"),
        /** The writer's class under sustained write load. */
        scaleUpInstanceClass: z.string().default("db.r6g.large"),
        classScaler: auroraClassScaler.default(auroraClassScaler.parse({})),
    }),
    /** db.serverless instances that Aurora resizes itself within [minCapacity, maxCapacity] ACU. */
    z.strictObject({
        ...auroraCommon,
        mode: z.literal("serverlessV2"),
        /** ACU, 0.5 steps; 0 only on versions with auto-pause. */
        minCapacity: z.number().min(0).default(0.5),
        /** ACU, 0.5 steps, at most 256. */
        maxCapacity: z.number().positive().default(4),
        /** Idle seconds before a 0-ACU instance pauses (300-86400); only with minCapacity 0. */
        secondsUntilAutoPause: z.number().int().optional(),
    }),
], { error: (issue) => issue.code === "invalid_union" ? "unknown aurora mode; expected one of provisioned, serverlessV2" : undefined });

/** Scalar keys, declared with types and the same defaults in Pulumi.yaml. */
export const scalars = {
    /** Checked with the default `<project>-<stack>` in config/load.ts, as every physical name derived from it. */
    namePrefix: z.string().default(""),
    logRetentionDays: z.number().refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), { error: `must be one of ${LOG_RETENTION_DAYS.join(", ")}` }).default(14),
    alertEmail: z.string().refine((e) => e === "" || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e), { error: "must be an email address or empty" }).default(""),
    paidTierResources: z.boolean().default(true),
    /** Customer managed key of the alerts topic; empty: a key of the stack's own that CloudWatch alarms may use. */
    alertsKmsKeyArn: z.string().refine((v) => v === "" || KMS_KEY_ARN.test(v), { error: `${KMS_KEY_ARN_RULE} or empty` }).default(""),
} as const;

/** Structured keys, set in the stack files. */
export const structured = {
    network: network.default({ mode: "default" }),
    capacityStrategy: capacityStrategy.default([{ provider: "FARGATE", base: 0, weight: 1 }]),
    loadBalancer: loadBalancer.default({ listenerPort: 80, accessLogs: false, deletionProtection: false }),
    /** The stack's SQS work queues by key; each gets a dead-letter queue and an oldest-message alarm. */
    queues: z.record(name, queue).default({ work: queue.parse({}) }),
    services: z.record(name, service).default({}),
    customMetricTest: customMetricTest.default({ enabled: false, service: "api", target: 100, minCapacity: 2, maxCapacity: 4, scaleOutCooldown: 60, scaleInCooldown: 60 }),
    autoscaler: autoscaler.optional(),
    /** An Aurora PostgreSQL cluster; absent: none. */
    aurora: aurora.optional(),
} as const;

export type ScalarKey = keyof typeof scalars;
export type StructuredKey = keyof typeof structured;
export const CONFIG_KEYS = [...Object.keys(scalars), ...Object.keys(structured)] as (ScalarKey | StructuredKey)[];

export type ServiceInput = z.infer<typeof service>;
export type PolicyInput = z.infer<typeof policy>;
export type NetworkInput = z.infer<typeof network>;
export type CapacityProviderItem = z.infer<typeof capacityProviderItem>;
export type QueueInput = z.infer<typeof queue>;
export type LoadBalancerInput = z.infer<typeof loadBalancer>;
export type CustomMetricTestInput = z.infer<typeof customMetricTest>;
export type AutoscalerInput = z.infer<typeof autoscaler>;
export type ScaleToZeroInput = z.infer<typeof scaleToZero>;
export type AuroraInput = z.infer<typeof aurora>;
