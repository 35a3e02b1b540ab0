import { expect } from "chai";
import { autoscaler as autoscalerSchema } from "../../config/autoscaler";
import { configSettings, numberRule, type NumberSetting, type SettingKey } from "../../scaling/autoscaler-settings";
import { envName, flagName, parseChaosSettings, parseSettings, SETTING_DEFAULTS, SettingsError, type FlagValues } from "../../runtime/autoscaler/settings";
import { MIN_PARTITION_SECONDS } from "../../aws/api-limits";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/work";
const ROLE = "arn:aws:iam::123456789012:role/demo-worker-task";
const MINIMAL: FlagValues = { queueUrl: QUEUE_URL, cluster: "main", ecsService: "worker", max: "10" };

function problems(flags: FlagValues, env: NodeJS.ProcessEnv = {}): string[] {
    try {
        parseSettings(flags, env);
        return [];
    } catch (e) {
        if (!(e instanceof SettingsError)) throw e;
        return [...e.problems];
    }
}

describe("autoscaler settings", () => {
    it("derives flag and environment names from one key", () => {
        expect([flagName("queueUrl"), envName("queueUrl")]).to.deep.equal(["--queue-url", "AUTOSCALER_QUEUE_URL"]);
        expect([flagName("chaosPartitionDuration"), envName("chaosPartitionDuration")]).to.deep.equal(["--chaos-partition-duration", "AUTOSCALER_CHAOS_PARTITION_DURATION"]);
        expect(envName("scale-down-step")).to.equal("AUTOSCALER_SCALE_DOWN_STEP");
    });

    it("applies the defaults of the stack config's autoscaler key", () => {
        const s = parseSettings(MINIMAL, {});
        const config = autoscalerSchema.parse({});
        expect(s).to.deep.equal({
            services: [{
                service: "worker",
                sources: [{ kind: "sqs", queueUrl: QUEUE_URL }],
                decision: {
                    minCapacity: 0,
                    maxCapacity: 10,
                    scaleUpCooldownMs: 30_000,
                    scaleDownCooldownMs: 10_000,
                    countInFlight: true,
                    acceptableAgeSeconds: 60,
                },
            }],
            cluster: "main",
            // ECS's services-stable waiter: 40 checks 15 s apart.
            deploymentHoldMs: 600_000,
            intervalMs: 5_000,
            oldestMessageWarningSeconds: 300,
            healthPort: 8080,
            dryRun: false,
            logLevel: "info",
            logFormat: "auto",
            chaos: {
                allowed: false,
                stopTask: { enabled: false, intervalMs: 600_000 },
                drain: { enabled: false, intervalMs: 1_800_000 },
                partition: { enabled: false, intervalMs: 1_800_000, durationMs: 120_000 },
                pollIntervalMs: 5_000,
                recoveryTimeoutMs: 300_000,
                drainTimeoutMs: 300_000,
            },
        });
        // The threshold rules are opt-in: no default, in the schema as in the flags.
        expect([SETTING_DEFAULTS.interval, undefined, undefined, SETTING_DEFAULTS.scaleUpCooldown, SETTING_DEFAULTS.scaleDownCooldown, undefined, SETTING_DEFAULTS.acceptableAge, undefined, SETTING_DEFAULTS.countInFlight, SETTING_DEFAULTS.oldestMessageWarning, SETTING_DEFAULTS.healthPort])
            .to.deep.equal([config.intervalSeconds, config.scaleUpThreshold, config.scaleDownThreshold, config.scaleUpCooldownSeconds, config.scaleDownCooldownSeconds, config.scaleDownStep, config.acceptableAgeSeconds, config.processingRate, config.countInFlight, config.oldestMessageWarningSeconds, config.healthPort]);
        const fs = config.failureSimulation;
        expect([SETTING_DEFAULTS.chaosStopTaskInterval, SETTING_DEFAULTS.chaosDrainInterval, SETTING_DEFAULTS.chaosPartitionInterval, SETTING_DEFAULTS.chaosPartitionDuration])
            .to.deep.equal([fs.stopTask.intervalSeconds, fs.drain.intervalSeconds, fs.partition.intervalSeconds, fs.partition.durationSeconds]);
    });

    it("reads every setting from the environment (as the deployed task gets them)", () => {
        const s = parseSettings({}, {
            AUTOSCALER_QUEUE_URL: QUEUE_URL, AUTOSCALER_CLUSTER: "main", AUTOSCALER_ECS_SERVICE: "worker", AUTOSCALER_MIN: "1", AUTOSCALER_MAX: "12", AUTOSCALER_SCALE_UP_THRESHOLD: "20", AUTOSCALER_SCALE_DOWN_THRESHOLD: "4.5",
            AUTOSCALER_INTERVAL: "2", AUTOSCALER_SCALE_UP_COOLDOWN: "15", AUTOSCALER_SCALE_DOWN_COOLDOWN: "60", AUTOSCALER_SCALE_DOWN_STEP: "2", AUTOSCALER_COUNT_IN_FLIGHT: "true",
            AUTOSCALER_ACCEPTABLE_AGE: "45", AUTOSCALER_PROCESSING_RATE: "2.5",
            AUTOSCALER_OLDEST_MESSAGE_WARNING: "600", AUTOSCALER_HEALTH_PORT: "0", AUTOSCALER_DRY_RUN: "yes", AUTOSCALER_CHAOS_ALLOWED: "1", AUTOSCALER_CHAOS_STOP_TASK_ENABLED: "true",
            AUTOSCALER_CHAOS_STOP_TASK_INTERVAL: "300", AUTOSCALER_CHAOS_DRAIN_ENABLED: "false", AUTOSCALER_CHAOS_DRAIN_INTERVAL: "900", AUTOSCALER_CHAOS_PARTITION_ENABLED: "on",
            AUTOSCALER_CHAOS_PARTITION_INTERVAL: "1200", AUTOSCALER_CHAOS_PARTITION_DURATION: "30", AUTOSCALER_WORKER_ROLE_ARN: ROLE,
        });
        expect(s.services[0]!.decision).to.deep.equal({
            minCapacity: 1, maxCapacity: 12, scaleUpThreshold: 20, scaleDownThreshold: 4.5, scaleUpCooldownMs: 15_000, scaleDownCooldownMs: 60_000, scaleDownStep: 2, countInFlight: true,
            acceptableAgeSeconds: 45, processingRate: 2.5,
        });
        expect([s.intervalMs, s.oldestMessageWarningSeconds, s.healthPort, s.dryRun]).to.deep.equal([2_000, 600, 0, true]);
        expect(s.chaos).to.deep.include({
            allowed: true,
            workerRoleArn: ROLE,
            stopTask: { enabled: true, intervalMs: 300_000 },
            drain: { enabled: false, intervalMs: 900_000 },
            partition: { enabled: true, intervalMs: 1_200_000, durationMs: 30_000 },
        });
    });

    it("reads no generic variable: PORT, MAX, MIN, SERVICE, CLUSTER and INTERVAL change nothing", () => {
        const generic = { PORT: "9999", MAX: "7", MIN: "5", SERVICE: "other", CLUSTER: "other", INTERVAL: "1", HEALTH_PORT: "1", LOG_LEVEL: "debug" };
        const s = parseSettings(MINIMAL, generic);
        expect(s).to.deep.equal(parseSettings(MINIMAL, {}));
        expect([s.cluster, s.services[0]!.service, s.services[0]!.decision.maxCapacity, s.intervalMs, s.healthPort, s.logLevel]).to.deep.equal(["main", "worker", 10, 5_000, 8080, "info"]);
    });

    it("refuses an AWS_REGION that is not an AWS region, with the closest one", () => {
        expect(problems(MINIMAL, { AWS_REGION: "us-east1" })).to.deep.equal([
            'AWS_REGION: "us-east1" must be an AWS region code such as us-east-1 (one of 48 known regions); did you mean us-east-1?',
        ]);
        expect(problems(MINIMAL, { AWS_REGION: "eu-central-2" })).to.deep.equal([]);
    });

    it("lets a flag win over its environment variable; an empty variable counts as unset", () => {
        const s = parseSettings({ ...MINIMAL, max: "4", dryRun: "false" }, { AUTOSCALER_MAX: "9", AUTOSCALER_MIN: "", AUTOSCALER_DRY_RUN: "true", AUTOSCALER_SCALE_DOWN_STEP: " " });
        expect([s.services[0]!.decision.maxCapacity, s.services[0]!.decision.minCapacity, s.dryRun, s.services[0]!.decision.scaleDownStep]).to.deep.equal([4, 0, false, undefined]);
    });

    it("takes a boolean flag given without a value as true, and kebab-case keys", () => {
        const s = parseSettings({ "queue-url": QUEUE_URL, cluster: "main", ecsService: "worker", max: "3", "count-in-flight": true, dryRun: true }, {});
        expect([s.services[0]!.decision.countInFlight, s.dryRun]).to.deep.equal([true, true]);
    });

    it("reads a RabbitMQ source", () => {
        const s = parseSettings({ rabbitmqUrl: "amqp://guest:guest@localhost:5672", rabbitmqQueue: "jobs", cluster: "main", ecsService: "worker", max: "3" }, {});
        expect(s.services[0]!.sources).to.deep.equal([{ kind: "rabbitmq", url: "amqp://guest:guest@localhost:5672", queue: "jobs" }]);
    });

    const bad: [string, FlagValues, NodeJS.ProcessEnv, string[]][] = [
        ["negative min", { ...MINIMAL, min: "-1" }, {}, ['--min: "-1" must be a whole number >= 0']],
        ["fractional max", { ...MINIMAL, max: "2.5" }, {}, ['--max: "2.5" must be a whole number >= 0']],
        ["bad value from the environment names flag and variable", MINIMAL, { AUTOSCALER_MIN: "two" }, ['--min (env AUTOSCALER_MIN): "two" must be a whole number >= 0']],
        ["min above max", { ...MINIMAL, min: "5", max: "3" }, {}, ["--min (5) must be <= --max (3)"]],
        ["no queue at all", { cluster: "main", ecsService: "worker", max: "3" }, {}, ["--queue-url or --rabbitmq-url: (missing) exactly one is required (or set AUTOSCALER_QUEUE_URL / AUTOSCALER_RABBITMQ_URL)"]],
        ["both queues", { ...MINIMAL, rabbitmqUrl: "amqp://localhost", rabbitmqQueue: "jobs" }, {}, ["--queue-url and --rabbitmq-url: give exactly one of them, not both"]],
        ["rabbitmq without a queue", { rabbitmqUrl: "amqp://localhost", cluster: "main", ecsService: "worker", max: "3" }, {}, ["--rabbitmq-queue: (missing) is required with --rabbitmq-url (or set AUTOSCALER_RABBITMQ_QUEUE)"]],
        ["rabbitmq queue with an SQS queue", { ...MINIMAL, rabbitmqQueue: "jobs" }, {}, ["--rabbitmq-queue: only applies with --rabbitmq-url"]],
        ["rabbitmq URL that is not amqp", { rabbitmqUrl: "http://localhost", rabbitmqQueue: "jobs", cluster: "main", ecsService: "worker", max: "3" }, {}, ['--rabbitmq-url: "http://localhost" must be an amqp:// or amqps:// URL']],
        ["queue URL that is not a URL", { ...MINIMAL, queueUrl: "work" }, {}, ['--queue-url: "work" must be an SQS queue URL (http(s)://host/<account>/<queue>)']],
        ["missing cluster, service and max", { queueUrl: QUEUE_URL }, {}, [
            "--cluster: (missing) is required (or set AUTOSCALER_CLUSTER)",
            "--ecs-service: (missing) is required (or set AUTOSCALER_ECS_SERVICE)",
            "--max: (missing) is required (or set AUTOSCALER_MAX)",
        ]],
        ["zero scale-up threshold", { ...MINIMAL, scaleUpThreshold: "0" }, {}, ['--scale-up-threshold: "0" must be a number > 0']],
        ["inverted thresholds", { ...MINIMAL, scaleUpThreshold: "5", scaleDownThreshold: "5" }, {}, ["--scale-down-threshold (5) must be < --scale-up-threshold (5)"]],
        ["zero interval", { ...MINIMAL, interval: "0" }, {}, ['--interval: "0" must be a whole number >= 1 and <= 300']],
        ["interval above 300 s", { ...MINIMAL, interval: "301" }, {}, ['--interval: "301" must be a whole number >= 1 and <= 300']],
        ["fractional interval", { ...MINIMAL, interval: "1.5" }, {}, ['--interval: "1.5" must be a whole number >= 1 and <= 300']],
        ["negative cooldown", { ...MINIMAL, scaleDownCooldown: "-5" }, {}, ['--scale-down-cooldown: "-5" must be a whole number >= 0 and <= 86400']],
        ["cooldown above a day", { ...MINIMAL, scaleUpCooldown: "86401" }, {}, ['--scale-up-cooldown: "86401" must be a whole number >= 0 and <= 86400']],
        ["unknown log level", { ...MINIMAL }, { AUTOSCALER_LOG_LEVEL: "verbose" }, ['--log-level (env AUTOSCALER_LOG_LEVEL): "verbose" must be one of fatal, error, warn, info, debug, trace, silent']],
        ["chaos interval that would overflow a timer", { ...MINIMAL, chaosDrainInterval: "2200000" }, {}, ['--chaos-drain-interval (env AUTOSCALER_CHAOS_DRAIN_INTERVAL): "2200000" must be a whole number >= 10 and <= 604800'.replace(" (env AUTOSCALER_CHAOS_DRAIN_INTERVAL)", "")]],
        ["zero scale-down step", { ...MINIMAL, scaleDownStep: "0" }, {}, ['--scale-down-step: "0" must be a whole number >= 1']],
        ["zero acceptable age", { ...MINIMAL, acceptableAge: "0" }, {}, ['--acceptable-age: "0" must be a number > 0 and <= 86400']],
        ["negative processing rate", { ...MINIMAL }, { AUTOSCALER_PROCESSING_RATE: "-2" }, ['--processing-rate (env AUTOSCALER_PROCESSING_RATE): "-2" must be a number > 0']],
        ["port out of range", { ...MINIMAL, healthPort: "70000" }, {}, ['--health-port: "70000" must be a whole number >= 0 and <= 65535']],
        ["boolean that is not one", { ...MINIMAL, dryRun: "maybe" }, {}, ['--dry-run: "maybe" must be true or false']],
        ["chaos interval below 10 s", { ...MINIMAL, chaosStopTaskInterval: "5" }, {}, ['--chaos-stop-task-interval: "5" must be a whole number >= 10 and <= 604800']],
        ["partition longer than an hour", { ...MINIMAL, chaosPartitionDuration: "7200" }, {}, ['--chaos-partition-duration: "7200" must be a whole number >= 1 and <= 3600']],
        ["role that is not a role ARN", { ...MINIMAL, workerRoleArn: "worker" }, {}, ['--worker-role-arn: "worker" must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)']],
        ["simulation enabled but not allowed", { ...MINIMAL, chaosStopTaskEnabled: true }, {}, ['--chaos-stop-task-enabled: failure simulation "stop-task" is enabled but --chaos-allowed is not true; allow failure simulation first']],
        ["partition without the worker role", { ...MINIMAL, chaosAllowed: true, chaosPartitionEnabled: true }, {}, ["--worker-role-arn: (missing) is required with --chaos-partition-enabled (or set AUTOSCALER_WORKER_ROLE_ARN)"]],
        ["partition on a RabbitMQ queue", { rabbitmqUrl: "amqp://localhost", rabbitmqQueue: "jobs", cluster: "main", ecsService: "worker", max: "3", chaosAllowed: true, chaosPartitionEnabled: true, workerRoleArn: ROLE }, {},
            ["--chaos-partition-enabled: the partition cuts workers off an SQS queue; it needs --queue-url, not --rabbitmq-url"]],
    ];
    for (const [name, flags, env, expected] of bad) {
        it(`rejects ${name}, naming the flag, the value and the rule`, () => {
            expect(problems(flags, env)).to.deep.equal(expected);
        });
    }

    it("reports every problem at once, in one SettingsError whose message lists them", () => {
        const error = (() => {
            try {
                parseSettings({ ...MINIMAL, min: "-1", scaleDownStep: "0", dryRun: "maybe" }, {});
            } catch (e) {
                return e as SettingsError;
            }
            return undefined;
        })();
        expect(error).to.be.instanceOf(SettingsError);
        expect(error!.message).to.equal([
            '--min: "-1" must be a whole number >= 0',
            '--scale-down-step: "0" must be a whole number >= 1',
            '--dry-run: "maybe" must be true or false',
        ].join("\n"));
    });
});

describe("one-off failure simulation settings", () => {
    it("are refused unless --chaos-allowed or AUTOSCALER_CHAOS_ALLOWED is true", () => {
        expect(() => parseChaosSettings("drain", { cluster: "main", ecsService: "worker" }, {}))
            .to.throw(SettingsError, '--chaos-allowed: failure simulation "drain" is refused unless --chaos-allowed is given or AUTOSCALER_CHAOS_ALLOWED=true');
        expect(() => parseChaosSettings("drain", { cluster: "main", ecsService: "worker", chaosAllowed: "false" }, { AUTOSCALER_CHAOS_ALLOWED: "true" })).to.throw(SettingsError);
        expect(parseChaosSettings("drain", { cluster: "main", ecsService: "worker" }, { AUTOSCALER_CHAOS_ALLOWED: "true" })).to.deep.equal({
            allowed: true, cluster: "main", service: "worker", partitionDurationMs: 120_000, pollIntervalMs: 5_000, recoveryTimeoutMs: 300_000, drainTimeoutMs: 300_000,
        });
    });

    it("need the queue URL and worker role for a partition", () => {
        expect(() => parseChaosSettings("partition", { cluster: "main", ecsService: "worker", chaosAllowed: true }, {})).to.throw(SettingsError,
            "--queue-url: (missing) is required for partition (or set AUTOSCALER_QUEUE_URL)\n--worker-role-arn: (missing) is required for partition (or set AUTOSCALER_WORKER_ROLE_ARN)");
        const s = parseChaosSettings("partition", { cluster: "main", ecsService: "worker", chaosAllowed: true, queueUrl: QUEUE_URL, workerRoleArn: ROLE, chaosPartitionDuration: "90" }, {});
        expect([s.queueUrl, s.workerRoleArn, s.partitionDurationMs]).to.deep.equal([QUEUE_URL, ROLE, 90_000]);
    });
});

describe("one set of bounds for the stack config and the autoscaler", () => {
    const numeric = configSettings().filter((e) => e.spec.kind === "int" || e.spec.kind === "number") as { key: SettingKey; path: string; spec: NumberSetting }[];
    /** The stack config `autoscaler` object with one value set at `path`. */
    const withValue = (path: string, value: number): Record<string, unknown> => {
        const parts = path.split(".");
        const root: Record<string, unknown> = {};
        let at = root;
        for (const p of parts.slice(0, -1)) at = (at[p] = {}) as Record<string, unknown>;
        at[parts[parts.length - 1]!] = value;
        return root;
    };
    /** The other threshold, so that the scale-down < scale-up rule does not decide the probe. */
    const companion = (key: SettingKey, value: number): Record<string, number> =>
        key === "scaleUpThreshold" ? { scaleDownThreshold: 0 } : key === "scaleDownThreshold" ? { scaleUpThreshold: Math.max(value, 0) + 1 } : {};
    const schemaProblems = (path: string, value: number, key?: SettingKey) =>
        (autoscalerSchema.safeParse({ ...withValue(path, value), ...(key ? companion(key, value) : {}) }).error?.issues ?? [])
            .filter((i) => i.path.join(".") === path).map((i) => i.message);

    it("covers every number setting the stack sets, with an upper bound where a timer holds it", () => {
        expect(numeric.map((e) => e.path)).to.include.members(["intervalSeconds", "scaleUpCooldownSeconds", "scaleDownCooldownSeconds",
            "failureSimulation.stopTask.intervalSeconds", "failureSimulation.drain.intervalSeconds", "failureSimulation.partition.intervalSeconds"]);
        for (const e of numeric.filter((n) => /interval|cooldown|duration/i.test(n.key))) {
            // Node's timers hold at most 2^31 - 1 ms; a longer delay fires at once.
            expect(e.spec.max! * 1000, e.key).to.be.below(2 ** 31 - 1);
        }
    });

    for (const probe of ["min", "max", "above max", "below min"] as const) {
        it(`schema and runtime agree on every number setting at ${probe}`, () => {
            for (const { key, path, spec } of numeric) {
                if (probe === "above max" && spec.max === undefined) continue;
                const value = probe === "min" ? (spec.minExclusive ? spec.min + 0.5 : spec.min)
                    : probe === "max" ? spec.max ?? spec.min + 1_000
                        : probe === "above max" ? spec.max! + 1 : spec.min - 1;
                // The schema refuses port 0 on its own (the container health check needs a fixed port).
                const found = schemaProblems(path, value, key);
                // And partitions shorter than SQS's propagation allows (config/autoscaler.ts): the flag
                // takes them for emulators, which apply a policy at once; a stack deploys to AWS.
                const schemaOk = found.length === 0 || key === "healthPort" && value === 0
                    || key === "chaosPartitionDuration" && value >= 1 && value < MIN_PARTITION_SECONDS;
                const extra = Object.fromEntries(Object.entries(companion(key, value)).map(([k, v]) => [k, String(v)]));
                const runtime = problems({ ...MINIMAL, ...extra, [key]: String(value) });
                expect([key, schemaOk], `${key}=${value}: ${found.join("; ")} / ${runtime.join("; ")}`).to.deep.equal([key, runtime.length === 0]);
                if (!schemaOk) expect(found).to.deep.equal([numberRule(spec)]);
            }
        });
    }
});
