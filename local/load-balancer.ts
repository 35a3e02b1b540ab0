/**
 * The load balancer of a local stack: a proxy on a loopback port per listener that does what ELBv2 does
 * with the rules the endpoint stores: the rules in priority order (path patterns), then the default
 * action; `forward` to an IP target group goes round-robin to its registered targets (the task
 * runner registers each task's local port), to a Lambda target group invokes the function's handler
 * with the ALB event; fixed responses are answered. Every request is counted into RequestCount and
 * (AWS/ApplicationELB), per target group and per load balancer, which the scale-to-zero idle check reads.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { DescribeRulesCommand, DescribeTargetHealthCommand, type Rule } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { MetricDatum } from "@aws-sdk/client-cloudwatch";
import { ALB_METRICS } from "../aws/metrics";
import type { EndpointClients } from "./graph/applier";
import type { StateEntry } from "./graph/state";
import type { FunctionHosts } from "./functions";

export interface ListenerSpec {
    readonly arn: string;
    readonly loadBalancerArnSuffix: string;
}

interface TargetGroupInfo {
    readonly arn: string;
    readonly arnSuffix: string;
    readonly lambda: boolean;
    /** The function a Lambda target group invokes. */
    readonly functionArn?: string;
}

/** ELBv2 path patterns: `*` any characters, `?` one, case-sensitive, matched against the whole path. */
export function pathMatches(pattern: string, p: string): boolean {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    return re.test(p);
}

export function ruleFor(rules: readonly Rule[], p: string): Rule | undefined {
    const ordered = [...rules].filter((r) => !r.IsDefault).sort((a, b) => Number(a.Priority) - Number(b.Priority));
    const match = ordered.find((r) => (r.Conditions ?? []).every((c) => c.Field !== "path-pattern" || (c.PathPatternConfig?.Values ?? c.Values ?? []).some((v) => pathMatches(v, p))));
    return match ?? rules.find((r) => r.IsDefault);
}

export class LocalLoadBalancer {
    private servers: http.Server[] = [];
    readonly urls = new Map<string, string>();
    private counts = new Map<string, number>();
    private roundRobin = new Map<string, number>();
    private readonly groups: Map<string, TargetGroupInfo>;

    constructor(entries: readonly StateEntry[], private readonly clients: EndpointClients, private readonly functions: FunctionHosts, private readonly onError: (e: Error) => void) {
        const attachments = entries.filter((e) => e.type === "aws:lb/targetGroupAttachment:TargetGroupAttachment");
        this.groups = new Map(entries.filter((e) => e.type === "aws:lb/targetGroup:TargetGroup").map((e) => {
            const lambda = (e.inputs as any).targetType === "lambda";
            const att = attachments.find((a) => (a.inputs as any).targetGroupArn === e.outputs.arn);
            return [String(e.outputs.arn), { arn: String(e.outputs.arn), arnSuffix: String(e.outputs.arnSuffix), lambda, ...(att ? { functionArn: String((att.inputs as any).targetId) } : {}) }];
        }));
        this.listeners = entries.filter((e) => e.type === "aws:lb/listener:Listener").map((e) => {
            const lb = entries.find((l) => l.type === "aws:lb/loadBalancer:LoadBalancer" && l.outputs.arn === (e.inputs as any).loadBalancerArn);
            return { arn: String(e.outputs.arn), loadBalancerArnSuffix: String(lb?.outputs.arnSuffix ?? "") };
        });
    }

    readonly listeners: ListenerSpec[];

    async start(): Promise<void> {
        for (const l of this.listeners) {
            const server = http.createServer((req, res) => void this.handle(l, req, res).catch((e: Error) => {
                this.onError(e);
                if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
                res.end("502 Bad Gateway\n");
            }));
            await new Promise<void>((resolve, reject) => {
                server.once("error", reject);
                server.listen(0, "127.0.0.1", () => resolve());
            });
            this.servers.push(server);
            this.urls.set(l.arn, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        }
    }

    private count(l: ListenerSpec, tg: TargetGroupInfo): void {
        const key = `${l.loadBalancerArnSuffix}|${tg.arnSuffix}`;
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }

    private async handle(l: ListenerSpec, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://local");
        const rules = (await this.clients.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.arn }))).Rules ?? [];
        const rule = ruleFor(rules, url.pathname);
        const action = [...(rule?.Actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0))[0];
        if (!action) {
            res.writeHead(503, { "content-type": "text/plain" });
            res.end("503: no rule matches\n");
            return;
        }
        if (action.Type === "fixed-response") {
            const f = action.FixedResponseConfig;
            res.writeHead(Number(f?.StatusCode ?? 200), { "content-type": f?.ContentType ?? "text/plain" });
            res.end(f?.MessageBody ?? "");
            return;
        }
        const tg = this.groups.get(action.TargetGroupArn ?? "");
        if (!tg) {
            res.writeHead(503, { "content-type": "text/plain" });
            res.end(`503: target group ${action.TargetGroupArn} is not part of the stack\n`);
            return;
        }
        this.count(l, tg);
        if (tg.lambda) return this.invoke(tg, req, url, res);
        const health = (await this.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.arn }))).TargetHealthDescriptions ?? [];
        const targets = health.filter((h) => h.Target?.Port !== undefined && (h.TargetHealth?.State ?? "healthy") !== "draining");
        if (targets.length === 0) {
            res.writeHead(503, { "content-type": "text/plain" });
            res.end("503 Service Unavailable: no registered targets\n");
            return;
        }
        const i = (this.roundRobin.get(tg.arn) ?? 0) % targets.length;
        this.roundRobin.set(tg.arn, i + 1);
        const t = targets[i].Target!;
        await new Promise<void>((resolve, reject) => {
            const upstream = http.request({ host: t.Id, port: t.Port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(res);
                answer.on("end", resolve);
            });
            upstream.on("error", reject);
            req.pipe(upstream);
        });
    }

    private async invoke(tg: TargetGroupInfo, req: http.IncomingMessage, url: URL, res: http.ServerResponse): Promise<void> {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v ?? "")]));
        const event = {
            requestContext: { elb: { targetGroupArn: tg.arn } }, httpMethod: req.method, path: url.pathname,
            queryStringParameters: Object.fromEntries(url.searchParams), headers, body: "", isBase64Encoded: false,
        };
        const result = await this.functions.invoke(tg.functionArn ?? "", event) as { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean };
        res.writeHead(result?.statusCode ?? 502, result?.headers ?? {});
        res.end(result?.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : result?.body ?? "");
    }

    /** The requests counted since the last call, as ELBv2's per-minute metrics (here per second). */
    takeMetrics(at: Date): MetricDatum[] {
        const data: MetricDatum[] = [];
        for (const [key, n] of this.counts) {
            const [lb, tg] = key.split("|");
            const loadBalancer = { Name: ALB_METRICS.loadBalancerDimension, Value: lb };
            data.push({ MetricName: ALB_METRICS.requestCount, Dimensions: [loadBalancer, { Name: ALB_METRICS.targetGroupDimension, Value: tg }], Value: n, Unit: "Count", Timestamp: at });
            data.push({ MetricName: ALB_METRICS.requestCount, Dimensions: [loadBalancer], Value: n, Unit: "Count", Timestamp: at });
        }
        this.counts.clear();
        return data;
    }

    async stop(): Promise<void> {
        await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
        })));
        this.servers = [];
    }
}
