/**
 * Scheduled actions on a scalable target, as Application Auto Scaling runs them (user guide, "How
 * scheduled scaling for Application Auto Scaling works"): at its time an action sets MinCapacity and/or
 * MaxCapacity; if current capacity is below the new minimum it scales out to it, if above the new
 * maximum it scales in to it, otherwise desired is left to the policies. A recurring schedule in a time
 * zone with daylight saving time "adjusts automatically" to it (same page): it fires at the local time.
 */
import type { ScheduledActionPlan } from "../plan";
import { Schedule, ScheduleWindow, firingsBetween, parseSchedule } from "../schedule";

export interface EngineScheduledAction {
    readonly name: string;
    readonly schedule: Schedule;
    readonly window: ScheduleWindow;
    readonly minCapacity?: number;
    readonly maxCapacity?: number;
}

/** The engine's form of a plan's scheduled action (the plan was validated by config/). */
export function engineScheduledAction(name: string, a: ScheduledActionPlan): EngineScheduledAction {
    const schedule = parseSchedule(a.schedule);
    if ("problem" in schedule) throw new Error(`scheduled action ${name}: ${JSON.stringify(a.schedule)} ${schedule.problem}`);
    return {
        name, schedule,
        window: {
            timezone: a.timezone,
            ...(a.startTime !== undefined ? { startMs: Date.parse(a.startTime) } : {}),
            ...(a.endTime !== undefined ? { endMs: Date.parse(a.endTime) } : {}),
        },
        ...(a.minCapacity !== undefined ? { minCapacity: a.minCapacity } : {}),
        ...(a.maxCapacity !== undefined ? { maxCapacity: a.maxCapacity } : {}),
    };
}

export interface ScheduledFiring {
    /** Engine seconds. */
    readonly at: number;
    readonly action: EngineScheduledAction;
}

/**
 * The firings in (fromSeconds, toSeconds] of engine time, oldest first; `epochMs` is the wall-clock
 * instant of engine time 0.
 */
export function scheduledFirings(actions: readonly EngineScheduledAction[], epochMs: number, fromSeconds: number, toSeconds: number): ScheduledFiring[] {
    const out: ScheduledFiring[] = [];
    const fromMs = epochMs + fromSeconds * 1000 + 1;
    const toMs = epochMs + toSeconds * 1000 + 1;
    for (const action of actions) {
        // The plan's actions are put when the run starts.
        for (const t of firingsBetween(action.schedule, { createdMs: epochMs, ...action.window }, fromMs, toMs)) out.push({ at: (t - epochMs) / 1000, action });
    }
    return out.sort((a, b) => a.at - b.at);
}

/** The bounds after an action; undefined when AWS would refuse them (min above max). */
export function boundsAfter(bounds: { min: number; max: number }, a: EngineScheduledAction): { min: number; max: number } | undefined {
    const min = a.minCapacity ?? bounds.min;
    const max = a.maxCapacity ?? bounds.max;
    return min <= max ? { min, max } : undefined;
}
