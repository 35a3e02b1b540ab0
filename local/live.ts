/**
 * Everything that runs once a local stack is created: the task runner (with its ECS agent), the
 * emulator of Application Auto Scaling and CloudWatch alarms (`autoscale emulate`, its own process),
 * the Lambda functions with their schedules and alarm notifications, the load balancer, the metrics
 * AWS would publish, and a sampler that feeds the timeline (page and terminal) once a second.
 */
import { rmSync } from "fs";
import * as path from "path";
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeRulesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DESCRIBE_ALARMS_MAX_NAMES } from "../aws/api-limits";
import { ALB_METRICS, ECS_METRICS, SQS_METRICS } from "../aws/metrics";
import { FileTail, activityFromAutoscalerLog, activityFromRecord, activityFromScaleToZeroLog, type Activity } from "./activities";
import type { Bundles } from "./bundle";
import { FunctionHosts, functionSpecs, scheduledEvent, schedules, snsAlarmEvent } from "./functions";
import type { EndpointClients } from "./graph/applier";
import type { StateEntry } from "./graph/state";
import { LocalLoadBalancer } from "./load-balancer";
import { AgeEstimate, TaskUsage, publish, queueData, readQueue, serviceUtilizationData, type QueueReading } from "./metrics";
import { spawnLocal, type LocalProcess } from "./processes";
import { startTaskAgent, type TaskAgent } from "./tasks/agent";
import { TaskRunner } from "./tasks/runner";
import { serviceSpecs } from "./tasks/services";
import type { Sample, Timeline } from "./timeline";

export interface LiveOptions {
    readonly entries: readonly StateEntry[];
    readonly clients: EndpointClients;
    readonly endpoint: string;
    readonly region: string;
    readonly account: string;
    readonly bundles: Bundles;
    readonly dir: string;
    readonly speed: number;
    readonly startDelaySeconds: number;
    readonly timeline: Timeline;
    readonly onError: (e: Error) => void;
}

export interface Live {
    readonly loadBalancer: LocalLoadBalancer;
    readonly runner: TaskRunner;
    readonly processGroups: () => number[];
    stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startLive(o: LiveOptions): Promise<Live> {
    const logDir = path.join(o.dir, "logs");
    const baseEnv: NodeJS.ProcessEnv = {
        PATH: process.env.PATH, HOME: process.env.HOME, AWS_ENDPOINT_URL: o.endpoint, AWS_REGION: o.region,
        AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", LOG_LEVEL: "info",
    };
    const specs = serviceSpecs(o.entries);
    const agent: TaskAgent = await startTaskAgent();
    const onActivity = (a: Activity | undefined) => { if (a) o.timeline.activity(a); };
    const runner = new TaskRunner({
        ecs: o.clients.ecs, elbv2: o.clients.elbv2, services: specs, startDelaySeconds: o.startDelaySeconds, baseEnv,
        bundles: o.bundles, agent, logDir, onError: o.onError,
        // The queue autoscaler is a task of its own service; its log line for each change is an activity.
        onTaskLine: (_service, line) => onActivity(activityFromAutoscalerLog(line)),
    });
    const functions = new FunctionHosts(functionSpecs(o.entries), {
        hostBundle: o.bundles.functionHost, logDir, baseEnv,
        onLine: (fn, line) => {
            const change = activityFromScaleToZeroLog(line);
            if (change) return onActivity(change);
            const m = /"msg":"(idle check|wake): ([^"(]+)/.exec(line);
            if (m && !/no change/.test(m[2])) o.timeline.note(`${fn}: ${m[1]}: ${m[2].trim()}`);
        },
    });
    functions.start();
    const loadBalancer = new LocalLoadBalancer(o.entries, o.clients, functions, o.onError);
    await loadBalancer.start();

    // The emulator evaluates every scalable target of each cluster.
    const clusters = [...new Set(specs.map((s) => s.cluster))];
    // Each run's record starts empty: the page and terminal show this run's activities.
    for (const c of clusters) rmSync(path.join(o.dir, `activities-${c}.jsonl`), { force: true });
    const emulators: LocalProcess[] = clusters.map((cluster) => spawnLocal({
        name: `emulate ${cluster}`, command: process.execPath,
        args: [o.bundles.autoscale, "emulate", "--cluster", cluster, "--speed", String(o.speed), "--activities", path.join(o.dir, `activities-${cluster}.jsonl`)],
        env: baseEnv, logFile: path.join(logDir, `emulate-${cluster}.log`),
    }));
    const records = clusters.map((c) => new FileTail(path.join(o.dir, `activities-${c}.jsonl`)));

    const queues = o.entries.filter((e) => e.type === "aws:sqs/queue:Queue").map((e) => ({ name: String(e.outputs.name), url: String(e.outputs.url) }));
    const ages = new Map(queues.map((q) => [q.name, new AgeEstimate()]));
    const usage = new TaskUsage();
    const alarmNames = o.entries.filter((e) => e.type === "aws:cloudwatch/metricAlarm:MetricAlarm").map((e) => String(e.outputs.name));
    const alarmActions = new Map(o.entries.filter((e) => e.type === "aws:cloudwatch/metricAlarm:MetricAlarm")
        .map((e) => [String(e.outputs.name), { alarm: ((e.inputs as any).alarmActions ?? []) as string[], ok: ((e.inputs as any).okActions ?? []) as string[] }]));
    const subscriptions = o.entries.filter((e) => e.type === "aws:sns/topicSubscription:TopicSubscription" && (e.inputs as any).protocol === "lambda")
        .map((e) => ({ topic: String((e.inputs as any).topic), functionArn: String((e.inputs as any).endpoint) }));
    const sleepers = functionSpecs(o.entries).filter((f) => f.handler === "index.wake").map((f) => {
        const rule = o.entries.find((e) => e.type === "aws:lb/listenerRule:ListenerRule" && e.outputs.arn === f.environment.STZ_LISTENER_RULE_ARN);
        const pattern = String((rule?.inputs as any)?.conditions?.[0]?.pathPattern?.values?.[0] ?? "/").replace(/\*$/, "");
        const listenerUrl = loadBalancer.urls.get(String((rule?.inputs as any)?.listenerArn)) ?? "";
        return { service: f.environment.STZ_SERVICE, ruleArn: f.environment.STZ_LISTENER_RULE_ARN, wakeTg: f.environment.STZ_WAKE_TARGET_GROUP_ARN, url: `${listenerUrl}${pattern}` };
    });
    const cpuOf = new Map(specs.map((s) => {
        const td = o.entries.find((e) => e.type === "aws:ecs/taskDefinition:TaskDefinition" && e.outputs.arn === s.taskDefinitionArn);
        return [s.name, { cpu: Number((td?.inputs as any)?.cpu ?? 256), memory: Number((td?.inputs as any)?.memory ?? 512) }];
    }));

    let stopped = false;
    const alarmStates = new Map<string, string>();
    const sampleOnce = async () => {
        const now = Date.now();
        const at = new Date(now);
        const readings: Record<string, QueueReading> = {};
        for (const q of queues) readings[q.name] = await readQueue(o.clients.sqs, q, ages.get(q.name)!, now);
        await publish(o.clients.cloudwatch, SQS_METRICS.namespace, queues.flatMap((q) => queueData(q, readings[q.name], at)));
        const ecsData = specs.flatMap((s) => {
            const samples = (runner.views.get(s.name)?.tasks ?? []).filter((t) => t.status === "RUNNING" && t.process)
                .map((t) => usage.sample(t.process!.pid, now, cpuOf.get(s.name)!.cpu, cpuOf.get(s.name)!.memory))
                .filter((x): x is NonNullable<typeof x> => x !== undefined);
            return serviceUtilizationData(s.cluster, s.name, samples, at);
        });
        await publish(o.clients.cloudwatch, ECS_METRICS.namespace, ecsData);
        await publish(o.clients.cloudwatch, ALB_METRICS.namespace, loadBalancer.takeMetrics(at));
        for (const tail of records) for (const line of tail.read()) onActivity(activityFromRecord(line));
        const alarms: Record<string, string> = {};
        for (let i = 0; i < alarmNames.length; i += DESCRIBE_ALARMS_MAX_NAMES) {
            const r = await o.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: alarmNames.slice(i, i + DESCRIBE_ALARMS_MAX_NAMES) }));
            for (const a of r.MetricAlarms ?? []) {
                const name = a.AlarmName ?? "";
                alarms[name] = a.StateValue ?? "";
                const before = alarmStates.get(name);
                alarmStates.set(name, alarms[name]);
                if (before === undefined || before === alarms[name]) continue;
                // CloudWatch notifies the alarm's actions on a change to ALARM, its OK actions on a change to OK.
                const actions = alarms[name] === "ALARM" ? alarmActions.get(name)?.alarm : alarms[name] === "OK" ? alarmActions.get(name)?.ok : [];
                for (const topic of actions ?? []) {
                    for (const s of subscriptions.filter((x) => x.topic === topic)) {
                        const event = snsAlarmEvent(topic, { name, state: alarms[name], previous: before, reason: a.StateReason ?? "" }, at);
                        functions.invoke(s.functionArn, event).catch(o.onError);
                    }
                }
            }
        }
        const sleeping: Sample["sleepers"] = {};
        for (const s of sleepers) {
            const rule = (await o.clients.elbv2.send(new DescribeRulesCommand({ RuleArns: [s.ruleArn] }))).Rules?.[0];
            const to = rule?.Actions?.find((a) => a.Type === "forward")?.TargetGroupArn;
            (sleeping as Record<string, { asleep: boolean; url: string }>)[s.service] = { asleep: to === s.wakeTg, url: s.url };
        }
        const counts = runner.counts();
        o.timeline.add({
            t: now, alarms, sleepers: sleeping,
            services: Object.fromEntries(Object.entries(counts).map(([k, c]) => [k, { desired: c.desired, running: c.running, pending: c.pending }])),
            queues: Object.fromEntries(Object.entries(readings).map(([k, r]) => [k, { visible: r.visible, inFlight: r.inFlight, oldestAgeSeconds: r.oldestAgeSeconds }])),
        });
    };
    const sampler = (async () => {
        while (!stopped) {
            const started = Date.now();
            await sampleOnce().catch((e: Error) => { if (!stopped) o.onError(e); });
            await sleep(Math.max(50, 1000 - (Date.now() - started)));
        }
    })();

    const { schedules: scheduled } = schedules(o.entries);
    const ruleArns = new Map(o.entries.filter((e) => e.type === "aws:cloudwatch/eventRule:EventRule").map((e) => [String(e.outputs.name), String(e.outputs.arn)]));
    const timers = scheduled.map((s) => setInterval(() => {
        functions.invoke(s.functionArn, scheduledEvent(s.rule, ruleArns.get(s.rule) ?? "", new Date(), o.region, o.account)).catch(o.onError);
    }, s.everySeconds * 1000));
    runner.start();

    return {
        loadBalancer, runner,
        processGroups: () => [
            ...emulators.map((e) => e.pid),
            ...[...runner.views.values()].flatMap((v) => v.tasks.flatMap((t) => (t.process ? [t.process.pid] : []))),
        ],
        async stop() {
            stopped = true;
            for (const t of timers) clearInterval(t);
            await sampler;
            await Promise.all(emulators.map((e) => e.stop(5_000)));
            await runner.stop();
            await loadBalancer.stop();
            await functions.stop();
            await agent.close();
        },
    };
}
