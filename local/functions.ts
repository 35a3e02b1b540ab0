/**
 * The stack's Lambda functions, run for real on this machine: each function's deployed code (the bundle
 * the program built, as CreateFunction received it) in a warm host process with the function's
 * environment, pointed at the local endpoint. What invokes them is what would on AWS:
 * - an EventBridge schedule rule (`rate(N minutes)`) that targets the function, on that schedule;
 * - an SNS topic the function is subscribed to, when an alarm that notifies the topic changes state;
 * - the load balancer, for a target group whose target is the function (local/load-balancer.ts).
 * The endpoint stores the rules, subscriptions and alarm actions but runs none of them.
 */
import * as path from "path";
import type { StateEntry } from "./graph/state";
import { spawnLocal, type LocalProcess } from "./processes";

export interface FunctionSpec {
    readonly name: string;
    readonly arn: string;
    readonly handler: string;
    readonly environment: Readonly<Record<string, string>>;
    /** The deployed code's file (written when the graph was applied). */
    readonly codeFile: string;
}

export interface Schedule {
    readonly rule: string;
    readonly everySeconds: number;
    readonly functionArn: string;
}

export function functionSpecs(entries: readonly StateEntry[]): FunctionSpec[] {
    return entries.filter((e) => e.type === "aws:lambda/function:Function").map((e) => {
        const inputs = e.inputs as any;
        return { name: String(e.outputs.name), arn: String(e.outputs.arn), handler: String(inputs.handler), environment: inputs.environment?.variables ?? {}, codeFile: String(inputs.code?.file ?? "") };
    });
}

/** `rate(1 minute)`, `rate(5 minutes)`, `rate(2 hours)`... in seconds; undefined for cron expressions. */
export function rateSeconds(expression: string): number | undefined {
    const m = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
    if (!m) return undefined;
    const unit = m[2].startsWith("minute") ? 60 : m[2].startsWith("hour") ? 3600 : 86400;
    return Number(m[1]) * unit;
}

export function schedules(entries: readonly StateEntry[]): { schedules: Schedule[]; notRun: string[] } {
    const rules = new Map(entries.filter((e) => e.type === "aws:cloudwatch/eventRule:EventRule").map((e) => [String(e.outputs.name), String((e.inputs as any).scheduleExpression ?? "")]));
    const out: Schedule[] = [];
    const notRun: string[] = [];
    for (const t of entries.filter((e) => e.type === "aws:cloudwatch/eventTarget:EventTarget")) {
        const inputs = t.inputs as any;
        const every = rateSeconds(rules.get(inputs.rule) ?? "");
        if (every === undefined) notRun.push(`rule ${inputs.rule} (${rules.get(inputs.rule)}): only rate() schedules are run locally`);
        else out.push({ rule: inputs.rule, everySeconds: every, functionArn: inputs.arn });
    }
    return { schedules: out, notRun };
}

type Pending = Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>;

/** One warm host per function; a host that has exited is started again on the next invocation, as Lambda starts a new environment. */
export class FunctionHosts {
    private readonly hosts = new Map<string, { proc: LocalProcess; pending: Pending }>();
    private nextId = 1;
    private stopped = false;

    constructor(private readonly specs: readonly FunctionSpec[], private readonly o: { hostBundle: string; logDir: string; baseEnv: NodeJS.ProcessEnv; onLine?: (fn: string, line: string) => void }) {}

    byArn(arn: string): FunctionSpec | undefined {
        return this.specs.find((f) => f.arn === arn || f.name === arn);
    }

    start(): void {
        for (const f of this.specs) this.host(f);
    }

    private host(f: FunctionSpec): { proc: LocalProcess; pending: Pending } {
        const running = this.hosts.get(f.name);
        if (running && running.proc.child.connected) return running;
        const [, exportName] = f.handler.split(".");
        const proc = spawnLocal({
            name: `function ${f.name}`, command: process.execPath, args: [this.o.hostBundle, f.codeFile, exportName], ipc: true,
            env: { ...this.o.baseEnv, ...f.environment, AWS_LAMBDA_FUNCTION_NAME: f.name },
            logFile: path.join(this.o.logDir, "functions", `${f.name}.log`),
            onLine: (line) => this.o.onLine?.(f.name, line),
        });
        const pending: Pending = new Map();
        proc.child.on("message", (m: { id: number; result?: unknown; error?: string }) => {
            const p = pending.get(m.id);
            if (!p) return;
            pending.delete(m.id);
            if (m.error !== undefined) p.reject(new Error(`${f.name}: ${m.error}`)); else p.resolve(m.result);
        });
        void proc.exited.then((exit) => {
            for (const p of pending.values()) p.reject(new Error(`${f.name}: the function's process exited (code ${exit.code}; see its log)`));
            pending.clear();
        });
        const host = { proc, pending };
        this.hosts.set(f.name, host);
        return host;
    }

    invoke(nameOrArn: string, event: unknown): Promise<unknown> {
        const f = this.byArn(nameOrArn);
        if (!f || this.stopped) return Promise.reject(new Error(`no local function ${nameOrArn}`));
        const host = this.host(f);
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            host.pending.set(id, { resolve, reject });
            host.proc.child.send({ id, event }, (error) => {
                if (!error) return;
                host.pending.delete(id);
                reject(new Error(`${f.name}: ${error.message}`));
            });
        });
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await Promise.all([...this.hosts.values()].map((h) => h.proc.stop(5_000)));
        this.hosts.clear();
    }
}

/** The event EventBridge sends a scheduled rule's target. */
export function scheduledEvent(rule: string, ruleArn: string, at: Date, region: string, account: string) {
    return { version: "0", id: `local-${at.getTime()}`, "detail-type": "Scheduled Event", source: "aws.events", account, time: at.toISOString(), region, resources: [ruleArn || rule], detail: {} };
}

/** The event SNS sends a subscribed function for an alarm notification. */
export function snsAlarmEvent(topicArn: string, alarm: { name: string; state: string; previous: string; reason: string }, at: Date) {
    const message = { AlarmName: alarm.name, NewStateValue: alarm.state, OldStateValue: alarm.previous, NewStateReason: alarm.reason, StateChangeTime: at.toISOString() };
    return {
        Records: [{
            EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: `${topicArn}:local`,
            Sns: { Type: "Notification", MessageId: `local-${at.getTime()}`, TopicArn: topicArn, Subject: `${alarm.state}: "${alarm.name}"`, Message: JSON.stringify(message), Timestamp: at.toISOString() },
        }],
    };
}
