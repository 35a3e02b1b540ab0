/**
 * Application Auto Scaling identifiers of ECS services: the namespace, the scalable dimension and the
 * resource id (API reference, RegisterScalableTarget: ResourceId `service/<cluster>/<service>`). Names
 * come from the SDK's enums. Imports nothing of the project's.
 */
import { ScalableDimension, ServiceNamespace } from "@aws-sdk/client-application-auto-scaling";

/** `ecs` */
export const ECS_NAMESPACE = ServiceNamespace.ECS;

/** `ecs:service:DesiredCount`: the only scalable dimension of an ECS service. */
export const ECS_DESIRED_COUNT = ScalableDimension.ECSServiceDesiredCount;

/** `rds` and `rds:cluster:ReadReplicaCount`: an Aurora cluster's reader count. */
export const RDS_NAMESPACE = ServiceNamespace.RDS;
export const RDS_READ_REPLICA_COUNT = ScalableDimension.RDSClusterReadReplicaCount;

/** The resource id of an Aurora cluster's scalable target: `cluster:<cluster identifier>`. */
export function rdsClusterResourceId(clusterIdentifier: string): string {
    return `cluster:${clusterIdentifier}`;
}

/** The resource id of an ECS service's scalable target: `service/<cluster>/<service>`. */
export function ecsResourceId(cluster: string, service: string): string {
    return `service/${cluster}/${service}`;
}

/** The prefix every resource id of a cluster's services starts with: `service/<cluster>/`. */
export function ecsResourceIdPrefix(cluster: string): string {
    return `service/${cluster}/`;
}

/**
 * The name Application Auto Scaling gives an alarm of a target-tracking policy it creates:
 * `TargetTracking-<resourceId>-AlarmHigh-<id>` and `-AlarmLow-<id>` (user guide, "Target tracking
 * scaling policies": the alarms it creates and manages).
 */
export function targetTrackingAlarmName(resourceId: string, which: "High" | "Low", id: string): string {
    return `${targetTrackingAlarmPrefix(resourceId)}Alarm${which}-${id}`;
}

/** What every target-tracking alarm name of a resource starts with: `TargetTracking-<resourceId>-`. */
export function targetTrackingAlarmPrefix(resourceId: string): string {
    return `TargetTracking-${resourceId}-`;
}
