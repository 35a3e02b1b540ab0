/**
 * Every AWS rule config applies before apply (config/aws-rules.ts, config/names.ts, config/load.ts),
 * each with one value AWS accepts and one it would refuse at `pulumi up` (or that could not work as
 * configured). A refusal names the key, the value and the rule.
 */
import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import { StackConfig, loadStackConfig, regionProblems } from "../../config/load";
import { targetGroupBase } from "../../aws/names";
import { physicalNameProblems } from "../../config/names";
import { rawProjectConfig } from "../helpers/stack-files";

type Overrides = Record<string, unknown>;

function load(overrides: Overrides, stack = "staging", file = "staging"): StackConfig {
    return loadStackConfig(rawProjectConfig(file, overrides), { project: "ecs-autoscaling", stack });
}

function problemsOf(overrides: Overrides, stack = "staging", file = "staging"): string[] {
    try {
        load(overrides, stack, file);
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return [...e.problems];
    }
}

function services(change: (s: any) => void): Overrides {
    const s = JSON.parse(rawProjectConfig("staging").services);
    change(s);
    return { services: s };
}

const customMetric = (fields: Record<string, unknown>) => services((s) => {
    s.api.policies.push({ kind: "customMetric", name: "backlog", namespace: "MyApp/Queue", metricName: "Backlog", dimensions: { Queue: "orders" }, target: 10, ...fields });
});
const stepPolicy = (fields: Record<string, unknown>) => services((s) => {
    Object.assign(s.worker.policies[2], fields);
});

interface Case {
    readonly rule: string;
    readonly accepted: Overrides;
    readonly refused: Overrides;
    readonly message: string;
    /** Stack name used for both (defaults to staging). */
    readonly stack?: [accepted: string, refused: string];
}

const ERR = "ecs-autoscaling-staging";

const cases: Case[] = [
    {
        rule: "the default name prefix <project>-<stack> follows the naming rule (ECR: lower case)",
        stack: ["staging", "Staging"],
        accepted: {}, refused: {},
        message: "namePrefix: \"\" (unset) defaults to \"<project>-<stack>\" = \"ecs-autoscaling-Staging\", which must be lower-case letters and digits joined by single hyphens, " +
            "starting with a letter (ECR repository names allow no upper case and no doubled separators; ECS, ELB and SQS names no dots); set namePrefix",
    },
    {
        rule: "a stack name with a dot makes a prefix ECS, ELB and SQS refuse",
        stack: ["stg-1", "st.g"],
        accepted: {}, refused: {},
        message: "namePrefix: \"\" (unset) defaults to \"<project>-<stack>\" = \"ecs-autoscaling-st.g\", which must be lower-case letters and digits joined by single hyphens, " +
            "starting with a letter (ECR repository names allow no upper case and no doubled separators; ECS, ELB and SQS names no dots); set namePrefix",
    },
    {
        rule: "namePrefix: single separators, no trailing hyphen, no underscore",
        accepted: { namePrefix: "stg-1" }, refused: { namePrefix: "abc-" },
        message: "namePrefix: \"abc-\" must be lower-case letters and digits joined by single hyphens, starting with a letter " +
            "(ECR repository names allow no upper case and no doubled separators; ECS, ELB and SQS names no dots)",
    },
    {
        rule: "SQS queue names are at most 80 characters (a 60-character stack name)",
        stack: ["s".repeat(50), "s".repeat(60)],
        accepted: {}, refused: {},
        message: `queues.work: SQS queue name "ecs-autoscaling-${"s".repeat(60)}-work-dlq" (85 characters) must be 1-80 letters, digits, hyphens and underscores (SQS queue names)`,
    },
    {
        rule: "ECS service names are unique: a service keyed queue-autoscaler collides with the autoscaler",
        accepted: services((s) => { s["queue-scaler"] = { ...s.gateway }; }),
        refused: services((s) => { s["queue-autoscaler"] = { ...s.gateway }; }),
        message: `autoscaler: ECS service name "${ERR}-queue-autoscaler" is already the ECS service name of services.queue-autoscaler; ECS service names must be unique in the stack`,
    },
    {
        rule: "scaling policy names are unique after the -out/-in suffix",
        accepted: services((s) => { s.worker.policies[0].name = "queue-depth-cpu"; }),
        refused: services((s) => { s.worker.policies[0].name = "queue-depth-out"; }),
        message: `services.worker.policies: scaling policy name "${ERR}-worker-queue-depth-out" is already the scaling policy name of services.worker.policies; scaling policy names must be unique in the stack`,
    },
    {
        rule: "capacities are AWS 32-bit integers (1e300 is an integer to JavaScript)",
        accepted: services((s) => { s.worker.maxCapacity = 2147483647; }),
        refused: services((s) => { s.worker.maxCapacity = 1e300; }),
        message: "services.worker.maxCapacity: 1e+300 must be a whole number within AWS's 32-bit integer range (at most 2147483647)",
    },
    {
        rule: "cooldowns are AWS 32-bit integers",
        accepted: services((s) => { s.worker.scaleInCooldown = 86400; }),
        refused: services((s) => { s.worker.scaleInCooldown = 2147483648; }),
        message: "services.worker.scaleInCooldown: 2147483648 must be a whole number within AWS's 32-bit integer range (at most 2147483647)",
    },
    {
        rule: "target values within Application Auto Scaling's TargetValue range",
        accepted: services((s) => { s.api.policies[2].target = 1e6; }),
        refused: services((s) => { s.api.policies[2].target = 1e60; }),
        message: "services.api.policies[2].target: 1e+60 must be between 8.51592e-109 and 6.646144e+54 (Application Auto Scaling TargetValue)",
    },
    {
        rule: "Fargate CPU and memory pairs",
        accepted: services((s) => { s.worker.cpu = 512; s.worker.memory = 4096; }),
        refused: services((s) => { s.worker.memory = 4096; }),
        message: "services.worker.memory: 4096 MiB is not allowed with cpu 256; expected one of 512, 1024, 2048",
    },
    {
        rule: "CloudWatch Logs retention values",
        accepted: { logRetentionDays: 400 }, refused: { logRetentionDays: 13 },
        message: "logRetentionDays: 13 must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
    },
    {
        rule: "image references in ECS's format",
        accepted: services((s) => { delete s.worker.workload; s.worker.image = `registry.example.com:5000/team/app:v1.2@sha256:${"a".repeat(64)}`; }),
        refused: services((s) => { delete s.worker.workload; s.worker.image = "Nginx:latest"; }),
        message: "services.worker.image: \"Nginx:latest\" must be an image reference ECS accepts: at most 255 characters, " +
            "[registry[:port]/]repository[:tag][@digest] with a lower-case repository path (Docker reference format)",
    },
    {
        rule: "at most 5 path patterns per listener rule",
        accepted: services((s) => { s.api.loadBalancer.pathPatterns = ["/a", "/b", "/c", "/d", "/e"]; }),
        refused: services((s) => { s.api.loadBalancer.pathPatterns = ["/a", "/b", "/c", "/d", "/e", "/f"]; }),
        message: "services.api.loadBalancer.pathPatterns: [\"/a\",\"/b\",\"/c\",\"/d\",\"/e\",\"/f\"] must list at most 5 path patterns (ELB: condition values per listener rule)",
    },
    {
        rule: "path patterns of at most 128 characters",
        accepted: services((s) => { s.api.loadBalancer.pathPatterns = [`/${"p".repeat(127)}`]; }),
        refused: services((s) => { s.api.loadBalancer.pathPatterns = [`/${"p".repeat(128)}`]; }),
        message: `services.api.loadBalancer.pathPatterns[0]: "/${"p".repeat(128)}" must be 1-128 characters of A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & * ? (ELB listener rule path patterns)`,
    },
    {
        rule: "health-check paths of at most 1024 ASCII characters",
        accepted: services((s) => { s.api.loadBalancer.healthCheckPath = "/healthz"; }),
        refused: services((s) => { s.api.loadBalancer.healthCheckPath = "/héalth"; }),
        message: "services.api.loadBalancer.healthCheckPath: \"/héalth\" must start with / and be at most 1024 printable ASCII characters without spaces (ELB health check path)",
    },
    {
        rule: "CloudWatch namespaces",
        accepted: customMetric({ namespace: "MyApp/Queue" }), refused: customMetric({ namespace: "My App!" }),
        message: "services.api.policies[3].namespace: \"My App!\" must be 1-255 ASCII letters, digits, spaces and . - _ / # : with at least one non-space character (CloudWatch namespaces)",
    },
    {
        rule: "CloudWatch metric names",
        accepted: customMetric({ metricName: "m".repeat(255) }), refused: customMetric({ metricName: "m".repeat(256) }),
        message: `services.api.policies[3].metricName: "${"m".repeat(196)}... must be 1-255 printable ASCII characters (CloudWatch metric names)`,
    },
    {
        rule: "CloudWatch dimension names",
        accepted: customMetric({ dimensions: { Queue: "orders" } }), refused: customMetric({ dimensions: { ":Queue": "orders" } }),
        message: "services.api.policies[3].dimensions.:Queue: \":Queue\" must be 1-255 printable ASCII characters, not starting with a colon (CloudWatch dimension names)",
    },
    {
        rule: "CloudWatch dimension values",
        accepted: customMetric({ dimensions: { Queue: "q".repeat(1024) } }), refused: customMetric({ dimensions: { Queue: "q".repeat(1025) } }),
        message: `services.api.policies[3].dimensions.Queue: "${"q".repeat(196)}... must be 1-1024 characters without control characters (CloudWatch dimension values)`,
    },
    {
        rule: "CloudWatch units",
        accepted: customMetric({ unit: "Count" }), refused: customMetric({ unit: "Furlongs" }),
        message: "services.api.policies[3].unit: \"Furlongs\" must be a CloudWatch unit: Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, " +
            "Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second, Gigabytes/Second, Terabytes/Second, " +
            "Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second, Terabits/Second, Count/Second, None",
    },
    {
        rule: "task definitions of at most 64 KiB",
        accepted: services((s) => { s.gateway.environment = { BIG: "x".repeat(50000) }; }),
        refused: services((s) => { s.gateway.environment = { BIG: "x".repeat(70000) }; }),
        message: "services.gateway.environment: 1 variables make the task definition about 74206 bytes; ECS allows at most 65536 bytes (64 KiB) per task definition",
    },
    {
        rule: "a queue consumer does not set QUEUE_URL itself",
        accepted: services((s) => { s.worker.environment = { QUEUE_NAME: "x" }; }),
        refused: services((s) => { s.worker.environment = { QUEUE_URL: "https://example.com/q" }; }),
        message: "services.worker.environment.QUEUE_URL: \"https://example.com/q\" must not be set on a queue consumer: the program sets QUEUE_URL to the URL of queues.work",
    },
    {
        rule: "VPC CIDRs: every octet at most 255",
        accepted: { network: { mode: "vpc", cidrBlock: "10.41.0.0/16" } }, refused: { network: { mode: "vpc", cidrBlock: "300.1.0.0/16" } },
        message: "network.cidrBlock: \"300.1.0.0/16\" must be an IPv4 CIDR: every octet at most 255",
    },
    {
        rule: "VPC CIDRs: a network address, no host bits",
        accepted: { network: { mode: "vpc", cidrBlock: "10.40.0.0/24" } }, refused: { network: { mode: "vpc", cidrBlock: "10.40.1.0/16" } },
        message: "network.cidrBlock: \"10.40.1.0/16\" must be a network address: a /16 has no host bits set (a multiple of 65536 addresses)",
    },
    {
        rule: "subnet ids",
        accepted: { network: { mode: "subnets", vpcId: "vpc-0123abcd", publicSubnetIds: ["subnet-0123abcd", "subnet-0123abce"], privateSubnetIds: ["subnet-0123abcf"] } },
        refused: { network: { mode: "subnets", vpcId: "vpc-0123abcd", publicSubnetIds: ["subnet-0123abcd", "sn-2"], privateSubnetIds: ["subnet-0123abcf"] } },
        message: "network.publicSubnetIds[1]: \"sn-2\" must be a subnet id (subnet- and 8 or 17 hex digits)",
    },
    {
        rule: "a RabbitMQ step metric needs a publisher and AMQP egress, which the stack has not",
        accepted: stepPolicy({ metric: { source: "sqs" } }), refused: stepPolicy({ metric: { source: "rabbitmq", queue: "jobs" } }),
        message: "services.worker.policies[2].metric.source: \"rabbitmq\" cannot work in this stack: nothing it deploys publishes the RabbitMQ depth series " +
            "(the queue autoscaler watches an SQS queue) and no task may reach AMQP (task egress is HTTPS only), so the alarms would sit on missing data",
    },
    {
        rule: "no sub-minute periods on one-minute metrics",
        accepted: stepPolicy({ period: 120 }), refused: stepPolicy({ period: 30 }),
        message: "services.worker.policies[2].period: 30 must be a multiple of 60 for a AWS/SQS metric: it is published once a minute, " +
            "and an alarm with a 10, 20 or 30 s period on a one-minute metric lapses into INSUFFICIENT_DATA (CloudWatch)",
    },
    {
        rule: "CloudWatch's evaluation window: one day under hour-long periods",
        accepted: stepPolicy({ period: 3600, scaleIn: { evaluationPeriods: 168, steps: [{ upper: 10, change: -1 }] } }),
        refused: stepPolicy({ scaleIn: { evaluationPeriods: 1441, steps: [{ upper: 10, change: -1 }] } }),
        message: "services.worker.policies[2].scaleIn.evaluationPeriods: 1441 x period 60 s exceeds CloudWatch's 86400 s evaluation window for periods under an hour",
    },
    {
        rule: "what paidTierResources: false leaves out cannot be asked for",
        accepted: { paidTierResources: false, autoscaler: { enabled: false } }, refused: { paidTierResources: false },
        message: "autoscaler.enabled: true needs ECS, which paidTierResources: false leaves out; set one of them the other way",
    },
    {
        rule: "an age alarm within the queue's retention",
        accepted: { queues: { work: { messageRetentionSeconds: 3600, oldestMessageAgeAlarmSeconds: 3600 }, jobs: {}, batch: {} } },
        refused: { queues: { work: { messageRetentionSeconds: 3600, oldestMessageAgeAlarmSeconds: 3601 }, jobs: {}, batch: {} } },
        message: "queues.work.oldestMessageAgeAlarmSeconds: 3601 must be <= messageRetentionSeconds (3600): SQS deletes older messages, so the alarm could never fire",
    },
];

describe("config: AWS rules checked before apply (one accepted and one refused value each)", () => {
    for (const c of cases) {
        describe(c.rule, () => {
            it("accepts the valid value", () => {
                expect(problemsOf(c.accepted, c.stack?.[0])).to.deep.equal([]);
            });
            it("refuses the invalid one naming the key, the value and the rule", () => {
                expect(problemsOf(c.refused, c.stack?.[1])).to.include(c.message);
            });
        });
    }
});

describe("config: physical names derived whole, checked against each service's rule", () => {
    it("target groups: services whose names share their first 27 characters get different names (the localstack prefix is 26)", () => {
        const config = load(services((s) => { s.api2 = { ...s.api, loadBalancer: { ...s.api.loadBalancer, priority: 101 } }; }), "localstack");
        expect(config.names.prefix).to.equal("ecs-autoscaling-localstack");
        const [api, api2] = [config.services.api.name, config.services.api2.name].map(targetGroupBase);
        // Both names are longer than 27 characters: each keeps 21 and a hash of the whole name.
        expect([api, api2]).to.deep.equal(["ecs-autoscaling-local-0523d", "ecs-autoscaling-local-7a55a"]);
        expect(targetGroupBase("ecs-autoscaling-stg-api")).to.equal("ecs-autoscaling-stg-api");
    });

    const table: [string, Parameters<typeof physicalNameProblems>[0][number], string][] = [
        ["target group", { kind: "targetGroup", name: "-bad", key: "services.x.loadBalancer" },
            "services.x.loadBalancer: target group name \"-bad\" (4 characters) must be 1-32 letters, digits and hyphens, not starting or ending with a hyphen (ELB target group names)"],
        ["log group", { kind: "logGroup", name: "/ecs/a b", key: "services.x" },
            "services.x: log group name \"/ecs/a b\" (8 characters) must be 1-512 letters, digits and . - _ / # (CloudWatch Logs group names)"],
        ["ECR repository", { kind: "ecrRepository", name: "a--b", key: "autoscaler.image" },
            "autoscaler.image: ECR repository name \"a--b\" (4 characters) must be 2-256 lower-case letters and digits joined by single . _ - or / (ECR repository names)"],
        ["dashboard", { kind: "dashboard", name: "a.b", key: "namePrefix" },
            "namePrefix: dashboard name \"a.b\" (3 characters) must be 1-255 letters, digits, hyphens and underscores (CloudWatch dashboard names)"],
        ["ECS service", { kind: "ecsService", name: "s".repeat(256), key: "services.x" },
            `services.x: ECS service name "${"s".repeat(256)}" (256 characters) must be 1-255 letters, digits, hyphens and underscores (ECS names)`],
    ];
    for (const [what, name, message] of table) {
        it(`${what}: refused with its rule, accepted when valid`, () => {
            expect(physicalNameProblems([name])).to.deep.equal([message]);
            expect(physicalNameProblems([{ ...name, name: "valid-name" }])).to.deep.equal([]);
        });
    }
});

describe("config: the region's availability zones", () => {
    const config = load({ network: { mode: "vpc", availabilityZones: 3 } });
    it("accepts as many zones as the region has", () => {
        expect(regionProblems(config, ["us-east-1a", "us-east-1b", "us-east-1c"])).to.deep.equal([]);
    });
    it("refuses more, naming the key and the zones", () => {
        expect(regionProblems(config, ["eu-west-9a", "eu-west-9b"])).to.deep.equal([
            "network.availabilityZones: 3 exceeds the 2 availability zones of the stack's region (eu-west-9a, eu-west-9b)",
        ]);
    });
});
