/**
 * Aurora PostgreSQL facts the config validates against and the components and the instance-class
 * scaler read: which instance classes the engine is offered on, the Serverless v2 capacity rules, the
 * series the write-rate alarm watches, and the plan of the reader count. Plain data, no I/O.
 */
import { RDS_METRICS } from "../aws/metrics";
import { MetricSeries, metricSeries } from "./metric-series";
import { TargetTrackingPolicy } from "./plan";

export const AURORA_POSTGRESQL_ENGINE = "aurora-postgresql";

/**
 * Provisioned instance classes offered for Aurora PostgreSQL, by class type (Aurora user guide,
 * "Supported DB engines for DB instance classes"). Burstable classes stop at medium and large: there is
 * no db.t4g.small or db.t3.small for Aurora PostgreSQL, and no db.m* class for Aurora at all. Which
 * engine versions each class needs is not modelled; RDS rejects an unsupported pair at create time.
 */
const STANDARD_SIZES = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"];
export const AURORA_POSTGRESQL_CLASSES: readonly string[] = Object.freeze([
    ...["db.t3", "db.t4g"].flatMap((t) => ["medium", "large"].map((s) => `${t}.${s}`)),
    ...STANDARD_SIZES.map((s) => `db.r5.${s}`),
    ...STANDARD_SIZES.filter((s) => s !== "24xlarge").map((s) => `db.r6g.${s}`),
    ...STANDARD_SIZES.filter((s) => s !== "24xlarge").map((s) => `db.r6gd.${s}`),
    ...[...STANDARD_SIZES, "32xlarge"].map((s) => `db.r6i.${s}`),
    ...[...STANDARD_SIZES, "32xlarge"].map((s) => `db.r6id.${s}`),
    ...STANDARD_SIZES.filter((s) => s !== "24xlarge").map((s) => `db.r7g.${s}`),
    ...[...STANDARD_SIZES, "48xlarge"].map((s) => `db.r7i.${s}`),
    ...[...STANDARD_SIZES, "48xlarge"].map((s) => `db.r8g.${s}`),
    ...["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"].map((s) => `db.x2g.${s}`),
]);

/** Whether `instanceClass` is offered for Aurora PostgreSQL as a provisioned class. */
export function isAuroraPostgresqlClass(instanceClass: string): boolean {
    return AURORA_POSTGRESQL_CLASSES.includes(instanceClass);
}

/** The instance class of every Serverless v2 instance. */
export const SERVERLESS_V2_CLASS = "db.serverless";


/**
 * First Aurora PostgreSQL minor version of each major that can scale to 0 ACU and pause (Aurora user
 * guide, "Scaling to zero ACUs with automatic pause and resume": 16.3, 15.7, 14.12, 13.15 and higher;
 * every 17.x). On other versions the smallest MinCapacity is 0.5.
 */
const AUTO_PAUSE_FROM: Readonly<Record<number, number>> = { 13: 15, 14: 12, 15: 7, 16: 3, 17: 0 };

/** Whether an engine version such as "16.4" supports MinCapacity 0 (auto-pause). */
export function supportsAutoPause(engineVersion: string): boolean {
    const m = /^(\d+)\.(\d+)$/.exec(engineVersion);
    if (!m) return false;
    const major = Number(m[1]);
    const minor = Number(m[2]);
    if (major > 17) return true;
    const from = AUTO_PAUSE_FROM[major];
    return from !== undefined && minor >= from;
}

/** The versions that allow MinCapacity 0, in words, for error messages. */
export const AUTO_PAUSE_VERSIONS = "13.15+, 14.12+, 15.7+, 16.3+ or 17.x";

/**
 * Aurora PostgreSQL's write counter: WriteIOPS, "the number of Aurora storage write records generated
 * per second ... more or less the number of log records" (Aurora user guide, instance-level metrics).
 * Aurora PostgreSQL has no DML-throughput metric (DMLThroughput is Aurora MySQL only). The dimensions
 * DBClusterIdentifier + Role=WRITER aggregate by role, so the alarm follows the writer across
 * failovers instead of watching one instance that may have become a reader.
 */
export function writerWriteIopsSeries(clusterIdentifier: string): MetricSeries {
    return metricSeries({
        namespace: RDS_METRICS.namespace,
        metricName: RDS_METRICS.writeIops,
        dimensions: { [RDS_METRICS.clusterDimension]: clusterIdentifier, [RDS_METRICS.roleDimension]: RDS_METRICS.writerRole },
        statistic: "Average",
    });
}

/** The write-rate alarm: the series, and the threshold it must exceed for `evaluationPeriods` periods. */
export interface WriteRateAlarmPlan {
    readonly series: MetricSeries;
    /** Writes per second. */
    readonly threshold: number;
    readonly comparisonOperator: "GreaterThanThreshold";
    /** Seconds. */
    readonly period: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    /**
     * No data is not a breach: WriteIOPS goes missing while the writer fails over, and a scale-down must
     * not be decided on a gap.
     */
    readonly treatMissingData: "notBreaching";
}

/**
 * Application Auto Scaling of an Aurora cluster's reader count (`rds:cluster:ReadReplicaCount`,
 * resource `cluster:<id>`): the same target-tracking policies services use, on the RDSReader* metrics.
 * Aurora allows 0 to AURORA_MAX_REPLICAS replicas (aws/limits.ts).
 */
export interface ReplicaScalingPlan {
    readonly minCapacity: number;
    readonly maxCapacity: number;
    readonly policies: readonly TargetTrackingPolicy[];
}

/**
 * Environment of the instance-class scaler's Lambda: the names runtime/aurora/handler.ts reads and
 * components/aurora-cluster.ts sets, defined once.
 */
export const CLASS_SCALER_ENV = {
    clusterIdentifier: "CLUSTER_IDENTIFIER",
    alarmName: "ALARM_NAME",
    smallClass: "SMALL_INSTANCE_CLASS",
    largeClass: "LARGE_INSTANCE_CLASS",
    okSecondsBeforeScaleDown: "OK_SECONDS_BEFORE_SCALE_DOWN",
    cooldownSeconds: "COOLDOWN_SECONDS",
    dryRun: "DRY_RUN",
} as const;

/** Tag keys the scaler writes; the stack leaves them alone. */
export const CLASS_SCALER_TAG_PREFIX = "class-scaler:";

/** The cluster's physical names. */
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

export interface ClassScalerSettings {
    /** The writer's class at rest. */
    readonly smallClass: string;
    /** The writer's class under sustained write load. */
    readonly largeClass: string;
    readonly okSecondsBeforeScaleDown: number;
    readonly cooldownSeconds: number;
    readonly dryRun: boolean;
    /** Reserve concurrency 1 for the function (needs a Lambda concurrency quota above 100). */
    readonly reservedConcurrency: boolean;
}

export type AuroraCapacity =
    | { readonly mode: "provisioned"; readonly instanceClass: string; readonly scaleUpInstanceClass: string }
    | { readonly mode: "serverlessV2"; readonly minCapacity: number; readonly maxCapacity: number; readonly secondsUntilAutoPause?: number };

/**
 * An Aurora PostgreSQL cluster as plain validated data: config/aurora.ts builds it from the `aurora`
 * section, components/aurora-cluster.ts turns it into resources.
 */
export interface AuroraClusterPlan {
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
    readonly classScaler?: ClassScalerSettings;
}
