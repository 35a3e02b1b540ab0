/**
 * `npm run bench:local-start [-- --runs N --stack localstack]`: how long `npm start` takes, measured as
 * a user meets it. Each run starts `autoscale up` (demo on, as `npm start` runs it) as a process and
 * prints, from the moment it was started:
 * - created: the whole stack created in the endpoint (its "N resources in ..." line);
 * - page: the live page serving the running stack (its "page:" line);
 * - first scale-out: the page's event stream carrying the first scaling activity that raises a
 *   desired count (the demo burst scaling the worker out);
 * - down: Ctrl-C (SIGINT) until the process has deleted everything and exited.
 * Then the median of each over the runs.
 */
import { spawn } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

function arg(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface Timings { created: number; page: number; scaleOut: number; down: number }

/** Resolves with the first activity event that raises a desired count, read from the page's event stream. */
async function firstScaleOut(pageUrl: string, signal: AbortSignal): Promise<void> {
    const res = await fetch(`${pageUrl}/events`, { signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error("the page closed its event stream before a scale-out");
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(message)?.[1];
            const data = /^data: (.*)$/m.exec(message)?.[1];
            if (!data) continue;
            const parsed = JSON.parse(data);
            const activities = event === "activity" ? [parsed] : event === "init" ? parsed.activities : [];
            if (activities.some((a: { from: number; to: number }) => a.to > a.from)) {
                await reader.cancel();
                return;
            }
        }
    }
}

async function run(stack: string): Promise<Timings> {
    const started = Date.now();
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "autoscale.js"), "up", "--stack", stack, "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let created = 0;
    let rest = "";
    const pageUrl = await new Promise<string>((resolve, reject) => {
        child.stdout!.on("data", (chunk: Buffer) => {
            rest += chunk.toString("utf8");
            const lines = rest.split("\n");
            rest = lines.pop() ?? "";
            for (const line of lines) {
                if (/ resources in .* created, updated or replaced, in /.test(line)) created = Date.now() - started;
                const m = /^page: (http:\/\/\S+)/.exec(line);
                if (m) resolve(m[1]);
            }
        });
        void exited.then((code) => reject(new Error(`autoscale up exited ${code} before its page was up`)));
    });
    const page = Date.now() - started;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 180_000);
    try {
        await firstScaleOut(pageUrl, abort.signal);
    } finally {
        clearTimeout(timer);
    }
    const scaleOut = Date.now() - started;
    const stopping = Date.now();
    child.kill("SIGINT");
    const code = await exited;
    if (code !== 0) throw new Error(`autoscale up exited ${code} after SIGINT`);
    return { created, page, scaleOut, down: Date.now() - stopping };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
    const runs = Number(arg("runs", "3"));
    const stack = arg("stack", "localstack");
    const all: Timings[] = [];
    for (let i = 1; i <= runs; i++) {
        const t = await run(stack);
        all.push(t);
        console.log(`run ${i}: stack created ${s(t.created)}, page up ${s(t.page)}, first scale-out on the page ${s(t.scaleOut)}, down after Ctrl-C ${s(t.down)}`);
    }
    console.log(`median of ${runs} (${stack}): stack created ${s(median(all.map((t) => t.created)))} (aim < 20 s), first scale-out on the page ${s(median(all.map((t) => t.scaleOut)))} (aim < 60 s), down ${s(median(all.map((t) => t.down)))}`);
}

main().catch((error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
});
