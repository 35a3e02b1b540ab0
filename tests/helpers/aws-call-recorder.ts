/**
 * Records every AWS call the runtime code makes while a test runs, so that the IAM simulation
 * (tests/stacks/iam-simulation.test.ts) can evaluate each one against the policy the stack gives the
 * principal that makes it. Calls are caught at the SDK clients' `send` (real clients talking to moto,
 * and aws-sdk-client-mock stubs alike); only calls whose stack passes through runtime/ or cli/ count,
 * so a test's own setup calls are left out.
 *
 * A describe block opts in with `recordAwsCalls(__filename, principal, bindings)`. The bindings name
 * the test's fixture values (cluster, service, queue, ...); the recorded requests are written with
 * `{name}` placeholders in their place, and the simulation fills in the values the stack's graph gives
 * the principal. The recorded list is committed under tests/iam/recorded/: `RECORD_AWS_CALLS=1` (npm run
 * iam:record) rewrites it; otherwise a call missing from it fails the test file, so the list cannot
 * fall behind the code.
 */
import * as fs from "fs";
import * as path from "path";
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { RDSClient } from "@aws-sdk/client-rds";
import { SQSClient } from "@aws-sdk/client-sqs";
import { CallScope, IamRequest, iamRequests } from "./iam-requests";
import { Principal, RECORD_DIR, RecordedRequest, readRecord, recordFile, requestKey } from "../../proof/iam-records";

export type { Principal, RecordedRequest } from "../../proof/iam-records";
export { committedRequests } from "../../proof/iam-records";

export const ROOT = path.resolve(__dirname, "..", "..");

/** The SDK clients the runtime uses, and the IAM service prefix of each. */
const CLIENTS: [{ prototype: { send: (...a: any[]) => any } }, string][] = [
    [ECSClient, "ecs"],
    [SQSClient, "sqs"],
    [CloudWatchClient, "cloudwatch"],
    [RDSClient, "rds"],
    [ApplicationAutoScalingClient, "application-autoscaling"],
    [ElasticLoadBalancingV2Client, "elasticloadbalancing"],
];

interface RawCall {
    readonly principal: Principal;
    readonly prefix: string;
    readonly operation: string;
    readonly input: Record<string, any>;
}

interface Session {
    readonly file: string;
    /** Whose calls are being made now; undefined: calls are not recorded (an operator's tool). */
    principal: Principal | undefined;
    bindings: Readonly<Record<string, string>>;
    readonly calls: RawCall[];
}

/** A recording in progress: `as` says whose calls come next. */
export interface Recording {
    as(principal: Principal | undefined): void;
}

const sessions: Session[] = [];

const PRODUCT_FRAME = new RegExp(`\\(?${escape(ROOT)}/(runtime|cli)/`);

function escape(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** True when product code (runtime/, cli/) is on the stack: the call is the code's, not the test's setup. */
function calledByProduct(): boolean {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 25;
    const stack = new Error().stack ?? "";
    Error.stackTraceLimit = limit;
    return stack.split("\n").some((line) => PRODUCT_FRAME.test(line));
}

/** Adds a call the code makes through something other than an SDK client (the ECS agent endpoint). */
export function noteAwsCall(prefix: string, operation: string, input: Record<string, any>): void {
    const s = sessions[sessions.length - 1];
    if (s?.principal) s.calls.push({ principal: s.principal, prefix, operation, input: JSON.parse(JSON.stringify(input)) });
}

function note(prefix: string, command: unknown): void {
    if (sessions.length === 0 || !command || typeof command !== "object") return;
    const name = (command as object).constructor?.name ?? "";
    if (!name.endsWith("Command") || !calledByProduct()) return;
    noteAwsCall(prefix, name.slice(0, -"Command".length), (command as { input?: Record<string, any> }).input ?? {});
}

let installed = false;

/** Wraps `send` of the real clients and of every aws-sdk-client-mock stub created from now on. */
function install(): void {
    if (installed) return;
    installed = true;
    for (const [client, prefix] of CLIENTS) {
        const send = client.prototype.send;
        client.prototype.send = function recordedSend(this: unknown, command: unknown, ...rest: unknown[]) {
            note(prefix, command);
            return send.call(this, command, ...rest);
        };
    }
    // The package's index re-exports this module's binding through a getter, so replacing it here
    // reaches every `mockClient(...)` call made after this point.
    const mod = require(require.resolve("aws-sdk-client-mock/dist/cjs/mockClient", { paths: [ROOT] }));
    const original = mod.mockClient;
    mod.mockClient = (client: any, options?: unknown) => {
        const stub = original(client, options);
        const target = typeof client === "function" ? client.prototype : client;
        const prefix = CLIENTS.find(([c]) => target === c.prototype || target instanceof (c as any))?.[1];
        if (prefix !== undefined) {
            // A transparent proxy: aws-sdk-client-mock and sinon still see their stub (restore, reset, calls).
            target.send = new Proxy(target.send, {
                apply(fn, self, args) {
                    note(prefix, args[0]);
                    return Reflect.apply(fn, self, args);
                },
            });
        }
        return stub;
    };
}

install();

/** Replaces each fixture value in an ARN or value by its `{name}`, segment by segment. */
export function symbolise(value: string, bindings: Readonly<Record<string, string>>): string {
    const entries = Object.entries(bindings).sort((a, b) => b[1].length - a[1].length);
    const whole = entries.find(([, v]) => v === value);
    if (whole) return `{${whole[0]}}`;
    return value.split(/([:/])/).map((segment) => {
        for (const [name, v] of entries) {
            if (segment === v) return `{${name}}`;
            if (segment.startsWith(`${v}-`)) return `{${name}}${segment.slice(v.length)}`;
        }
        return segment;
    }).join("");
}

/** Tag condition keys: their values are times and operation records that differ on every run. */
const TAG_KEY = /^(aws:RequestTag|aws:ResourceTag|rds:[a-z]+-tag)\//;

/** A value that changes from run to run, in a tag condition key. */
export const ANY_VALUE = "<value>";

/**
 * The instances the class scaler creates are `<cluster>-<up|down>-<start time, base 36>`
 * (runtime/aurora/operation.ts): the time part becomes `{started}`.
 */
const CANDIDATE = /(\{dbCluster\}-(?:up|down)-)[0-9a-z]+$/;

/** A task of the cluster: its id (ECS assigns it) becomes `{task}`. */
const TASK = /(:task\/\{cluster\}\/)[^/]+$/;

function symboliseRequest(r: IamRequest, b: Readonly<Record<string, string>>): IamRequest {
    const context = Object.fromEntries(Object.entries(r.context).map(([k, v]) => {
        if (TAG_KEY.test(k) && typeof v === "string") return [k, v === "true" || v === "false" ? v : ANY_VALUE];
        return [k, Array.isArray(v) ? v.map((x) => symbolise(x, b)) : symbolise(v, b)];
    }));
    const resource = symbolise(r.resource, b).replace(CANDIDATE, "$1{started}").replace(TASK, "$1{task}");
    return { action: r.action, resource, context };
}

/** Tags the calls themselves set on RDS instances, so a later call sees them as the instance's tags. */
function trackTags(call: RawCall, scope: CallScope, tags: Map<string, Record<string, string>>): void {
    if (call.prefix !== "rds") return;
    const arn = call.operation === "CreateDBInstance"
        ? `arn:aws:rds:${scope.region}:${scope.account}:db:${call.input.DBInstanceIdentifier}`
        : call.input.ResourceName;
    if (typeof arn !== "string") return;
    const own = tags.get(arn) ?? {};
    if (call.operation === "CreateDBInstance" || call.operation === "AddTagsToResource") {
        for (const t of call.input.Tags ?? []) own[t.Key] = t.Value;
    }
    if (call.operation === "RemoveTagsFromResource") for (const k of call.input.TagKeys ?? []) delete own[k];
    if (call.operation === "DeleteDBInstance") tags.delete(arn);
    else tags.set(arn, own);
}

/** The session's calls as placeholder requests, each once, in a stable order. */
async function sessionRequests(s: Session): Promise<RecordedRequest[]> {
    const tags = new Map<string, Record<string, string>>();
    const scope = (): CallScope => ({
        account: s.bindings.account ?? "123456789012",
        region: s.bindings.region ?? "us-east-1",
        resourceTags: tags,
        rds: { parameterGroup: "{parameterGroup}", optionGroup: "{optionGroup}", subnetGroup: "{subnetGroup}" },
    });
    const out = new Map<string, RecordedRequest>();
    for (const call of s.calls) {
        // Tags as they were before the call: a Delete is judged on the tags the instance had.
        for (const r of await iamRequests(call.prefix, call.operation, call.input, scope())) {
            const rec: RecordedRequest = { principal: call.principal, operation: call.operation, ...symboliseRequest(r, s.bindings) };
            out.set(requestKey(rec), rec);
        }
        trackTags(call, scope(), tags);
    }
    return [...out.values()].sort((a, b) => requestKey(a).localeCompare(requestKey(b)));
}

/**
 * Records the AWS calls made by the tests of the enclosing describe block as calls of `principal`
 * (switch with `as` where one block runs several principals' code). `bindings`: placeholder name ->
 * the fixture's value (account and region default to moto's).
 */
export function recordAwsCalls(
    testFile: string,
    principal: Principal | undefined,
    bindings: Record<string, string> | (() => Record<string, string>),
): Recording {
    let session: Session | undefined;
    before(() => {
        session = { file: testFile, principal, bindings: {}, calls: [] };
        sessions.push(session);
    });
    after(async () => {
        if (!session) return;
        sessions.splice(sessions.indexOf(session), 1);
        // Fixture values a before hook created (ARNs moto assigned) are known by now.
        session = { ...session, bindings: { account: "123456789012", region: "us-east-1", ...(typeof bindings === "function" ? bindings() : bindings) } };
        const file = recordFile(testFile);
        const record = readRecord(file);
        const requests = await sessionRequests(session);
        const principals = [...new Set(requests.map((r) => r.principal))];
        if (process.env.RECORD_AWS_CALLS === "1") {
            for (const p of principals) {
                const known = new Map((record[p] ?? []).map((r) => [requestKey(r), r]));
                for (const r of requests.filter((x) => x.principal === p)) known.set(requestKey(r), r);
                record[p] = [...known.values()].sort((a, b) => requestKey(a).localeCompare(requestKey(b)));
            }
            fs.mkdirSync(RECORD_DIR, { recursive: true });
            fs.writeFileSync(file, `${JSON.stringify(Object.fromEntries(Object.entries(record).sort()), null, 2)}\n`);
            return;
        }
        const known = new Set(Object.values(record).flat().map(requestKey));
        const missing = requests.filter((r) => !known.has(requestKey(r)));
        if (missing.length > 0) {
            throw new Error(`AWS calls not in ${path.relative(ROOT, file)} (run npm run iam:record, then the IAM simulation):\n` +
                missing.map((r) => `  ${requestKey(r)}`).join("\n"));
        }
    });
    return {
        as(p) {
            if (session) session.principal = p;
            else principal = p;
        },
    };
}
