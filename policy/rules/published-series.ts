/**
 * Every scaling policy watches a series something publishes. AWS publishes its namespaces for the
 * resources they name, so an AWS/SQS, AWS/ECS, AWS/RDS or AWS/ApplicationELB series must name a queue,
 * service, cluster, load balancer or target group of the stack; a custom namespace must be one some
 * role of the stack may put data into (`cloudwatch:PutMetricData` narrowed to that
 * `cloudwatch:namespace`) or one the pack is told is published from outside (`publishedNamespaces`).
 * An ECS/ContainerInsights series needs a cluster of the stack with Container Insights on (ECS
 * developer guide, "Amazon ECS Container Insights metrics"). Applies to the alarms that invoke step
 * policies, to target tracking's customized metric and its metric-math queries, and to predictive
 * scaling's customized metric queries.
 */
import { ALB_METRICS, CONTAINER_INSIGHTS_METRICS, ECS_METRICS, RDS_METRICS, SQS_METRICS } from "../../aws/metrics";
import { asArray, logicalName, ofType, type PolicyContext, type PolicyResource, type ProjectPolicy, type Violation } from "../graph";
import { identityDocuments } from "./iam-documents";
import { alarmsOf, SCALING_POLICY } from "./scaling-links";

interface Series {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Record<string, string>;
}

function names(resources: readonly PolicyResource[], type: string, prop: string): Set<string> {
    return new Set(ofType(resources, type).map((r) => r.props[prop]).filter((v): v is string => typeof v === "string"));
}

/** Namespaces some identity policy of the stack lets a role put data into. */
function grantedNamespaces(resources: readonly PolicyResource[]): Set<string> {
    const out = new Set<string>();
    for (const { statements } of identityDocuments(resources)) {
        for (const s of statements) {
            if (s.Effect !== "Allow" || !asArray<string>(s.Action).some((a) => /^cloudwatch:(PutMetricData|\*)$/i.test(a))) continue;
            for (const op of Object.values<any>(s.Condition ?? {})) {
                for (const ns of asArray<string>(op?.["cloudwatch:namespace"])) out.add(ns);
            }
        }
    }
    return out;
}

/** Why nothing publishes the series, or undefined when something does. */
function unpublished(series: Series, resources: readonly PolicyResource[], context: PolicyContext, granted: Set<string>): string | undefined {
    const d = series.dimensions;
    const missing = (dimension: string, known: Set<string>, what: string) =>
        d[dimension] !== undefined && !known.has(d[dimension]) ? `${dimension} ${d[dimension]} is no ${what} of the stack` : undefined;
    switch (series.namespace) {
        case SQS_METRICS.namespace:
            return missing(SQS_METRICS.queueDimension, names(resources, "aws:sqs/queue:Queue", "name"), "queue");
        case ECS_METRICS.namespace:
            return missing(ECS_METRICS.serviceDimension, names(resources, "aws:ecs/service:Service", "name"), "ECS service")
                ?? missing(ECS_METRICS.clusterDimension, names(resources, "aws:ecs/cluster:Cluster", "name"), "ECS cluster");
        case CONTAINER_INSIGHTS_METRICS.namespace:
            return missing(CONTAINER_INSIGHTS_METRICS.serviceDimension, names(resources, "aws:ecs/service:Service", "name"), "ECS service")
                ?? missing(CONTAINER_INSIGHTS_METRICS.clusterDimension, names(resources, "aws:ecs/cluster:Cluster", "name"), "ECS cluster")
                ?? missing(CONTAINER_INSIGHTS_METRICS.clusterDimension, insightsClusters(resources), "ECS cluster with Container Insights on (setting containerInsights enabled)");
        case RDS_METRICS.namespace:
            return missing(RDS_METRICS.clusterDimension, names(resources, "aws:rds/cluster:Cluster", "clusterIdentifier"), "Aurora cluster");
        case ALB_METRICS.namespace:
            return missing(ALB_METRICS.loadBalancerDimension, names(resources, "aws:lb/loadBalancer:LoadBalancer", "arnSuffix"), "load balancer")
                ?? missing(ALB_METRICS.targetGroupDimension, names(resources, "aws:lb/targetGroup:TargetGroup", "arnSuffix"), "target group");
    }
    if (series.namespace.startsWith("AWS/")) return undefined;
    if (granted.has(series.namespace) || context.publishedNamespaces.includes(series.namespace)) return undefined;
    return `nothing in the stack may publish to namespace ${series.namespace} (no role allows cloudwatch:PutMetricData with cloudwatch:namespace ${series.namespace}) and the pack's publishedNamespaces does not list it`;
}

/** Clusters whose containerInsights setting is on ("enabled", or "enhanced", which includes it). */
function insightsClusters(resources: readonly PolicyResource[]): Set<string> {
    return new Set(ofType(resources, "aws:ecs/cluster:Cluster")
        .filter((c) => asArray<{ name: string; value: string }>(c.props.settings).some((x) => x.name === "containerInsights" && (x.value === "enabled" || x.value === "enhanced")))
        .map((c) => c.props.name).filter((v): v is string => typeof v === "string"));
}

/** The series of metric-data queries (target tracking's metrics, predictive's metricDataQueries); expressions name none. */
function querySeries(queries: unknown): Series[] {
    return asArray<any>(queries).flatMap((q) => q?.metricStat?.metric?.namespace === undefined ? [] : [{
        namespace: q.metricStat.metric.namespace, metricName: q.metricStat.metric.metricName, dimensions: dimensionsOf(q.metricStat.metric.dimensions),
    }]);
}

function dimensionsOf(list: unknown): Record<string, string> {
    if (Array.isArray(list)) return Object.fromEntries(list.map((d: { name: string; value: string }) => [d.name, d.value]));
    return (list ?? {}) as Record<string, string>;
}

export const watchedSeriesArePublished: ProjectPolicy = {
    name: "watched-series-are-published",
    description: "Every scaling policy's alarm (or customized target-tracking or predictive metric) watches a series AWS or the stack publishes.",
    check(resources, context) {
        const violations: Violation[] = [];
        const granted = grantedNamespaces(resources);
        for (const p of ofType(resources, SCALING_POLICY)) {
            const name = p.props.name ?? logicalName(p);
            const watched: { series: Series; by: PolicyResource; what: string }[] = [];
            for (const a of p.props.policyType === "StepScaling" ? alarmsOf(p, resources) : []) {
                if (a.props.namespace === undefined) continue; // metric math: the queries name their own series
                watched.push({ series: { namespace: a.props.namespace, metricName: a.props.metricName, dimensions: dimensionsOf(a.props.dimensions) }, by: a, what: `alarm ${a.props.name ?? logicalName(a)} of scaling policy ${name}` });
            }
            const custom = p.props.targetTrackingScalingPolicyConfiguration?.customizedMetricSpecification;
            if (custom?.namespace !== undefined) {
                watched.push({ series: { namespace: custom.namespace, metricName: custom.metricName, dimensions: dimensionsOf(custom.dimensions) }, by: p, what: `scaling policy ${name}` });
            }
            const predictive = asArray<any>(p.props.predictiveScalingPolicyConfiguration?.metricSpecifications);
            const queries = [custom?.metrics, ...predictive.flatMap((m) => [m.customizedScalingMetricSpecification, m.customizedLoadMetricSpecification, m.customizedCapacityMetricSpecification]
                .map((c) => c?.metricDataQueries))];
            for (const series of queries.flatMap(querySeries)) watched.push({ series, by: p, what: `scaling policy ${name}` });
            for (const w of watched) {
                const why = unpublished(w.series, resources, context, granted);
                if (why) violations.push({ urn: w.by.urn, message: `${w.what} watches ${w.series.namespace} ${w.series.metricName} ${JSON.stringify(w.series.dimensions)}, which nothing publishes: ${why}` });
            }
        }
        return violations;
    },
};

