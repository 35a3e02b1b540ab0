/**
 * Benchmark: one autoscaler process scaling many services (default 200) on moto_server at a 5 s
 * interval for 5 minutes, with bursts landing on a few queues every interval and those queues purged
 * a while later (so services scale up and back down all along).
 *
 * The autoscaler runs as deployed: the autoscaler task's own bundle (runtime/autoscaler/main.ts, what
 * the task definition's entry point runs; built into a temporary directory, run with the image's
 * NODE_ENV and NODE_OPTIONS), `autoscaler run` with SERVICES, in a process of its own; its calls are
 * counted from its own autoscaler_api_calls_total metric, scraped every second. Prints: tick duration
 * p50/p99 (one tick = every service read, decided and written; from its debug "cluster tick" lines), API calls per tick by operation and the busiest
 * second of each against ECS's documented throttling (aws/api-limits.ts), the process's peak RSS
 * (VmHWM) and its CPU time as a share of one core (/proc), and how long it took to exit after SIGTERM.
 *
 * Run: npm run bench:many-services [-- --services 200 --interval 5 --minutes 5 --cpu-prof <dir>]
 * With --cpu-prof, the autoscaler process writes a V8 CPU profile (node --cpu-prof) into <dir> when it
 * exits; open it in Chrome DevTools (Performance) or read its hottest functions with `node -e`.
 */
import { execFileSync, spawn } from "child_process";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import { PurgeQueueCommand } from "@aws-sdk/client-sqs";
import { build } from "esbuild";
import { AUTOSCALER_TASK_OPTIONS, ROOT } from "../bundle/esbuild";
import { ECS_SERVICE_READ_LIMIT, ECS_SERVICE_WRITE_LIMIT, SQS_ATTRIBUTE_READS_PER_SECOND } from "../aws/api-limits";
import { METRIC_NAMES } from "../runtime/autoscaler/metrics";
import { mapBounded } from "../runtime/autoscaler/pacing";
import { createFixture, motoClients, sendBurst, startMoto, type Fixture, type MotoServer } from "../local/moto-server";

function arg(name: string, fallback: number): number {
    const i = process.argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const v = Number(process.argv[i + 1]);
    if (!(v > 0)) throw new Error(`--${name}: ${JSON.stringify(process.argv[i + 1])} must be a number > 0`);
    return v;
}

/** The value of `--<name> <text>`, or undefined without the flag. */
function textArg(name: string): string | undefined {
    const i = process.argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = process.argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`--${name}: needs a value`);
    return v;
}

const SERVICES = arg("services", 200);
const CPU_PROFILE_DIR = textArg("cpu-prof");
const INTERVAL_S = arg("interval", 5);
const MINUTES = arg("minutes", 5);
/** Queues that get a burst each interval, and how long a burst stays before its queue is purged. */
const BURSTS_PER_INTERVAL = 5;
const BURST_MESSAGES = 40;
const PURGE_AFTER_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function percentile(sorted: readonly number[], p: number): number {
    return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

/** utime + stime of a process, ms (/proc/<pid>/stat fields 14 and 15, in clock ticks of 1/100 s). */
function cpuMs(pid: number): number {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The process listening on a loopback TCP port (moto_server's), from `ss -ltnp`; undefined when ss cannot tell. */
function listenerPid(port: number): number | undefined {
    try {
        const out = execFileSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
        const m = /pid=(\d+)/.exec(out);
        return m ? Number(m[1]) : undefined;
    } catch {
        return undefined;
    }
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(", ");

/** A field of /proc/<pid>/status in MB (VmRSS, VmHWM). */
function statusMb(pid: number, field: string): number {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
    let moto: MotoServer | undefined;
    const admin: ReturnType<typeof motoClients>[] = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), "bench-many-"));
    let child: ReturnType<typeof spawn> | undefined;
    try {
        const bundle = path.join(dir, "index.js");
        await build({ ...AUTOSCALER_TASK_OPTIONS, outfile: bundle, metafile: false, logLevel: "silent" });
        moto = await startMoto();
        const load = motoClients(moto.endpoint);
        admin.push(load);
        const names = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(3, "0")}`);
        const created = Date.now();
        // moto answers a 500 now and then under load: a fixture is tried up to three times.
        const fixture = async (service: string): Promise<Fixture> => {
            for (let attempt = 1; ; attempt++) {
                try {
                    return await createFixture(load, { cluster: "bench-many", service, queue: `${service}-jobs`, desiredCount: 1, settled: true });
                } catch (error) {
                    if (attempt >= 3) throw error;
                }
            }
        };
        // The cluster first: moto answers 500 to concurrent CreateCluster calls of one name now and then.
        const fixtures = [await fixture(names[0]!), ...await mapBounded(names.slice(1), 4, fixture)];
        console.log(`created ${SERVICES} services and queues on moto in ${((Date.now() - created) / 1000).toFixed(1)} s`);
        const services = Object.fromEntries(fixtures.map((f: Fixture) => [f.service, { queueUrl: f.queueUrl }]));
        const profile = CPU_PROFILE_DIR === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", path.resolve(CPU_PROFILE_DIR)];
        child = spawn(process.execPath, [...profile, bundle, "autoscaler", "run"], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "inherit"],
            env: {
                // The image's environment (Dockerfile).
                ...process.env, NODE_ENV: "production", NODE_OPTIONS: "--enable-source-maps",
                AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_ENDPOINT_URL: moto.endpoint,
                AUTOSCALER_SERVICES: JSON.stringify(services), AUTOSCALER_CLUSTER: "bench-many", AUTOSCALER_MIN: "1", AUTOSCALER_MAX: "10",
                AUTOSCALER_INTERVAL: String(INTERVAL_S), AUTOSCALER_SCALE_DOWN_COOLDOWN: "30", AUTOSCALER_HEALTH_PORT: "0", AUTOSCALER_LOG_LEVEL: "debug", AUTOSCALER_LOG_FORMAT: "json",
            },
        });
        const pid = child.pid!;
        const ticks: { at: number; ms: number; describeMs: number; queuesMs: number }[] = [];
        let buffer = "";
        let started: (port: number) => void;
        const startedP = new Promise<number>((r) => (started = r));
        child.stdout!.on("data", (chunk: Buffer) => {
            buffer += chunk.toString("utf8");
            let nl: number;
            while ((nl = buffer.indexOf("\n")) >= 0) {
                const line = buffer.slice(0, nl);
                buffer = buffer.slice(nl + 1);
                if (line.includes('"msg":"cluster tick"')) {
                    const t = JSON.parse(line);
                    ticks.push({ at: Date.now(), ms: t.tickMs, describeMs: t.describeMs, queuesMs: t.queuesMs });
                }
                else if (line.includes('"msg":"autoscaler started')) started(JSON.parse(line).healthPort);
            }
        });
        const exited = new Promise<number>((r) => child!.once("exit", () => r(Date.now())));
        const port = await startedP;
        const wall0 = Date.now();
        const cpu0 = cpuMs(pid);
        // moto's own CPU over the run: one Python process answers every call (the autoscaler's and the
        // bench's), so on a shared machine the tick is mostly its time.
        const motoPid = listenerPid(moto.port);
        const motoCpu0 = motoPid === undefined ? undefined : cpuMs(motoPid);
        const load0 = loadAverage();
        const ticks0 = ticks.length;
        // Calls by operation, scraped every second (that metric alone, so the scrape costs the autoscaler
        // little): the first scrape is the baseline.
        const scrapes: { at: number; calls: Map<string, number> }[] = [];
        const scrape = async () => {
            const text = await (await fetch(`http://127.0.0.1:${port}/metrics?name=${METRIC_NAMES.apiCalls}`)).text();
            const calls = new Map<string, number>();
            for (const m of text.matchAll(/^autoscaler_api_calls_total\{operation="([^"]+)"\} (\d+)$/gm)) calls.set(m[1]!, Number(m[2]));
            scrapes.push({ at: Date.now(), calls });
        };
        await scrape();
        const scraper = setInterval(() => void scrape().catch(() => undefined), 1_000);

        const end = wall0 + MINUTES * 60_000;
        const purges: { at: number; fixture: Fixture }[] = [];
        let round = 0;
        while (Date.now() < end) {
            const picked = Array.from({ length: BURSTS_PER_INTERVAL }, (_, i) => fixtures[(round * 37 + i * 41) % fixtures.length]!);
            await Promise.all(picked.map((f) => sendBurst(load.sqs, f.queueUrl, BURST_MESSAGES, "bench")));
            for (const f of picked) purges.push({ at: Date.now() + PURGE_AFTER_MS, fixture: f });
            while (purges.length > 0 && purges[0]!.at <= Date.now()) {
                const { fixture } = purges.shift()!;
                await load.sqs.send(new PurgeQueueCommand({ QueueUrl: fixture.queueUrl })).catch(() => undefined);
            }
            round++;
            await sleep(Math.min(INTERVAL_S * 1000, Math.max(0, end - Date.now())));
        }
        const wallMs = Date.now() - wall0;
        const cpu = cpuMs(pid) - cpu0;
        const motoCpu = motoPid === undefined || motoCpu0 === undefined ? undefined : cpuMs(motoPid) - motoCpu0;
        const peakRss = statusMb(pid, "VmHWM");
        const endRss = statusMb(pid, "VmRSS");
        clearInterval(scraper);
        await scrape();
        const sent = Date.now();
        child.kill("SIGTERM");
        const exitMs = (await exited) - sent;

        const measured = ticks.slice(ticks0).map((t) => t.ms).sort((a, b) => a - b);
        const n = measured.length;
        console.log(`\n${SERVICES} services, interval ${INTERVAL_S} s, ${(wallMs / 60_000).toFixed(1)} min, ${n} ticks (machine: ${os.cpus().length} cores, shared)`);
        console.log(`load average (1, 5, 15 min): ${load0} at the start, ${loadAverage()} at the end`);
        console.log(`tick duration: p50 ${percentile(measured, 50)} ms, p99 ${percentile(measured, 99)} ms, max ${measured[n - 1]} ms`);
        const phase = (k: "describeMs" | "queuesMs") => percentile(ticks.slice(ticks0).map((t) => t[k]).sort((a, b) => a - b), 50);
        console.log(`  of which (p50, in parallel): every DescribeServices ${phase("describeMs")} ms, every queue read ${phase("queuesMs")} ms; the rest is decisions and writes`);
        console.log("API calls per tick by operation (busiest second; documented limit):");
        const limits: Record<string, string> = {
            DescribeServices: `ECS service reads: ${ECS_SERVICE_READ_LIMIT.perSecond}/s sustained, ${ECS_SERVICE_READ_LIMIT.burst} burst`,
            UpdateService: `ECS service writes: ${ECS_SERVICE_WRITE_LIMIT.perSecond}/s sustained, ${ECS_SERVICE_WRITE_LIMIT.burst} burst`,
            GetQueueAttributes: `SQS: no documented quota; own cap ${SQS_ATTRIBUTE_READS_PER_SECOND}/s`,
        };
        const first = scrapes[0]!.calls;
        const last = scrapes[scrapes.length - 1]!.calls;
        for (const op of [...last.keys()].sort()) {
            const total = last.get(op)! - (first.get(op) ?? 0);
            let busiest = 0;
            for (let i = 1; i < scrapes.length; i++) {
                const dt = (scrapes[i]!.at - scrapes[i - 1]!.at) / 1000;
                busiest = Math.max(busiest, ((scrapes[i]!.calls.get(op) ?? 0) - (scrapes[i - 1]!.calls.get(op) ?? 0)) / dt);
            }
            console.log(`  ${op}: ${(total / n).toFixed(2)} per tick, ${(total / (wallMs / 1000)).toFixed(2)}/s average, busiest second ${busiest.toFixed(0)}${limits[op] ? ` (${limits[op]})` : ""}`);
        }
        console.log(`RSS: peak (VmHWM) ${peakRss.toFixed(1)} MB, at the end ${endRss.toFixed(1)} MB`);
        console.log(`CPU: ${((cpu / wallMs) * 100).toFixed(2)} % of one core (${(cpu / 1000).toFixed(1)} s over ${(wallMs / 1000).toFixed(0)} s)`);
        if (motoCpu !== undefined) console.log(`moto_server CPU: ${((motoCpu / wallMs) * 100).toFixed(1)} % of one core (every call of the autoscaler and of the bench)`);
        console.log(`SIGTERM to exit: ${exitMs} ms`);
    } finally {
        if (child && child.exitCode === null) child.kill("SIGKILL");
        for (const c of admin) {
            c.ecs.destroy();
            c.sqs.destroy();
            c.cloudwatch.destroy();
        }
        await moto?.stop();
        rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
