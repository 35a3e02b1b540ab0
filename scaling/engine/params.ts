/**
 * Every AWS behaviour the engine needs but AWS does not publish, as a parameter with its default and
 * the evidence for it. Source keys ([C5], [I-2113], ...) are those of shared/reference/scaling-semantics.md
 * section 0; (U) marks a value resting on observation, a third party or calibration, not on AWS text.
 */

export interface AlarmShape {
    /** Alarm period, seconds. */
    readonly period: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
}

export interface EngineParams {
    /**
     * Seconds from the end of a 1-minute CloudWatch bucket until an alarm can see it. (U): AWS publishes
     * no figure; a third party measures "about 2 minutes" for 1-minute metrics [C5]. 180 s reproduces AWS's
     * own benchmark for standard ECS metrics, 363 s from load change to the scale-out trigger [I-2113]:
     * 3 datapoints of 60 s + 180 s.
     */
    readonly publicationDelaySeconds: number;
    /**
     * The same delay for high-resolution (sub-minute) metrics. (U): calibrated to AWS's 86 s trigger with
     * 20-s ECS metrics [I-2113]: 3 datapoints of 20 s + 20 s.
     */
    readonly highResolutionPublicationDelaySeconds: number;
    /**
     * How often an alarm with a period of at least 60 s is evaluated. (U): not stated verbatim by AWS
     * (shared reference section 3); once a minute is the common reading.
     */
    readonly standardEvaluationIntervalSeconds: number;
    /** Alarms with a 10, 20 or 30 s period are evaluated every 10 s ("If the alarm period is 10 seconds or 30 seconds, the alarm is evaluated every 10 seconds" [C4]). */
    readonly highResolutionEvaluationIntervalSeconds: number;
    /**
     * Periods CloudWatch reads beyond an alarm's N to decide what missing data means (the "evaluation
     * range" is larger than N [C1]; how much larger is not stated). (U)
     */
    readonly evaluationRangeExtraPeriods: number;
    /** Target tracking AlarmHigh: 60 s, 3 of 3 (OBSERVED in exported alarms [X1, X2, I-1208]; (U)). */
    readonly targetTrackingScaleOut: AlarmShape;
    /** Target tracking AlarmLow: 60 s, 15 of 15 [X1, X2, I-1208]; (U). */
    readonly targetTrackingScaleIn: AlarmShape;
    /** AlarmLow threshold = this x target: 0.9 (70 -> 63 [X1, X3], 30 -> 27 [X2]); AWS says "usually more than 10% lower" [A1]. (U) */
    readonly targetTrackingScaleInRatio: number;
    /** High-resolution ECS predefined metrics: 20-s periods [A9, E4]; M of N unknown, 3 of 3 assumed (U). */
    readonly highResolutionScaleOut: AlarmShape;
    readonly highResolutionScaleIn: AlarmShape;
    /**
     * Which of the alarm's datapoints the target-tracking capacity formula reads: the latest, or the
     * average of those evaluated. Undocumented [shared reference 1.2]; (U).
     */
    readonly targetTrackingMetricValue: "latest" | "average";
    /**
     * Rounding of the scale-in capacity running x metric / target. The shared reference's default reads
     * AWS's "rounding up or down" as floor (9.4); ceil removes fewer tasks and does not push the metric
     * back over the target. Undocumented; (U).
     */
    readonly targetTrackingScaleInRounding: "floor" | "ceil";
    /**
     * Most tasks one target-tracking scale-in may remove (undefined: no cap). AWS keeps this internal
     * [I-2299]; (U).
     */
    readonly targetTrackingMaxScaleInStep?: number;
    /**
     * An alarm in ALARM invokes its scaling policy again every evaluation, not only on entry. CloudWatch
     * documents this for Auto Scaling actions [C1]; that Application Auto Scaling alarms behave so is (U).
     */
    readonly refireWhileInAlarm: boolean;
    /**
     * Seconds from a desired-count increase until a new Fargate task is RUNNING and counts in the
     * metric: "30-45 seconds or longer" [E10], "about 30 seconds" [E11]; image pull dominates [E12]. (U)
     */
    readonly taskStartSeconds: number;
    /** Tasks the ECS scheduler starts per minute and service on Fargate: 500 [E5]. */
    readonly launchRatePerMinute: number;
    /**
     * Cooldowns run from when an activity completes [A7, A8]; for ECS "complete" is taken as the moment
     * the desired count is set (U, shared reference 1.4).
     */
    readonly cooldownFrom: "desiredSet";
}

export const DEFAULT_ENGINE_PARAMS: EngineParams = Object.freeze({
    publicationDelaySeconds: 180,
    highResolutionPublicationDelaySeconds: 20,
    standardEvaluationIntervalSeconds: 60,
    highResolutionEvaluationIntervalSeconds: 10,
    evaluationRangeExtraPeriods: 2,
    targetTrackingScaleOut: Object.freeze({ period: 60, evaluationPeriods: 3, datapointsToAlarm: 3 }),
    targetTrackingScaleIn: Object.freeze({ period: 60, evaluationPeriods: 15, datapointsToAlarm: 15 }),
    targetTrackingScaleInRatio: 0.9,
    highResolutionScaleOut: Object.freeze({ period: 20, evaluationPeriods: 3, datapointsToAlarm: 3 }),
    highResolutionScaleIn: Object.freeze({ period: 20, evaluationPeriods: 15, datapointsToAlarm: 15 }),
    targetTrackingMetricValue: "latest",
    targetTrackingScaleInRounding: "floor",
    targetTrackingMaxScaleInStep: undefined,
    refireWhileInAlarm: true,
    taskStartSeconds: 30,
    launchRatePerMinute: 500,
    cooldownFrom: "desiredSet",
});

/** Defaults with some values replaced. */
export function engineParams(overrides: Partial<EngineParams> = {}): EngineParams {
    return { ...DEFAULT_ENGINE_PARAMS, ...overrides };
}

/** How often CloudWatch evaluates an alarm of this period [C4]. */
export function evaluationInterval(period: number, p: EngineParams): number {
    return period < 60 ? p.highResolutionEvaluationIntervalSeconds : p.standardEvaluationIntervalSeconds;
}

/** The publication delay of a metric read at this period. */
export function publicationDelay(period: number, p: EngineParams): number {
    return period < 60 ? p.highResolutionPublicationDelaySeconds : p.publicationDelaySeconds;
}
