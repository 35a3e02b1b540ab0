import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { AURORA_POSTGRESQL_CLASSES, supportsAutoPause } from "../../scaling/aurora";
import { rawProjectConfig } from "../helpers/stack-files";

const ctx = { project: "ecs-autoscaling", stack: "staging" };
const ALLOWED = AURORA_POSTGRESQL_CLASSES.join(", ");

function stagingAurora(): any {
    return JSON.parse(rawProjectConfig("staging").aurora);
}

/** Problems of staging with `aurora` changed (empty when valid). */
function problemsOf(aurora: unknown): string[] {
    try {
        loadStackConfig(rawProjectConfig("staging", { aurora }), ctx);
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return [...e.problems];
    }
}

const serverless = (o: Record<string, unknown>) => ({ mode: "serverlessV2", engineVersion: "16.4", ...o });

describe("config: aurora", () => {
    it("staging: provisioned db.t4g.medium -> db.r6g.large, readers 1-5 on 75 connections, 500 writes/s for 2 x 300 s, protected", () => {
        const a = loadStackConfig(rawProjectConfig("staging"), ctx).aurora!;
        expect(a.capacity).to.deep.equal({ mode: "provisioned", instanceClass: "db.t4g.medium", scaleUpInstanceClass: "db.r6g.large" });
        expect([a.deletionProtection, a.finalSnapshot, a.engine, a.engineVersion]).to.deep.equal([true, true, "aurora-postgresql", "16.4"]);
        expect(a.replicaScaling).to.deep.equal({
            minCapacity: 1, maxCapacity: 5,
            policies: [{
                kind: "targetTracking", name: "readers-connections",
                metric: { type: "predefined", predefinedMetricType: "RDSReaderAverageDatabaseConnections" },
                targetValue: 75, cooldowns: { scaleOut: 300, scaleIn: 300 }, disableScaleIn: false,
            }],
        });
        expect(a.writeAlarm).to.deep.equal({
            series: { namespace: "AWS/RDS", metricName: "WriteIOPS", dimensions: { DBClusterIdentifier: "ecs-autoscaling-staging-aurora", Role: "WRITER" }, statistic: "Average" },
            threshold: 500, comparisonOperator: "GreaterThanThreshold", period: 300, evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: "notBreaching",
        });
        expect(a.classScaler).to.deep.equal({ smallClass: "db.t4g.medium", largeClass: "db.r6g.large", okSecondsBeforeScaleDown: 1800, cooldownSeconds: 3600, dryRun: false, reservedConcurrency: false });
    });

    it("localstack: no deletion protection and no final snapshot", () => {
        const a = loadStackConfig(rawProjectConfig("localstack"), { project: "ecs-autoscaling", stack: "localstack" }).aurora!;
        expect([a.deletionProtection, a.finalSnapshot]).to.deep.equal([false, false]);
    });

    it("a stack without the aurora key has no cluster", () => {
        const services = JSON.parse(rawProjectConfig("staging").services);
        delete services.worker.usesDatabase;
        expect(loadStackConfig(rawProjectConfig("staging", { aurora: undefined, services }), ctx).aurora).to.equal(undefined);
    });

    it("readReplicaScaling.metric cpu tracks RDSReaderAverageCPUUtilization", () => {
        const a = stagingAurora();
        a.readReplicaScaling.metric = "cpu";
        const cfg = loadStackConfig(rawProjectConfig("staging", { aurora: a }), ctx).aurora!;
        expect(cfg.replicaScaling!.policies.map((p) => [p.name, (p.metric as any).predefinedMetricType, p.targetValue]))
            .to.deep.equal([["readers-cpu", "RDSReaderAverageCPUUtilization", 75]]);
    });

    describe("instance classes offered for aurora-postgresql (provisioned)", () => {
        const table: [string, string, boolean][] = [
            ["instanceClass", "db.t4g.small", false],
            ["scaleUpInstanceClass", "db.m5.large", false],
            ["instanceClass", "db.t3.small", false],
            ["instanceClass", "db.m6g.large", false],
            ["instanceClass", "db.serverless", false],
            ["scaleUpInstanceClass", "db.r6g.16xlarge", true],
            ["scaleUpInstanceClass", "db.r6g.24xlarge", false],
            ["instanceClass", "db.t4g.medium", true],
            ["instanceClass", "db.t4g.large", true],
            ["instanceClass", "db.t3.medium", true],
            ["scaleUpInstanceClass", "db.r5.large", true],
            ["scaleUpInstanceClass", "db.r7g.large", true],
            ["scaleUpInstanceClass", "db.r8g.48xlarge", true],
            ["scaleUpInstanceClass", "db.x2g.large", true],
        ];
        for (const [key, value, ok] of table) {
            it(`${key} ${value}: ${ok ? "accepted" : "refused"}`, () => {
                const a = stagingAurora();
                a[key] = value;
                if (key === "instanceClass" && value === a.scaleUpInstanceClass) a.scaleUpInstanceClass = "db.r7g.large";
                expect(problemsOf(a)).to.deep.equal(ok ? [] : [`aurora.${key}: "${value}" is not offered for aurora-postgresql; allowed classes are ${ALLOWED}`]);
            });
        }

        it("the scaler needs two different classes", () => {
            const a = stagingAurora();
            a.scaleUpInstanceClass = "db.t4g.medium";
            expect(problemsOf(a)).to.deep.equal([`aurora.scaleUpInstanceClass: "db.t4g.medium" must differ from aurora.instanceClass ("db.t4g.medium") while classScaler.enabled is true`]);
        });
    });

    describe("serverlessV2 capacity", () => {
        const table: [string, Record<string, unknown>, string[]][] = [
            ["0.5-4 ACU", { minCapacity: 0.5, maxCapacity: 4 }, []],
            ["0-8 ACU with auto-pause on 16.4", { minCapacity: 0, maxCapacity: 8, secondsUntilAutoPause: 600 }, []],
            ["0 ACU on 14.6 (no auto-pause)", { engineVersion: "14.6", minCapacity: 0, maxCapacity: 8 },
                ['aurora.minCapacity: 0 needs auto-pause, which engineVersion "14.6" does not support (13.15+, 14.12+, 15.7+, 16.3+ or 17.x); use 0.5 or a newer version']],
            ["0 ACU on 13.16", { engineVersion: "13.16", minCapacity: 0, maxCapacity: 2 }, []],
            ["0.75 ACU", { minCapacity: 0.75, maxCapacity: 4 }, ["aurora.minCapacity: 0.75 must be a multiple of 0.5 ACU"]],
            ["max 300 ACU", { minCapacity: 1, maxCapacity: 300 }, ["aurora.maxCapacity: 300 must be <= 256 ACU"]],
            ["min above max", { minCapacity: 8, maxCapacity: 4 }, ["aurora.minCapacity: 8 must be <= aurora.maxCapacity (4)"]],
            ["auto-pause without min 0", { minCapacity: 0.5, maxCapacity: 4, secondsUntilAutoPause: 600 },
                ["aurora.secondsUntilAutoPause: 600 applies only with aurora.minCapacity 0 (it is 0.5)"]],
            ["auto-pause of 60 s", { minCapacity: 0, maxCapacity: 4, secondsUntilAutoPause: 60 },
                ["aurora.secondsUntilAutoPause: 60 must be between 300 and 86400 seconds"]],
        ];
        for (const [name, o, want] of table) {
            it(`${name}: ${want.length === 0 ? "accepted" : "refused"}`, () => {
                expect(problemsOf(serverless(o))).to.deep.equal(want);
            });
        }

        it("carries min, max and auto-pause into the config, with no class scaler", () => {
            const a = loadStackConfig(rawProjectConfig("staging", { aurora: serverless({ minCapacity: 0, maxCapacity: 8, secondsUntilAutoPause: 600 }) }), ctx).aurora!;
            expect(a.capacity).to.deep.equal({ mode: "serverlessV2", minCapacity: 0, maxCapacity: 8, secondsUntilAutoPause: 600 });
            expect(a.classScaler).to.equal(undefined);
        });

        it("auto-pause versions", () => {
            expect(["13.14", "13.15", "14.11", "14.12", "15.6", "15.7", "16.2", "16.3", "17.0", "12.22"].map(supportsAutoPause))
                .to.deep.equal([false, true, false, true, false, true, false, true, true, false]);
        });
    });

    describe("engine versions AWS offers (aws-cdk-lib v2.274.0, 20 Oct 2026, AuroraPostgresEngineVersion)", () => {
        const SOURCE = "versions from aws-cdk-lib v2.274.0 (20 Oct 2026), AuroraPostgresEngineVersion";
        const table: [string, string[]][] = [
            ["16.4", []],
            ["16.13", []],
            ["17.4", []],
            ["18.6", []],
            ["13.16", []],
            ["11.21", []],
            ["99.9", [`aurora.engineVersion: "99.9" is not an aurora-postgresql version AWS offers: major 99 is not offered (majors 11, 12, 13, 14, 15, 16, 17, 18; nearest: 18.3, 18.4, 18.6; ${SOURCE})`]],
            ["10.21", [`aurora.engineVersion: "10.21" is not an aurora-postgresql version AWS offers: major 10 is not offered (majors 11, 12, 13, 14, 15, 16, 17, 18; nearest: 11.9, 11.21; ${SOURCE})`]],
            ["16.5", [`aurora.engineVersion: "16.5" is not an aurora-postgresql version AWS offers: major 16 is offered as 16.4, 16.6, 16.8, 16.9, 16.10, 16.11, 16.13 (${SOURCE})`]],
            ["16.2", [`aurora.engineVersion: "16.2" is not an aurora-postgresql version AWS offers: major 16 is offered as 16.4, 16.6, 16.8, 16.9, 16.10, 16.11, 16.13 (${SOURCE})`]],
            ["17.0", [`aurora.engineVersion: "17.0" is not an aurora-postgresql version AWS offers: major 17 is offered as 17.4, 17.5, 17.6, 17.7, 17.9 (${SOURCE})`]],
            ["16.04", [`aurora.engineVersion: "16.04" is not an aurora-postgresql version AWS offers: major 16 is offered as 16.4, 16.6, 16.8, 16.9, 16.10, 16.11, 16.13 (${SOURCE})`]],
        ];
        for (const [version, want] of table) {
            it(`${version}: ${want.length === 0 ? "accepted" : "refused"}`, () => {
                const a = stagingAurora();
                a.engineVersion = version;
                expect(problemsOf(a)).to.deep.equal(want);
            });
        }
        it("a serverless cluster on a version AWS does not offer is refused too", () => {
            expect(problemsOf(serverless({ engineVersion: "99.9", minCapacity: 0.5, maxCapacity: 4 }))).to.deep.equal([
                `aurora.engineVersion: "99.9" is not an aurora-postgresql version AWS offers: major 99 is not offered (majors 11, 12, 13, 14, 15, 16, 17, 18; nearest: 18.3, 18.4, 18.6; ${SOURCE})`,
            ]);
        });
    });

    describe("other rules, each naming the key, the value and the rule", () => {
        const table: [string, (a: any) => void, string][] = [
            ["unknown mode", (a) => { a.mode = "serverless"; }, 'aurora.mode: "serverless" unknown aurora mode; expected one of provisioned, serverlessV2'],
            ["16 replicas", (a) => { a.readReplicaScaling.maxCapacity = 16; }, "aurora.readReplicaScaling.maxCapacity: 16 must be <= 15 (Aurora allows at most 15 replicas)"],
            ["min replicas above max", (a) => { a.readReplicaScaling.minCapacity = 6; }, "aurora.readReplicaScaling.minCapacity: 6 must be <= readReplicaScaling.maxCapacity (5)"],
            ["cpu target over 100", (a) => { a.readReplicaScaling.metric = "cpu"; a.readReplicaScaling.target = 150; }, "aurora.readReplicaScaling.target: 150 must be <= 100 with metric cpu (it is a percentage)"],
            ["alarm period of 90 s", (a) => { a.writeAlarm.periodSeconds = 90; }, "aurora.writeAlarm.periodSeconds: 90 must be a multiple of 60 seconds (WriteIOPS is a 1-minute metric)"],
            ["threshold 0", (a) => { a.writeAlarm.threshold = 0; }, "aurora.writeAlarm.threshold: 0 must be > 0"],
            ["reserved master user", (a) => { a.masterUsername = "postgres"; }, 'aurora.masterUsername: "postgres" is reserved by Aurora PostgreSQL; choose another name'],
            ["a password key", (a) => { a.masterPassword = "hunter2"; }, 'aurora.masterPassword: unknown key (value "hunter2"); check the spelling'],
            ["engine version 16", (a) => { a.engineVersion = "16"; }, 'aurora.engineVersion: "16" must be an Aurora PostgreSQL version as major.minor, e.g. 16.4'],
            ["window over a day", (a) => { a.writeAlarm.periodSeconds = 300; a.writeAlarm.evaluationPeriods = 289; }, "aurora.writeAlarm.evaluationPeriods: 289 x periodSeconds 300 exceeds CloudWatch's 86400 s evaluation window"],
            ["window over a week", (a) => { a.writeAlarm.periodSeconds = 3600; a.writeAlarm.evaluationPeriods = 169; }, "aurora.writeAlarm.evaluationPeriods: 169 x periodSeconds 3600 exceeds CloudWatch's 604800 s evaluation window"],
        ];
        for (const [name, change, want] of table) {
            it(name, () => {
                const a = stagingAurora();
                change(a);
                expect(problemsOf(a)).to.deep.equal([want]);
            });
        }
    });
});
