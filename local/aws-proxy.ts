/**
 * A loopback HTTP proxy in front of an AWS endpoint (moto) that can hold chosen requests unanswered, as
 * an AWS endpoint that stopped answering would.
 */
import * as http from "http";
import * as net from "net";

const HOST = "127.0.0.1";

/** One request that reached a proxy: the AWS operation it names and when. */
export interface ProxiedRequest {
    readonly at: number;
    /** `X-Amz-Target` header (JSON protocols: `<service>.<Operation>`), or "" */
    readonly target: string;
}

export interface Proxy {
    /** `http://127.0.0.1:<port>` */
    readonly endpoint: string;
    /** Every request received, in order. */
    readonly requests: readonly ProxiedRequest[];
    /** Requests held (never answered) so far. */
    readonly held: number;
    /** Closes the listener and every open connection. */
    close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of `target` (moto). A request for which `hold` returns true is taken
 * in and never answered (its socket stays open), as from an AWS endpoint that stopped answering;
 * every other request is forwarded and its answer passed back. Without `target` every request is held.
 */
export async function startProxy(options: { readonly target?: string; readonly hold?: (request: ProxiedRequest) => boolean } = {}): Promise<Proxy> {
    const requests: ProxiedRequest[] = [];
    const sockets = new Set<net.Socket>();
    let held = 0;
    const server = http.createServer((req, res) => {
        const request: ProxiedRequest = { at: Date.now(), target: String(req.headers["x-amz-target"] ?? "") };
        requests.push(request);
        if (!options.target || options.hold?.(request)) {
            held++;
            req.resume();
            return;
        }
        const url = new URL(req.url ?? "/", options.target);
        const upstream = http.request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
        });
        upstream.on("error", (err) => {
            if (!res.headersSent) res.writeHead(502);
            res.end(err.message);
        });
        req.pipe(upstream);
    });
    server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, HOST, () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    return {
        endpoint: `http://${HOST}:${port}`,
        requests,
        get held() {
            return held;
        },
        close: () => new Promise<void>((resolve) => {
            for (const s of sockets) s.destroy();
            server.close(() => resolve());
        }),
    };
}
