/**
 * The Aurora PostgreSQL engine versions a new cluster can be created on.
 *
 * Source: aws-cdk-lib v2.274.0 (published 20 Oct 2026), `aws-rds/lib/cluster-engine.ts`, class
 * AuroraPostgresEngineVersion: every `VER_<major>_<minor>` constant that CDK does not mark
 * "@deprecated Version x.y is no longer supported by Amazon RDS". CDK keeps that class in step with the
 * Aurora PostgreSQL release notes ("Amazon Aurora PostgreSQL updates", AuroraPostgreSQL.Updates.html),
 * which the class cites. The `-limitless` versions are left out: they create an Aurora PostgreSQL
 * Limitless Database, another kind of cluster. Versions are `major.minor` as CreateDBCluster's
 * EngineVersion takes them for aurora-postgresql. RDS adds and retires minors every quarter: update this
 * list (and its date) from a newer CDK release or the release notes when a stack needs a newer one.
 */
export const AURORA_POSTGRESQL_VERSIONS_SOURCE = "aws-cdk-lib v2.274.0 (20 Oct 2026), AuroraPostgresEngineVersion";

export const AURORA_POSTGRESQL_VERSIONS: readonly string[] = Object.freeze([
    "11.9", "11.21",
    "12.9", "12.22",
    "13.9", "13.16", "13.23",
    "14.6", "14.13", "14.15", "14.17", "14.18", "14.19", "14.20", "14.22",
    "15.8", "15.10", "15.12", "15.13", "15.14", "15.15", "15.17",
    "16.4", "16.6", "16.8", "16.9", "16.10", "16.11", "16.13",
    "17.4", "17.5", "17.6", "17.7", "17.9",
    "18.3", "18.4", "18.6",
]);

/** The major versions of AURORA_POSTGRESQL_VERSIONS, ascending. */
export const AURORA_POSTGRESQL_MAJORS: readonly number[] = Object.freeze(
    [...new Set(AURORA_POSTGRESQL_VERSIONS.map((v) => Number(v.split(".")[0])))].sort((a, b) => a - b),
);

/** The offered versions of one major, ascending. */
export function auroraPostgresqlVersionsOf(major: number): string[] {
    return AURORA_POSTGRESQL_VERSIONS.filter((v) => Number(v.split(".")[0]) === major);
}
