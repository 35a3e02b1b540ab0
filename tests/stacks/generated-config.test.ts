/**
 * Generated stack files through the whole program under mocks, in one process. Each case starts from a
 * stack file of the repository and mutates one to three keys (types, bounds, names, formats,
 * cross-field rules; every key of the stack files in turn), sometimes under another stack name. Every
 * case must end one of two ways: accepted, with a graph that passes the AWS rules config applies
 * (tests/helpers/graph-rules.ts, no two resources sharing a physical name), or refused with a
 * ConfigError whose every line names a key, before any resource is registered. Nothing may crash.
 *
 * Seeded and reproducible: GENERATED_SEED (default 20261123) and GENERATED_CASES (default 100 in
 * `npm test`; `npm run test:generated` runs 600). GENERATED_DEBUG=1 prints every case and its outcome.
 */
import { expect } from "chai";
import { ConfigError } from "../../config/errors";
import { graphProblems } from "../helpers/graph-rules";
import { runProgramWithConfig } from "../helpers/program";
import { recorded } from "../helpers/pulumi-mocks";
import { projectFile, stackConfig, stackNames } from "../helpers/stack-files";
import { seededRandom } from "../../scaling/traces";

const DEFAULT_SEED = 20261123;
const DEFAULT_CASES = 100;
const SEED = Number(process.env.GENERATED_SEED ?? DEFAULT_SEED);
const CASES = Number(process.env.GENERATED_CASES ?? DEFAULT_CASES);
const PROJECT = projectFile().name;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

/** A stack's project config as values: structured keys parsed, scalars as the CLI passes them (strings). */
function baseConfig(stack: string): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(stackConfig(stack))) {
        if (!k.startsWith(`${PROJECT}:`)) continue;
        const key = k.slice(PROJECT.length + 1);
        try { out[key] = JSON.parse(v); } catch { out[key] = v; }
        if (typeof out[key] !== "object" || out[key] === null) out[key] = v;
    }
    // Keys the stack files leave to their defaults are mutated too.
    for (const key of Object.keys(projectFile().config ?? {})) if (!(key in out)) out[key] = String(projectFile().config[key].default ?? "");
    return out;
}

/** `path` and every path below it. */
function allPaths(value: Json, path: Path): Path[] {
    const out: Path[] = [path];
    if (Array.isArray(value)) value.forEach((v, i) => out.push(...allPaths(v, [...path, i])));
    else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push(...allPaths(v, [...path, k]));
    return out;
}

function getAt(root: any, path: Path): any {
    return path.reduce((v, p) => (v === null || typeof v !== "object" ? undefined : v[p]), root);
}

function setAt(root: any, path: Path, value: Json | undefined): void {
    const parent = getAt(root, path.slice(0, -1));
    if (parent === null || typeof parent !== "object") return;
    const last = path[path.length - 1];
    if (value === undefined) {
        if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1); else delete parent[last];
    } else {
        parent[last] = value;
    }
}

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)];

const NUMBERS = [0, -1, 1, 2, 5, 7, 10, 20, 30, 45, 60, 61, 100, 256, 1000, 3600, 86401, 50001, 65536, 2147483647, 2147483648, 1e300, 0.5, 1e-200, 9e54];
const STRINGS = [
    "", " ", "x", "a".repeat(300), "UPPER", "with.dot", "with space", "é", "abc-", "a__b", "--", "/", "/" + "p".repeat(1100), "/héalth",
    "public.ecr.aws/nginx/nginx:1.27", "Nginx:latest", "nginx@sha256:" + "a".repeat(64), "registry:5000/team/app:v1", "repo:" + "t".repeat(200),
    "10.40.0.0/16", "10.40.1.0/16", "300.1.0.0/16", "10.40.0.0/33", "vpc-0123abcd", "subnet-0123abcd", "work", "jobs", "api", "worker",
    "queue-autoscaler", "rabbitmq", "sqs", "custom", "AWS/SQS", ":Dim", "Seconds", "Furlongs", "Maximum", "FARGATE_SPOT", "/*", "/a*b?c",
];

/** One mutation of the value at `path`, chosen by what is there. */
function mutate(rnd: () => number, root: Record<string, Json>, path: Path): string {
    const current = getAt(root, path);
    const where = path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("").slice(1);
    const roll = rnd();
    if (roll < 0.45) {
        // A plausible edit, as a user would make one: most of these are accepted.
        const edited: Json = typeof current === "number" ? pick(rnd, [current + 1, current * 2, Math.max(current - 1, 0), Math.round(current / 2)])
            : typeof current === "boolean" ? !current
                : typeof current === "string" ? pick(rnd, [`${current}2`, current.replace(/\d+$/, (d) => String(Number(d) + 1)), current])
                    : current;
        setAt(root, path, edited);
        return `edit ${where} -> ${JSON.stringify(edited)?.slice(0, 40)}`;
    }
    if (roll < 0.52) { setAt(root, path, undefined); return `remove ${where}`; }
    if (roll < 0.6) {
        const swapped: Json = typeof current === "number" ? String(current) : typeof current === "string" ? 42
            : typeof current === "boolean" ? "yes" : Array.isArray(current) ? {} : current === null ? 1 : [];
        setAt(root, path, swapped);
        return `type ${where} -> ${JSON.stringify(swapped)}`;
    }
    if (current !== null && typeof current === "object" && !Array.isArray(current) && rnd() < 0.6) {
        // A new sibling under a map: a copy of an entry under a key that may collide.
        const entries = Object.entries(current);
        if (entries.length > 0) {
            const [, value] = pick(rnd, entries);
            const key = pick(rnd, ["queue-autoscaler", "api2", "work-dlq", "x".repeat(31), "b", "jobs", "work", "Upper"]);
            (current as Record<string, Json>)[key] = JSON.parse(JSON.stringify(value));
            return `add ${where}.${key}`;
        }
    }
    if (Array.isArray(current) && current.length > 0 && rnd() < 0.5) {
        const n = pick(rnd, [6, 21]);
        setAt(root, path, Array.from({ length: n }, (_, i) => JSON.parse(JSON.stringify(current[i % current.length]))));
        return `grow ${where} to ${n}`;
    }
    if (typeof current === "number" || typeof current === "boolean" || rnd() < 0.3) {
        const n = rnd() < 0.2 && typeof current === "number" ? current + 1 : pick(rnd, NUMBERS);
        setAt(root, path, rnd() < 0.1 ? !current : n);
        return `number ${where} -> ${JSON.stringify(getAt(root, path))}`;
    }
    const s = typeof current === "string" && rnd() < 0.3 ? pick(rnd, [current.toUpperCase(), `${current}.`, `${current}-`, `${current}_1`, current.repeat(4)]) : pick(rnd, STRINGS);
    setAt(root, path, s);
    return `string ${where} -> ${JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s)}`;
}

const isMap = (v: unknown): v is Record<string, any> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Cross-field mutations that single-key ones rarely reach. */
const CROSS_FIELD: ((root: any, rnd: () => number) => string)[] = [
    (root) => { const w = root.services?.worker; if (w) [w.minCapacity, w.maxCapacity] = [w.maxCapacity + 1, w.minCapacity]; return "worker min above max"; },
    (root, rnd) => { if (root.autoscaler) root.autoscaler.service = pick(rnd, Object.keys(root.services ?? {}).concat("nobody")); return "autoscaler on another service"; },
    (root) => { const api = root.services?.api; if (api?.loadBalancer) root.services.api2 = { ...JSON.parse(JSON.stringify(api)) }; return "a second api with the same listener priority"; },
    (root) => { const w = root.services?.worker; if (w) w.environment = { ...(w.environment ?? {}), QUEUE_URL: "https://example.com/q" }; return "a consumer that sets QUEUE_URL"; },
    (root) => { root.paidTierResources = "false"; return "paidTierResources false"; },
    (root) => { root.network = { mode: "vpc", cidrBlock: "10.40.0.0/16", availabilityZones: 4 }; return "four zones in a three-zone region"; },
    (root) => { root.namePrefix = "a-very-long-name-prefix-1234"; return "a long namePrefix"; },
    (root) => { const w = root.services?.worker; if (w) w.environment = { BIG: "x".repeat(70000) }; return "a task definition over 64 KiB"; },
    (root, rnd) => { const s = root.services?.[pick(rnd, Object.keys(root.services ?? { x: 0 }))]; if (s) s.policies = [{ kind: "stepScaling", metric: { source: "sqs", queue: "work" }, period: pick(rnd, [10, 30, 60]), scaleOut: { steps: [{ lower: 5, change: 1 }] }, scaleIn: { steps: [{ upper: pick(rnd, [0, 5, 9]), change: -1 }] } }]; return "a step policy on the work queue"; },
    (root) => { root.customMetricTest = { enabled: true, service: "worker" }; return "customMetricTest on the worker"; },
    // What config once let through: a version RDS does not offer, another region's certificate, a worker setting its command refuses.
    // (An earlier mutation may have made any of these keys a string, a number or a list: then nothing is set.)
    (root, rnd) => { const v = pick(rnd, ["99.9", "16.5", "17.0", "16.13"]); if (isMap(root.aurora)) root.aurora.engineVersion = v; return `aurora.engineVersion ${v}`; },
    (root, rnd) => {
        const region = pick(rnd, ["eu-west-1", "us-east-1", "us-west-2"]);
        if (isMap(root.loadBalancer)) root.loadBalancer.certificateArn = `arn:aws:acm:${region}:123456789012:certificate/0f1e2d3c-4b5a-4c69-8d7e-9fa0b1c2d3e4`;
        return `a certificate of ${region}`;
    },
    (root, rnd) => {
        const [name, value] = pick(rnd, [["PROCESSING_MS", "abc"], ["WAIT_SECONDS", "21"], ["LOG_LEVEL", "verbose"], ["PROCESSING_MS", "250"]] as const);
        const w = isMap(root.services) ? root.services.worker : undefined;
        if (isMap(w)) w.environment = { ...(isMap(w.environment) ? w.environment : {}), [name]: value };
        return `worker ${name}=${value}`;
    },
    // Backlog per task and predictive scaling: the target given twice or half, a queue of another stack, Container Insights off
    // under a plan that needs it, AWS's predictive limits, and either on a service the queue autoscaler owns.
    (root, rnd) => {
        const policy = pick(rnd, [
            { kind: "backlogPerTask", target: 60, acceptableLatencySeconds: 60, secondsPerMessage: 1 },
            { kind: "backlogPerTask", acceptableLatencySeconds: 30 },
            { kind: "backlogPerTask", acceptableLatencySeconds: 20, secondsPerMessage: 0.25 },
            { kind: "backlogPerTask", queue: "orders", target: 10 },
            { kind: "backlogPerTask", queue: "work", target: 100 },
        ]);
        const key = pick(rnd, ["batch", "worker", "jobs", "gateway"]);
        const s = isMap(root.services) ? root.services[key] : undefined;
        if (isMap(s)) s.policies = [policy];
        return `${key}: ${JSON.stringify(policy)}`;
    },
    (root) => { root.containerInsights = "false"; return "containerInsights false"; },
    (root, rnd) => {
        const fields = pick(rnd, [
            { schedulingBufferTime: 3600 }, { schedulingBufferTime: 3601 }, { mode: "ForecastOnly" },
            { maxCapacityBreachBehavior: "IncreaseMaxCapacity", maxCapacityBuffer: 100 }, { maxCapacityBreachBehavior: "IncreaseMaxCapacity", maxCapacityBuffer: 101 },
            { maxCapacityBreachBehavior: "IncreaseMaxCapacity" }, { maxCapacityBuffer: 10 },
            { metricPair: "ALBRequestCount", target: 1000 }, { metricPair: "ECSServiceMemoryUtilization", target: 120 },
        ]);
        const key = pick(rnd, ["gateway", "api", "jobs"]);
        const s = isMap(root.services) ? root.services[key] : undefined;
        if (isMap(s)) s.policies = [...(Array.isArray(s.policies) ? s.policies : []), { kind: "predictive", metricPair: "ECSServiceCPUUtilization", target: 70, ...fields }];
        return `${key}: predictive ${JSON.stringify(fields)}`;
    },
];

const STACK_NAMES = ["Staging", "stg_1", "abc-", "s".repeat(60), "st.g", "a", "prod-eu"];

interface Outcome {
    readonly kind: "accepted" | "refused" | "crashed";
    readonly detail: string;
    readonly registeredBeforeError: number;
    readonly graph: string[];
}

/** Runs the program as stack `stack` with the provider keys of stack file `base` and the project keys of `config`. */
async function runCase(base: string, stack: string, config: Record<string, Json>): Promise<Outcome> {
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(stackConfig(base))) if (!k.startsWith(`${PROJECT}:`)) flat[k] = v;
    for (const [k, v] of Object.entries(config)) if (v !== undefined) flat[`${PROJECT}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    // A refusal also rejects a promise the Pulumi runtime keeps for itself; only other errors are crashes.
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => { if (!(e instanceof ConfigError)) unhandled.push(e); };
    process.on("unhandledRejection", onUnhandled);
    try {
        await runProgramWithConfig(stack, flat);
        await new Promise((r) => setImmediate(r));
        if (unhandled.length > 0) return { kind: "crashed", detail: String(unhandled[0]), registeredBeforeError: 0, graph: [] };
        return { kind: "accepted", detail: "", registeredBeforeError: 0, graph: graphProblems(recorded, flat["aws:region"]) };
    } catch (e) {
        const registered = recorded.filter((r) => r.type !== "pulumi:pulumi:Stack").length;
        if (e instanceof ConfigError) return { kind: "refused", detail: e.message, registeredBeforeError: registered, graph: [] };
        return { kind: "crashed", detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e), registeredBeforeError: registered, graph: [] };
    } finally {
        process.off("unhandledRejection", onUnhandled);
    }
}

/** `key.path[0].sub: ...` — every refusal line starts with the config key it is about. */
const NAMES_A_KEY = /^[A-Za-z][\w-]*(?:\.[\w-]+|\[\d+\])*: /;

describe("generated stack files through the whole program", function () {
    // Each case runs the whole program under mocks: about 1.5 s on a busy 2-core machine, so the full
    // set (npm run test:generated, 600 cases) needs more than the 10 minutes the sample does.
    this.timeout(Math.max(600_000, CASES * 3_000));

    it(`${CASES} seeded cases (seed ${SEED}): accepted with a valid graph or refused naming the key before any resource; none crash`, async () => {
        const rnd = seededRandom(SEED); // the same mulberry32 the traces use: every run generates the same cases
        const stacks = stackNames();
        const bases = Object.fromEntries(stacks.map((s) => [s, baseConfig(s)]));
        // Every key of every stack file, top-level keys included, in a fixed order.
        const paths = Object.fromEntries(stacks.map((s) => [s, Object.entries(bases[s]).flatMap(([k, v]) => [[k] as Path, ...allPaths(v, [k]).slice(1)])]));

        const counts = { generated: 0, accepted: 0, refused: 0, crashed: 0, registeredBeforeError: 0, acceptedInvalid: 0, unnamedKey: 0 };
        const failures: string[] = [];
        const covered = new Set<string>();
        for (let i = 0; i < CASES; i++) {
            const base = stacks[i % stacks.length];
            const stack = rnd() < 0.1 ? pick(rnd, STACK_NAMES) : base;
            const config: Record<string, Json> = JSON.parse(JSON.stringify(bases[base]));
            const steps: string[] = stack === base ? [] : [`stack name ${JSON.stringify(stack)}`];
            const n = pick(rnd, [1, 1, 1, 2, 2, 3]);
            for (let m = 0; m < n; m++) {
                if (rnd() < 0.12) { steps.push(pick(rnd, CROSS_FIELD)(config, rnd)); continue; }
                // Every key in turn (round robin over the base's paths), then mutated at random.
                const all = paths[base];
                const path = all[(i * 3 + m) % all.length];
                covered.add(`${base}:${path.join(".")}`);
                steps.push(mutate(rnd, config, path));
            }
            const outcome = await runCase(base, stack, config);
            counts.generated++;
            const label = `case ${i} (${base}: ${steps.join("; ")})`;
            if (process.env.GENERATED_DEBUG) console.log(i, steps.join("; "), outcome.kind, outcome.detail.slice(0, 200));
            if (outcome.kind === "crashed") { counts.crashed++; failures.push(`${label}: crashed: ${outcome.detail}`); continue; }
            if (outcome.kind === "accepted") {
                counts.accepted++;
                if (outcome.graph.length > 0) { counts.acceptedInvalid++; failures.push(`${label}: accepted but ${outcome.graph.join("; ")}`); }
                continue;
            }
            counts.refused++;
            if (outcome.registeredBeforeError > 0) { counts.registeredBeforeError++; failures.push(`${label}: ${outcome.registeredBeforeError} resources registered before the error`); }
            const lines = outcome.detail.split("\n").slice(1).map((l) => l.replace(/^ {2}- /, ""));
            const unnamed = lines.filter((l) => !NAMES_A_KEY.test(l));
            if (lines.length === 0 || unnamed.length > 0) { counts.unnamedKey++; failures.push(`${label}: refusal without a key: ${unnamed.join(" | ") || outcome.detail}`); }
        }
        const totalPaths = stacks.reduce((sum, s) => sum + paths[s].length, 0);
        console.log(`      generated ${counts.generated}: accepted ${counts.accepted}, refused ${counts.refused}, ` +
            `accepted-but-AWS-rejects ${counts.acceptedInvalid}, crashes ${counts.crashed}, ` +
            `registered-before-error ${counts.registeredBeforeError}, refusals without a key ${counts.unnamedKey}; ` +
            `keys mutated ${covered.size} of ${totalPaths}`);
        expect(failures.slice(0, 20)).to.deep.equal([]);
        expect(counts.accepted + counts.refused, "every case accepted or refused").to.equal(CASES);
        // The split of the default sample, as printed above; a change to the stack files or to the
        // generator moves it, and that change states the new split here.
        if (SEED === DEFAULT_SEED && CASES === DEFAULT_CASES) expect([counts.accepted, counts.refused], "accepted, refused").to.deep.equal([39, 61]);
    });
});

describe("the graph check the generated cases rely on", () => {
    const queue = (name: string, logical: string) => ({ type: "aws:sqs/queue:Queue", name: logical, inputs: { name }, state: {} });
    it("finds two resources sharing a physical name, and names breaking their rule", () => {
        expect(graphProblems([queue("stack-work", "a"), queue("stack-work", "b"), queue("x".repeat(81), "c")])).to.deep.equal([
            "aws:sqs/queue:Queue b and a share the physical name \"stack-work\"",
            `aws:sqs/queue:Queue c: name "${"x".repeat(81)}" must be 1-80 letters, digits, hyphens and underscores (SQS queue names)`,
        ]);
    });
    it("passes a graph of distinct, valid names", () => {
        expect(graphProblems([queue("stack-work", "a"), queue("stack-work-dlq", "b")])).to.deep.equal([]);
    });
});
