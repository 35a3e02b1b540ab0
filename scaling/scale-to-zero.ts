/**
 * Scale-to-zero of a load-balanced ECS service, as pure data and decisions: the schedule rule, the
 * state metrics and their dimensions, the marks kept on the service, and what the idle check and the
 * wake handler do from what they observe. The runtime observes and acts (runtime/scale-to-zero/), the
 * component deploys (components/scale-to-zero.ts), config validates (config/): all three read this file.
 *
 * States, told apart by where the listener rule forwards and by the desired count:
 *   awake    rule -> service target group
 *   asleep   rule -> wake target group, desired 0 (bounds 0..0, so Application Auto Scaling adds nothing)
 *   waking   rule -> wake target group, desired > 0, no healthy target yet
 */
import { ecsResourceId } from "../aws/scaling-ids";
import { DEFAULT_ENGINE_PARAMS } from "./engine/params";

/** `rate(<n> <unit>)` as EventBridge takes it: singular unit for 1, plural otherwise (EventBridge user guide, rate expressions). */
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_SECONDS: Readonly<Record<string, number>> = { minute: 60, hour: 3600, day: 86400 };

/** Seconds between two runs of a `rate(...)` schedule, or the reason the expression is refused. */
export function ratePeriodSeconds(expression: string): { seconds: number } | { problem: string } {
    const m = RATE.exec(expression);
    if (!m) {
        return { problem: "must be rate(<n> minute|minutes|hour|hours|day|days), e.g. rate(1 minute); a cron() schedule has no fixed period to check the idle window against" };
    }
    const n = Number(m[1]);
    const unit = m[2].replace(/s$/, "");
    if (n < 1) return { problem: "must run at least once per period: the rate value must be >= 1" };
    if ((n === 1) !== (m[2] === unit)) {
        return { problem: `must use the singular unit for 1 and the plural otherwise (EventBridge refuses ${JSON.stringify(expression)})` };
    }
    return { seconds: n * UNIT_SECONDS[unit] };
}

/** The idle window must hold at least this many check periods, so one late or failed run cannot decide it. */
export const MIN_CHECKS_PER_IDLE_WINDOW = 2;

/** The ALB publishes RequestCount once a minute and nothing for a minute without requests (ELB user guide, CloudWatch metrics). */
export const REQUEST_COUNT_PERIOD_SECONDS = 60;

/** Metric names of the state the functions publish, in the stack's scale-to-zero namespace. */
export const STATE_METRICS = {
    status: "ServiceStatus",
    desiredCount: "ServiceDesiredCount",
    wakeLatency: "WakeLatencySeconds",
    idle: "IdleSeconds",
} as const;

export type ServiceStatus = "active" | "idle";

/** ECS service tags where the functions keep the times a window is measured from (epoch ms, decimal). */
export const MARK_TAGS = {
    wakeRequestedAt: "ecs-autoscaling:wake-requested-at",
    awakeSince: "ecs-autoscaling:awake-since",
    asleepSince: "ecs-autoscaling:asleep-since",
    /** Left at each sleep, so a manual wake (runtime/scale-to-zero/manual-wake.ts) knows what the functions know from their settings. */
    wakeCapacity: "ecs-autoscaling:wake-capacity",
    awakeMinCapacity: "ecs-autoscaling:awake-min-capacity",
    awakeMaxCapacity: "ecs-autoscaling:awake-max-capacity",
} as const;

export interface Marks {
    readonly wakeRequestedAt?: number;
    readonly awakeSince?: number;
    readonly asleepSince?: number;
    readonly wakeCapacity?: number;
    readonly awakeMinCapacity?: number;
    readonly awakeMaxCapacity?: number;
}

/** Environment variables the component sets and the functions read: one list, so they cannot drift. */
export const SCALE_TO_ZERO_ENV = {
    cluster: "STZ_CLUSTER",
    service: "STZ_SERVICE",
    listenerRuleArn: "STZ_LISTENER_RULE_ARN",
    serviceTargetGroupArn: "STZ_SERVICE_TARGET_GROUP_ARN",
    wakeTargetGroupArn: "STZ_WAKE_TARGET_GROUP_ARN",
    loadBalancerDimension: "STZ_LOAD_BALANCER_DIMENSION",
    targetGroupDimension: "STZ_TARGET_GROUP_DIMENSION",
    idleSeconds: "STZ_IDLE_SECONDS",
    wakeCapacity: "STZ_WAKE_CAPACITY",
    minCapacity: "STZ_MIN_CAPACITY",
    maxCapacity: "STZ_MAX_CAPACITY",
    namespace: "STZ_NAMESPACE",
} as const;

/** The environment the component gives both functions (runtime/scale-to-zero/settings.ts reads it back). */
export function targetEnvironment(t: ScaleToZeroTarget): Record<string, string> {
    return Object.fromEntries(Object.entries(SCALE_TO_ZERO_ENV).map(([key, name]) => [name, String(t[key as keyof ScaleToZeroTarget])]));
}

/** What both functions need to know about their one service. */
export interface ScaleToZeroTarget {
    readonly cluster: string;
    readonly service: string;
    readonly listenerRuleArn: string;
    readonly serviceTargetGroupArn: string;
    readonly wakeTargetGroupArn: string;
    /** `app/<name>/<id>`: the LoadBalancer dimension of AWS/ApplicationELB. */
    readonly loadBalancerDimension: string;
    /** `targetgroup/<name>/<id>`: the TargetGroup dimension of the service's target group. */
    readonly targetGroupDimension: string;
    /** The idle window, seconds (idleMinutes x 60). */
    readonly idleSeconds: number;
    readonly wakeCapacity: number;
    /** The service's bounds while it is awake (its scaling plan). */
    readonly minCapacity: number;
    readonly maxCapacity: number;
    /** CloudWatch namespace of the state metrics. */
    readonly namespace: string;
}

/** `service/<cluster>/<service>`: the scalable target's resource ID. */
export function scalableResourceId(t: Pick<ScaleToZeroTarget, "cluster" | "service">): string {
    return ecsResourceId(t.cluster, t.service);
}

export interface Bounds {
    readonly min: number;
    readonly max: number;
}

/** What one run sees, read just before it decides. */
export interface Observation {
    /** Epoch ms. */
    readonly now: number;
    /** Where the listener rule forwards: the service's target group, the wake target group, or elsewhere. */
    readonly route: "service" | "wake" | "other";
    readonly desiredCount: number;
    /** Targets of the service's target group in state `healthy`. */
    readonly healthyTargets: number;
    /** The scalable target's bounds; undefined when the service has none registered. */
    readonly bounds?: Bounds;
    readonly marks: Marks;
}

/** One RequestCount datapoint (Sum over 60 s) of the service's target group. */
export interface RequestBucket {
    /** Epoch ms of the period's start. */
    readonly at: number;
    readonly value: number;
}

export type Action =
    | { readonly kind: "route"; readonly to: "service" | "wake" }
    | { readonly kind: "bounds"; readonly bounds: Bounds }
    | { readonly kind: "desired"; readonly count: number }
    | { readonly kind: "mark"; readonly marks: Marks };

export type Transition = "slept" | "woke" | "wake-requested" | "none";

export interface Decision {
    /** Applied in this order: the route first, so no request reaches a service that is being emptied. */
    readonly actions: readonly Action[];
    readonly transition: Transition;
    /** State after the actions. */
    readonly status: ServiceStatus;
    readonly desiredCount: number;
    /** Seconds from the wake request to the first healthy target, when this run switched the route back. */
    readonly wakeLatencySeconds?: number;
    /** Seconds without a request before this sleep, when this run put the service to sleep. */
    readonly idleSeconds?: number;
    /** Why, for the log. */
    readonly reason: string;
}

/** The bounds that stop Application Auto Scaling from adding tasks to a sleeping service. */
export const ASLEEP_BOUNDS: Bounds = { min: 0, max: 0 };

/** Bounds while a wake is under way: at least wakeCapacity, so no policy removes the tasks being started. */
export function wakingBounds(t: ScaleToZeroTarget): Bounds {
    return { min: Math.max(t.minCapacity, t.wakeCapacity), max: t.maxCapacity };
}

function sameBounds(a: Bounds | undefined, b: Bounds): boolean {
    return a !== undefined && a.min === b.min && a.max === b.max;
}

/** Bounds action only when the target exists and differs (idempotent: a second run changes nothing). */
function boundsAction(obs: Observation, to: Bounds): Action[] {
    return obs.bounds === undefined || sameBounds(obs.bounds, to) ? [] : [{ kind: "bounds", bounds: to }];
}

function switchBack(t: ScaleToZeroTarget, obs: Observation, who: string): Decision {
    const latency = obs.marks.wakeRequestedAt !== undefined && obs.marks.wakeRequestedAt <= obs.now
        ? (obs.now - obs.marks.wakeRequestedAt) / 1000 : undefined;
    return {
        actions: [
            { kind: "route", to: "service" },
            ...boundsAction(obs, { min: t.minCapacity, max: t.maxCapacity }),
            { kind: "mark", marks: { awakeSince: obs.now } },
        ],
        transition: "woke",
        status: "active",
        desiredCount: obs.desiredCount,
        ...(latency !== undefined ? { wakeLatencySeconds: latency } : {}),
        reason: `${obs.healthyTargets} healthy target(s) in the service's target group (seen by the ${who}); the rule forwards to the service again`,
    };
}

function sleep(t: ScaleToZeroTarget, obs: Observation, reason: string, idleSeconds?: number): Decision {
    return {
        actions: [
            { kind: "route", to: "wake" },
            ...boundsAction(obs, ASLEEP_BOUNDS),
            ...(obs.desiredCount !== 0 ? [{ kind: "desired" as const, count: 0 }] : []),
            { kind: "mark", marks: { asleepSince: obs.now, wakeCapacity: t.wakeCapacity, awakeMinCapacity: t.minCapacity, awakeMaxCapacity: t.maxCapacity } },
        ],
        transition: "slept",
        status: "idle",
        desiredCount: 0,
        ...(idleSeconds !== undefined ? { idleSeconds } : {}),
        reason,
    };
}

function stay(obs: Observation, status: ServiceStatus, reason: string, actions: Action[] = []): Decision {
    return { actions, transition: "none", status, desiredCount: obs.desiredCount, reason };
}

/**
 * How late RequestCount datapoints may arrive: the publication delay the simulator's engine assumes
 * for one-minute metrics (scaling/engine/params.ts, one fact in one place). The idle window is judged
 * up to now minus this, so minutes whose requests may not have been published yet never count as idle.
 */
export const REQUEST_COUNT_DELAY_SECONDS = DEFAULT_ENGINE_PARAMS.publicationDelaySeconds;

/** How far back the idle check reads RequestCount: the idle window and the delay, and at least an hour, so IdleSeconds can say more than "the window". */
export function requestLookbackSeconds(t: Pick<ScaleToZeroTarget, "idleSeconds">): number {
    return Math.max(t.idleSeconds + REQUEST_COUNT_DELAY_SECONDS, 3600);
}

/**
 * Seconds since the last request the buckets show (the end of the last non-zero period), capped at
 * the lookback the buckets cover; 0 when the current period has requests.
 */
export function secondsWithoutRequests(buckets: readonly RequestBucket[], now: number, lookbackSeconds: number): number {
    const busy = buckets.filter((b) => b.value > 0).map((b) => b.at + REQUEST_COUNT_PERIOD_SECONDS * 1000);
    if (busy.length === 0) return lookbackSeconds;
    return Math.max(0, Math.min(lookbackSeconds, (now - Math.max(...busy)) / 1000));
}

/**
 * The idle check, every scheduled run. `requests` are the service target group's RequestCount sums
 * over at least the idle window before `obs.now`; a missing minute is a minute without requests.
 */
export function decideIdleCheck(t: ScaleToZeroTarget, obs: Observation, requests: readonly RequestBucket[]): Decision {
    if (obs.route === "other") {
        return stay(obs, obs.desiredCount > 0 ? "active" : "idle", "the listener rule forwards to neither the service's nor the wake target group; nothing is changed");
    }
    if (obs.route === "wake") {
        if (obs.desiredCount > 0 && obs.healthyTargets > 0) return switchBack(t, obs, "idle check");
        if (obs.desiredCount > 0) return stay(obs, "idle", `waking: ${obs.desiredCount} task(s) asked for, no healthy target yet`);
        // Asleep. Bounds back to 0..0 if something (a `pulumi up` that changed them) reset them.
        return stay(obs, "idle", "asleep", boundsAction(obs, ASLEEP_BOUNDS));
    }
    // Routed to the service.
    if (obs.desiredCount === 0 && obs.healthyTargets === 0) {
        // No task and nothing to serve with (a new service created at 0, a route or bounds reset by
        // `pulumi up`, a policy that scaled in to 0): sleep at once, so the next caller wakes it.
        return sleep(t, obs, "routed to the service, which has no task: back to the wake route");
    }
    // Idle means no request in the idle window that ends REQUEST_COUNT_DELAY_SECONDS ago, nor in any
    // minute after it that has been published already.
    const windowMs = (t.idleSeconds + REQUEST_COUNT_DELAY_SECONDS) * 1000;
    if (obs.marks.awakeSince !== undefined && obs.now - obs.marks.awakeSince < windowMs) {
        return stay(obs, "active", `woke ${Math.round((obs.now - obs.marks.awakeSince) / 1000)} s ago, less than the ${t.idleSeconds} s idle window and the ${REQUEST_COUNT_DELAY_SECONDS} s RequestCount may arrive late`);
    }
    const windowStart = obs.now - windowMs;
    const inWindow = requests.filter((b) => b.at + REQUEST_COUNT_PERIOD_SECONDS * 1000 > windowStart && b.at <= obs.now);
    const total = inWindow.reduce((sum, b) => sum + b.value, 0);
    if (total > 0) return stay(obs, "active", `${total} request(s) in the last ${t.idleSeconds} s (+${REQUEST_COUNT_DELAY_SECONDS} s publication delay)`);
    return sleep(t, obs, `no request in the last ${t.idleSeconds} s (+${REQUEST_COUNT_DELAY_SECONDS} s publication delay)`, Math.round(secondsWithoutRequests(requests, obs.now, requestLookbackSeconds(t))));
}

/**
 * The wake handler, on every request the ALB sends while the rule points at it. Anything about the
 * request itself is ignored: an anonymous caller can only cause this one service's wake.
 */
export function decideWake(t: ScaleToZeroTarget, obs: Observation): Decision {
    if (obs.route === "service") return stay(obs, "active", "already awake; the next request goes to the service");
    if (obs.route === "other") return stay(obs, "idle", "the listener rule forwards to neither the service's nor the wake target group; nothing is changed");
    if (obs.desiredCount > 0 && obs.healthyTargets > 0) return switchBack(t, obs, "wake handler");
    if (obs.desiredCount >= t.wakeCapacity) return stay(obs, "idle", `waking: ${obs.desiredCount} task(s) asked for, no healthy target yet`);
    return {
        actions: [
            ...boundsAction(obs, wakingBounds(t)),
            { kind: "desired", count: t.wakeCapacity },
            { kind: "mark", marks: { wakeRequestedAt: obs.now } },
        ],
        transition: "wake-requested",
        status: "idle",
        desiredCount: t.wakeCapacity,
        reason: `asleep (desired ${obs.desiredCount}); asking for ${t.wakeCapacity} task(s)`,
    };
}

/** The numeric value of ServiceStatus: 1 active, 0 idle (as the seed's dashboard reads it). */
export function statusValue(status: ServiceStatus): number {
    return status === "active" ? 1 : 0;
}
