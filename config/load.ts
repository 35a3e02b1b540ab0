/**
 * Turns raw config strings into the typed, validated StackConfig and the scaling plans. Pure: it takes
 * the key/value map Pulumi hands the program, so it is tested without Pulumi. Every problem found is
 * reported at once, each naming the key, the value and the rule.
 */
import { z } from "zod";
import { ECS_PREDEFINED_METRICS } from "../aws/metrics";
import {
    CapacityProviderItem, FARGATE_SIZES, LoadBalancerInput, NetworkInput, PolicyInput, QueueInput, ServiceInput,
    AutoscalerInput, CONFIG_KEYS, autoscaler as autoscalerSchema, scalars, structured,
    BUILTIN_WORKLOADS, BuiltinWorkload, WORKLOAD_COMMANDS,
} from "./schema";
import { ConfigError } from "./errors";
import { AuroraConfig, auroraProblems, toAuroraConfig } from "./aurora";
import { ResourceNames, physicalNameProblems, physicalNames, resourceNames } from "./names";
import { TASK_DEFINITION_MAX_BYTES, rules } from "./aws-rules";
import { loadBalancerSecurityProblems, serviceSecurityProblems } from "./security";
import { ScaleToZeroConfig, scaleToZeroConfig, scaleToZeroProblems } from "./scale-to-zero";
import {
    MetricSeries, metricSeries, rabbitmqQueueDepthSeries, sqsVisibleMessagesSeries, syntheticLoadSeries,
} from "../scaling/metric-series";
import {
    ScalingPolicy, ServiceScalingPlan, StepInterval, StepScalingPolicy, bandOverlapProblem, stepComparisonOperator,
    stepListProblems, stepThreshold,
} from "../scaling/plan";

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

export interface CustomMetricTestConfig {
    readonly enabled: boolean;
    readonly service: string;
    readonly testId: string;
    readonly targetValue: number;
    readonly minCapacity: number;
    readonly maxCapacity: number;
    /** The one series the policy watches and publishing tools write; undefined while disabled. */
    readonly series?: MetricSeries;
}

export interface AutoscalerConfig extends Omit<AutoscalerInput, "service"> {
    /** The scaled service's config key. */
    readonly service: string;
    /** Key (under `queues`) of the queue the scaled service consumes: the queue the autoscaler watches. */
    readonly queue: string;
    /** Bounds, taken from the scaled service's plan (so they cannot drift apart). */
    readonly minCapacity: number;
    readonly maxCapacity: number;
}

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly names: ResourceNames;
    readonly logRetentionDays: number;
    readonly alertEmail?: string;
    /** False leaves out what LocalStack's free tier cannot run (ECS, Application Auto Scaling, ELBv2, RDS). */
    readonly paidTierResources: boolean;
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

export interface QueueConfig extends QueueInput {
    readonly key: string;
    readonly name: string;
    readonly deadLetterQueueName: string;
}

/** Raw config as Pulumi hands it over: project keys without the `<project>:` prefix, values as strings. */
export type RawConfig = Readonly<Record<string, string>>;

export function loadStackConfig(raw: RawConfig, ctx: { project: string; stack: string }): StackConfig {
    const problems: string[] = [];

    for (const key of Object.keys(raw)) {
        if (key === "queue") {
            problems.push(`queue: value ${short(raw[key])} uses the single-queue key, which was replaced by queues (a map of named queues); ` +
                "move this value under queues.work and name that key in each consumer's consumesQueue");
        } else if (!(CONFIG_KEYS as string[]).includes(key)) {
            problems.push(`${key}: unknown config key (value ${short(raw[key])}); known keys are ${CONFIG_KEYS.join(", ")}`);
        }
    }

    const read = <T extends z.ZodType>(key: string, schema: T, kind: "scalar" | "object"): z.infer<T> | undefined => {
        let value: unknown = undefined;
        const text = raw[key];
        if (text !== undefined) {
            if (kind === "object") {
                try { value = JSON.parse(text); } catch { problems.push(`${key}: value ${short(text)} is not valid JSON`); return undefined; }
            } else {
                value = parseScalar(schema, text);
            }
        }
        const result = schema.safeParse(value);
        if (!result.success) {
            for (const issue of result.error.issues) problems.push(formatIssue(key, issue, value));
            return undefined;
        }
        return result.data;
    };

    const sc = {
        namePrefix: read("namePrefix", scalars.namePrefix, "scalar"),
        logRetentionDays: read("logRetentionDays", scalars.logRetentionDays, "scalar"),
        alertEmail: read("alertEmail", scalars.alertEmail, "scalar"),
        paidTierResources: read("paidTierResources", scalars.paidTierResources, "scalar"),
        alertsKmsKeyArn: read("alertsKmsKeyArn", scalars.alertsKmsKeyArn, "scalar"),
    };
    const st = {
        network: read("network", structured.network, "object"),
        capacityStrategy: read("capacityStrategy", structured.capacityStrategy, "object"),
        loadBalancer: read("loadBalancer", structured.loadBalancer, "object"),
        queues: read("queues", structured.queues, "object"),
        services: read("services", structured.services, "object"),
        customMetricTest: read("customMetricTest", structured.customMetricTest, "object"),
        autoscaler: raw.autoscaler === undefined ? autoscalerSchema.parse({}) : read("autoscaler", autoscalerSchema, "object"),
        aurora: read("aurora", structured.aurora, "object"),
    };
    if (problems.length > 0) throw new ConfigError(problems);

    // Every physical name starts with the prefix; the default one comes from the stack name, which
    // Pulumi lets hold upper case, dots and underscores that ECR, ECS, ELB or SQS names refuse.
    const prefix = sc.namePrefix! || `${ctx.project}-${ctx.stack}`;
    if (!rules.namePrefix.test(prefix)) {
        throw new ConfigError([sc.namePrefix
            ? `namePrefix: ${JSON.stringify(prefix)} ${rules.namePrefix.says}`
            : `namePrefix: "" (unset) defaults to "<project>-<stack>" = ${JSON.stringify(prefix)}, which ${rules.namePrefix.says}; set namePrefix`]);
    }
    const paid = sc.paidTierResources!;
    const serviceInputs = st.services!;
    const queueInputs = st.queues!;
    const names = resourceNames(prefix, Object.keys(serviceInputs), Object.keys(queueInputs));
    const queueKeys = Object.keys(queueInputs);
    const knownQueue = (path: string, key: string): boolean => {
        if (queueInputs[key]) return true;
        problems.push(`${path}: "${key}" is not one of the stack's queues; expected one of ${queueKeys.join(", ") || "(none configured under queues)"}`);
        return false;
    };

    // Cross-field rules, per service.
    problems.push(...loadBalancerSecurityProblems(st.loadBalancer!));
    const priorities = new Map<number, string>();
    for (const [key, svc] of Object.entries(serviceInputs)) {
        serviceProblems(`services.${key}`, svc, problems);
        problems.push(...scaleToZeroProblems(key, svc, st.autoscaler!.enabled ? st.autoscaler!.service : undefined));
        if (svc.image !== undefined && svc.workload !== undefined) {
            problems.push(`services.${key}.workload: "${svc.workload}" and services.${key}.image: ${short(svc.image)} are both set; set exactly one of image or workload`);
        } else if (svc.image === undefined && svc.workload === undefined) {
            problems.push(`services.${key}.image: (missing) set exactly one of image (a container image) or workload (${BUILTIN_WORKLOADS.join(" or ")}, a built-in workload of this repository's image)`);
        }
        if (svc.workload === "worker" && svc.consumesQueue === undefined) {
            problems.push(`services.${key}.workload: "worker" requires services.${key}.consumesQueue: the worker consumes the queue whose URL it gets as ${QUEUE_URL_ENV}`);
        }
        if (svc.consumesQueue !== undefined) {
            knownQueue(`services.${key}.consumesQueue`, svc.consumesQueue);
            if (svc.environment[QUEUE_URL_ENV] !== undefined) {
                problems.push(`services.${key}.environment.${QUEUE_URL_ENV}: ${short(svc.environment[QUEUE_URL_ENV])} must not be set on a queue consumer: ` +
                    `the program sets ${QUEUE_URL_ENV} to the URL of queues.${svc.consumesQueue}`);
            }
        }
        svc.policies.forEach((p, i) => {
            if (p.kind !== "stepScaling") return;
            const at = `services.${key}.policies[${i}]`;
            if (p.metric.source === "rabbitmq") {
                problems.push(`${at}.metric.source: "rabbitmq" cannot work in this stack: nothing it deploys publishes the RabbitMQ depth series ` +
                    "(the queue autoscaler watches an SQS queue) and no task may reach AMQP (task egress is HTTPS only), so the alarms would sit on missing data");
            }
            if (p.metric.source !== "custom" && p.period < 60) {
                problems.push(`${at}.period: ${p.period} must be a multiple of 60 for a ${p.metric.source === "sqs" ? "AWS/SQS" : "RabbitMQ depth"} metric: ` +
                    "it is published once a minute, and an alarm with a 10, 20 or 30 s period on a one-minute metric lapses into INSUFFICIENT_DATA (CloudWatch)");
            }
            if (p.metric.source !== "sqs") return;
            if (p.metric.queue !== undefined) knownQueue(`${at}.metric.queue`, p.metric.queue);
            else if (svc.consumesQueue === undefined) {
                problems.push(`${at}.metric.queue: (missing) names the SQS queue whose depth the steps watch; required because services.${key}.consumesQueue is not set`);
            }
        });
        const definitionBytes = containerDefinitionBytes(key, svc);
        if (definitionBytes > TASK_DEFINITION_MAX_BYTES) {
            problems.push(`services.${key}.environment: ${Object.keys(svc.environment).length} variables make the task definition about ${definitionBytes} bytes; ` +
                `ECS allows at most ${TASK_DEFINITION_MAX_BYTES} bytes (64 KiB) per task definition`);
        }
        problems.push(...serviceSecurityProblems(`services.${key}`, svc, svc.consumesQueue !== undefined ? [QUEUE_URL_ENV] : []));
        if (svc.loadBalancer) {
            const other = priorities.get(svc.loadBalancer.priority);
            if (other) problems.push(`services.${key}.loadBalancer.priority: ${svc.loadBalancer.priority} is already used by services.${other}; listener rule priorities must be unique`);
            priorities.set(svc.loadBalancer.priority, key);
        }
    }

    const cmt = st.customMetricTest!;
    const testId = cmt.testId ?? ctx.stack;
    if (cmt.enabled) {
        if (!serviceInputs[cmt.service]) {
            problems.push(`customMetricTest.service: "${cmt.service}" is not a configured service; expected one of ${Object.keys(serviceInputs).join(", ") || "(none configured)"}`);
        }
        if (cmt.minCapacity > cmt.maxCapacity) {
            problems.push(`customMetricTest.minCapacity: ${cmt.minCapacity} must be <= customMetricTest.maxCapacity (${cmt.maxCapacity})`);
        }
        if (!paid) problems.push("customMetricTest.enabled: true needs ECS and Application Auto Scaling, which paidTierResources: false leaves out; set one of them the other way");
    }
    for (const [key, q] of Object.entries(queueInputs)) {
        if (q.oldestMessageAgeAlarmSeconds > q.messageRetentionSeconds) {
            problems.push(`queues.${key}.oldestMessageAgeAlarmSeconds: ${q.oldestMessageAgeAlarmSeconds} must be <= messageRetentionSeconds (${q.messageRetentionSeconds}): ` +
                "SQS deletes older messages, so the alarm could never fire");
        }
    }

    const as = st.autoscaler!;
    if (as.image !== undefined && !rules.image.test(as.image)) problems.push(`autoscaler.image: ${short(as.image)} ${rules.image.says}`);
    if (as.enabled && !paid) problems.push("autoscaler.enabled: true needs ECS, which paidTierResources: false leaves out; set one of them the other way");
    if (as.enabled) {
        const target = serviceInputs[as.service];
        if (!target) {
            problems.push(`autoscaler.service: "${as.service}" is not a configured service; expected one of ${Object.keys(serviceInputs).join(", ") || "(none configured)"}`);
        } else if (target.consumesQueue === undefined) {
            problems.push(`autoscaler.service: "${as.service}" consumes no queue (services.${as.service}.consumesQueue is not set); the autoscaler scales a queue consumer from its queue's depth`);
        } else {
            // One owner per desired count: two writers undo each other (KEDA refuses a ScaledObject and an
            // HPA on one workload for the same reason).
            const owners: string[] = [];
            if (target.policies.length > 0) owners.push(`services.${as.service}.policies (${target.policies.map((p) => p.name).join(", ")})`);
            if (cmt.enabled && cmt.service === as.service) owners.push(`customMetricTest.service ("${cmt.service}", the synthetic-load policy)`);
            for (const other of owners) {
                problems.push(`autoscaler.service: "${as.service}" is also scaled by Application Auto Scaling through ${other}; ` +
                    "a service's desired count has one owner: scale it with its policies or with the queue autoscaler (autoscaler.enabled), not both");
            }
        }
    }
    if (st.aurora) problems.push(...auroraProblems(st.aurora));
    problems.push(...databaseUserProblems(serviceInputs, st.aurora !== undefined));
    if (problems.length > 0) throw new ConfigError(problems);

    const customSeries = cmt.enabled ? syntheticLoadSeries(testId, names.cluster, names.services[cmt.service]) : undefined;

    const services: Record<string, ServiceConfig> = {};
    for (const [key, svc] of Object.entries(serviceInputs)) {
        const underTest = cmt.enabled && cmt.service === key;
        const policies: ScalingPolicy[] = svc.policies.flatMap((p) => toPolicies(p, svc, names.queues));
        if (underTest && customSeries) {
            policies.push({
                kind: "targetTracking",
                name: "synthetic-load",
                metric: { type: "custom", series: customSeries },
                targetValue: cmt.target,
                cooldowns: { scaleOut: cmt.scaleOutCooldown, scaleIn: cmt.scaleInCooldown },
                disableScaleIn: false,
            });
        }
        services[key] = {
            key,
            name: names.services[key],
            image: svc.image,
            ...(svc.workload !== undefined ? { workload: svc.workload, command: WORKLOAD_COMMANDS[svc.workload] } : {}),
            cpu: svc.cpu,
            memory: svc.memory,
            containerPort: svc.containerPort,
            environment: svc.environment,
            loadBalancer: svc.loadBalancer,
            consumesQueue: svc.consumesQueue,
            usesDatabase: svc.usesDatabase,
            scaledBy: as.enabled && as.service === key ? "queueAutoscaler" : "applicationAutoScaling",
            capacityStrategy: svc.capacityStrategy,
            secrets: svc.secrets,
            secretsKmsKeyArn: svc.secretsKmsKeyArn,
            user: svc.user,
            readonlyRootFilesystem: svc.readonlyRootFilesystem,
            ...(svc.scaleToZero ? { scaleToZero: scaleToZeroConfig(svc.scaleToZero) } : {}),
            plan: {
                service: key,
                minCapacity: underTest ? cmt.minCapacity : svc.minCapacity,
                maxCapacity: underTest ? cmt.maxCapacity : svc.maxCapacity,
                policies,
            },
        };
    }

    // Every physical name within its AWS rule and unique in the stack, as the components will name them.
    const deployedServices = Object.values(services).map((s) => ({
        key: s.key,
        loadBalanced: s.loadBalancer !== undefined,
        policies: s.plan.policies.map((p) => p.kind === "step" ? `${s.name}-${p.name}-${p.direction}` : `${s.name}-${p.name}`),
        alarms: s.plan.policies.flatMap((p) => p.kind === "step" ? [`${s.name}-${p.name}-${p.direction}`] : []),
    }));
    problems.push(...physicalNameProblems(physicalNames(names, {
        ecs: paid,
        services: deployedServices,
        queues: Object.keys(queueInputs),
        autoscaler: as.enabled ? {} : undefined,
        projectImage: (as.enabled || Object.values(serviceInputs).some((svc) => svc.workload !== undefined)) ? { ecr: as.image === undefined } : undefined,
    })));
    if (problems.length > 0) throw new ConfigError(problems);

    const scaled = services[as.service];
    return {
        project: ctx.project,
        stack: ctx.stack,
        names,
        logRetentionDays: sc.logRetentionDays!,
        alertEmail: sc.alertEmail || undefined,
        paidTierResources: sc.paidTierResources!,
        network: st.network!,
        capacityStrategy: st.capacityStrategy!,
        listenerPort: st.loadBalancer!.listenerPort,
        queues: Object.fromEntries(Object.entries(queueInputs).map(([key, q]) => [key, {
            ...q, key, name: names.queues[key].queue, deadLetterQueueName: names.queues[key].deadLetterQueue,
        }])),
        loadBalancer: st.loadBalancer!,
        alertsKmsKeyArn: sc.alertsKmsKeyArn || undefined,
        services,
        customMetricTest: {
            enabled: cmt.enabled,
            service: cmt.service,
            testId,
            targetValue: cmt.target,
            minCapacity: cmt.minCapacity,
            maxCapacity: cmt.maxCapacity,
            series: customSeries,
        },
        autoscaler: {
            ...as,
            queue: serviceInputs[as.service]?.consumesQueue ?? "",
            minCapacity: scaled?.plan.minCapacity ?? 0,
            maxCapacity: scaled?.plan.maxCapacity ?? 0,
        },
        ...(st.aurora ? { aurora: toAuroraConfig(st.aurora, prefix) } : {}),
    };
}

function serviceProblems(path: string, svc: ServiceInput, problems: string[]): void {
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
    const seen = new Set<string>();
    // Valid step thresholds per watched metric, to refuse scale-out and scale-in bands that meet.
    const thresholds = new Map<string, { out: { at: string; value: number }[]; in: { at: string; value: number }[] }>();
    svc.policies.forEach((p, i) => {
        const at = `${path}.policies[${i}]`;
        if (seen.has(p.name)) problems.push(`${at}.name: "${p.name}" is used twice in ${path}; policy names must be unique per service`);
        seen.add(p.name);
        if (p.kind === "albRequestsPerTarget" && !svc.loadBalancer) {
            problems.push(`${at}.kind: albRequestsPerTarget needs ${path}.loadBalancer (the policy's resource label is built from the target group)`);
        }
        if (p.kind === "customMetric" && Object.keys(p.dimensions).length === 0) {
            problems.push(`${at}.dimensions: {} must name at least one dimension; a custom-metric policy must watch one series, with exactly the dimensions it is published with`);
        }
        if (p.kind === "stepScaling") {
            if (!p.scaleOut && !p.scaleIn) problems.push(`${at}.scaleOut: (missing) a stepScaling policy needs scaleOut, scaleIn or both`);
            if (p.metric.source === "custom" && Object.keys(p.metric.dimensions).length === 0) {
                problems.push(`${at}.metric.dimensions: {} must name at least one dimension`);
            }
            for (const dir of ["scaleOut", "scaleIn"] as const) {
                const d = p[dir];
                if (!d) continue;
                const direction = dir === "scaleOut" ? "out" : "in";
                const listProblems = stepListProblems(direction, d.steps as StepInterval[]);
                for (const msg of listProblems) problems.push(`${at}.${dir}.${msg}`);
                if (listProblems.length === 0) {
                    const metricKey = JSON.stringify(p.metric.source === "sqs" ? { ...p.metric, queue: p.metric.queue ?? svc.consumesQueue } : p.metric);
                    const entry = thresholds.get(metricKey) ?? { out: [], in: [] };
                    const steps = d.steps as StepInterval[];
                    entry[direction].push({ at: `${at}.${dir}.steps[${direction === "out" ? 0 : steps.length - 1}].${direction === "out" ? "lower" : "upper"}`, value: stepThreshold(direction, steps) });
                    thresholds.set(metricKey, entry);
                }
                if (d.datapointsToAlarm !== undefined && d.datapointsToAlarm > d.evaluationPeriods) {
                    problems.push(`${at}.${dir}.datapointsToAlarm: ${d.datapointsToAlarm} must be <= evaluationPeriods (${d.evaluationPeriods})`);
                }
                // CloudWatch: period x evaluationPeriods at most one day for periods under an hour, else 7 days.
                const window = p.period < 3600 ? 86400 : 604800;
                if (p.period * d.evaluationPeriods > window) {
                    problems.push(`${at}.${dir}.evaluationPeriods: ${d.evaluationPeriods} x period ${p.period} s exceeds CloudWatch's ${window} s evaluation window for ${p.period < 3600 ? "periods under an hour" : "periods of an hour or more"}`);
                }
            }
        }
    });
    for (const { out, in: inn } of thresholds.values()) {
        for (const o of out) {
            for (const n of inn) {
                const overlap = bandOverlapProblem(o.value, n.value, o.at);
                if (overlap) problems.push(`${n.at}: ${n.value} ${overlap}`);
            }
        }
    }
}

function toPolicies(p: PolicyInput, svc: ServiceInput, queues: ResourceNames["queues"]): ScalingPolicy[] {
    const cooldowns = (o?: number, i?: number) => ({ scaleOut: o ?? svc.scaleOutCooldown, scaleIn: i ?? svc.scaleInCooldown });
    switch (p.kind) {
        case "cpu":
        case "memory":
        case "albRequestsPerTarget":
            return [{
                kind: "targetTracking",
                name: p.name,
                metric: {
                    type: "predefined",
                    predefinedMetricType: p.kind === "cpu" ? ECS_PREDEFINED_METRICS.cpu
                        : p.kind === "memory" ? ECS_PREDEFINED_METRICS.memory : ECS_PREDEFINED_METRICS.albRequestsPerTarget,
                },
                targetValue: p.target,
                cooldowns: cooldowns(p.scaleOutCooldown, p.scaleInCooldown),
                disableScaleIn: p.disableScaleIn,
            }];
        case "customMetric":
            return [{
                kind: "targetTracking",
                name: p.name,
                metric: {
                    type: "custom",
                    series: metricSeries({ namespace: p.namespace, metricName: p.metricName, dimensions: p.dimensions, statistic: p.statistic, unit: p.unit }),
                },
                targetValue: p.target,
                cooldowns: cooldowns(p.scaleOutCooldown, p.scaleInCooldown),
                disableScaleIn: p.disableScaleIn,
            }];
        case "stepScaling": {
            const series = p.metric.source === "sqs" ? sqsVisibleMessagesSeries(queues[p.metric.queue ?? svc.consumesQueue!].queue, p.statistic)
                : p.metric.source === "rabbitmq" ? rabbitmqQueueDepthSeries(p.metric.queue, p.statistic)
                    : metricSeries({ namespace: p.metric.namespace, metricName: p.metric.metricName, dimensions: p.metric.dimensions, statistic: p.statistic });
            const out: StepScalingPolicy[] = [];
            for (const dir of ["scaleOut", "scaleIn"] as const) {
                const d = p[dir];
                if (!d) continue;
                const direction = dir === "scaleOut" ? "out" : "in";
                const steps = d.steps as StepInterval[];
                out.push({
                    kind: "step",
                    name: p.name,
                    direction,
                    series,
                    steps,
                    alarm: {
                        threshold: stepThreshold(direction, steps),
                        comparisonOperator: stepComparisonOperator(direction),
                        period: p.period,
                        evaluationPeriods: d.evaluationPeriods,
                        datapointsToAlarm: d.datapointsToAlarm ?? d.evaluationPeriods,
                        // SQS stops publishing for an idle queue (SQS developer guide: metrics only while
                        // "active"), so no data means an empty queue: never a reason to add tasks, and
                        // a reason to remove them.
                        treatMissingData: direction === "out" ? "notBreaching" : "breaching",
                    },
                    cooldown: d.cooldown ?? (direction === "out" ? svc.scaleOutCooldown : svc.scaleInCooldown),
                    metricAggregationType: p.statistic,
                });
            }
            return out;
        }
    }
}

/** Environment variable through which a queue consumer's container learns its queue's URL. */
export const QUEUE_URL_ENV = "QUEUE_URL";

/**
 * Bytes of the service's container definition as the component writes it: what config holds, plus a
 * generous allowance for what is known only at deploy time (ARNs, the queue URL, the log options).
 */
function containerDefinitionBytes(key: string, svc: ServiceInput): number {
    const DEPLOY_TIME_ALLOWANCE = 4096;
    const environment = Object.entries(svc.environment).map(([name, value]) => ({ name, value }));
    return Buffer.byteLength(JSON.stringify([{ name: key, image: svc.image ?? svc.workload, essential: true, memory: svc.memory, environment }]), "utf8") + DEPLOY_TIME_ALLOWANCE;
}

/**
 * Problems a stack's region reveals: more availability zones than the region offers. index.ts asks the
 * region (the same regular-zone query the network uses) and checks before it registers any resource.
 */
export function regionProblems(config: StackConfig, availableZones: readonly string[]): string[] {
    const n = config.network;
    if (!config.paidTierResources || n.mode !== "vpc" || n.availabilityZones <= availableZones.length) return [];
    return [`network.availabilityZones: ${n.availabilityZones} exceeds the ${availableZones.length} availability zones of the stack's region (${availableZones.join(", ")})`];
}

/** Scalars arrive as strings; convert them as the Pulumi CLI does for typed keys. */
function parseScalar(schema: z.ZodType, text: string): unknown {
    const probe = schema.safeParse(text);
    if (probe.success) return text;
    if (text === "true") return true;
    if (text === "false") return false;
    if (text.trim() !== "" && !Number.isNaN(Number(text))) return Number(text);
    return text;
}

function formatIssue(key: string, issue: z.core.$ZodIssue, root: unknown): string {
    const path = [key, ...issue.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`)].join("").replace(/\.\[/g, "[");
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => `${path}.${k}: unknown key (value ${short(valueAt(root, [...issue.path, k]))}); check the spelling`).join("\n  - ");
    }
    if (issue.code === "invalid_key") {
        // A record key that breaks its rule: show the key, and the key's own rule.
        return `${path}: ${short(issue.path[issue.path.length - 1])} ${issue.issues.map((i) => i.message).join("; ")}`;
    }
    const value = valueAt(root, issue.path);
    return `${path}: ${short(value)} ${issue.message}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let v: unknown = root;
    for (const p of path) {
        if (v === null || typeof v !== "object") return undefined;
        v = (v as Record<PropertyKey, unknown>)[p];
    }
    return v;
}

function short(v: unknown): string {
    if (v === undefined) return "(missing)";
    const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
    return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

/**
 * The database's clients are declared: a service that sets usesDatabase needs the cluster, and a
 * cluster needs at least one such service (its security group admits no one else, so it would be
 * unreachable).
 */
function databaseUserProblems(services: Readonly<Record<string, { readonly usesDatabase: boolean }>>, hasAurora: boolean): string[] {
    const users = Object.keys(services).filter((k) => services[k].usesDatabase);
    if (!hasAurora) {
        return users.map((k) => `services.${k}.usesDatabase: true needs the stack's database, and aurora is not set; set aurora or remove usesDatabase`);
    }
    return users.length > 0 ? [] : ["aurora: no service sets usesDatabase: true, so no task could reach the cluster (its security group admits only those services); " +
        "set services.<name>.usesDatabase: true on each service that connects to it"];
}
