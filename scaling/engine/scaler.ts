/**
 * Application Auto Scaling for one scalable target (an ECS service's desired count): CloudWatch alarms
 * evaluated on their cadence, each policy's proposal, the cooldown rules and the arbitration between
 * policies. Pure: metric samples and the service's counts go in, alarm transitions and at most one
 * scaling activity per instant come out; the caller owns the clock.
 */
import { AlarmDefinition, AlarmState, evaluateAlarm } from "./alarm";
import { type DatapointSource, MetricPipeline, RatioSource } from "./metrics";
import { EngineParams, evaluationInterval, publicationDelay } from "./params";
import { type EnginePolicy, type MetricRatioRef, type MetricRef, type Proposal, type TargetTrackingEnginePolicy, fmt, policyProposals } from "./policies";
import { EngineScheduledAction, boundsAfter, scheduledFirings } from "./scheduled";
import { type PredictiveEnginePolicy, type PredictiveFloor, PredictiveForecaster, predictiveBounds } from "./predictive";

export type { EnginePolicy, MetricRatioRef, MetricRef, StepEnginePolicy, TargetTrackingEnginePolicy } from "./policies";

export interface EngineTarget {
    /** `service/<cluster>/<service>`. */
    readonly resourceId: string;
    readonly minCapacity: number;
    readonly maxCapacity: number;
    readonly policies: readonly EnginePolicy[];
    /** Scheduled changes of the bounds (scheduled.ts); none when absent. */
    readonly scheduledActions?: readonly EngineScheduledAction[];
    /** Wall-clock epoch ms of engine time 0, for schedules and forecast hours; default 0 (1970-01-01T00:00:00Z). */
    readonly epochMs?: number;
    /** Predictive scaling policies (predictive.ts); none when absent. */
    readonly predictive?: readonly PredictiveEnginePolicy[];
}

export interface AlarmTransition {
    readonly at: number;
    readonly alarm: string;
    readonly from: AlarmState;
    readonly to: AlarmState;
    /** The datapoints evaluated, oldest first (null: missing), for SetAlarmState's reason. */
    readonly datapoints: readonly (number | null)[];
}

export interface ScalingActivity {
    readonly at: number;
    readonly policy: string;
    readonly alarm: string;
    readonly direction: "out" | "in";
    readonly oldDesired: number;
    readonly newDesired: number;
    /** In Application Auto Scaling's words: "monitor alarm ... in state ALARM triggered policy ...". */
    readonly cause: string;
}

export interface TickResult {
    readonly transitions: readonly AlarmTransition[];
    readonly activity?: ScalingActivity;
    /** Whether any alarm was evaluated at this instant. */
    readonly evaluated: boolean;
}

export interface ServiceView {
    readonly desired: number;
    readonly running: number;
    /** ECS suspends scale-in while a deployment is in progress [E1]. */
    readonly deploymentInProgress?: boolean;
}

interface AlarmRuntime {
    readonly def: AlarmDefinition;
    readonly pipeline: DatapointSource;
    readonly interval: number;
    nextEvalAt: number;
    state: AlarmState;
    lastValues: number[];
    evaluatedAt: number;
}

export class AwsScalingEngine {
    private readonly pipelines = new Map<string, MetricPipeline[]>();
    private readonly alarms = new Map<string, AlarmRuntime>();
    private lastScaleOut?: { at: number; from: number; to: number };
    private lastScaleIn?: { at: number };
    /** The target's current bounds: the registered ones until a scheduled action changes them. */
    private readonly bounds: { min: number; max: number };
    private scheduledUpTo: number;
    readonly forecasters: readonly PredictiveForecaster[];
    /** The predictive floors of the last tick, one per forecaster. */
    private floors: (PredictiveFloor | undefined)[] = [];

    constructor(readonly target: EngineTarget, readonly params: EngineParams, startAt = 0) {
        if (target.minCapacity > target.maxCapacity) {
            throw new Error(`minCapacity (${target.minCapacity}) should be lower than maxCapacity (${target.maxCapacity})`);
        }
        this.bounds = { min: target.minCapacity, max: target.maxCapacity };
        this.scheduledUpTo = startAt - 1;
        for (const policy of target.policies) {
            const defs = policy.kind === "step" ? [policy.alarm] : [policy.alarms.high, policy.alarms.low];
            for (const def of defs) this.addAlarm(def, policy.metric, startAt);
        }
        this.forecasters = (target.predictive ?? []).map((p) => new PredictiveForecaster(p, target.epochMs ?? 0));
    }

    private pipelineFor(def: AlarmDefinition, metric: MetricRef): MetricPipeline {
        const delay = publicationDelay(def.period, this.params);
        const list = this.pipelines.get(metric.id) ?? [];
        let pipeline = list.find((p) => p.period === def.period && p.statistic === metric.statistic && p.delaySeconds === delay);
        if (!pipeline) {
            pipeline = new MetricPipeline(def.period, metric.statistic, delay, Math.max(64, (def.evaluationPeriods + this.params.evaluationRangeExtraPeriods) * 2));
            list.push(pipeline);
            this.pipelines.set(metric.id, list);
        }
        return pipeline;
    }

    private addAlarm(def: AlarmDefinition, metric: MetricRef | MetricRatioRef, startAt: number): void {
        const pipeline = "numerator" in metric
            ? new RatioSource(this.pipelineFor(def, metric.numerator), this.pipelineFor(def, metric.denominator))
            : this.pipelineFor(def, metric);
        const interval = evaluationInterval(def.period, this.params);
        // A new alarm starts in INSUFFICIENT_DATA [C6].
        this.alarms.set(def.name, {
            def, pipeline, interval, nextEvalAt: Math.ceil(startAt / interval) * interval,
            state: "INSUFFICIENT_DATA", lastValues: [], evaluatedAt: -Infinity,
        });
    }

    /** One sample of the raw signal `metricId` at time `t` (seconds). */
    observe(metricId: string, t: number, value: number, count = 1): void {
        const list = this.pipelines.get(metricId);
        if (list) for (const p of list) p.add(t, value, count);
        for (const f of this.forecasters) if (f.policy.loadMetricId === metricId) f.observe(t, value);
    }

    /** Ids of the signals the alarms and the forecasts read. */
    metricIds(): string[] {
        return [...new Set([...this.pipelines.keys(), ...this.forecasters.map((f) => f.policy.loadMetricId)])];
    }

    alarmState(name: string): AlarmState | undefined {
        return this.alarms.get(name)?.state;
    }

    /** Overrides an alarm's state (the emulator keeps it in step with the endpoint's). */
    setAlarmState(name: string, state: AlarmState): void {
        const a = this.alarms.get(name);
        if (a) a.state = state;
    }

    /** The target's current minimum and maximum (scheduled actions change them). */
    capacityBounds(): { readonly min: number; readonly max: number } {
        return { ...this.bounds };
    }

    /** Sets the target's minimum and maximum, as a scheduled action run outside the engine (the emulator) does. */
    setCapacityBounds(min: number, max: number): void {
        if (min > max) throw new Error(`minCapacity (${min}) should be lower than maxCapacity (${max})`);
        this.bounds.min = min;
        this.bounds.max = max;
    }

    /** The bounds the policies act within: the target's, raised by the predictive floors of the last tick. */
    effectiveBounds(): { readonly min: number; readonly max: number } {
        return this.forecasters.reduce((b, f, i) => predictiveBounds(b, f.policy, this.floors[i]), { ...this.bounds });
    }

    /**
     * The predictive floors at `now`; with ForecastAndScale a desired count below the largest floor is
     * raised to it ("predictive scaling will increase the capacity" [P1]), never lowered.
     */
    private runPredictive(now: number, desired: number): ScalingActivity | undefined {
        if (this.forecasters.length === 0) return undefined;
        this.floors = this.forecasters.map((f) => f.floorAt(now));
        const to = this.effectiveBounds().min;
        if (to <= desired) return undefined;
        const i = this.forecasters.findIndex((f, k) => predictiveBounds(this.bounds, f.policy, this.floors[k]).min === to);
        const f = this.forecasters[i]!;
        const floor = this.floors[i]!;
        return {
            at: now, policy: f.policy.name, alarm: "", direction: "out", oldDesired: desired, newDesired: to,
            cause: `predictive scaling policy ${f.policy.name} forecast load ${fmt(floor.forecastLoad)} for the hour from ${new Date(floor.hourStartMs).toISOString()}, ` +
                `capacity ${floor.forecastCapacity}, changing the desired capacity from ${desired} to ${to}`,
        };
    }

    /**
     * Runs the scheduled actions due by `now`: each sets the bounds, and desired outside them is brought
     * to the nearest bound. Scheduled actions are not subject to cooldowns [A1].
     */
    private runScheduled(now: number, desired: number): ScalingActivity | undefined {
        const actions = this.target.scheduledActions ?? [];
        if (actions.length === 0 || now <= this.scheduledUpTo) return undefined;
        const firings = scheduledFirings(actions, this.target.epochMs ?? 0, this.scheduledUpTo, now);
        this.scheduledUpTo = now;
        let last: { name: string; at: number } | undefined;
        for (const f of firings) {
            const next = boundsAfter(this.bounds, f.action);
            if (!next) continue;
            this.bounds.min = next.min;
            this.bounds.max = next.max;
            last = { name: f.action.name, at: f.at };
        }
        if (!last) return undefined;
        const to = Math.min(this.bounds.max, Math.max(this.bounds.min, desired));
        if (to === desired) return undefined;
        const direction = to > desired ? "out" : "in";
        return {
            at: now, policy: last.name, alarm: "", direction, oldDesired: desired, newDesired: to,
            cause: `scheduled action ${last.name} set min ${this.bounds.min} and max ${this.bounds.max}, changing the desired capacity from ${desired} to ${to}`,
        };
    }

    /** Evaluates the alarms due at `now` and applies the policies' decisions to `service`. */
    tick(now: number, service: ServiceView): TickResult {
        const scheduled = this.runScheduled(now, service.desired);
        // A forecast floor above what the schedule left wins: the largest capacity wins [A1, A7].
        const predicted = this.runPredictive(now, scheduled?.newDesired ?? service.desired);
        const first = predicted ? { ...predicted, oldDesired: service.desired } : scheduled;
        // A scheduled or predictive activity takes this instant; the policies act again at their next evaluation.
        const result = this.evaluate(now, service, first === undefined);
        return first ? { transitions: result.transitions, activity: first, evaluated: result.evaluated } : result;
    }

    private evaluate(now: number, service: ServiceView, decide: boolean): TickResult {
        const transitions: AlarmTransition[] = [];
        let evaluated = false;
        for (const a of this.alarms.values()) {
            if (a.nextEvalAt > now) continue;
            while (a.nextEvalAt <= now) a.nextEvalAt += a.interval;
            evaluated = true;
            const range = a.pipeline.datapoints(now, a.def.evaluationPeriods + this.params.evaluationRangeExtraPeriods);
            const next = evaluateAlarm(a.def, range, a.state);
            const points = range.slice(-a.def.evaluationPeriods);
            a.lastValues = range.filter((v): v is number => v !== undefined).slice(-a.def.evaluationPeriods);
            a.evaluatedAt = now;
            if (next !== a.state) {
                transitions.push({ at: now, alarm: a.def.name, from: a.state, to: next, datapoints: points.map((v) => v ?? null) });
                a.state = next;
            }
        }
        if (!evaluated || !decide) return { transitions, evaluated };
        const entered = new Set(transitions.filter((t) => t.to === "ALARM").map((t) => t.alarm));
        const activity = this.decide(now, service, entered);
        return activity ? { transitions, activity, evaluated } : { transitions, evaluated };
    }

    /** An alarm invokes its policy on entering ALARM, and again at each evaluation while in ALARM when refireWhileInAlarm [C1]. */
    private invoking(name: string, now: number, entered: Set<string>): AlarmRuntime | undefined {
        const a = this.alarms.get(name)!;
        if (a.state !== "ALARM" || a.evaluatedAt !== now) return undefined;
        return entered.has(name) || this.params.refireWhileInAlarm ? a : undefined;
    }

    private decide(now: number, service: ServiceView, entered: Set<string>): ScalingActivity | undefined {
        const { min, max } = this.effectiveBounds();
        const desired = service.desired;
        const invoking = (name: string) => this.invoking(name, now, entered);
        const all = policyProposals(this.target.policies, now, service.running, invoking, this.params, this.lastScaleOut);
        const clamp = (n: number) => Math.min(max, Math.max(min, n));

        // Scale out if any policy says so; the largest capacity wins [A1, A7].
        const outs = all.filter((p) => p.direction === "out")
            .map((p) => ({ ...p, capacity: clamp(p.capacity) }))
            .filter((p) => p.capacity > desired)
            .filter((p) => this.scaleOutAllowed(p, now));
        if (outs.length > 0) {
            const best = outs.reduce((a, b) => (b.capacity > a.capacity ? b : a));
            this.lastScaleOut = { at: now, from: Math.min(desired, service.running), to: best.capacity };
            // A scale-out during the scale-in cooldown ends that cooldown [A1].
            this.lastScaleIn = undefined;
            return this.activity(now, best, desired);
        }

        if (service.deploymentInProgress) return undefined;
        // Target tracking scales in only if every target-tracking policy with scale-in enabled is ready
        // to [A1, E2]; a step policy's scale-in is not held back by them [A1].
        const ttVoters = this.target.policies.filter((p): p is TargetTrackingEnginePolicy => p.kind === "targetTracking" && !p.disableScaleIn);
        const ttAgree = ttVoters.every((p) => this.alarms.get(p.alarms.low.name)!.state === "ALARM");
        const ins = all.filter((p) => p.direction === "in")
            .filter((p) => p.policy.kind === "step" || ttAgree)
            .filter(() => desired > min)
            .map((p) => ({ ...p, capacity: clamp(p.capacity) }))
            .filter((p) => p.capacity < desired)
            .filter((p) => this.scaleInAllowed(p, now));
        if (ins.length === 0) return undefined;
        // Among scale-ins too, the one leaving the largest capacity wins [A7].
        const best = ins.reduce((a, b) => (b.capacity > a.capacity ? b : a));
        this.lastScaleIn = { at: now };
        return this.activity(now, best, desired);
    }

    private cooldowns(policy: EnginePolicy): { out: number; in: number } {
        return policy.kind === "targetTracking"
            ? { out: policy.scaleOutCooldown, in: policy.scaleInCooldown }
            : { out: policy.config.cooldown, in: policy.config.cooldown };
    }

    /**
     * Within the scale-out cooldown the capacity the last scale-out added counts as done: only a larger
     * scale-out goes through [A1, A2].
     */
    private scaleOutAllowed(p: Proposal, now: number): boolean {
        const last = this.lastScaleOut;
        if (!last || now - last.at >= this.cooldowns(p.policy).out) return true;
        return p.capacity > last.to;
    }

    /** Scale-ins are blocked until the scale-in cooldown has expired [A1]. */
    private scaleInAllowed(p: Proposal, now: number): boolean {
        const last = this.lastScaleIn;
        return !last || now - last.at >= this.cooldowns(p.policy).in;
    }

    private activity(now: number, p: Proposal, desired: number): ScalingActivity {
        return {
            at: now, policy: p.policy.name, alarm: p.alarm, direction: p.direction, oldDesired: desired, newDesired: p.capacity,
            cause: `monitor alarm ${p.alarm} in state ALARM triggered policy ${p.policy.name} changing the desired capacity from ${desired} to ${p.capacity} (${p.why})`,
        };
    }
}
