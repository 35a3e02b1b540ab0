/**
 * The operations endpoint: GET /healthz and GET /metrics on a plain node:http server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface HealthReport {
    readonly healthy: boolean;
    /** JSON body of /healthz. */
    readonly body: Readonly<Record<string, unknown>>;
}

export interface OpsServerOptions {
    /** Port; 0 picks a free one (see `port` of the result). */
    readonly port: number;
    /** Interface to listen on; default all interfaces (the ECS health check and Prometheus come from outside). */
    readonly host?: string;
    readonly health: () => HealthReport;
    readonly registry: Registry;
}

export interface OpsServer {
    /** The port actually listened on. */
    readonly port: number;
    /** Stops listening and ends open connections. */
    close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    res.end(body);
}

/**
 * The body of `/metrics`: every metric of the registry, or with `?name=<metric>` (repeatable) only
 * those, so that a scraper that follows one figure often (a benchmark counting calls every second)
 * does not have the whole registry, a few thousand series at 200 services, formatted each time.
 * Undefined when a name is not a metric of the registry.
 */
async function metricsBody(registry: Registry, names: readonly string[]): Promise<string | undefined> {
    if (names.length === 0) return registry.metrics();
    const parts: string[] = [];
    for (const name of names) {
        if (registry.getSingleMetric(name) === undefined) return undefined;
        parts.push(await registry.getSingleMetricAsString(name));
    }
    return `${parts.join("\n\n")}\n`;
}

/**
 * Starts the server: `/healthz` answers 200 when `health()` says healthy and 503 otherwise, both with
 * its JSON body; `/metrics` answers the registry in Prometheus text format (`?name=` picks metrics; an
 * unknown name is 404); anything else is 404.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const path = url.pathname;
        if (req.method !== "GET" && req.method !== "HEAD") {
            send(res, 405, "application/json", JSON.stringify({ error: "method not allowed" }));
        } else if (path === "/healthz") {
            const report = options.health();
            send(res, report.healthy ? 200 : 503, "application/json", JSON.stringify(report.body));
        } else if (path === "/metrics") {
            const names = url.searchParams.getAll("name");
            const body = await metricsBody(options.registry, names);
            if (body === undefined) send(res, 404, "application/json", JSON.stringify({ error: `name: ${JSON.stringify(names)} names a metric the autoscaler does not have` }));
            else send(res, 200, options.registry.contentType, body);
        } else {
            send(res, 404, "application/json", JSON.stringify({ error: "not found", paths: ["/healthz", "/metrics"] }));
        }
    };
    const server = createServer((req, res) => {
        handle(req, res).catch((error: unknown) => {
            if (!res.headersSent) send(res, 500, "application/json", JSON.stringify({ error: String(error) }));
            else res.destroy();
        });
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, options.host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const port = (server.address() as AddressInfo).port;
    let closing: Promise<void> | undefined;
    return {
        port,
        close() {
            closing ??= new Promise<void>((resolve, reject) => {
                server.close((error) => (error ? reject(error) : resolve()));
                server.closeAllConnections();
            });
            return closing;
        },
    };
}
