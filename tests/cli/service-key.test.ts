/**
 * One vocabulary: in every command `--service` is the service's key in the stack file of `--stack`,
 * resolved to the ECS service (and cluster) names of that stack; `--ecs-service` takes an ECS name as
 * it is. An unknown key exits 2 naming the key and listing the stack's keys, before any AWS call.
 */
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SQSClient } from "@aws-sdk/client-sqs";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/autoscale";
import type { CliIo } from "../../cli/io";
import { applyServiceKey, resolveService } from "../../cli/options";

const CLUSTER = "ecs-autoscaling-staging";
const API = "ecs-autoscaling-staging-api";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/work";
const UNKNOWN = 'error: --service: "nope" is not a service of stack staging; expected one of api, worker, jobs, batch, gateway, preview\n';

function testIo(env: NodeJS.ProcessEnv = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
        env: { AUTOSCALER_LOG_LEVEL: "silent", ...env }, out: (s) => out.push(s), err: (s) => err.push(s), onStopSignal: () => () => undefined,
    };
    return { io, out: () => out.join(""), err: () => err.join("") };
}

describe("--service is the stack-file key in every command", () => {
    let ecs: AwsClientStub<ECSClient>;
    let aas: AwsClientStub<ApplicationAutoScalingClient>;
    let cw: AwsClientStub<CloudWatchClient>;
    let sqs: AwsClientStub<SQSClient>;
    let elb: AwsClientStub<ElasticLoadBalancingV2Client>;
    let dir: string;
    before(() => {
        ecs = mockClient(ECSClient);
        aas = mockClient(ApplicationAutoScalingClient);
        cw = mockClient(CloudWatchClient);
        sqs = mockClient(SQSClient);
        elb = mockClient(ElasticLoadBalancingV2Client);
        dir = mkdtempSync(path.join(os.tmpdir(), "service-key-"));
    });
    afterEach(() => {
        for (const m of [ecs, aas, cw, sqs, elb]) m.reset();
    });
    after(() => {
        for (const m of [ecs, aas, cw, sqs, elb]) m.restore();
        rmSync(dir, { recursive: true, force: true });
    });
    const calls = () => ecs.calls().length + aas.calls().length + cw.calls().length + sqs.calls().length + elb.calls().length;

    it("resolves a key to the stack's ECS service and cluster; --ecs-service passes an ECS name as it is", () => {
        expect(resolveService({ stack: "staging", service: "api" })).to.deep.equal({ cluster: CLUSTER, ecsService: API });
        expect(resolveService({ stack: "staging", service: "api", cluster: "other" })).to.deep.equal({ cluster: "other", ecsService: API });
        expect(resolveService({ cluster: "c", ecsService: "raw" })).to.deep.equal({ cluster: "c", ecsService: "raw" });
        const flags: Record<string, string | boolean | undefined> = { stack: "staging", service: "api", max: "3" };
        const sources: Record<string, "cli" | "env" | "default" | undefined> = { stack: "cli", service: "cli", max: "cli" };
        applyServiceKey(flags, sources);
        expect(flags).to.deep.equal({ max: "3", ecsService: API, cluster: CLUSTER });
        expect(sources).to.deep.equal({ max: "cli", ecsService: "cli", cluster: "cli" });
    });

    it("refuses a key without --stack, and a key with --ecs-service, naming the flags", () => {
        expect(() => resolveService({ service: "api" })).to.throw(
            '--stack: (missing) is required with --service "api", which names a service of a stack file (stacks here: localstack, staging); or give the ECS name with --ecs-service');
        expect(() => resolveService({ stack: "staging", service: "api", ecsService: "x" })).to.throw(
            '--service and --ecs-service: give one: --service "api" is a key of the stack file, --ecs-service "x" an ECS service name');
    });

    it("autoscaler run --service api checks the stack's ECS service", async () => {
        // A service the cluster does not hold: the start-up check ends the run with exit 2.
        ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: API, reason: "MISSING" }] });
        const t = testIo();
        await main(["autoscaler", "run", "--stack", "staging", "--service", "api", "--queue-url", QUEUE_URL, "--max", "3", "--health-port", "0"], t.io);
        expect(ecs.commandCalls(DescribeServicesCommand)[0]!.args[0].input).to.deep.include({ cluster: CLUSTER, services: [API] });
    });

    it("chaos stop-task --service api stops a task of the stack's ECS service", async () => {
        ecs.on(ListTasksCommand).resolves({ taskArns: [] });
        ecs.on(DescribeTasksCommand).resolves({ tasks: [] });
        const t = testIo();
        expect(await main(["chaos", "stop-task", "--chaos-allowed", "--stack", "staging", "--service", "api"], t.io)).to.equal(0);
        expect(ecs.commandCalls(ListTasksCommand)[0]!.args[0].input).to.deep.include({ cluster: CLUSTER, serviceName: API });
        expect(t.out()).to.equal(`stop-task: nothing_to_do: no running task of service ${API} to stop\n`);
    });

    it("evidence --service api reads the stack's scalable target", async () => {
        aas.on(DescribeScalableTargetsCommand).rejects(new Error("stop here"));
        const t = testIo();
        await main(["evidence", "--stack", "staging", "--service", "api", "--out", path.join(dir, "evidence")], t.io);
        expect(aas.commandCalls(DescribeScalableTargetsCommand)[0]!.args[0].input).to.deep.include({ ResourceIds: [`service/${CLUSTER}/${API}`] });
    });

    it("wake --service api reads the stack's ECS service", async () => {
        ecs.on(DescribeServicesCommand).rejects(new Error("stop here"));
        const t = testIo();
        await main(["wake", "--stack", "staging", "--service", "api"], t.io);
        expect(ecs.commandCalls(DescribeServicesCommand)[0]!.args[0].input).to.deep.include({ cluster: CLUSTER, services: [API] });
    });

    it("emulate --service api emulates only the stack's ECS service, and says so when the endpoint holds none", async () => {
        aas.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
        const t = testIo({ AWS_ENDPOINT_URL: "http://127.0.0.1:1" });
        const saved = process.env.AWS_ENDPOINT_URL;
        process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:1";
        try {
            expect(await main(["emulate", "--stack", "staging", "--service", "api", "--activities", path.join(dir, "a.jsonl")], t.io)).to.equal(2);
        } finally {
            if (saved === undefined) delete process.env.AWS_ENDPOINT_URL; else process.env.AWS_ENDPOINT_URL = saved;
        }
        expect(t.err()).to.equal(`error: no scalable target for ECS service ${API} of cluster ${CLUSTER} at http://127.0.0.1:1 ` +
            "(DescribeScalableTargets holds none); create the stack there first (autoscale up), or pass --wait to wait for one\n");
    });

    it("simulate --service api and scale-test --service worker read the stack's service", async () => {
        const sim = testIo();
        expect(await main(["simulate", "--stack", "staging", "--service", "api", "--trace", "idle", "--out", path.join(dir, "sim")], sim.io)).to.equal(0);
        expect(sim.out()).to.match(/^staging\/api, trace idle/);
        // The ratio columns say what they are under the table.
        expect(sim.out()).to.include("(1.20x) is the figure divided by the oracle's, the reference that knows the load ahead; lower is better in every column.\n");
        const st = testIo();
        expect(await main(["scale-test", "verify", "--stack", "staging", "--service", "worker", "--dry-run"], st.io)).to.equal(0);
        expect(st.out()).to.include("ecs-autoscaling-staging-worker");
    });

    it("an unknown key exits 2 in every command, naming the key and listing the stack's keys, before any AWS call", async () => {
        const commands: string[][] = [
            ["autoscaler", "run", "--queue-url", QUEUE_URL, "--max", "3"],
            ["chaos", "stop-task", "--chaos-allowed"],
            ["chaos", "drain", "--chaos-allowed"],
            ["evidence"],
            ["wake"],
            ["emulate"],
            ["simulate", "--trace", "burst"],
            ["scale-test", "verify"],
        ];
        for (const c of commands) {
            const t = testIo({ AWS_ENDPOINT_URL: "http://127.0.0.1:1" });
            expect(await main([...c, "--stack", "staging", "--service", "nope"], t.io), c.join(" ")).to.equal(2);
            expect(t.err(), c.join(" ")).to.equal(UNKNOWN);
        }
        expect(calls()).to.equal(0);
    });

    it("describes --service the same way in every command's --help", async () => {
        for (const c of [["autoscaler", "run"], ["chaos", "stop-task"], ["chaos", "drain"], ["chaos", "partition"], ["evidence"], ["wake"], ["emulate"], ["simulate"], ["scale-test"]]) {
            const t = testIo();
            expect(await main([...c, "--help"], t.io)).to.equal(0);
            expect(t.out().replace(/\s+/g, " "), c.join(" ")).to.include("--service <key> the service's key under `services` in the stack file of --stack");
            expect(t.out(), c.join(" ")).to.not.include("ECS service to scale");
        }
    });
});
