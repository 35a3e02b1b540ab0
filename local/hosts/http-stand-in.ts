/**
 * The local stand-in for a container image the project does not build (the stacks' nginx): answers
 * every request on PORT with 200 and a short page naming the service and task, `/healthz` included, so
 * the local load balancer, its health view and the scale-to-zero wake have something real to reach.
 * SIGTERM closes the listener and exits 0 once open requests are answered.
 */
import * as http from "http";

const port = Number(process.env.PORT);
const service = process.env.LOCAL_SERVICE ?? "service";
const task = process.env.LOCAL_TASK ?? "task";
const image = process.env.LOCAL_IMAGE ?? "image";
/** The task's own loopback address (the task runner gives each task one). */
const host = process.env.LOCAL_IP ?? "127.0.0.1";

if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    process.stderr.write(`PORT=${JSON.stringify(process.env.PORT)} must be a port number\n`);
    process.exit(2);
}

let served = 0;
const server = http.createServer((req, res) => {
    served++;
    const body = req.url === "/healthz"
        ? `ok\n`
        : `<!doctype html><title>${service}</title><p>${service}: local stand-in for ${image}, task ${task}, request ${served} (${req.method} ${req.url})</p>\n`;
    res.writeHead(200, { "content-type": req.url === "/healthz" ? "text/plain" : "text/html; charset=utf-8" });
    res.end(body);
});
server.listen(port, host, () => process.stdout.write(`${JSON.stringify({ msg: "listening", service, task, host, port })}\n`));
process.on("SIGTERM", () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
});
