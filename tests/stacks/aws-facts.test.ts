/**
 * AWS and provider facts the graph must respect, each stated with its source. Mocks, moto and the
 * client mocks evaluate none of them, so each is checked on the graph (or the stack file) itself.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { MIN_PARTITION_SECONDS, SQS_ATTRIBUTE_PROPAGATION_SECONDS } from "../../aws/api-limits";
import { problemsOf } from "../helpers/config-problems";
import { runProgram } from "../helpers/program";
import { invoked, ofType, recorded } from "../helpers/pulumi-mocks";
import { ROOT } from "../helpers/stack-files";

/**
 * The `aws:endpoints` key each resource type and data source of the graph calls, by the module of its
 * type token (pulumi-aws provider configuration, "endpoints": one key per AWS service).
 */
const ENDPOINT_OF_MODULE: Record<string, string> = {
    appautoscaling: "applicationautoscaling",
    cloudwatch: "cloudwatch",
    ec2: "ec2",
    ecr: "ecr",
    ecs: "ecs",
    iam: "iam",
    kms: "kms",
    lambda: "lambda",
    lb: "elbv2",
    elb: "elbv2",
    rds: "rds",
    s3: "s3",
    sns: "sns",
    sqs: "sqs",
    vpc: "ec2",
};
/** Types of the cloudwatch module that are other services' (CloudWatch Logs, EventBridge). */
const ENDPOINT_OF_TYPE: Record<string, string> = {
    "aws:cloudwatch/logGroup:LogGroup": "logs",
    "aws:cloudwatch/eventRule:EventRule": "events",
    "aws:cloudwatch/eventTarget:EventTarget": "events",
    "aws:index/getCallerIdentity:getCallerIdentity": "sts",
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": "ecr",
};
/** Answered by the provider itself, with no call. */
const NO_CALL = new Set(["aws:index/getRegion:getRegion", "aws:index/getPartition:getPartition", "aws:elb/getServiceAccount:getServiceAccount"]);

function endpointFor(token: string): string | undefined {
    if (NO_CALL.has(token)) return undefined;
    if (ENDPOINT_OF_TYPE[token]) return ENDPOINT_OF_TYPE[token];
    const [pkg, mod] = token.split(":");
    if (pkg !== "aws") return undefined;
    const key = ENDPOINT_OF_MODULE[mod.split("/")[0]];
    if (!key) throw new Error(`no endpoint key known for ${token}; add it to ENDPOINT_OF_MODULE`);
    return key;
}

describe("stacks: AWS facts the graph must respect", function () {
    this.timeout(120_000);

    it("localstack: every AWS service the graph calls has an aws:endpoints entry, or the provider calls real AWS with test credentials", async () => {
        await runProgram("localstack");
        const needed = new Set<string>();
        for (const token of [...recorded.map((r) => r.type), ...invoked.map((i) => i.token)]) {
            const key = endpointFor(token);
            if (key) needed.add(key);
        }
        const file = parse(fs.readFileSync(path.join(ROOT, "Pulumi.localstack.yaml"), "utf8"));
        const endpoints = Object.keys(file.config["aws:endpoints"][0]);
        // The alerts topic's KMS key is always created: kms must be among them.
        expect(needed.has("kms")).to.equal(true);
        expect([...needed].filter((k) => !endpoints.includes(k)).sort()).to.deep.equal([]);
    });

    it("the project image is not built during pulumi preview (@pulumi/docker-build builds on preview unless buildOnPreview: false)", async () => {
        await runProgram("staging");
        const images = ofType("docker-build:index:Image");
        expect(images).to.have.length(1);
        expect(images[0].inputs.buildOnPreview).to.equal(false);
    });

    it("the Aurora scaler's function reserves no concurrency unless aurora.classScaler.reservedConcurrency: Lambda keeps 100 unreserved, so a new account's quota allows none", async () => {
        await runProgram("staging");
        const fn = () => ofType("aws:lambda/function:Function").find((f) => f.inputs.handler === "index.handler")!.inputs;
        expect(fn()).to.not.have.property("reservedConcurrentExecutions");
        const aurora = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8")).config["ecs-autoscaling:aurora"];
        await runProgram("staging", { aurora: { ...aurora, classScaler: { ...aurora.classScaler, reservedConcurrency: true } } });
        expect(fn().reservedConcurrentExecutions).to.equal(1);
    });

    it("Aurora's engineVersion is not diffed after creation: RDS applies minor upgrades itself (auto minor version upgrade is on by default)", async () => {
        const constructed: pulumi.ResourceTransformationArgs[] = [];
        await runProgram("staging", {}, constructed);
        const rds = constructed.filter((c) => c.type === "aws:rds/cluster:Cluster" || c.type === "aws:rds/clusterInstance:ClusterInstance");
        expect(rds.map((c) => c.type).sort()).to.deep.equal(["aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance", "aws:rds/clusterInstance:ClusterInstance"]);
        for (const c of rds) expect(c.opts.ignoreChanges, `${c.type} ${c.name}`).to.include("engineVersion");
        expect(rds.find((c) => c.type === "aws:rds/cluster:Cluster")!.opts.ignoreChanges).to.include("finalSnapshotIdentifier");
    });

    it(`a partition lasts at least ${MIN_PARTITION_SECONDS} s: SQS may take up to ${SQS_ATTRIBUTE_PROPAGATION_SECONDS} s to apply a policy change (SQS API reference, SetQueueAttributes)`, () => {
        expect([SQS_ATTRIBUTE_PROPAGATION_SECONDS, MIN_PARTITION_SECONDS]).to.deep.equal([60, 120]);
        const autoscaler = (durationSeconds: number) => ({ autoscaler: { ...parse(fs.readFileSync(path.join(ROOT, "Pulumi.localstack.yaml"), "utf8")).config["ecs-autoscaling:autoscaler"], failureSimulation: { allowed: true, partition: { enabled: true, durationSeconds } } } });
        expect(problemsOf(autoscaler(60), "localstack")).to.deep.equal([
            "autoscaler.failureSimulation.partition.durationSeconds: 60 must be at least 120: SQS may take up to 60 s to apply a queue policy change (SQS API reference, SetQueueAttributes), so a shorter partition may deny nothing",
        ]);
        expect(problemsOf(autoscaler(120), "localstack")).to.deep.equal([]);
    });

    it("staging's write alarm says what WriteIOPS counts, next to its threshold (storage write records, not statements)", () => {
        const text = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
        const before = text.slice(0, text.indexOf("    writeAlarm:"));
        expect(before.split("\n").slice(-5, -1).join("\n")).to.include("WriteIOPS of the writer (Role=WRITER): Aurora storage write records");
    });

    it("an ACM certificate of another region is refused before anything is created: an ALB takes certificates of its own region only", async () => {
        const lb = (region: string) => ({ loadBalancer: { listenerPort: 80, accessLogs: true, deletionProtection: true, certificateArn: `arn:aws:acm:${region}:123456789012:certificate/0f1e2d3c-4b5a-4c69-8d7e-9fa0b1c2d3e4` } });
        let error: Error | undefined;
        try {
            await runProgram("staging", lb("eu-west-1"));
        } catch (e) {
            error = e as Error;
        }
        expect(error?.message).to.include('loadBalancer.certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-4c69-8d7e-9fa0b1c2d3e4" is a certificate of eu-west-1, not of the stack\'s region us-east-1');
        expect(recorded.filter((r) => r.type !== "pulumi:pulumi:Stack")).to.deep.equal([]);
        await runProgram("staging", lb("us-east-1"));
        expect(ofType("aws:lb/listener:Listener").map((l) => l.inputs.certificateArn).filter(Boolean)).to.have.length(1);
    });

    it("a built-in workload's setting that its command would refuse at start is refused by config, naming the key", () => {
        const services = (env: Record<string, string>, key = "worker") => {
            const all = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8")).config["ecs-autoscaling:services"];
            return { services: { ...all, [key]: { ...all[key], environment: { ...all[key].environment, ...env } } } };
        };
        expect(problemsOf(services({ PROCESSING_MS: "abc" }))).to.deep.equal([
            'services.worker.environment.PROCESSING_MS: "abc" must be a whole number >= 0 (work per message, ms, read by the worker when it starts)',
        ]);
        expect(problemsOf(services({ WAIT_SECONDS: "25", PROTECTION_MINUTES: "0" }))).to.deep.equal([
            'services.worker.environment.WAIT_SECONDS: "25" must be a whole number from 0 to 20 (the SQS long-poll wait, s, read by the worker when it starts)',
            'services.worker.environment.PROTECTION_MINUTES: "0" must be a whole number from 1 to 2880 (the ECS task-protection expiry, minutes, read by the worker when it starts)',
        ]);
        expect(problemsOf(services({ PORT: "http" }, "gateway"))).to.deep.equal([
            'services.gateway.environment.PORT: "http" must be a whole number from 1 to 65535 (the port it listens on, read by the gateway when it starts)',
        ]);
        expect(problemsOf(services({ PROCESSING_MS: "250" }))).to.deep.equal([]);
    });
});
