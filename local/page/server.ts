/**
 * The live page of a local stack on a loopback port: the page itself (page/html.ts), the charting
 * libraries it draws with (vega and vega-lite, served from node_modules, so nothing is fetched from the
 * network), the timeline as server-sent events (everything so far on connect, then each sample,
 * activity and note), and the load buttons: a burst of messages, or a trace at a chosen speed.
 */
import { existsSync, readFileSync } from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { LocalStackError } from "../errors";
import { burstTrace, runLoad, traceFrom } from "../load";
import type { Timeline, TimelineEvent } from "../timeline";
import { PAGE_HTML } from "./html";

export interface PageServer {
    readonly url: string;
    /** Starts serving the stack's timeline and load buttons (before that the page says it is starting). */
    attach(timeline: Timeline, sqs: SQSClient, queueUrls: Record<string, string>): void;
    close(): Promise<void>;
}

/** The most messages one press of the burst button sends. */
export const MAX_BURST = 2_000;

function vendorFile(name: string): string | undefined {
    const files: Record<string, string> = { "vega.min.js": "vega/build/vega.min.js", "vega-lite.min.js": "vega-lite/build/vega-lite.min.js" };
    const rel = files[name];
    if (!rel) return undefined;
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const file = path.join(dir, "node_modules", rel);
        if (existsSync(file)) return file;
        if (path.dirname(dir) === dir) return undefined;
    }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
}

export async function listenPage(port: number): Promise<PageServer> {
    let timeline: Timeline | undefined;
    let sqs: SQSClient | undefined;
    let queueUrls: Record<string, string> = {};
    let trace: { name: string; queue: string; abort: AbortController; sent: number } | undefined;
    const streams = new Set<http.ServerResponse>();
    const unsubscribe: (() => void)[] = [];

    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://local");
        if (req.method === "GET" && url.pathname === "/") {
            res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
            res.end(PAGE_HTML);
            return;
        }
        if (req.method === "GET" && url.pathname.startsWith("/vendor/")) {
            const file = vendorFile(url.pathname.slice("/vendor/".length));
            if (!file) return json(res, 404, { error: "not found" });
            res.writeHead(200, { "content-type": "text/javascript", "cache-control": "max-age=3600" });
            res.end(readFileSync(file));
            return;
        }
        if (req.method === "GET" && url.pathname === "/events") {
            res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
            const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
            if (!timeline) send("starting", {});
            else send("init", { info: timeline.info, samples: timeline.samples, activities: timeline.activities, notes: timeline.notes, trace: trace && { name: trace.name, queue: trace.queue, sent: trace.sent } });
            streams.add(res);
            req.on("close", () => streams.delete(res));
            return;
        }
        if (req.method === "GET" && url.pathname === "/state.json") {
            return json(res, 200, timeline ? { info: timeline.info, last: timeline.samples.at(-1), activities: timeline.activities } : { starting: true });
        }
        if (req.method === "POST" && (url.pathname === "/burst" || url.pathname === "/trace")) {
            if (!timeline || !sqs) return json(res, 503, { error: "the stack is still starting" });
            const queue = url.searchParams.get("queue") ?? Object.keys(queueUrls)[0];
            const queueUrl = queueUrls[queue];
            if (!queueUrl) return json(res, 400, { error: `queue: "${queue}" is not a queue of the stack (${Object.keys(queueUrls).join(", ")})` });
            if (url.pathname === "/burst") {
                const count = Number(url.searchParams.get("count") ?? "100");
                if (!Number.isInteger(count) || count < 1 || count > MAX_BURST) return json(res, 400, { error: `count: ${url.searchParams.get("count")} must be a whole number 1-${MAX_BURST}` });
                timeline.note(`burst: ${count} messages to ${timeline.info.queues[queue] ?? queue}`);
                runLoad({ sqs, queueUrl, trace: burstTrace(count, 0, 0), speed: 1, tag: "page-burst" }).catch((e: Error) => timeline?.note(`burst failed: ${e.message}`));
                return json(res, 202, { queue, count });
            }
            const name = url.searchParams.get("name") ?? "ramp";
            const speed = Number(url.searchParams.get("speed") ?? "10");
            if (trace) return json(res, 409, { error: `trace ${trace.name} is running; stop it first` });
            if (!Number.isFinite(speed) || speed <= 0 || speed > 1000) return json(res, 400, { error: `speed: ${url.searchParams.get("speed")} must be a number > 0 and <= 1000` });
            let t;
            try {
                if (name.endsWith(".csv")) throw new LocalStackError("the page runs built-in traces; use `npx autoscale load --trace file.csv` for a file");
                t = traceFrom(name);
            } catch (error) {
                return json(res, 400, { error: (error as Error).message });
            }
            const abort = new AbortController();
            const running = { name, queue, abort, sent: 0 };
            trace = running;
            timeline.note(`trace ${name} at ${speed}x to ${timeline.info.queues[queue] ?? queue} (${Math.round(t.duration / speed)} s)`);
            runLoad({ sqs, queueUrl, trace: t, speed, signal: abort.signal, tag: `page-${name}`, onProgress: (p) => { running.sent = p.sent; } })
                .then((sent) => timeline?.note(`trace ${name} ${abort.signal.aborted ? "stopped" : "done"}: ${sent} messages`), (e: Error) => timeline?.note(`trace ${name} failed: ${e.message}`))
                .finally(() => { if (trace === running) trace = undefined; });
            return json(res, 202, { name, queue, speed, seconds: t.duration / speed });
        }
        if (req.method === "POST" && url.pathname === "/trace/stop") {
            trace?.abort.abort();
            return json(res, 200, { stopped: trace?.name ?? null });
        }
        json(res, 404, { error: `${req.method} ${url.pathname}` });
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", (error: NodeJS.ErrnoException) => reject(error.code === "EADDRINUSE"
            ? new LocalStackError(`--port: ${port} is in use (the live page's port); pass --port <a free port>, or stop what listens there`)
            : error));
        server.listen(port, "127.0.0.1", () => resolve());
    });
    const actual = (server.address() as AddressInfo).port;
    let closed = false;
    return {
        url: `http://127.0.0.1:${actual}`,
        attach(t, client, urls) {
            timeline = t;
            sqs = client;
            queueUrls = urls;
            const init = { info: t.info, samples: t.samples, activities: t.activities, notes: t.notes };
            for (const s of streams) s.write(`event: init\ndata: ${JSON.stringify(init)}\n\n`);
            unsubscribe.push(t.subscribe((e: TimelineEvent) => {
                const data = e.kind === "sample" ? e.sample : e.kind === "activity" ? e.activity : { text: e.text, at: e.at };
                for (const s of streams) s.write(`event: ${e.kind}\ndata: ${JSON.stringify(data)}\n\n`);
            }));
        },
        async close() {
            if (closed) return;
            closed = true;
            trace?.abort.abort();
            for (const u of unsubscribe) u();
            for (const s of streams) s.end();
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
