/**
 * The `aurora` key: its schema, its cross-field rules (instance classes offered for the engine,
 * Serverless v2 capacity steps, replica bounds) and the validated config built from it, with the
 * reader-count scaling plan and the write-rate alarm. Every problem names the key, the value and the rule.
 */
import { z } from "zod";
import {
    AURORA_POSTGRESQL_MAJORS, AURORA_POSTGRESQL_VERSIONS, AURORA_POSTGRESQL_VERSIONS_SOURCE, auroraPostgresqlVersionsOf,
} from "../aws/aurora-engine-versions";
import { DEFAULT_COOLDOWN_SECONDS } from "../aws/defaults";
import {
    AURORA_ACU_STEP, AURORA_AUTO_PAUSE_SECONDS, AURORA_BACKUP_RETENTION_DAYS, AURORA_MAX_ACU, AURORA_MAX_REPLICAS, alarmEvaluationWindowSeconds,
} from "../aws/limits";
import type { AuroraCapacity, AuroraClusterPlan, AuroraNames } from "../scaling/aurora";
import { cooldown, nonNegativeInt, positiveInt, positiveTarget } from "./schema";
import {
    AURORA_POSTGRESQL_CLASSES, AURORA_POSTGRESQL_ENGINE, AUTO_PAUSE_VERSIONS,
    ReplicaScalingPlan, isAuroraPostgresqlClass, supportsAutoPause, writerWriteIopsSeries,
} from "../scaling/aurora";

/**
 * The schema of the key (components/aurora-cluster.ts deploys it). Instance classes, ACU steps and engine
 * versions are checked against the engine by auroraProblems (scaling/aurora.ts holds the tables).
 */
const replicaCount = z.number().int().min(0)
    .max(AURORA_MAX_REPLICAS, { error: `must be <= ${AURORA_MAX_REPLICAS} (Aurora allows at most ${AURORA_MAX_REPLICAS} replicas)` });

const auroraReadReplicaScaling = z.strictObject({
    /** Register the reader count with Application Auto Scaling. */
    enabled: z.boolean().default(true),
    /** Readers Application Auto Scaling keeps at least (Aurora: 0-15). */
    minCapacity: replicaCount.default(1),
    /** Readers Application Auto Scaling adds at most (Aurora: 0-15). */
    maxCapacity: replicaCount.default(5),
    /** cpu: RDSReaderAverageCPUUtilization (%); connections: RDSReaderAverageDatabaseConnections (per reader). */
    metric: z.enum(["cpu", "connections"]).default("cpu"),
    /** Target value of the metric: percent for cpu, connections per reader for connections. */
    target: positiveTarget.default(75),
    /** Seconds (AWS's default for Aurora). */
    scaleOutCooldown: cooldown.default(DEFAULT_COOLDOWN_SECONDS),
    /** Seconds (AWS's default for Aurora). */
    scaleInCooldown: cooldown.default(DEFAULT_COOLDOWN_SECONDS),
});

const auroraWriteAlarm = z.strictObject({
    /** Writes per second (WriteIOPS of the writer) the alarm must exceed. */
    threshold: z.number().gt(0, { error: "must be > 0" }).default(500),
    /** Alarm period, seconds: a multiple of 60 (WriteIOPS is published every minute). */
    periodSeconds: z.number().int().refine((p) => p > 0 && p % 60 === 0, { error: "must be a multiple of 60 seconds (WriteIOPS is a 1-minute metric)" }).default(300),
    /** Consecutive breaching periods before ALARM. */
    evaluationPeriods: positiveInt.default(2),
});

const auroraClassScaler = z.strictObject({
    /** Deploy the instance-class scaler (provisioned mode only). */
    enabled: z.boolean().default(true),
    /** Minutes the write alarm must have been OK before the writer goes back to the small class. */
    okMinutesBeforeScaleDown: positiveInt.default(30),
    /** Minutes after a finished class change before the next may start. */
    cooldownMinutes: nonNegativeInt.default(60),
    /** Decide and log every step, change nothing. */
    dryRun: z.boolean().default(false),
    /**
     * Reserve concurrency 1 for the scaler's function, so an SNS notification and a schedule tick never
     * run at once. Off by default: any reserved concurrency needs the account's Lambda concurrency quota
     * above the 100 Lambda keeps unreserved (Lambda developer guide, "Configuring reserved concurrency"),
     * which a new account's default does not allow, so the deployment would fail there.
     */
    reservedConcurrency: z.boolean().default(false),
});

const auroraCommon = {
    /**
     * Aurora PostgreSQL engine version, major.minor, one AWS offers (aws/aurora-engine-versions.ts). The
     * cluster ignores later changes to it: RDS applies minor upgrades itself.
     */
    engineVersion: z.string().regex(/^\d+\.\d+$/, { error: "must be an Aurora PostgreSQL version as major.minor, e.g. 16.4" }).default("16.4"),
    databaseName: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, { error: "must be lower-case letters, digits and _, starting with a letter, at most 63 characters" }).default("app"),
    /** The master user's name; its password is generated and kept by RDS in Secrets Manager. */
    masterUsername: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, { error: "must be lower-case letters, digits and _, starting with a letter, at most 63 characters" })
        .refine((u) => !["postgres", "rdsadmin", "admin"].includes(u), { error: "is reserved by Aurora PostgreSQL; choose another name" }).default("app_admin"),
    /** Refuse to delete the cluster (staging: true). */
    deletionProtection: z.boolean().default(true),
    /** Take a final snapshot when the cluster is deleted (staging: true). */
    finalSnapshot: z.boolean().default(true),
    /** Days of automated backups (RDS: 1-35). */
    backupRetentionDays: z.number().int().min(AURORA_BACKUP_RETENTION_DAYS.min).max(AURORA_BACKUP_RETENTION_DAYS.max).default(7),
    /** Readers created with the cluster; Application Auto Scaling adds and removes more. */
    readers: z.number().int().min(0).max(AURORA_MAX_REPLICAS).default(1),
    readReplicaScaling: auroraReadReplicaScaling.default(auroraReadReplicaScaling.parse({})),
    writeAlarm: auroraWriteAlarm.default(auroraWriteAlarm.parse({})),
};

export const aurora = z.discriminatedUnion("mode", [
    /** Fixed instance classes; the instance-class scaler moves the writer between the two. */
    z.strictObject({
        ...auroraCommon,
        mode: z.literal("provisioned"),
        /** The writer's and readers' class at rest. */
        instanceClass: z.string().default("db.t4g.medium"),
        /** The writer's class under sustained write load. */
        scaleUpInstanceClass: z.string().default("db.r6g.large"),
        classScaler: auroraClassScaler.default(auroraClassScaler.parse({})),
    }),
    /** db.serverless instances that Aurora resizes itself within [minCapacity, maxCapacity] ACU. */
    z.strictObject({
        ...auroraCommon,
        mode: z.literal("serverlessV2"),
        /** ACU, 0.5 steps; 0 only on versions with auto-pause. */
        minCapacity: z.number().min(0).default(0.5),
        /** ACU, 0.5 steps, at most 256. */
        maxCapacity: z.number().positive().default(4),
        /** Idle seconds before a 0-ACU instance pauses (300-86400); only with minCapacity 0. */
        secondsUntilAutoPause: z.number().int().optional(),
    }),
], { error: (issue) => issue.code === "invalid_union" ? "unknown aurora mode; expected one of provisioned, serverlessV2" : undefined });

/** The key as a stack file sets it; unset: no cluster. */
export const auroraKey = aurora.optional();

export type AuroraInput = z.infer<typeof aurora>;

/** The validated `aurora` section: the plan of the cluster the AuroraCluster component builds. */
export type AuroraConfig = AuroraClusterPlan;

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
    const problems: string[] = [...engineVersionProblems(a.engineVersion)];
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
            if (!Number.isInteger(a[key] / AURORA_ACU_STEP)) problems.push(`aurora.${key}: ${a[key]} must be a multiple of ${AURORA_ACU_STEP} ACU`);
        }
        if (a.maxCapacity > AURORA_MAX_ACU) problems.push(`aurora.maxCapacity: ${a.maxCapacity} must be <= ${AURORA_MAX_ACU} ACU`);
        if (a.maxCapacity < 1) problems.push(`aurora.maxCapacity: ${a.maxCapacity} must be >= 1 ACU (Serverless v2's smallest maximum)`);
        if (a.minCapacity > a.maxCapacity) problems.push(`aurora.minCapacity: ${a.minCapacity} must be <= aurora.maxCapacity (${a.maxCapacity})`);
        if (a.minCapacity === 0 && !supportsAutoPause(a.engineVersion)) {
            problems.push(`aurora.minCapacity: 0 needs auto-pause, which engineVersion "${a.engineVersion}" does not support (${AUTO_PAUSE_VERSIONS}); use 0.5 or a newer version`);
        }
        if (a.secondsUntilAutoPause !== undefined) {
            if (a.minCapacity !== 0) {
                problems.push(`aurora.secondsUntilAutoPause: ${a.secondsUntilAutoPause} applies only with aurora.minCapacity 0 (it is ${a.minCapacity})`);
            }
            if (a.secondsUntilAutoPause < AURORA_AUTO_PAUSE_SECONDS.min || a.secondsUntilAutoPause > AURORA_AUTO_PAUSE_SECONDS.max) {
                problems.push(`aurora.secondsUntilAutoPause: ${a.secondsUntilAutoPause} must be between ${AURORA_AUTO_PAUSE_SECONDS.min} and ${AURORA_AUTO_PAUSE_SECONDS.max} seconds`);
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
    const window = alarmEvaluationWindowSeconds(a.writeAlarm.periodSeconds);
    if (a.writeAlarm.periodSeconds * a.writeAlarm.evaluationPeriods > window) {
        problems.push(`aurora.writeAlarm.evaluationPeriods: ${a.writeAlarm.evaluationPeriods} x periodSeconds ${a.writeAlarm.periodSeconds} exceeds CloudWatch's ${window} s evaluation window`);
    }
    return problems;
}

/**
 * An engine version RDS would refuse at CreateDBCluster: its major first (with the nearest major's
 * versions), then major.minor against the versions offered (aws/aurora-engine-versions.ts).
 */
export function engineVersionProblems(version: string): string[] {
    if (AURORA_POSTGRESQL_VERSIONS.includes(version)) return [];
    const major = Number(version.split(".")[0]);
    const source = `versions from ${AURORA_POSTGRESQL_VERSIONS_SOURCE}`;
    if (!AURORA_POSTGRESQL_MAJORS.includes(major)) {
        const nearest = AURORA_POSTGRESQL_MAJORS.reduce((best, m) => (Math.abs(m - major) < Math.abs(best - major) ? m : best));
        return [`aurora.engineVersion: "${version}" is not an ${AURORA_POSTGRESQL_ENGINE} version AWS offers: major ${major} is not offered ` +
            `(majors ${AURORA_POSTGRESQL_MAJORS.join(", ")}; nearest: ${auroraPostgresqlVersionsOf(nearest).join(", ")}; ${source})`];
    }
    return [`aurora.engineVersion: "${version}" is not an ${AURORA_POSTGRESQL_ENGINE} version AWS offers: ` +
        `major ${major} is offered as ${auroraPostgresqlVersionsOf(major).join(", ")} (${source})`];
}

/**
 * The database's clients are declared: a service that sets usesDatabase needs the cluster, and a
 * cluster needs at least one such service (its security group admits no one else, so it would be
 * unreachable).
 */
export function databaseUserProblems(services: Readonly<Record<string, { readonly usesDatabase: boolean }>>, hasAurora: boolean): string[] {
    const users = Object.keys(services).filter((k) => services[k].usesDatabase);
    if (!hasAurora) {
        return users.map((k) => `services.${k}.usesDatabase: true needs the stack's database, and aurora is not set; set aurora or remove usesDatabase`);
    }
    return users.length > 0 ? [] : ["aurora: no service sets usesDatabase: true, so no task could reach the cluster (its security group admits only those services); " +
        "set services.<name>.usesDatabase: true on each service that connects to it"];
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
            reservedConcurrency: a.classScaler.reservedConcurrency,
        } : undefined,
    };
}
