/**
 * `autoscale up` and `autoscale down`: a stack of this project on this machine, created from the
 * program's own graph in a local endpoint (moto_server unless AWS_ENDPOINT_URL names a local one),
 * running (tasks, emulator, functions, load balancer), shown on a live page, and taken down again in
 * reverse order on Ctrl-C, SIGTERM or `autoscale down`.
 *
 * Everything the user can get wrong is checked before anything starts: the stack name, its config (the
 * same messages as `pulumi up`'s validation), the page port, moto_server on the PATH, and a second run
 * of the same stack.
 */
import { rmSync } from "fs";
import * as path from "path";
import { loadStackFile, PROJECT_ROOT, projectFile, stackConfig, stackNames } from "../config/stack-file";
import { DEFAULT_ENGINE_PARAMS } from "../scaling/engine/params";
import { activityLine } from "./activities";
import { buildBundles } from "./bundle";
import { endpointPreflight, freeLoopbackPort, openEndpoint, type LocalEndpoint } from "./endpoint";
import { configOverrides } from "./config-overrides";
import { LocalStackError } from "./errors";
import { applyGraph, preloadProgram } from "./graph/apply";
import { APPLIERS } from "./graph/appliers";
import { applyContext, closeClients, LOCAL_ACCOUNT } from "./graph/context";
import { liveLock, readState, removeLock, removeState, stackDir, writeLock, writeState, type StackState, type StateEntry } from "./graph/state";
import { startLive, type Live } from "./live";
import { DEMO_BURST_MESSAGES, burstTrace, runLoad } from "./load";
import { groupAlive, signalGroup } from "./processes";
import { listenPage, type PageServer } from "./page/server";
import { Timeline } from "./timeline";

const REGION = "us-east-1";

export interface UpOptions {
    /** Where the stack files are, and `.autoscale/` (default: the repository). */
    readonly root: string;
    readonly stack: string;
    readonly speed: number;
    /** Seconds from a task's launch to its process starting; default: the simulator's Fargate start time. */
    readonly startDelaySeconds?: number;
    readonly demo: boolean;
    readonly port: number;
    readonly env: NodeJS.ProcessEnv;
    /** `<path>=<value>` config settings for this run (local/config-overrides.ts). */
    readonly config?: readonly string[];
    readonly out: (line: string) => void;
    readonly signal: AbortSignal;
    /** Called once the stack is created and running. */
    readonly onReady?: (ready: { pageUrl: string; endpoint: string; createdMs: number; resources: number; timeline: Timeline }) => void;
}

/** Checks the stack name and its config; throws what `pulumi up` would (ConfigError) or a LocalStackError. */
export function checkStack(root: string, stack: string, overrides: Record<string, unknown> = {}): void {
    if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !stackNames(root).includes(stack)) {
        throw new LocalStackError(`--stack: "${stack}" has no Pulumi.${stack}.yaml; use one of ${stackNames(root).join(", ")}, or create Pulumi.${stack}.yaml`);
    }
    loadStackFile(stack, overrides, root);
}

async function deleteEntries(state: StackState, entries: readonly StateEntry[], out: (line: string) => void): Promise<number> {
    const ctx = applyContext(state.endpoint, state.region, state.stack);
    let failed = 0;
    try {
        for (const e of [...entries].reverse()) {
            try {
                await APPLIERS[e.type].remove(ctx, e.id, { ...e.inputs, ...e.outputs });
                state.entries = state.entries.filter((x) => x.key !== e.key);
            } catch (error) {
                failed++;
                out(`could not delete ${e.type} ${e.name} (${e.id}): ${(error as Error).message}`);
            }
        }
    } finally {
        closeClients(ctx.clients);
    }
    return failed;
}

async function endpointAnswers(url: string): Promise<boolean> {
    try {
        await fetch(url, { signal: AbortSignal.timeout(2_000) });
        return true;
    } catch {
        return false;
    }
}

/** Ends what an earlier run left (it was killed): its processes, and its resources where the endpoint still answers. */
async function cleanLeftovers(root: string, stack: string, out: (line: string) => void): Promise<void> {
    const state = readState(root, stack);
    if (!state) return;
    for (const pid of state.processGroups) if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
    if (state.entries.length > 0 && await endpointAnswers(state.endpoint)) {
        out(`${stack}: deleting ${state.entries.length} resources an earlier run left in ${state.endpoint}`);
        await deleteEntries(state, state.entries, out);
    }
    removeState(root, stack);
}

export async function up(options: UpOptions): Promise<void> {
    if (!/^[A-Za-z0-9_.-]+$/.test(options.stack) || !stackNames(options.root).includes(options.stack)) checkStack(options.root, options.stack);
    const o = { ...options, overrides: configOverrides(options.root, options.stack, options.config ?? []) };
    checkStack(o.root, o.stack, o.overrides);
    const lock = liveLock(o.root, o.stack);
    if (lock) throw new LocalStackError(`stack ${o.stack} is already running (process ${lock.pid}${lock.pageUrl ? `, page ${lock.pageUrl}` : ""}): open its page, or stop it with \`npx autoscale down --stack ${o.stack}\``);
    endpointPreflight(o.env);
    const page: PageServer = await listenPage(o.port);
    const pageUrl = page.url;
    writeLock(o.root, o.stack, { pid: process.pid, pageUrl });
    const dir = stackDir(o.root, o.stack);
    let endpoint: LocalEndpoint | undefined;
    let live: Live | undefined;
    let state: StackState | undefined;
    const errors: string[] = [];
    const onError = (e: Error) => {
        if (errors.length < 20 && !errors.includes(e.message)) o.out(`warning: ${e.message}`);
        errors.push(e.message);
    };
    try {
        const previous = readState(o.root, o.stack);
        const reuse = previous && !previous.ownEndpoint && o.env.AWS_ENDPOINT_URL?.trim().replace(/\/$/, "") === previous.endpoint;
        if (!reuse) await cleanLeftovers(o.root, o.stack, o.out);
        const started = Date.now();
        // Logs and function code are this run's only.
        for (const sub of ["logs", "functions"]) rmSync(path.join(dir, sub), { recursive: true, force: true });
        const bundling = buildBundles(PROJECT_ROOT, path.join(dir, "bundle"));
        const motoPort = o.env.AWS_ENDPOINT_URL?.trim() ? undefined : await freeLoopbackPort();
        const opening = openEndpoint(o.env, motoPort);
        // moto starts in its own process meanwhile.
        preloadProgram();
        endpoint = await opening;
        if (endpoint.own) {
            // moto advances a task's status on every DescribeTasks; the task runner says what runs.
            await fetch(`${endpoint.url}/moto-api/state-manager/set-transition`, { method: "POST", body: JSON.stringify({ model_name: "ecs::task", transition: { progression: "manual", times: 1_000_000 } }) });
        }
        state = {
            stack: o.stack, endpoint: endpoint.url, ownEndpoint: endpoint.own, region: REGION, entries: reuse ? previous!.entries : [],
            outputs: {}, processGroups: [], pageUrl,
        };
        writeState(o.root, state);
        const ctx = applyContext(endpoint.url, REGION, o.stack);
        const s = state;
        let created = 0;
        let result;
        try {
            result = await applyGraph({
                project: projectFile(o.root).name, stack: o.stack, config: stackConfig(o.stack, o.overrides ?? {}, o.root), ctx,
                functionsDir: path.join(dir, "functions"),
                previous: reuse ? previous!.entries : [],
                onApplied(entry, action) {
                    s.entries = [...s.entries.filter((e) => e.key !== entry.key), entry];
                    if (action !== "kept") created++;
                    writeState(o.root, s);
                },
            });
        } finally {
            closeClients(ctx.clients);
        }
        if (result.removed.length > 0) await deleteEntries(s, result.removed, o.out);
        s.entries = [...result.entries];
        s.outputs = result.outputs;
        writeState(o.root, s);
        const bundles = await bundling;
        const createdMs = Date.now() - started;
        o.out(`${o.stack}: ${result.entries.length} resources in ${endpoint.url}${endpoint.own ? " (moto_server)" : ""}, ${created} created, updated or replaced, in ${(createdMs / 1000).toFixed(1)} s`);
        const byWhy = new Map<string, string[]>();
        for (const n of result.notHeld) byWhy.set(n.why, [...(byWhy.get(n.why) ?? []), `${n.name} (${n.type.split(":").pop()})`]);
        for (const [why, names] of byWhy) o.out(`  not in the endpoint: ${names.join(", ")}: ${why}`);

        const startDelaySeconds = o.startDelaySeconds ?? DEFAULT_ENGINE_PARAMS.taskStartSeconds;
        const queues = Object.fromEntries(Object.entries((result.outputs.queueUrls ?? {}) as Record<string, string>).map(([k, url]) => [k, url.split("/").pop()!]));
        const config = loadStackFile(o.stack, o.overrides ?? {}, o.root);
        const owners: Record<string, string> = Object.fromEntries(Object.values(config.services).map((sv) => [sv.name,
            sv.scaledBy === "queueAutoscaler" ? "the queue autoscaler" : sv.scaleToZero ? "scale-to-zero (sleeps when idle, wakes on a request)" : "Application Auto Scaling policies"]));
        if (config.autoscaler.enabled) owners[config.names.autoscalerService] = "nobody: the queue autoscaler itself, one task";
        const timeline = new Timeline({
            stack: o.stack, endpoint: endpoint.url, speed: o.speed, startDelaySeconds, loadBalancerUrls: [], queues, owners,
            notHeld: result.notHeld.map((n) => `${n.type}: ${n.why}`),
        });
        const clients = applyContext(endpoint.url, REGION, o.stack).clients;
        try {
            live = await startLive({
                entries: s.entries, clients, endpoint: endpoint.url, region: REGION, account: LOCAL_ACCOUNT, bundles, dir,
                speed: o.speed, startDelaySeconds, timeline, onError,
            });
            timeline.info.loadBalancerUrls = [...live.loadBalancer.urls.values()];
            page.attach(timeline, clients.sqs, Object.fromEntries(Object.entries((result.outputs.queueUrls ?? {}) as Record<string, string>)));
            timeline.subscribe((e) => { if (e.kind === "activity") o.out(activityLine(e.activity)); });
            s.processGroups = live.processGroups();
            writeState(o.root, s);
            const groupsTimer = setInterval(() => { s.processGroups = live!.processGroups(); writeState(o.root, s); }, 5_000);
            o.out(`page: ${pageUrl}   (CloudWatch time ${o.speed}x, task start ${startDelaySeconds} s)`);
            for (const url of live.loadBalancer.urls.values()) o.out(`load balancer: ${url}`);
            o.out("Ctrl-C (or `npx autoscale down`) stops everything and deletes the stack");
            o.onReady?.({ pageUrl, endpoint: endpoint.url, createdMs, resources: s.entries.length, timeline });
            const demoQueue = config.autoscaler.enabled ? config.autoscaler.queue : Object.keys(queues)[0];
            const demo = o.demo && demoQueue ? (async () => {
                await new Promise((r) => setTimeout(r, 3_000));
                if (o.signal.aborted) return;
                timeline.note(`demo: a burst of ${DEMO_BURST_MESSAGES} messages to ${queues[demoQueue]}`);
                o.out(`demo: ${DEMO_BURST_MESSAGES} messages to ${queues[demoQueue]} (--no-demo to skip)`);
                await runLoad({ sqs: clients.sqs, queueUrl: (result!.outputs.queueUrls as Record<string, string>)[demoQueue], trace: burstTrace(DEMO_BURST_MESSAGES, 0, 0), speed: 1, signal: o.signal, tag: "demo" });
            })().catch(onError) : Promise.resolve();
            await new Promise<void>((resolve) => (o.signal.aborted ? resolve() : o.signal.addEventListener("abort", () => resolve(), { once: true })));
            clearInterval(groupsTimer);
            await demo;
        } finally {
            o.out(`${o.stack}: stopping tasks and deleting ${s.entries.length} resources...`);
            await page.close();
            await live?.stop();
            closeClients(clients);
        }
    } finally {
        await page.close();
        if (state) {
            const failed = await deleteEntries(state, state.entries, o.out);
            if (failed === 0) removeState(o.root, o.stack); else writeState(o.root, state);
        }
        await endpoint?.stop();
        removeLock(o.root, o.stack);
        o.out(`${o.stack}: down`);
    }
}

/** `autoscale down`: stops a running stack (its process cleans up), or cleans up what a killed run left. */
export async function down(o: { root: string; stack: string; out: (line: string) => void; timeoutMs?: number }): Promise<void> {
    const lock = liveLock(o.root, o.stack);
    if (lock) {
        process.kill(lock.pid, "SIGTERM");
        const deadline = Date.now() + (o.timeoutMs ?? 120_000);
        while (liveLock(o.root, o.stack) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        if (liveLock(o.root, o.stack)) throw new Error(`stack ${o.stack}: process ${lock.pid} did not stop within ${(o.timeoutMs ?? 120_000) / 1000} s`);
        o.out(`${o.stack}: stopped (process ${lock.pid}) and deleted`);
        return;
    }
    if (!readState(o.root, o.stack)) {
        o.out(`${o.stack}: not running, nothing recorded to delete`);
        return;
    }
    await cleanLeftovers(o.root, o.stack, o.out);
    o.out(`${o.stack}: deleted what an earlier run left`);
}

