/**
 * The queue autoscaler task's bundle (bundle/esbuild.ts: runtime/autoscaler/main.ts into
 * dist/autoscaler/index.js): it carries none of the packages only the `autoscale` command's other tools
 * use, and it runs on its own, with no node_modules beside it.
 */
import { expect } from "chai";
import { execFile } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { build, type Metafile } from "esbuild";
import { AUTOSCALER_TASK_BUNDLE, AUTOSCALER_TASK_OPTIONS, ROOT } from "../../bundle/esbuild";
import { version } from "../../package.json";

/**
 * Packages the task must not load: the Pulumi program and the image build, charts, the browser, the
 * database and AMQP clients, load and progress tools, stack files, and the AWS SDK clients only other
 * tools call.
 */
const FORBIDDEN = [
    "@pulumi/aws", "@pulumi/docker-build", "@pulumi/pulumi", "@pulumi/policy",
    "vega", "vega-lite", "playwright-core", "pg", "amqplib", "autocannon", "cli-progress", "yaml",
    "@aws-sdk/client-rds", "@aws-sdk/client-elastic-load-balancing-v2", "@aws-sdk/client-cloudwatch-logs",
];

/** The package an input path of the metafile belongs to (`@scope/name` or `name`), or undefined for ours. */
function packageOf(input: string): string | undefined {
    const parts = input.split("/");
    const i = parts.lastIndexOf("node_modules");
    if (i < 0) return undefined;
    return parts[i + 1]!.startsWith("@") ? `${parts[i + 1]}/${parts[i + 2]}` : parts[i + 1];
}

/** Packages with code in the output (an input esbuild read but dropped entirely has 0 bytes in it). */
function packagesInOutput(metafile: Metafile): Map<string, number> {
    const out = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined)!;
    const packages = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
        const name = packageOf(input);
        if (name !== undefined && bytesInOutput > 0) packages.set(name, (packages.get(name) ?? 0) + bytesInOutput);
    }
    return packages;
}

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        // Only PATH and HOME from this process: no AWS settings, no NODE_OPTIONS of the test runner.
        execFile(process.execPath, [file, ...args], { env: { PATH: process.env.PATH, HOME: os.tmpdir(), ...env }, cwd: path.dirname(file), timeout: 30_000 },
            (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }));
    });
}

describe("the autoscaler task's bundle", function () {
    this.timeout(120_000);

    let metafile: Metafile;
    let dir: string;
    let bundle: string;

    before(async () => {
        dir = mkdtempSync(path.join(os.tmpdir(), "autoscaler-task-"));
        bundle = path.join(dir, "index.js");
        const result = await build({ ...AUTOSCALER_TASK_OPTIONS, write: false, logLevel: "silent" });
        metafile = result.metafile!;
        // Written into an empty folder outside the repository: nothing to resolve a package from.
        writeFileSync(bundle, result.outputFiles!.find((f) => f.path.endsWith(".js"))!.text);
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    it("is runtime/autoscaler/main.ts, written to the path the task definition runs", () => {
        expect(AUTOSCALER_TASK_OPTIONS.entryPoints).to.deep.equal([path.join(ROOT, "runtime", "autoscaler", "main.ts")]);
        expect(AUTOSCALER_TASK_BUNDLE).to.equal("dist/autoscaler/index.js");
        expect(AUTOSCALER_TASK_OPTIONS.outfile).to.equal(path.join(ROOT, "dist", "autoscaler", "index.js"));
    });

    it("carries none of the packages only the other tools use, and the clients the autoscaler calls", () => {
        const packages = packagesInOutput(metafile);
        expect(FORBIDDEN.filter((name) => packages.has(name)), "forbidden packages with code in the bundle").to.deep.equal([]);
        expect([...packages.keys()]).to.include.members(["@aws-sdk/client-ecs", "@aws-sdk/client-sqs", "@aws-sdk/client-cloudwatch", "pino", "prom-client", "commander", "zod"]);
        // None of the project's deploy-time or tool rooms either.
        const rooms = new Set(Object.keys(metafile.inputs).filter((f) => packageOf(f) === undefined).map((f) => f.split("/")[0]));
        expect([...rooms].sort()).to.deep.equal(["aws", "input", "package.json", "runtime", "scaling"]);
    });

    it("answers --version and --help on its own, exit 0", async () => {
        const v = await run(bundle, ["--version"]);
        expect(v).to.deep.equal({ code: 0, stdout: `${version}\n`, stderr: "" });
        const help = await run(bundle, ["autoscaler", "run", "--help"]);
        expect(help.code).to.equal(0);
        for (const line of ["Usage: autoscaler autoscaler run [options]", "--queue-url <url>", "AUTOSCALER_QUEUE_URL", "--services <json>"]) {
            expect(help.stdout).to.include(line);
        }
    });

    it("refuses bad settings with exit 2 before any AWS call, naming the flag", async () => {
        const missing = await run(bundle, ["autoscaler", "run", "--cluster", "main", "--ecs-service", "worker", "--max", "3"]);
        expect(missing.code).to.equal(2);
        expect(missing.stderr).to.equal("error: --queue-url or --rabbitmq-url: (missing) exactly one is required (or set AUTOSCALER_QUEUE_URL / AUTOSCALER_RABBITMQ_URL)\n");
        // A RabbitMQ queue needs the AMQP client, which only the `autoscale` command carries.
        const rabbit = await run(bundle, ["autoscaler", "run", "--rabbitmq-url", "amqp://u:secret@mq:5672", "--rabbitmq-queue", "jobs",
            "--cluster", "main", "--ecs-service", "worker", "--max", "3"], { AWS_REGION: "us-east-1" });
        expect(rabbit.code).to.equal(2);
        expect(rabbit.stderr).to.equal('error: --rabbitmq-url: "amqp://u:***@mq:5672" is a RabbitMQ queue; this build of the autoscaler (the task\'s entry) reads SQS queues only: run `autoscale autoscaler run` to scale from RabbitMQ\n');
        expect(rabbit.stdout).to.equal("");
    });
});
