/**
 * CloudWatch namespaces, metric names and dimension names of the AWS services the stack scales on, and
 * Application Auto Scaling's predefined metric types (from the SDK's enum). Each cites the service's
 * metric documentation. Imports nothing of the project's.
 */
import { MetricType } from "@aws-sdk/client-application-auto-scaling";
import type { StandardUnit } from "@aws-sdk/client-cloudwatch";

/** CloudWatch metric units (MetricDatum.Unit), in the order refusals list them; each one the SDK's StandardUnit. */
export const CLOUDWATCH_UNITS = [
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
    "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
    "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
    "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
] as const satisfies readonly StandardUnit[];

/**
 * AWS/SQS (SQS developer guide, "Available CloudWatch metrics for Amazon SQS"): one dimension,
 * QueueName. ApproximateAgeOfOldestMessage exists only in CloudWatch, not as a queue attribute.
 */
export const SQS_METRICS = {
    namespace: "AWS/SQS",
    visible: "ApproximateNumberOfMessagesVisible",
    notVisible: "ApproximateNumberOfMessagesNotVisible",
    oldestAge: "ApproximateAgeOfOldestMessage",
    queueDimension: "QueueName",
} as const;

/**
 * AWS/ApplicationELB (ELB user guide, "CloudWatch metrics for your Application Load Balancer"):
 * RequestCount per target group carries both the LoadBalancer and the TargetGroup dimension, whose
 * values are the ARN suffixes (`app/<name>/<id>`, `targetgroup/<name>/<id>`).
 */
export const ALB_METRICS = {
    namespace: "AWS/ApplicationELB",
    requestCount: "RequestCount",
    loadBalancerDimension: "LoadBalancer",
    targetGroupDimension: "TargetGroup",
} as const;

/**
 * AWS/ECS service and cluster utilization (ECS developer guide, "Amazon ECS CloudWatch metrics"):
 * dimensions ClusterName and ServiceName; utilization is read as an Average.
 */
export const ECS_METRICS = {
    namespace: "AWS/ECS",
    cpu: "CPUUtilization",
    memory: "MemoryUtilization",
    cpuReservation: "CPUReservation",
    memoryReservation: "MemoryReservation",
    clusterDimension: "ClusterName",
    serviceDimension: "ServiceName",
} as const;

/** ECS/ContainerInsights task counts (ECS developer guide, "Amazon ECS Container Insights metrics"). */
export const CONTAINER_INSIGHTS_METRICS = {
    namespace: "ECS/ContainerInsights",
    runningTaskCount: "RunningTaskCount",
    desiredTaskCount: "DesiredTaskCount",
    clusterDimension: "ClusterName",
    serviceDimension: "ServiceName",
} as const;

/**
 * AWS/RDS metrics of an Aurora cluster (Aurora user guide, "Instance-level metrics for Amazon Aurora"):
 * DBClusterIdentifier with Role (WRITER or READER) aggregates the instances of that role.
 */
export const RDS_METRICS = {
    namespace: "AWS/RDS",
    writeIops: "WriteIOPS",
    clusterDimension: "DBClusterIdentifier",
    roleDimension: "Role",
    writerRole: "WRITER",
} as const;

/** The dimensions of an ECS service's utilization metrics. */
export function ecsServiceDimensions(cluster: string, service: string): Record<string, string> {
    return { [ECS_METRICS.clusterDimension]: cluster, [ECS_METRICS.serviceDimension]: service };
}

/**
 * The predefined metrics of target tracking on an ECS service (Application Auto Scaling API reference,
 * PredefinedMetricSpecification): average CPU and memory utilization of the service, and requests per
 * target of its ALB target group.
 */
export const ECS_PREDEFINED_METRICS = {
    cpu: MetricType.ECSServiceAverageCPUUtilization,
    memory: MetricType.ECSServiceAverageMemoryUtilization,
    albRequestsPerTarget: MetricType.ALBRequestCountPerTarget,
} as const;

/**
 * The predefined metric pairs of predictive scaling on an ECS service (Application Auto Scaling API
 * reference, PredictiveScalingPredefinedMetricPairSpecification): each names a scaling metric and the
 * load metric it is forecast from. ALBRequestCount needs the target group as its resource label.
 */
export const ECS_PREDICTIVE_METRIC_PAIRS = {
    cpu: "ECSServiceCPUUtilization",
    memory: "ECSServiceMemoryUtilization",
    albRequests: "ALBRequestCount",
} as const;

export type PredictiveMetricPairType = (typeof ECS_PREDICTIVE_METRIC_PAIRS)[keyof typeof ECS_PREDICTIVE_METRIC_PAIRS];

/** The predefined metrics of an Aurora cluster's reader count: averages over the readers (same reference). */
export const RDS_READER_PREDEFINED_METRICS = {
    cpu: MetricType.RDSReaderAverageCPUUtilization,
    connections: MetricType.RDSReaderAverageDatabaseConnections,
} as const;

export type EcsPredefinedMetricType = (typeof ECS_PREDEFINED_METRICS)[keyof typeof ECS_PREDEFINED_METRICS];
export type PredefinedMetricType = EcsPredefinedMetricType | (typeof RDS_READER_PREDEFINED_METRICS)[keyof typeof RDS_READER_PREDEFINED_METRICS];
