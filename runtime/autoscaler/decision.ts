/**
 * The decision engine: a pure function of one queue reading, the service's counts, the settings, what
 * the autoscaler last did and the time. No I/O, no clock of its own.
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
 * 4. Scale down when work < workers x scaleDownThreshold (with a threshold of 0: when there is no
 *    work at all), by at most scaleDownStep and never below max(min, need). Never below 1 while a
 *    message is in flight, whether or not countInFlight is set: the last busy worker is not stopped.
 *    Blocked during the scale-down cooldown, and while an ECS deployment of the service is in progress
 *    (Application Auto Scaling turns scale-in off during deployments too; reference
 *    scaling-semantics.md 1.3). A scale-up is never blocked by either.
 * 5. Every result is within [min, max]; the reason code says which rule produced it.
 */
import type { Decision, DecisionInput, DecisionSettings, Direction } from "./types";

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
    "in_flight",
    "deployment_in_progress",
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

export function decide(input: DecisionInput): Decision {
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
    // Threshold 0 means "when the queue is empty": work < 0 could never hold.
    if (work < downLimit || (s.scaleDownThreshold === 0 && work === 0 && current > 0)) {
        const below = s.scaleDownThreshold === 0 ? "no work" : `${workText} < ${current} x ${s.scaleDownThreshold}`;
        const inFlight = input.observation.inFlight;
        const floor = Math.max(s.minCapacity, need, inFlight > 0 ? 1 : 0);
        const to = Math.max(current - s.scaleDownStep, floor);
        if (to >= current) {
            if (current <= s.minCapacity) {
                return result("none", current, "at_min", `${below} but desired ${current} is at min ${s.minCapacity}`);
            }
            return need >= current
                ? result("none", current, "backlog_floor", `${below} but the backlog still needs ${need}`)
                : result("none", current, "in_flight", `${below} but ${inFlight} messages are in flight; the last busy worker stays`);
        }
        if (counts.deploymentInProgress) {
            return result("none", current, "deployment_in_progress", `${below} wants ${to}; no scale-in while a deployment of the service is in progress`);
        }
        const lastDown = last.scaleDown;
        if (lastDown && now - lastDown.at < s.scaleDownCooldownMs) {
            const left = s.scaleDownCooldownMs - (now - lastDown.at);
            return result("none", current, "scale_down_cooldown", `${below} wants ${to}; scale-down cooldown ${seconds(left)} left`);
        }
        return work === 0
            ? result("down", to, "idle", `no work; scale from ${current} to ${to}`)
            : result("down", to, "backlog_low", `${below}; scale to ${to}`);
    }

    if (work === 0) {
        return result("none", current, "idle", `no work and desired ${current}`);
    }
    return result("none", current, "within_band",
        `${current} x ${s.scaleDownThreshold} <= ${workText} <= ${current} x ${s.scaleUpThreshold}`);
}
