/**
 * The queue autoscaler's decision rules as they were before they followed demand, kept unchanged so the
 * closed-loop benchmark can compare before and after (npm run bench:closed-loop). Not used at run time.
 *
 * Rules, in order:
 * 1. Bounds first. A desired count above max is brought down to max ("above_max"); one below min is
 *    brought up to min, or straight to what the backlog needs if that is more ("below_min"). Set by
 *    someone else or by a change of bounds, it is corrected whatever the cooldowns say.
 * 2. "workers" is the current desired count, so tasks already asked for are not asked for twice.
 *    "work" is the visible messages, plus the in-flight ones when countInFlight is set.
 * 3. Scale up when work > workers x scaleUpThreshold, straight to the count the backlog needs:
 *    need = ceil(work / scaleUpThreshold), so that work / workers <= scaleUpThreshold. From zero
 *    workers, any work scales up ("from_zero"); the scale-up cooldown does not hold that back, since
 *    with no worker nothing drains the queue. Otherwise, within the scale-up cooldown only a request
 *    for more than the last scale-up's target goes through (the earlier increase counts as done).
 * 4. Scale down when work < workers x scaleDownThreshold, by at most scaleDownStep and never below
 *    max(min, need). Blocked during the scale-down cooldown; a scale-up never is.
 * 5. Every result is within [min, max]; the reason code says which rule produced it.
 */
import type { DecisionSettings as RuntimeSettings, Direction, QueueObservation } from "../runtime/autoscaler/types";

/** The threshold settings these rules read. */
export type LegacySettings = Pick<RuntimeSettings, "minCapacity" | "maxCapacity" | "scaleUpCooldownMs" | "scaleDownCooldownMs" | "countInFlight">
    & { readonly scaleUpThreshold: number; readonly scaleDownThreshold: number; readonly scaleDownStep: number };
type DecisionSettings = LegacySettings;

export interface LegacyInput {
    readonly observation: Pick<QueueObservation, "visible" | "inFlight">;
    readonly counts: { readonly desired: number };
    readonly settings: LegacySettings;
    readonly last: {
        readonly scaleUp?: { readonly at: number; readonly to: number };
        readonly scaleDown?: { readonly at: number };
    };
    readonly now: number;
}
type DecisionInput = LegacyInput;

export interface Decision {
    readonly direction: Direction;
    readonly desired: number;
    readonly reason: { readonly code: string; readonly text: string };
}

/** Every reason code `decide` can return, for logs, metrics and dashboards. */
export const REASON_CODES = [
    "above_max",
    "below_min",
    "from_zero",
    "backlog_high",
    "at_max",
    "scale_up_cooldown",
    "idle",
    "backlog_low",
    "at_min",
    "backlog_floor",
    "scale_down_cooldown",
    "within_band",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** The work a decision counts: visible messages, plus in-flight ones when the settings say so. */
export function workOf(input: Pick<DecisionInput, "observation" | "settings">): number {
    const { visible, inFlight } = input.observation;
    return visible + (input.settings.countInFlight ? inFlight : 0);
}

/** Workers the backlog needs so that work / workers <= scaleUpThreshold (0 for no work). */
export function workersNeeded(work: number, scaleUpThreshold: number): number {
    return work <= 0 ? 0 : Math.ceil(work / scaleUpThreshold);
}

function clamp(n: number, s: DecisionSettings): number {
    return Math.min(s.maxCapacity, Math.max(s.minCapacity, n));
}

function result(direction: Direction, desired: number, code: ReasonCode, text: string): Decision {
    return { direction, desired, reason: { code, text } };
}

function seconds(ms: number): string {
    return `${Math.ceil(ms / 1000)}s`;
}

export function decideByThresholds(input: DecisionInput): Decision {
    const { counts, settings: s, last, now } = input;
    const current = counts.desired;
    const work = workOf(input);
    const need = workersNeeded(work, s.scaleUpThreshold);
    const workText = s.countInFlight
        ? `work ${work} (${input.observation.visible} visible + ${input.observation.inFlight} in flight)`
        : `${work} visible`;

    if (current > s.maxCapacity) {
        return result("down", s.maxCapacity, "above_max", `desired ${current} is above max ${s.maxCapacity}; set to max`);
    }
    if (current < s.minCapacity) {
        const to = clamp(need, s);
        const why = to > s.minCapacity ? `; ${workText} needs ${to}` : "";
        return result("up", to, "below_min", `desired ${current} is below min ${s.minCapacity}${why}`);
    }

    const upLimit = current * s.scaleUpThreshold;
    if (work > upLimit) {
        const to = clamp(need, s);
        if (to <= current) {
            return result("none", current, "at_max", `${workText} needs ${need} workers but desired ${current} is at max ${s.maxCapacity}`);
        }
        if (current === 0) {
            return result("up", to, "from_zero", `${workText} and no workers; scale from 0 to ${to}`);
        }
        const lastUp = last.scaleUp;
        if (lastUp && now - lastUp.at < s.scaleUpCooldownMs && to <= lastUp.to) {
            const left = s.scaleUpCooldownMs - (now - lastUp.at);
            return result("none", current, "scale_up_cooldown",
                `${workText} > ${current} x ${s.scaleUpThreshold} wants ${to}, not more than the last scale-up to ${lastUp.to}; cooldown ${seconds(left)} left`);
        }
        return result("up", to, "backlog_high", `${workText} > ${current} x ${s.scaleUpThreshold}; scale to ${to}`);
    }

    const downLimit = current * s.scaleDownThreshold;
    if (work < downLimit) {
        const floor = Math.max(s.minCapacity, need);
        const to = Math.max(current - s.scaleDownStep, floor);
        if (to >= current) {
            return current <= s.minCapacity
                ? result("none", current, "at_min", `${workText} < ${current} x ${s.scaleDownThreshold} but desired ${current} is at min ${s.minCapacity}`)
                : result("none", current, "backlog_floor", `${workText} < ${current} x ${s.scaleDownThreshold} but the backlog still needs ${need}`);
        }
        const lastDown = last.scaleDown;
        if (lastDown && now - lastDown.at < s.scaleDownCooldownMs) {
            const left = s.scaleDownCooldownMs - (now - lastDown.at);
            return result("none", current, "scale_down_cooldown",
                `${workText} < ${current} x ${s.scaleDownThreshold} wants ${to}; scale-down cooldown ${seconds(left)} left`);
        }
        return work === 0
            ? result("down", to, "idle", `no work; scale from ${current} to ${to}`)
            : result("down", to, "backlog_low", `${workText} < ${current} x ${s.scaleDownThreshold}; scale to ${to}`);
    }

    if (work === 0) {
        return result("none", current, "idle", `no work and desired ${current}`);
    }
    return result("none", current, "within_band",
        `${current} x ${s.scaleDownThreshold} <= ${workText} <= ${current} x ${s.scaleUpThreshold}`);
}
