/**
 * A long-running stand-in for the gateway service: an HTTP server that stays up (so ECS keeps the task
 * and the deployment circuit breaker sees a healthy service), answers GET /healthz, and on GET /work
 * burns CPU for `ms` (at most 1000) so HTTP load shows up as CPU utilisation, the metric the gateway's
 * policies track. Stopped by close().
 */
import * as http from "http";
import type { Logger } from "../aws/logger";

/** Most CPU time one request may ask for. */
export const MAX_WORK_MS = 1_000;

export interface Gateway {
    readonly port: number;
    close(): Promise<void>;
}

function burn(ms: number): void {
    const end = Date.now() + ms;
    while (Date.now() < end) {
        // Busy on purpose: this is the load.
    }
}

export function startGateway(port: number, logger: Logger, host = "0.0.0.0"): Promise<Gateway> {
    const started = Date.now();
    let requests = 0;
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://gateway");
        const reply = (status: number, body: unknown) => {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(JSON.stringify(body));
        };
        if (req.method !== "GET") return reply(405, { error: "only GET" });
        if (url.pathname === "/healthz") return reply(200, { status: "ok" });
        if (url.pathname === "/work") {
            const ms = Number(url.searchParams.get("ms") ?? "10");
            if (!Number.isFinite(ms) || ms < 0 || ms > MAX_WORK_MS) return reply(400, { error: `ms must be 0..${MAX_WORK_MS}` });
            burn(ms);
            requests++;
            return reply(200, { workedMs: ms });
        }
        if (url.pathname === "/") return reply(200, { service: "gateway", uptimeSeconds: Math.round((Date.now() - started) / 1_000), requests });
        return reply(404, { error: "not found" });
    });
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
            const address = server.address();
            const bound = typeof address === "object" && address ? address.port : port;
            logger.info({ port: bound }, "gateway listening");
            resolve({
                port: bound,
                close: () => new Promise<void>((done) => {
                    server.close(() => done());
                    server.closeAllConnections();
                }),
            });
        });
    });
}
