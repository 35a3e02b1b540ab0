/**
 * /healthz probes for integration tests: one GET, and a background poller that records every answer
 * (or failure to answer) with its time.
 */
import * as http from "http";

export interface HealthAnswer {
    readonly at: number;
    /** HTTP status, or undefined when the server did not answer. */
    readonly status?: number;
    readonly body?: string;
    readonly error?: string;
}

/** GET http://127.0.0.1:<port>/healthz with a 1 s timeout; a failure to answer is reported, not thrown. */
export function getHealth(port: number): Promise<HealthAnswer> {
    return new Promise((resolve) => {
        const req = http.get({ host: "127.0.0.1", port, path: "/healthz", timeout: 1_000, agent: false }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ at: Date.now(), status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }));
            res.on("error", (err) => resolve({ at: Date.now(), error: err.message }));
        });
        req.on("timeout", () => req.destroy(new Error("no answer within 1000 ms")));
        req.on("error", (err) => resolve({ at: Date.now(), error: err.message }));
    });
}

export interface HealthPoller {
    readonly answers: readonly HealthAnswer[];
    /** Resolves once an answer with `status` arrives (at once if one already has), or rejects after `timeoutMs`. */
    waitFor(status: number, timeoutMs: number, since?: number): Promise<HealthAnswer>;
    stop(): Promise<void>;
}

/** Polls /healthz every `everyMs` until stop(). */
export function pollHealth(port: number, everyMs: number): HealthPoller {
    const answers: HealthAnswer[] = [];
    let stopped = false;
    const loop = (async () => {
        while (!stopped) {
            answers.push(await getHealth(port));
            if (!stopped) await new Promise((r) => setTimeout(r, everyMs));
        }
    })();
    return {
        answers,
        async waitFor(status, timeoutMs, since = 0) {
            const deadline = Date.now() + timeoutMs;
            for (;;) {
                const hit = answers.find((a) => a.at >= since && a.status === status);
                if (hit) return hit;
                if (Date.now() > deadline) {
                    const last = answers[answers.length - 1];
                    throw new Error(`/healthz did not answer ${status} within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
                }
                await new Promise((r) => setTimeout(r, 50));
            }
        },
        async stop() {
            stopped = true;
            await loop;
        },
    };
}
