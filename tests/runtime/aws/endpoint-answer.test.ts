/**
 * An endpoint that answers HTML (a web server or proxy at AWS_ENDPOINT_URL) gives one line naming the
 * endpoint, in every command that calls AWS, instead of the SDK's `SyntaxError ... "<!doctype"`.
 */
import { DescribeClustersCommand } from "@aws-sdk/client-ecs";
import { expect } from "chai";
import { createServer, type Server } from "http";
import type { AddressInfo } from "net";
import { tmpdir } from "os";
import * as path from "path";
import { main } from "../../../cli/autoscale";
import type { CliIo } from "../../../cli/io";
import { createEcsClient } from "../../../runtime/aws/clients";
import { EndpointAnswerError } from "../../../runtime/aws/endpoint-answer";

function testIo(env: NodeJS.ProcessEnv) {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { env: { AUTOSCALER_LOG_LEVEL: "silent", ...env }, out: (s) => out.push(s), err: (s) => err.push(s), onStopSignal: () => () => undefined };
    return { io, out: () => out.join(""), err: () => err.join("") };
}

describe("an endpoint answer that is not AWS's", () => {
    let server: Server;
    let endpoint: string;
    const saved: Record<string, string | undefined> = {};
    const ENV = ["AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_MAX_ATTEMPTS"];
    before(async () => {
        server = createServer((_req, res) => {
            res.writeHead(200, { "content-type": "text/html" });
            res.end("<!doctype html><html><body>Welcome to nginx!</body></html>");
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        for (const k of ENV) saved[k] = process.env[k];
        Object.assign(process.env, { AWS_ENDPOINT_URL: endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_MAX_ATTEMPTS: "1" });
    });
    after(async () => {
        for (const k of ENV) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
        await new Promise((resolve) => server.close(resolve));
    });

    const line = (operation: string) =>
        `error: the endpoint ${endpoint} answered ${operation} with HTTP 200 text/html "<!doctype ..." that is not an AWS API answer: ` +
        "check AWS_ENDPOINT_URL (unset for AWS itself) and AWS_REGION\n";

    it("is an EndpointAnswerError naming the endpoint and the operation, from every client of the factory", async () => {
        const ecs = createEcsClient();
        try {
            const error = await ecs.send(new DescribeClustersCommand({})).then(() => undefined, (e: unknown) => e);
            expect(error).to.be.instanceOf(EndpointAnswerError);
            expect((error as EndpointAnswerError).message).to.equal(line("DescribeClusters").replace(/^error: /, "").trimEnd());
        } finally {
            ecs.destroy();
        }
    });

    const commands: [string[], string][] = [
        [["evidence", "--cluster", "c", "--ecs-service", "s", "--out", path.join(tmpdir(), "endpoint-answer-evidence")], "DescribeScalableTargets"],
        [["autoscaler", "run", "--cluster", "c", "--ecs-service", "s", "--max", "3", "--queue-url", "http://127.0.0.1:1/123456789012/q", "--health-port", "0"], "DescribeServices"],
        [["wake", "--cluster", "c", "--ecs-service", "s", "--json"], "DescribeServices"],
        [["chaos", "stop-task", "--chaos-allowed", "--cluster", "c", "--ecs-service", "s"], "ListTasks"],
        [["aurora", "teardown", "--cluster", "c"], "DeregisterScalableTarget"],
        [["metric", "publish", "--namespace", "N", "--metric", "M", "--dimension", "A=1", "--phase", "1:1s", "--every", "1s"], "PutMetricData"],
    ];
    for (const [args, operation] of commands) {
        it(`${args.slice(0, 2).join(" ")}: one line naming the endpoint, exit 2`, async () => {
            const t = testIo({ AWS_ENDPOINT_URL: endpoint, AWS_REGION: "us-east-1" });
            expect(await main(args, t.io)).to.equal(2);
            expect(t.err()).to.equal(line(operation));
            expect(t.out()).to.equal("");
        });
    }
});
