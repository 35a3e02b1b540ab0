/**
 * Physical names of the stack's named resources. They are fixed at config time (not left to Pulumi's
 * random suffixes) so the metric series, dashboards and the autoscaler can name them as plain data.
 */
import { targetGroupBase } from "../aws/names";
import { AwsRule, rules } from "./aws-rules";

export interface QueueNames {
    readonly queue: string;
    readonly deadLetterQueue: string;
}

export interface ResourceNames {
    readonly prefix: string;
    readonly cluster: string;
    readonly services: Readonly<Record<string, string>>;
    /** Per key under `queues`: `<prefix>-<key>` and `<prefix>-<key>-dlq`. */
    readonly queues: Readonly<Record<string, QueueNames>>;
    readonly dashboard: string;
    readonly alertsTopic: string;
    readonly autoscalerService: string;
    /** ECR repository of the project image (components/project-image.ts), when it is built at deploy time. */
    readonly imageRepository: string;
}

export function resourceNames(prefix: string, services: readonly string[], queues: readonly string[]): ResourceNames {
    return {
        prefix,
        cluster: prefix,
        services: Object.fromEntries(services.map((s) => [s, `${prefix}-${s}`])),
        queues: Object.fromEntries(queues.map((q) => [q, { queue: `${prefix}-${q}`, deadLetterQueue: `${prefix}-${q}-dlq` }])),
        dashboard: `${prefix}-autoscaling`,
        alertsTopic: `${prefix}-alerts`,
        autoscalerService: `${prefix}-queue-autoscaler`,
        imageRepository: `${prefix}-autoscale`,
    };
}


/** Kinds of physical names the stack creates; names must be unique within a kind. */
export type PhysicalNameKind =
    | "ecsCluster" | "ecsService" | "taskFamily" | "logGroup" | "targetGroup" | "sqsQueue" | "snsTopic"
    | "dashboard" | "ecrRepository" | "alarm" | "scalingPolicy" | "scheduledAction";

/** One physical name, and the config key it comes from (named in a refusal). */
export interface PhysicalName {
    readonly kind: PhysicalNameKind;
    readonly name: string;
    readonly key: string;
}

/** What the physical names depend on besides the prefix. */
export interface NamedResources {
    /** Services deployed (empty when ECS is left out), with their AWS policy names (`<service>-<name>[-out|-in]`) and alarm names. */
    readonly services: readonly { readonly key: string; readonly loadBalanced: boolean; readonly policies: readonly string[]; readonly alarms: readonly string[]; readonly scheduledActions?: readonly string[] }[];
    readonly queues: readonly string[];
    /** The queue autoscaler's service is deployed. */
    readonly autoscaler?: object;
    /** The project image is used (autoscaler or built-in workloads); `ecr` when it is built into a repository of the stack. */
    readonly projectImage?: { readonly ecr: boolean };
    readonly ecs: boolean;
}

/** Every physical name the program will give a resource, as the components build them. */
export function physicalNames(names: ResourceNames, deployed: NamedResources): PhysicalName[] {
    const out: PhysicalName[] = [
        { kind: "snsTopic", name: names.alertsTopic, key: "namePrefix" },
        { kind: "dashboard", name: names.dashboard, key: "namePrefix" },
    ];
    for (const q of deployed.queues) {
        const n = names.queues[q];
        out.push(
            { kind: "sqsQueue", name: n.queue, key: `queues.${q}` },
            { kind: "sqsQueue", name: n.deadLetterQueue, key: `queues.${q}` },
            { kind: "alarm", name: `${n.queue}-oldest-message-age`, key: `queues.${q}` },
        );
    }
    if (!deployed.ecs) return out;
    out.push({ kind: "ecsCluster", name: names.cluster, key: "namePrefix" });
    for (const s of deployed.services) {
        const physical = names.services[s.key];
        const key = `services.${s.key}`;
        out.push(
            { kind: "ecsService", name: physical, key },
            { kind: "taskFamily", name: physical, key },
            { kind: "logGroup", name: `/ecs/${physical}`, key },
            ...s.policies.map((name) => ({ kind: "scalingPolicy" as const, name, key: `${key}.policies` })),
            ...s.alarms.map((name) => ({ kind: "alarm" as const, name, key: `${key}.policies` })),
            ...(s.scheduledActions ?? []).map((name) => ({ kind: "scheduledAction" as const, name, key: `${key}.schedules` })),
        );
        // The component appends `-<4 hex>`; checking with `-0000` measures the same length and characters.
        if (s.loadBalanced) out.push({ kind: "targetGroup", name: `${targetGroupBase(physical)}-0000`, key: `${key}.loadBalancer` });
    }
    if (deployed.autoscaler) {
        const physical = names.autoscalerService;
        out.push(
            { kind: "ecsService", name: physical, key: "autoscaler" },
            { kind: "taskFamily", name: physical, key: "autoscaler" },
            { kind: "logGroup", name: `/ecs/${physical}`, key: "autoscaler" },
        );
    }
    if (deployed.projectImage?.ecr) out.push({ kind: "ecrRepository", name: names.imageRepository, key: "autoscaler.image" });
    return out;
}

/** The AWS rule each kind of name must satisfy, and how a refusal calls it. */
export const PHYSICAL_NAME_RULES: Readonly<Record<PhysicalNameKind, { readonly label: string; readonly rule: AwsRule<string> }>> = {
    ecsCluster: { label: "ECS cluster name", rule: rules.ecsName },
    ecsService: { label: "ECS service name", rule: rules.ecsName },
    taskFamily: { label: "ECS task definition family", rule: rules.ecsName },
    logGroup: { label: "log group name", rule: rules.logGroupName },
    targetGroup: { label: "target group name", rule: rules.targetGroupName },
    sqsQueue: { label: "SQS queue name", rule: rules.sqsName },
    snsTopic: { label: "SNS topic name", rule: rules.snsName },
    dashboard: { label: "dashboard name", rule: rules.dashboardName },
    ecrRepository: { label: "ECR repository name", rule: rules.ecrRepositoryName },
    alarm: { label: "alarm name", rule: rules.alarmName },
    scalingPolicy: { label: "scaling policy name", rule: rules.policyName },
    scheduledAction: { label: "scheduled action name", rule: rules.scheduledActionName },
};

/** Every name that breaks its kind's rule or repeats another of its kind, as `<key>: <value> <rule>`. */
export function physicalNameProblems(all: readonly PhysicalName[]): string[] {
    const problems: string[] = [];
    const seen = new Map<string, PhysicalName>();
    for (const n of all) {
        const { label, rule } = PHYSICAL_NAME_RULES[n.kind];
        if (!rule.test(n.name)) problems.push(`${n.key}: ${label} ${JSON.stringify(n.name)} (${n.name.length} characters) ${rule.says}`);
        const id = `${n.kind}:${n.name}`;
        const first = seen.get(id);
        if (first) {
            problems.push(`${n.key}: ${label} ${JSON.stringify(n.name)} is already the ${label} of ${first.key}; ${label}s must be unique in the stack`);
        } else {
            seen.set(id, n);
        }
    }
    return problems;
}
