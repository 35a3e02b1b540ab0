/**
 * A service's `scaleToZero` key (scaling/scale-to-zero.ts): its schema and defaults, its cross-field
 * rules, and the validated settings the component and the functions read. The schedule rule is in scaling/.
 */
import { z } from "zod";
import { MIN_CHECKS_PER_IDLE_WINDOW, ratePeriodSeconds } from "../scaling/scale-to-zero";
import { targetGroupBase } from "../aws/names";
import { namespace, positiveInt } from "./schema";
import type { ServiceFields } from "./service-input";

/** Scale-to-zero of a load-balanced service. */
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

export type ScaleToZeroInput = z.infer<typeof scaleToZero>;

/** Wake target group name: the service's target group base and `-wake` (a suffix within the base's budget). */
export function wakeTargetGroupName(physicalName: string): string {
    return `${targetGroupBase(physicalName)}-wake`;
}

export interface ScaleToZeroConfig extends ScaleToZeroInput {
    /** Seconds between two idle-check runs (from checkSchedule). */
    readonly checkPeriodSeconds: number;
    /** The idle window in seconds (idleMinutes x 60). */
    readonly idleSeconds: number;
}

/**
 * Problems of `services.<key>.scaleToZero`, each naming the key, the value and the rule.
 * `queueAutoscalerServices` are the keys of the services the queue autoscaler scales (none while it is off).
 */
export function scaleToZeroProblems(key: string, svc: ServiceFields & { readonly scaleToZero?: ScaleToZeroInput }, queueAutoscalerServices: readonly string[]): string[] {
    const stz = svc.scaleToZero;
    if (!stz) return [];
    const at = `services.${key}.scaleToZero`;
    const problems: string[] = [];
    if (!svc.loadBalancer) {
        problems.push(`${at}: ${JSON.stringify(stz)} needs services.${key}.loadBalancer: the service sleeps after idleMinutes without requests ` +
            "through the load balancer and wakes on the first one, so a service without a listener rule could never wake");
    }
    if (queueAutoscalerServices.includes(key)) {
        problems.push(`${at}: ${JSON.stringify(stz)} cannot be set on the queue autoscaler's service (autoscaler.service "${key}"): ` +
            "its desired count has one owner, the queue autoscaler, and it takes no requests through the load balancer");
    }
    const period = ratePeriodSeconds(stz.checkSchedule);
    if ("problem" in period) {
        problems.push(`${at}.checkSchedule: ${JSON.stringify(stz.checkSchedule)} ${period.problem}`);
    } else if (stz.idleMinutes * 60 < MIN_CHECKS_PER_IDLE_WINDOW * period.seconds) {
        problems.push(`${at}.idleMinutes: ${stz.idleMinutes} is shorter than ${MIN_CHECKS_PER_IDLE_WINDOW} check periods of checkSchedule ` +
            `${JSON.stringify(stz.checkSchedule)} (${MIN_CHECKS_PER_IDLE_WINDOW} x ${period.seconds} s); the idle window must hold at least ${MIN_CHECKS_PER_IDLE_WINDOW} checks`);
    }
    if (/^AWS\//i.test(stz.namespace)) {
        problems.push(`${at}.namespace: ${JSON.stringify(stz.namespace)} starts with "AWS/", which CloudWatch reserves for AWS services (PutMetricData refuses it)`);
    }
    if (stz.wakeCapacity > svc.maxCapacity) {
        problems.push(`${at}.wakeCapacity: ${stz.wakeCapacity} must be <= services.${key}.maxCapacity (${svc.maxCapacity}); a wake cannot ask for more tasks than the service may run`);
    }
    return problems;
}

/** The validated settings; call only after scaleToZeroProblems found nothing. */
export function scaleToZeroConfig(stz: ScaleToZeroInput): ScaleToZeroConfig {
    const period = ratePeriodSeconds(stz.checkSchedule);
    if ("problem" in period) throw new Error(`checkSchedule ${stz.checkSchedule} ${period.problem}`);
    return { ...stz, checkPeriodSeconds: period.seconds, idleSeconds: stz.idleMinutes * 60 };
}
