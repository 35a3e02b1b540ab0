import { expect } from "chai";
import { main } from "../../cli/autoscale";
import { createLogger } from "../../runtime/aws/logger";
import { startGateway } from "../../runtime/gateway/server";
import { protectionBody, taskProtectionUrl } from "../../runtime/worker/task-protection";

async function run(args: string[]) {
    const err: string[] = [];
    const code = await main(args, { env: {}, out: () => undefined, err: (s) => err.push(s), onStopSignal: () => () => undefined });
    return { code, err: err.join("") };
}

describe("workloads: the sample worker and the gateway stand-in", () => {
    it("asks the ECS agent for protection with the documented request", () => {
        expect(taskProtectionUrl("http://169.254.170.2/api/abc/")).to.equal("http://169.254.170.2/api/abc/task-protection/v1/state");
        expect(protectionBody(true, 10)).to.deep.equal({ ProtectionEnabled: true, ExpiresInMinutes: 10 });
        expect(protectionBody(false)).to.deep.equal({ ProtectionEnabled: false });
    });

    it("worker run refuses bad settings with exit 2, naming the flag and the rule", async () => {
        const saved = process.env.QUEUE_URL;
        delete process.env.QUEUE_URL;
        try {
            expect(await run(["worker", "run"])).to.deep.equal({ code: 2, err: "error: --queue-url: (missing) the SQS queue URL is required (or set QUEUE_URL)\n" });
            expect(await run(["worker", "run", "--queue-url", "q", "--wait-seconds", "30"])).to.deep.equal({ code: 2, err: "error: --wait-seconds: 30 must be <= 20 (the SQS long-poll maximum)\n" });
            expect(await run(["worker", "run", "--queue-url", "q", "--processing-ms", "-5"])).to.deep.equal({ code: 2, err: 'error: --processing-ms: "-5" must be a whole number >= 0\n' });
            expect(await run(["worker", "run", "--queue-url", "q", "--protection-minutes", "0"])).to.deep.equal({ code: 2, err: 'error: --protection-minutes: "0" must be a whole number >= 1\n' });
        } finally {
            if (saved !== undefined) process.env.QUEUE_URL = saved;
        }
    });

    it("the gateway stays up, answers /healthz, burns the CPU time /work asks for within its bound, and closes", async () => {
        const gw = await startGateway(0, createLogger({ level: "silent" }), "127.0.0.1");
        try {
            const get = async (p: string) => {
                const r = await fetch(`http://127.0.0.1:${gw.port}${p}`);
                return [r.status, await r.json()];
            };
            expect(await get("/healthz")).to.deep.equal([200, { status: "ok" }]);
            expect(await get("/work?ms=5")).to.deep.equal([200, { workedMs: 5 }]);
            expect(await get("/work?ms=5000")).to.deep.equal([400, { error: "ms must be 0..1000" }]);
            expect(await get("/nope")).to.deep.equal([404, { error: "not found" }]);
        } finally {
            await gw.close();
        }
    });
});
