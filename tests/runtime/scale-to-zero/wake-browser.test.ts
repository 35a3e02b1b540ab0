/**
 * What a person sees when they open a sleeping service: headless Chromium (Debian's /usr/bin/chromium,
 * driven by playwright-core) loads a local HTTP front that stands in for the ALB listener rule. While
 * the rule points at the wake target group the front hands each request, as the ALB-shaped event, to
 * the real wake handler; once the rule points at the service's target group it proxies to a real
 * backend. ECS is stood in for by the test: when the wake handler asks for a task, the backend starts
 * after a delay and its target becomes healthy. The browser is never told to reload: the starting page
 * does that itself, and the test only waits for the backend's page.
 */
import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { ALBEvent } from "aws-lambda";
import { chromium, type Browser } from "playwright-core";
import { createWakeHandler } from "../../../runtime/scale-to-zero/wake";
import { createLogger } from "../../../runtime/aws/logger";
import type { ScaleToZeroTarget } from "../../../scaling/scale-to-zero";
import { fakeAws, type World } from "./fake-aws";

const T: ScaleToZeroTarget = {
    cluster: "browser", service: "browser-preview",
    listenerRuleArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/alb/1/2/3",
    serviceTargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/browser-preview/aaaa",
    wakeTargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/browser-preview-wake/bbbb",
    loadBalancerDimension: "app/alb/1", targetGroupDimension: "targetgroup/browser-preview/aaaa",
    idleSeconds: 300, wakeCapacity: 1, minCapacity: 0, maxCapacity: 1, namespace: "ECSAutoscaling/ScaleToZero",
};
/** How long the stand-in ECS takes from UpdateService to a healthy target (Fargate: 30-60 s; shortened here). */
const TASK_START_MS = 1_500;
const BACKEND_TITLE = "Preview backend";

function listen(server: http.Server): Promise<number> {
    return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}
function close(server: http.Server | undefined): Promise<void> {
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

describe("browser: a sleeping service's first caller ends on the service's page by itself", function () {
    this.timeout(60_000);
    let browser: Browser | undefined;
    let backend: http.Server | undefined;
    let front: http.Server | undefined;
    let startTimer: NodeJS.Timeout | undefined;
    let aws: ReturnType<typeof fakeAws> | undefined;

    after(async () => {
        if (startTimer) clearTimeout(startTimer);
        await browser?.close();
        await close(front);
        await close(backend);
        aws?.restore();
    });

    it("sees the starting page (503, reloading itself), then the backend's page once a task is healthy", async () => {
        backend = http.createServer((_req, res) => {
            res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
            res.end(`<!doctype html><title>${BACKEND_TITLE}</title><h1>${BACKEND_TITLE}</h1>`);
        });
        const backendPort = await listen(backend);

        const world: World = { desired: 0, route: T.wakeTargetGroupArn, healthy: 0, bounds: { min: 0, max: 0 }, tags: {}, requests: new Map() };
        aws = fakeAws(world, T, "arn:aws:ecs:us-east-1:123456789012:service/browser/browser-preview", (command) => {
            // ECS stand-in: a task asked for becomes a healthy target a little later.
            if (command === "UpdateService" && world.desired > 0 && !startTimer) {
                startTimer = setTimeout(() => { world.healthy = world.desired; }, TASK_START_MS);
            }
        });
        const wake = createWakeHandler(T, { clients: aws.clients, clock: Date.now, logger: createLogger({ level: "silent" }) });

        const served: string[] = [];
        front = http.createServer((req, res) => {
            if (world.route === T.serviceTargetGroupArn) {
                served.push("backend");
                const upstream = http.request({ host: "127.0.0.1", port: backendPort, path: req.url, method: req.method, headers: req.headers }, (up) => {
                    res.writeHead(up.statusCode ?? 502, up.headers);
                    up.pipe(res);
                });
                req.pipe(upstream);
                return;
            }
            served.push("wake");
            const event: ALBEvent = {
                requestContext: { elb: { targetGroupArn: T.wakeTargetGroupArn } },
                httpMethod: req.method ?? "GET",
                path: req.url ?? "/",
                queryStringParameters: {},
                headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v ?? ""])),
                body: "",
                isBase64Encoded: false,
            };
            wake(event).then((answer) => {
                res.writeHead(answer.statusCode, answer.headers as http.OutgoingHttpHeaders);
                res.end(answer.body ?? "");
            }, (error: unknown) => {
                res.writeHead(500);
                res.end(String(error));
            });
        });
        const frontPort = await listen(front);

        browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
        const page = await browser.newPage();
        const statuses: number[] = [];
        page.on("response", (r) => statuses.push(r.status()));

        const first = await page.goto(`http://127.0.0.1:${frontPort}/preview/`);
        expect(first?.status()).to.equal(503);
        expect(first?.headers()["retry-after"]).to.equal("5");
        expect(await page.title()).to.equal("Starting browser-preview");
        expect(await page.textContent("h1")).to.equal("browser-preview is starting");

        // Nothing but the page's own reloads from here on.
        const deadline = Date.now() + 30_000;
        let title = "";
        while (Date.now() < deadline) {
            title = await page.title().catch(() => "");
            if (title === BACKEND_TITLE) break;
            await new Promise((r) => setTimeout(r, 200));
        }
        expect(title).to.equal(BACKEND_TITLE);
        expect(await page.textContent("h1")).to.equal(BACKEND_TITLE);
        // 503 while starting (one of them may be the "ready" page), then the backend's 200.
        expect(statuses[statuses.length - 1]).to.equal(200);
        expect(statuses.slice(0, -1).every((s) => s === 503)).to.equal(true);
        expect(served[0]).to.equal("wake");
        expect(served[served.length - 1]).to.equal("backend");
        expect(aws.writes().update).to.deep.equal([{ cluster: "browser", service: "browser-preview", desiredCount: 1 }]);
        expect(aws.writes().modifyRule).to.deep.equal([{ RuleArn: T.listenerRuleArn, Actions: [{ Type: "forward", TargetGroupArn: T.serviceTargetGroupArn }] }]);
    });
});
