/**
 * Which alarm invokes which Application Auto Scaling policy: an alarm's actions hold the policy's ARN.
 * Shared by the rules on steps and on watched series.
 */
import { asArray, ofType, type PolicyResource } from "../graph";

export const SCALING_POLICY = "aws:appautoscaling/policy:Policy";
export const SCALABLE_TARGET = "aws:appautoscaling/target:Target";
export const SCHEDULED_ACTION = "aws:appautoscaling/scheduledAction:ScheduledAction";
export const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** The alarms whose actions hold the policy's ARN. */
export function alarmsOf(policy: PolicyResource, resources: readonly PolicyResource[]): PolicyResource[] {
    const arn = policy.props.arn;
    if (typeof arn !== "string") return [];
    return ofType(resources, METRIC_ALARM).filter((a) => asArray<string>(a.props.alarmActions).includes(arn));
}
