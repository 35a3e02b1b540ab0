/**
 * The local task runner: keeps, for every ECS service of the stack, as many processes as its desired
 * count in the endpoint. A new task is registered with RunTask at once (so ListTasks shows it, as ECS
 * lists a PENDING task) and its process starts after the Fargate-like start delay; a task that serves
 * HTTP is running once its port answers, and is then registered in its target groups. On a scale-in,
 * pending tasks go first, then running ones without scale-in protection, newest first; a stop is
 * SIGTERM, and the process gets ECS's default stop timeout to drain.
 * A task whose process exits by itself is stopped in the endpoint and replaced, as ECS does.
 * The tasks a stack starts with (its services' desired counts at the first pass) start at once: the
 * stack is shown deployed and steady, and the start delay is what every scaling activity then meets.
 */
import { DescribeServicesCommand, RunTaskCommand, StopTaskCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { DeregisterTargetsCommand, RegisterTargetsCommand, type ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import * as net from "net";
import { DESCRIBE_SERVICES_MAX_PER_CALL, ECS_DEFAULT_STOP_TIMEOUT_MS } from "../../aws/api-limits";
import { envName } from "../../scaling/autoscaler-settings";
import * as path from "path";
import { freeLoopbackPort } from "../moto-server";
import { spawnLocal, type LocalProcess } from "../processes";
import type { TaskAgent } from "./agent";
import type { ServiceSpec } from "./services";

export type TaskStatus = "PENDING" | "RUNNING" | "STOPPING";

export interface LocalTask {
    readonly id: string;
    readonly arn: string;
    status: TaskStatus;
    readonly launchedAt: number;
    /** The task's own loopback address (its "ENI"): the target id in its target groups. */
    readonly ip: string;
    readonly port?: number;
    process?: LocalProcess;
}

export interface ServiceView {
    readonly name: string;
    desired: number;
    readonly tasks: LocalTask[];
}

export interface RunnerOptions {
    readonly ecs: ECSClient;
    readonly elbv2: ElasticLoadBalancingV2Client;
    readonly services: readonly ServiceSpec[];
    /** Seconds from launch to the process starting (Fargate's provisioning and image pull). */
    readonly startDelaySeconds: number;
    /** Environment every task gets (endpoint, region, credentials). */
    readonly baseEnv: NodeJS.ProcessEnv;
    readonly bundles: { readonly autoscale: string; readonly httpStandIn: string };
    readonly agent: TaskAgent;
    readonly logDir: string;
    /** Each line a task's process writes, with the service it belongs to. */
    readonly onTaskLine?: (service: string, line: string) => void;
    readonly onError?: (error: Error) => void;
    readonly clock?: () => number;
}

function portAnswers(ip: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const s = net.connect(port, ip);
        s.once("connect", () => { s.destroy(); resolve(true); });
        s.once("error", () => resolve(false));
    });
}

export class TaskRunner {
    readonly views = new Map<string, ServiceView>();
    private timer?: NodeJS.Timeout;
    private ticking?: Promise<void>;
    private stopped = false;
    private readonly clock: () => number;
    private ips = 0;
    private firstPass = true;

    constructor(private readonly o: RunnerOptions) {
        this.clock = o.clock ?? Date.now;
        for (const s of o.services) this.views.set(s.name, { name: s.name, desired: 0, tasks: [] });
    }

    start(everyMs = 500): void {
        const loop = () => {
            if (this.stopped) return;
            this.ticking = this.tick().catch((e: Error) => this.o.onError?.(e)).finally(() => {
                if (!this.stopped) this.timer = setTimeout(loop, everyMs);
            });
        };
        loop();
    }

    /** One reconcile pass over every service. */
    async tick(): Promise<void> {
        const byCluster = new Map<string, ServiceSpec[]>();
        for (const s of this.o.services) byCluster.set(s.cluster, [...(byCluster.get(s.cluster) ?? []), s]);
        for (const [cluster, specs] of byCluster) {
            for (let i = 0; i < specs.length; i += DESCRIBE_SERVICES_MAX_PER_CALL) {
                const out = await this.o.ecs.send(new DescribeServicesCommand({ cluster, services: specs.slice(i, i + DESCRIBE_SERVICES_MAX_PER_CALL).map((s) => s.name) }));
                for (const svc of out.services ?? []) {
                    const view = this.views.get(svc.serviceName ?? "");
                    if (view) view.desired = svc.desiredCount ?? 0;
                }
            }
        }
        // One service's failure (a call the endpoint refuses) does not hold the others.
        for (const spec of this.o.services) await this.reconcile(spec, this.views.get(spec.name)!).catch((e: Error) => this.o.onError?.(new Error(`${spec.name}: ${e.message}`)));
        this.firstPass = false;
    }

    private async reconcile(spec: ServiceSpec, view: ServiceView): Promise<void> {
        const now = this.clock();
        const active = view.tasks.filter((t) => t.status !== "STOPPING");
        for (let i = active.length; i < view.desired; i++) await this.launch(spec, view, now);
        let surplus = active.length - view.desired;
        // Pending first, then running tasks newest first; a protected task is left until its protection ends.
        const candidates = [...active.filter((t) => t.status === "PENDING").reverse(), ...active.filter((t) => t.status === "RUNNING").reverse()];
        for (const t of candidates) {
            if (surplus <= 0) break;
            if (t.status === "RUNNING" && this.o.agent.isProtected(t.id, now)) continue;
            surplus--;
            void this.stopTask(spec, view, t, "Scaling activity initiated by (deployment ecs-svc)");
        }
        for (const t of view.tasks) {
            if (t.status === "PENDING" && !t.process && now >= t.launchedAt + this.o.startDelaySeconds * 1000) this.startProcess(spec, view, t);
        }
    }

    private async launch(spec: ServiceSpec, view: ServiceView, now: number): Promise<void> {
        const out = await this.o.ecs.send(new RunTaskCommand({
            cluster: spec.cluster, taskDefinition: spec.taskDefinitionArn, launchType: "FARGATE", group: `service:${spec.name}`, startedBy: "ecs-svc/local",
            networkConfiguration: { awsvpcConfiguration: { subnets: [...spec.subnets], securityGroups: [...spec.securityGroups] } },
        }));
        const arn = out.tasks?.[0]?.taskArn;
        if (!arn) throw new Error(`RunTask for ${spec.name}: no task (${JSON.stringify(out.failures ?? [])})`);
        const serves = spec.container.containerPort !== undefined || spec.container.command[0] === "gateway";
        // 127.0.0.0/8 is loopback on Linux: every task gets an address of its own, as every Fargate task gets an ENI.
        const n = (this.ips++ % 65_000) + 2;
        const ip = `127.0.${Math.floor(n / 254)}.${(n % 254) + 1}`;
        const launchedAt = this.firstPass ? now - this.o.startDelaySeconds * 1000 : now;
        view.tasks.push({ id: arn.split("/").pop()!, arn, status: "PENDING", launchedAt, ip, ...(serves ? { port: await freeLoopbackPort() } : {}) });
    }

    private startProcess(spec: ServiceSpec, view: ServiceView, t: LocalTask): void {
        const c = spec.container;
        const env: NodeJS.ProcessEnv = {
            ...this.o.baseEnv, ...c.environment,
            ECS_AGENT_URI: this.o.agent.uriFor(t.id), LOCAL_SERVICE: spec.name, LOCAL_TASK: t.id, LOCAL_IMAGE: c.image, LOCAL_IP: t.ip,
            // Every task has its own network namespace on Fargate; here they share the loopback interface.
            ...(t.port !== undefined ? { PORT: String(t.port) } : {}),
            ...(c.environment[envName("healthPort")] !== undefined ? { [envName("healthPort")]: "0" } : {}),
        };
        const args = c.projectImage ? [this.o.bundles.autoscale, ...c.command] : [this.o.bundles.httpStandIn];
        t.process = spawnLocal({
            name: `${spec.name}/${t.id}`, command: process.execPath, args, env,
            logFile: path.join(this.o.logDir, spec.name, `${t.id}.log`),
            onLine: (line) => this.o.onTaskLine?.(spec.name, line),
        });
        void t.process.exited.then(() => {
            if (t.status !== "STOPPING" && !this.stopped) void this.stopTask(spec, view, t, "Essential container in task exited");
        });
        void this.whenReady(t).then(async (ready) => {
            if (!ready || t.status !== "PENDING") return;
            t.status = "RUNNING";
            for (const tg of spec.targetGroupArns) {
                await this.o.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: t.ip, Port: t.port }] })).catch((e: Error) => this.o.onError?.(e));
            }
        });
    }

    private async whenReady(t: LocalTask): Promise<boolean> {
        if (t.port === undefined) return true;
        for (let i = 0; i < 100 && t.status === "PENDING"; i++) {
            if (await portAnswers(t.ip, t.port)) return true;
            await new Promise((r) => setTimeout(r, 100));
        }
        return false;
    }

    private async stopTask(spec: ServiceSpec, view: ServiceView, t: LocalTask, reason: string): Promise<void> {
        if (t.status === "STOPPING") return;
        const wasRunning = t.status === "RUNNING";
        t.status = "STOPPING";
        try {
            if (wasRunning && t.port !== undefined) {
                for (const tg of spec.targetGroupArns) await this.o.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: t.ip, Port: t.port }] }));
            }
            await this.o.ecs.send(new StopTaskCommand({ cluster: spec.cluster, task: t.arn, reason }));
        } catch (error) {
            this.o.onError?.(error as Error);
        }
        await t.process?.stop(ECS_DEFAULT_STOP_TIMEOUT_MS);
        const i = view.tasks.indexOf(t);
        if (i >= 0) view.tasks.splice(i, 1);
    }

    /** Stops the loop and every task (SIGTERM, drain, then the endpoint's StopTask). */
    async stop(): Promise<void> {
        this.stopped = true;
        if (this.timer) clearTimeout(this.timer);
        await this.ticking;
        await Promise.all(this.o.services.flatMap((spec) => {
            const view = this.views.get(spec.name)!;
            return [...view.tasks].map((t) => this.stopTask(spec, view, t, "Stack stopped"));
        }));
    }

    /** Counts per service: desired, and tasks by status. */
    counts(): Record<string, { desired: number; running: number; pending: number; stopping: number }> {
        const out: Record<string, { desired: number; running: number; pending: number; stopping: number }> = {};
        for (const v of this.views.values()) {
            out[v.name] = {
                desired: v.desired,
                running: v.tasks.filter((t) => t.status === "RUNNING").length,
                pending: v.tasks.filter((t) => t.status === "PENDING").length,
                stopping: v.tasks.filter((t) => t.status === "STOPPING").length,
            };
        }
        return out;
    }
}
