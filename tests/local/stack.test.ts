/**
 * What `autoscale up` refuses before anything starts: each a one-line error naming the fix, exit 2,
 * and nothing written, started or created. Stack files live in a scratch copy of the project's, so the
 * repository's `.autoscale/` is never touched.
 */
import { spawn, type ChildProcess } from "child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { main } from "../../cli/autoscale";
import type { CliIo } from "../../cli/io";
import { loadStackFile } from "../../config/stack-file";
import { MOTO_INSTALL_HINT } from "../../local/endpoint";
import { writeLock } from "../../local/graph/state";
import { up } from "../../local/stack";

const ROOT = path.resolve(__dirname, "..", "..");

function captureIo(env: NodeJS.ProcessEnv = process.env): CliIo & { errText(): string; outText(): string } {
    let out = "";
    let err = "";
    return {
        env, out: (t) => (out += t), err: (t) => (err += t), onStopSignal: () => () => undefined,
        errText: () => err, outText: () => out,
    };
}

describe("autoscale up: refusals before anything starts", function () {
    this.timeout(30_000);
    let home: string;
    let sleeper: ChildProcess | undefined;
    let server: net.Server | undefined;

    beforeEach(() => {
        home = mkdtempSync(path.join(os.tmpdir(), "local-stack-"));
        copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(home, "Pulumi.yaml"));
        copyFileSync(path.join(ROOT, "Pulumi.localstack.yaml"), path.join(home, "Pulumi.localstack.yaml"));
    });

    afterEach(async () => {
        sleeper?.kill("SIGKILL");
        sleeper = undefined;
        if (server) await new Promise((r) => server!.close(r));
        server = undefined;
        rmSync(home, { recursive: true, force: true });
    });

    const start = (o: { stack?: string; port?: number; env?: NodeJS.ProcessEnv }) => up({
        root: home, stack: o.stack ?? "localstack", speed: 12, demo: false, port: o.port ?? 0, env: o.env ?? { ...process.env, AWS_ENDPOINT_URL: "" },
        out: () => undefined, signal: new AbortController().signal,
    });
    const nothingLeft = () => expect(existsSync(path.join(home, ".autoscale"))).to.equal(false);

    it("an unknown stack: exit 2, one line naming the stack files there are", async () => {
        const io = captureIo();
        expect(await main(["up", "--stack", "nope"], io)).to.equal(2);
        expect(io.errText()).to.equal('error: --stack: "nope" has no Pulumi.nope.yaml; use one of localstack, staging, or create Pulumi.nope.yaml\n');
    });

    it("a stack file with errors: the config validation's own messages, nothing created", async () => {
        writeFileSync(path.join(home, "Pulumi.broken.yaml"), [
            "config:",
            "  ecs-autoscaling:logRetentionDays: 4",
            "  ecs-autoscaling:services:",
            "    worker:",
            "      workload: worker",
            "      consumesQueue: work",
            "      minCapacity: 5",
            "      maxCapacity: 2",
            "  ecs-autoscaling:queues:",
            "    work: {}",
            "",
        ].join("\n"));
        let expected = "";
        try {
            loadStackFile("broken", {}, home);
        } catch (error) {
            expected = (error as Error).message;
        }
        expect(expected).to.match(/^Invalid stack config \(\d+ problems?\):/);
        let error: Error | undefined;
        await start({ stack: "broken" }).catch((e: Error) => (error = e));
        expect(error?.name).to.equal("ConfigError");
        expect(error?.message).to.equal(expected);
        nothingLeft();
    });

    it("the page's port in use: one line naming --port", async () => {
        server = net.createServer();
        await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
        const port = (server.address() as net.AddressInfo).port;
        let error: Error | undefined;
        await start({ port, env: { ...process.env, AWS_ENDPOINT_URL: "http://127.0.0.1:9" } }).catch((e: Error) => (error = e));
        expect(error?.message).to.equal(`--port: ${port} is in use (the live page's port); pass --port <a free port>, or stop what listens there`);
        nothingLeft();
    });

    it("moto_server missing from the PATH: how to install it, through the command with exit 2", async () => {
        const io = captureIo({ ...process.env, PATH: path.join(home, "empty-bin"), AWS_ENDPOINT_URL: "" });
        expect(await main(["up", "--port", "0"], io)).to.equal(2);
        expect(io.errText()).to.equal(`error: ${MOTO_INSTALL_HINT}\n`);
        expect(MOTO_INSTALL_HINT).to.contain('pip install "moto[server]"');
    });

    it("a non-local AWS_ENDPOINT_URL: refused as emulate refuses it", async () => {
        let error: Error | undefined;
        await start({ env: { ...process.env, AWS_ENDPOINT_URL: "https://ecs.us-east-1.amazonaws.com" } }).catch((e: Error) => (error = e));
        expect(error?.message).to.equal('AWS_ENDPOINT_URL: "https://ecs.us-east-1.amazonaws.com" is not a local endpoint (localhost, 127.0.0.0/8, ::1); unset it to let the local stack start moto_server');
        nothingLeft();
    });

    it("a second start of a running stack: names the running process, its page and `autoscale down`", async () => {
        sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
        writeLock(home, "localstack", { pid: sleeper.pid!, pageUrl: "http://127.0.0.1:8750" });
        let error: Error | undefined;
        await start({}).catch((e: Error) => (error = e));
        expect(error?.message).to.equal(`stack localstack is already running (process ${sleeper.pid}, page http://127.0.0.1:8750): open its page, or stop it with \`npx autoscale down --stack localstack\``);
        expect(existsSync(path.join(home, ".autoscale", "localstack", "state.json"))).to.equal(false);
    });
});
