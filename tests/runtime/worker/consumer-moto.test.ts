/**
 * The sample worker against moto's SQS, with a stand-in for the ECS agent's task-protection endpoint
 * (moto has none): it works each message for the configured time, deletes it, turns scale-in
 * protection on while busy and off when idle, and on SIGTERM finishes the message in hand and exits 0.
 */
import { spawn } from "child_process";
import * as http from "http";
import * as path from "path";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { expect } from "chai";
import { createLogger } from "../../../runtime/aws/logger";
import { runWorker } from "../../../runtime/worker/consumer";
import { agentTaskProtection } from "../../../runtime/worker/task-protection";
import { motoClients, pollUntil, sendBurst, startMoto, stopAll, type MotoServer } from "../../../local/moto-server";
import type { AwsClients } from "../../../runtime/aws/clients";
import { noteAwsCall, recordAwsCalls } from "../../helpers/aws-call-recorder";

interface AgentStandIn {
    readonly uri: string;
    /** Bodies of the PUTs to /task-protection/v1/state, in order, with their time. */
    readonly puts: { at: number; body: { ProtectionEnabled: boolean; ExpiresInMinutes?: number } }[];
    close(): Promise<void>;
}

/** Task path of the stand-in: ECS sets ECS_AGENT_URI to `http://169.254.170.2/api/<task id>`. */
const AGENT_PATH = "/api/task-id";
/** The cluster and task the stand-in answers for. */
const CLUSTER = "it-cluster";
const TASK_ARN = `arn:aws:ecs:us-east-1:123456789012:task/${CLUSTER}/0123456789abcdef0123456789abcdef`;

/** Answers like the ECS agent: 200 with `{"protection":{...}}`. */
function startAgentStandIn(): Promise<AgentStandIn> {
    const puts: AgentStandIn["puts"] = [];
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            if (req.method !== "PUT" || req.url !== `${AGENT_PATH}/task-protection/v1/state`) {
                res.writeHead(404).end();
                return;
            }
            const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            puts.push({ at: Date.now(), body });
            // The agent calls ECS UpdateTaskProtection for the task with the task role's credentials.
            noteAwsCall("ecs", "UpdateTaskProtection", {
                cluster: CLUSTER, tasks: [TASK_ARN], protectionEnabled: body.ProtectionEnabled, expiresInMinutes: body.ExpiresInMinutes,
            });
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify({ protection: { ProtectionEnabled: body.ProtectionEnabled, TaskArn: TASK_ARN } }));
        });
    });
    return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as { port: number }).port;
        resolve({
            uri: `http://127.0.0.1:${port}${AGENT_PATH}`,
            puts,
            close: () => new Promise<void>((done) => {
                server.close(() => done());
                server.closeAllConnections();
            }),
        });
    }));
}

describe("integration: the sample worker against moto's SQS", function () {
    recordAwsCalls(__filename, "worker", { cluster: CLUSTER, queue: "worker-rate" });
    this.timeout(90_000);
    let moto: MotoServer | undefined;
    let clients: AwsClients;
    let agent: AgentStandIn | undefined;

    before(async function () {
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
        agent = await startAgentStandIn();
    });
    after(async function () {
        await agent?.close();
        await stopAll({ moto, clients });
    });

    const queue = async (name: string) => (await clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "30" } }))).QueueUrl!;
    const depth = async (url: string) => {
        const a = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }))).Attributes!;
        return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
    };

    it("works each message for the configured time, deletes it, and holds scale-in protection only while busy", async function () {
        const url = await queue("worker-rate");
        await sendBurst(clients.sqs, url, 12, "rate");
        agent!.puts.length = 0;
        const worked: number[] = [];
        const abort = new AbortController();
        const started = Date.now();
        const run = runWorker({ queueUrl: url, processingMs: 150, waitSeconds: 1, protectionMinutes: 10 }, {
            sqs: clients.sqs,
            protection: agentTaskProtection(agent!.uri),
            clock: Date.now,
            work: async (ms) => {
                worked.push(ms);
                await new Promise((r) => setTimeout(r, ms));
            },
            pause: (ms) => new Promise((r) => setTimeout(r, ms)),
            logger: createLogger({ level: process.env.TEST_LOG ?? "silent" }),
            signal: abort.signal,
        });
        let drainedMs: number;
        try {
            // Idle once the queue is empty: protection comes off.
            await pollUntil(async () => agent!.puts.length, (n) => n >= 2, { timeoutMs: 30_000, everyMs: 50, what: "protection on and off" });
            drainedMs = Date.now() - started;
        } finally {
            abort.abort("test");
        }
        const stats = await run;
        expect(stats.processed).to.equal(12);
        expect(worked).to.deep.equal(Array(12).fill(150));
        expect(await depth(url)).to.equal(0);
        expect(agent!.puts.map((p) => p.body)).to.deep.equal([{ ProtectionEnabled: true, ExpiresInMinutes: 10 }, { ProtectionEnabled: false }]);
        // 12 messages at 150 ms each, one at a time, cannot take less than 1.8 s.
        expect(drainedMs).to.be.at.least(12 * 150);
        console.log(`      worker: 12 messages at 150 ms each drained in ${drainedMs} ms (${(12_000 / drainedMs).toFixed(2)} messages/s, at most ${(1000 / 150).toFixed(2)} configured)`);
    });

    it("on SIGTERM finishes the message in hand, deletes it, clears protection and exits 0", async function () {
        const url = await queue("worker-sigterm");
        agent!.puts.length = 0;
        const bin = path.resolve(__dirname, "../../../bin/autoscale.js");
        const child = spawn(process.execPath, [bin, "worker", "run"], {
            env: {
                ...process.env, AWS_ENDPOINT_URL: moto!.endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test",
                QUEUE_URL: url, PROCESSING_MS: "2000", WAIT_SECONDS: "1", ECS_AGENT_URI: agent!.uri, LOG_LEVEL: "info",
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (c: Buffer) => (output += c.toString()));
        child.stderr.on("data", (c: Buffer) => (output += c.toString()));
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        try {
            await clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "finish me" }));
            // Protection on = the message is in hand.
            await pollUntil(async () => agent!.puts.length, (n) => n >= 1, { timeoutMs: 30_000, everyMs: 50, what: `protection on (output: ${output})` });
            const signalled = Date.now();
            child.kill("SIGTERM");
            const code = await exited;
            expect(code, output).to.equal(0);
            expect(Date.now() - signalled).to.be.below(10_000);
            expect(await depth(url)).to.equal(0);
            expect(agent!.puts.map((p) => p.body)).to.deep.equal([{ ProtectionEnabled: true, ExpiresInMinutes: 10 }, { ProtectionEnabled: false }]);
            const logs = output.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { msg: string; processed?: number });
            expect(logs.map((l) => l.msg)).to.include.members(["message done", "worker stopped"]);
            expect(logs.find((l) => l.msg === "worker stopped")?.processed).to.equal(1);
        } finally {
            if (child.exitCode === null) child.kill("SIGKILL");
        }
    });
});
