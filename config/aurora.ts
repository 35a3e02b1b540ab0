/**
 * The validated Aurora config: cross-field rules of the `aurora` key (instance classes offered for the
 * engine, Serverless v2 capacity steps, replica bounds) and the plans built from it, the reader-count
 * scaling plan and the write-rate alarm. Called by loadStackConfig; every problem names the key, the
 * value and the rule.
 */
import { AuroraInput } from "./schema";
import {
    ACU_STEP, AURORA_POSTGRESQL_CLASSES, AURORA_POSTGRESQL_ENGINE, AUTO_PAUSE_SECONDS, AUTO_PAUSE_VERSIONS, MAX_ACU,
    ReplicaScalingPlan, WriteRateAlarmPlan, isAuroraPostgresqlClass, supportsAutoPause, writerWriteIopsSeries,
} from "../scaling/aurora";

export interface AuroraNames {
    /** DB cluster identifier. */
    readonly cluster: string;
    /** The writer instance the stack creates. */
    readonly writer: string;
    /** Reader instances the stack creates: `<readerPrefix><n>`, n from 1. */
    readonly readerPrefix: string;
    readonly subnetGroup: string;
    readonly writeAlarm: string;
    readonly scalerFunction: string;
    readonly scalerTopic: string;
}

export interface ClassScalerConfig {
    /** The writer's class at rest. */
    readonly smallClass: string;
    /** The writer's class under sustained write load. */
    readonly largeClass: string;
    readonly okSecondsBeforeScaleDown: number;
    readonly cooldownSeconds: number;
    readonly dryRun: boolean;
}

export type AuroraCapacity =
    | { readonly mode: "provisioned"; readonly instanceClass: string; readonly scaleUpInstanceClass: string }
    | { readonly mode: "serverlessV2"; readonly minCapacity: number; readonly maxCapacity: number; readonly secondsUntilAutoPause?: number };

export interface AuroraConfig {
    readonly names: AuroraNames;
    readonly engine: typeof AURORA_POSTGRESQL_ENGINE;
    readonly engineVersion: string;
    readonly databaseName: string;
    readonly masterUsername: string;
    readonly deletionProtection: boolean;
    readonly finalSnapshot: boolean;
    readonly backupRetentionDays: number;
    readonly readers: number;
    readonly capacity: AuroraCapacity;
    /** Undefined when readReplicaScaling.enabled is false. */
    readonly replicaScaling?: ReplicaScalingPlan;
    readonly writeAlarm: WriteRateAlarmPlan;
    /** Undefined in serverlessV2 mode or when classScaler.enabled is false. */
    readonly classScaler?: ClassScalerConfig;
}

export function auroraNames(prefix: string): AuroraNames {
    const cluster = `${prefix}-aurora`;
    return {
        cluster,
        writer: `${cluster}-writer`,
        readerPrefix: `${cluster}-reader-`,
        subnetGroup: `${cluster}-subnets`,
        writeAlarm: `${cluster}-write-rate`,
        scalerFunction: `${cluster}-class-scaler`,
        scalerTopic: `${cluster}-class-scaler`,
    };
}

/** Every broken rule of a parsed `aurora` value, as `aurora.<key>: <value> <rule>` sentences. */
export function auroraProblems(a: AuroraInput): string[] {
    const problems: string[] = [];
    const allowed = AURORA_POSTGRESQL_CLASSES.join(", ");
    if (a.mode === "provisioned") {
        for (const key of ["instanceClass", "scaleUpInstanceClass"] as const) {
            if (!isAuroraPostgresqlClass(a[key])) {
                problems.push(`aurora.${key}: "${a[key]}" is not offered for ${AURORA_POSTGRESQL_ENGINE}; allowed classes are ${allowed}`);
            }
        }
        if (a.classScaler.enabled && a.instanceClass === a.scaleUpInstanceClass) {
            problems.push(`aurora.scaleUpInstanceClass: "${a.scaleUpInstanceClass}" must differ from aurora.instanceClass ("${a.instanceClass}") while classScaler.enabled is true`);
        }
    } else {
        for (const key of ["minCapacity", "maxCapacity"] as const) {
            if (!Number.isInteger(a[key] / ACU_STEP)) problems.push(`aurora.${key}: ${a[key]} must be a multiple of ${ACU_STEP} ACU`);
        }
        if (a.maxCapacity > MAX_ACU) problems.push(`aurora.maxCapacity: ${a.maxCapacity} must be <= ${MAX_ACU} ACU`);
        if (a.maxCapacity < 1) problems.push(`aurora.maxCapacity: ${a.maxCapacity} must be >= 1 ACU (Serverless v2's smallest maximum)`);
        if (a.minCapacity > a.maxCapacity) problems.push(`aurora.minCapacity: ${a.minCapacity} must be <= aurora.maxCapacity (${a.maxCapacity})`);
        if (a.minCapacity === 0 && !supportsAutoPause(a.engineVersion)) {
            problems.push(`aurora.minCapacity: 0 needs auto-pause, which engineVersion "${a.engineVersion}" does not support (${AUTO_PAUSE_VERSIONS}); use 0.5 or a newer version`);
        }
        if (a.secondsUntilAutoPause !== undefined) {
            if (a.minCapacity !== 0) {
                problems.push(`aurora.secondsUntilAutoPause: ${a.secondsUntilAutoPause} applies only with aurora.minCapacity 0 (it is ${a.minCapacity})`);
            }
            if (a.secondsUntilAutoPause < AUTO_PAUSE_SECONDS.min || a.secondsUntilAutoPause > AUTO_PAUSE_SECONDS.max) {
                problems.push(`aurora.secondsUntilAutoPause: ${a.secondsUntilAutoPause} must be between ${AUTO_PAUSE_SECONDS.min} and ${AUTO_PAUSE_SECONDS.max} seconds`);
            }
        }
    }
    const rs = a.readReplicaScaling;
    if (rs.minCapacity > rs.maxCapacity) {
        problems.push(`aurora.readReplicaScaling.minCapacity: ${rs.minCapacity} must be <= readReplicaScaling.maxCapacity (${rs.maxCapacity})`);
    }
    if (rs.metric === "cpu" && rs.target > 100) {
        problems.push(`aurora.readReplicaScaling.target: ${rs.target} must be <= 100 with metric cpu (it is a percentage)`);
    }
    // CloudWatch PutMetricAlarm: Period x EvaluationPeriods <= 86,400 s for periods under an hour, else <= 604,800 s.
    const window = a.writeAlarm.periodSeconds < 3600 ? 86400 : 604800;
    if (a.writeAlarm.periodSeconds * a.writeAlarm.evaluationPeriods > window) {
        problems.push(`aurora.writeAlarm.evaluationPeriods: ${a.writeAlarm.evaluationPeriods} x periodSeconds ${a.writeAlarm.periodSeconds} exceeds CloudWatch's ${window} s evaluation window`);
    }
    return problems;
}

/** The AuroraConfig of a parsed `aurora` value that auroraProblems found valid. */
export function toAuroraConfig(a: AuroraInput, prefix: string): AuroraConfig {
    const names = auroraNames(prefix);
    const rs = a.readReplicaScaling;
    const replicaScaling: ReplicaScalingPlan | undefined = rs.enabled ? {
        minCapacity: rs.minCapacity,
        maxCapacity: rs.maxCapacity,
        policies: [{
            kind: "targetTracking",
            name: `readers-${rs.metric}`,
            metric: {
                type: "predefined",
                predefinedMetricType: rs.metric === "cpu" ? "RDSReaderAverageCPUUtilization" : "RDSReaderAverageDatabaseConnections",
            },
            targetValue: rs.target,
            cooldowns: { scaleOut: rs.scaleOutCooldown, scaleIn: rs.scaleInCooldown },
            disableScaleIn: false,
        }],
    } : undefined;
    const capacity: AuroraCapacity = a.mode === "provisioned"
        ? { mode: "provisioned", instanceClass: a.instanceClass, scaleUpInstanceClass: a.scaleUpInstanceClass }
        : { mode: "serverlessV2", minCapacity: a.minCapacity, maxCapacity: a.maxCapacity, ...(a.secondsUntilAutoPause !== undefined ? { secondsUntilAutoPause: a.secondsUntilAutoPause } : {}) };
    return {
        names,
        engine: AURORA_POSTGRESQL_ENGINE,
        engineVersion: a.engineVersion,
        databaseName: a.databaseName,
        masterUsername: a.masterUsername,
        deletionProtection: a.deletionProtection,
        finalSnapshot: a.finalSnapshot,
        backupRetentionDays: a.backupRetentionDays,
        readers: a.readers,
        capacity,
        replicaScaling,
        writeAlarm: {
            series: writerWriteIopsSeries(names.cluster),
            threshold: a.writeAlarm.threshold,
            comparisonOperator: "GreaterThanThreshold",
            period: a.writeAlarm.periodSeconds,
            evaluationPeriods: a.writeAlarm.evaluationPeriods,
            datapointsToAlarm: a.writeAlarm.evaluationPeriods,
            treatMissingData: "notBreaching",
        },
        classScaler: a.mode === "provisioned" && a.classScaler.enabled ? {
            smallClass: a.instanceClass,
            largeClass: a.scaleUpInstanceClass,
            okSecondsBeforeScaleDown: a.classScaler.okMinutesBeforeScaleDown * 60,
            cooldownSeconds: a.classScaler.cooldownMinutes * 60,
            dryRun: a.classScaler.dryRun,
        } : undefined,
    };
}
