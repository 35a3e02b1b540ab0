/**
 * The arrival forecast: a profile of a queue's arrival rate per slot of the week (and of the day),
 * learned from the autoscaler's own readings, and the rate it forecasts for a time to come. Pure:
 * the caller keeps the profile and hands it back.
 *
 * The rate learned is the work arriving, in tasks: the arrival rate times the seconds one task takes
 * per message (arrival rate / processing rate, demand.ts), which is the count of tasks the arrivals
 * keep busy. Both figures come from the same readings, so a processing rate learned higher or lower
 * on another day (the drain shows 1.2/s one day and 1/s the next) leaves it unchanged, where a
 * profile of messages per second divided by the day's processing rate would be off by that much.
 *
 * - Each tick's arrival rate (demand.ts) is averaged over its slot (slotSeconds, UTC); when the slot
 *   ends, its mean is folded into that slot of the week and that slot of the day, exponentially
 *   weighted: rate = weight x newest + (1 - weight) x before (the first observation is taken as is).
 * - The forecast for a time is its slot of the week once a week has shown it, else its slot of the
 *   day once `minDays` days have shown it, else none: with too little history nothing is raised.
 * - A closed slot is what a restarted task reads back (CloudWatch, forecast-store.ts); folding the
 *   same slots in the same order gives the same profile.
 */

/** The forecast settings of one service. */
export interface ForecastSettings {
    /** Raise the floor ahead of the learned arrival pattern. */
    readonly enabled: boolean;
    /** Length of a slot, seconds: divides a day. */
    readonly slotSeconds: number;
    /** Weight of the newest observation of a slot, (0, 1]. */
    readonly weight: number;
    /** Days a slot of the day must have been seen before it is forecast from (before a week of data). */
    readonly minDays: number;
}

export { FORECAST_DEFAULTS } from "../../scaling/autoscaler-controls";

export const DAY_SECONDS = 86_400;
export const WEEK_SECONDS = 7 * DAY_SECONDS;

/** One slot's learned rate and how many observations went into it. */
export interface SlotRate {
    readonly rate: number;
    readonly seen: number;
}

export interface ArrivalProfile {
    readonly slotSeconds: number;
    /** Per slot of the week (slot number modulo slots per week; the epoch's weekday is slot 0's). */
    readonly weekly: readonly (SlotRate | undefined)[];
    /** Per slot of the day. */
    readonly daily: readonly (SlotRate | undefined)[];
    /** The slot being observed: its number since the epoch, the sum of its readings and their count. */
    readonly open?: { readonly slot: number; readonly sum: number; readonly count: number };
}

/** A slot that ended: its start (epoch ms) and its mean arrival rate, messages per second. */
export interface ClosedSlot {
    readonly start: number;
    readonly rate: number;
}

export function emptyProfile(slotSeconds: number): ArrivalProfile {
    if (!(slotSeconds > 0) || DAY_SECONDS % slotSeconds !== 0) throw new Error(`slotSeconds ${slotSeconds} must divide a day (${DAY_SECONDS} s)`);
    return { slotSeconds, weekly: new Array(WEEK_SECONDS / slotSeconds).fill(undefined), daily: new Array(DAY_SECONDS / slotSeconds).fill(undefined) };
}

function slotOf(profile: ArrivalProfile, at: number): number {
    return Math.floor(at / (profile.slotSeconds * 1000));
}

function folded(before: SlotRate | undefined, rate: number, weight: number): SlotRate {
    return before === undefined ? { rate, seen: 1 } : { rate: weight * rate + (1 - weight) * before.rate, seen: before.seen + 1 };
}

/** The profile with one slot's mean folded in (a restart folds what it reads back the same way). */
export function foldSlot(profile: ArrivalProfile, slot: ClosedSlot, weight: number): ArrivalProfile {
    const n = slotOf(profile, slot.start);
    const w = n % profile.weekly.length;
    const d = n % profile.daily.length;
    const weekly = profile.weekly.slice();
    const daily = profile.daily.slice();
    weekly[w] = folded(weekly[w], slot.rate, weight);
    daily[d] = folded(daily[d], slot.rate, weight);
    return { ...profile, weekly, daily };
}

/**
 * One reading of the arrival rate at `at` (undefined: no rate known, nothing recorded). When `at` is
 * in a later slot than the open one, the open one is closed, folded in and returned as `closed`.
 */
export function observeArrival(profile: ArrivalProfile, at: number, rate: number | undefined, weight: number): { profile: ArrivalProfile; closed?: ClosedSlot } {
    const n = slotOf(profile, at);
    const open = profile.open;
    let p = profile;
    let closed: ClosedSlot | undefined;
    if (open && open.slot !== n) {
        closed = { start: open.slot * profile.slotSeconds * 1000, rate: open.sum / open.count };
        p = foldSlot(profile, closed, weight);
    }
    const current = open && open.slot === n ? open : undefined;
    const next = rate === undefined || !Number.isFinite(rate)
        ? current
        : { slot: n, sum: (current?.sum ?? 0) + Math.max(0, rate), count: (current?.count ?? 0) + 1 };
    const { open: _dropped, ...rest } = p;
    return { profile: next ? { ...rest, open: next } : rest, ...(closed ? { closed } : {}) };
}

/** Where a forecast comes from: the slot of the week, the slot of the day, or nowhere yet. */
export type ForecastSource = "weekly" | "daily";

/** The arrival rate forecast for time `at`, and where it comes from; undefined with too little history. */
export function forecastRate(profile: ArrivalProfile, at: number, minDays: number): { rate: number; source: ForecastSource } | undefined {
    const n = slotOf(profile, at);
    const week = profile.weekly[n % profile.weekly.length];
    if (week) return { rate: week.rate, source: "weekly" };
    const day = profile.daily[n % profile.daily.length];
    if (day && day.seen >= minDays) return { rate: day.rate, source: "daily" };
    return undefined;
}

/** Slots of the week the profile has seen (for /healthz). */
export function slotsLearned(profile: ArrivalProfile): { weekly: number; daily: number } {
    return { weekly: profile.weekly.filter(Boolean).length, daily: profile.daily.filter(Boolean).length };
}

/** The profile from closed slots read back, oldest first (slots outside the profile's grid are refused). */
export function profileFromSlots(slots: readonly ClosedSlot[], settings: Pick<ForecastSettings, "slotSeconds" | "weight">): ArrivalProfile {
    let p = emptyProfile(settings.slotSeconds);
    for (const s of [...slots].sort((a, b) => a.start - b.start)) {
        if (Number.isFinite(s.rate) && s.rate >= 0) p = foldSlot(p, s, settings.weight);
    }
    return p;
}
