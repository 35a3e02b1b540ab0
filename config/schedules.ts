/**
 * A service's `schedules` key: scheduled actions (Application Auto Scaling PutScheduledAction) that set
 * the service's minimum and/or maximum task count at times given by an at, rate or cron expression in an
 * IANA time zone. Their schema, their rules (each naming the key, the value and the rule) and the
 * ScheduledActionPlan values they become.
 */
import { z } from "zod";
import { MAX_SCHEDULED_ACTIONS_PER_TARGET } from "../aws/limits";
import { rules } from "./aws-rules";
import { aws, nonNegativeInt } from "./schema";
import type { ScheduledActionPlan } from "../scaling/plan";
import { isTimeZone, parseSchedule } from "../scaling/schedule";

export const schedule = z.strictObject({
    /** Unique within the service; the AWS name is `<service physical name>-<name>`. */
    name: aws(z.string(), rules.scheduledActionName),
    /** `at(yyyy-mm-ddThh:mm:ss)`, `rate(value unit)` or `cron(Minutes Hours Day-of-month Month Day-of-week Year)`. */
    expression: aws(z.string(), rules.scheduleLength),
    /** IANA time zone the at and cron expressions are read in; AWS's default, UTC. */
    timezone: z.string().default("UTC"),
    /** New minimum task count; at least one of minCapacity and maxCapacity. */
    minCapacity: nonNegativeInt.optional(),
    /** New maximum task count. */
    maxCapacity: nonNegativeInt.optional(),
    /** ISO 8601 instant from which a recurring schedule runs. */
    startTime: z.string().optional(),
    /** ISO 8601 instant after which it no longer runs. */
    endTime: z.string().optional(),
});

export type ScheduleInput = z.infer<typeof schedule>;

/** ISO 8601 date-time with seconds and an offset or Z, as the provider's startTime/endTime take (RFC 3339). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Problems of `services.<key>.schedules`. `bounds`: the service's registered minCapacity and maxCapacity;
 * `queueAutoscalerServices`: the services the queue autoscaler owns (a schedule there would be a second
 * owner of the desired count).
 */
export function schedulesProblems(key: string, schedules: readonly ScheduleInput[], bounds: { minCapacity: number; maxCapacity: number }, queueAutoscalerServices: readonly string[]): string[] {
    if (schedules.length === 0) return [];
    const path = `services.${key}.schedules`;
    const problems: string[] = [];
    if (queueAutoscalerServices.includes(key)) {
        problems.push(`${path}: ${schedules.length} scheduled action(s) (${schedules.map((s) => s.name).join(", ")}) cannot be set on "${key}": ` +
            `autoscaler.services (or autoscaler.service) names "${key}", so the queue autoscaler owns its desired count; ` +
            "a service's desired count has one owner: scale it with Application Auto Scaling (policies and schedules) or with the queue autoscaler, not both");
    }
    if (schedules.length > MAX_SCHEDULED_ACTIONS_PER_TARGET) {
        problems.push(`${path}: ${schedules.length} scheduled actions exceed Application Auto Scaling's quota of ${MAX_SCHEDULED_ACTIONS_PER_TARGET} per scalable target (not adjustable)`);
    }
    const seen = new Set<string>();
    schedules.forEach((s, i) => {
        const at = `${path}[${i}]`;
        if (seen.has(s.name)) problems.push(`${at}.name: "${s.name}" is used twice in ${path}; scheduled action names must be unique per scalable target`);
        seen.add(s.name);
        const parsed = parseSchedule(s.expression);
        if ("problem" in parsed) problems.push(`${at}.expression: ${JSON.stringify(s.expression)} ${parsed.problem}`);
        if (!isTimeZone(s.timezone)) {
            problems.push(`${at}.timezone: ${JSON.stringify(s.timezone)} is not an IANA time zone (e.g. Europe/London, America/New_York, UTC)`);
        }
        if (s.minCapacity === undefined && s.maxCapacity === undefined) {
            problems.push(`${at}: ${JSON.stringify(s)} must set minCapacity, maxCapacity or both (a scheduled action sets the service's bounds)`);
        }
        if (s.minCapacity !== undefined && s.maxCapacity !== undefined && s.minCapacity > s.maxCapacity) {
            problems.push(`${at}.minCapacity: ${s.minCapacity} must be <= ${at}.maxCapacity (${s.maxCapacity})`);
        }
        // With one size only, the other stays as registered: AWS asks for both when the new one would cross it
        // (user guide, "How scheduled scaling works", considerations).
        if (s.maxCapacity === undefined && s.minCapacity !== undefined && s.minCapacity > bounds.maxCapacity) {
            problems.push(`${at}.minCapacity: ${s.minCapacity} must be <= services.${key}.maxCapacity (${bounds.maxCapacity}) or come with ${at}.maxCapacity: ` +
                "a new minimum may not exceed the maximum it leaves in place");
        }
        if (s.minCapacity === undefined && s.maxCapacity !== undefined && s.maxCapacity < bounds.minCapacity) {
            problems.push(`${at}.maxCapacity: ${s.maxCapacity} must be >= services.${key}.minCapacity (${bounds.minCapacity}) or come with ${at}.minCapacity: ` +
                "a new maximum may not be below the minimum it leaves in place");
        }
        const times: Record<string, number> = {};
        for (const k of ["startTime", "endTime"] as const) {
            const v = s[k];
            if (v === undefined) continue;
            if (!ISO_INSTANT.test(v) || Number.isNaN(Date.parse(v))) {
                problems.push(`${at}.${k}: ${JSON.stringify(v)} must be an ISO 8601 instant with a zone, e.g. 2026-01-05T00:00:00Z`);
            } else times[k] = Date.parse(v);
        }
        if (times.startTime !== undefined && times.endTime !== undefined && times.startTime >= times.endTime) {
            problems.push(`${at}.endTime: ${JSON.stringify(s.endTime)} must be after ${at}.startTime (${JSON.stringify(s.startTime)})`);
        }
    });
    return problems;
}

/** The plan's scheduled actions of a service whose schedules schedulesProblems found valid. */
export function scheduledActionPlans(schedules: readonly ScheduleInput[]): ScheduledActionPlan[] {
    return schedules.map((s) => ({
        name: s.name,
        schedule: s.expression,
        timezone: s.timezone,
        ...(s.minCapacity !== undefined ? { minCapacity: s.minCapacity } : {}),
        ...(s.maxCapacity !== undefined ? { maxCapacity: s.maxCapacity } : {}),
        ...(s.startTime !== undefined ? { startTime: s.startTime } : {}),
        ...(s.endTime !== undefined ? { endTime: s.endTime } : {}),
    }));
}
