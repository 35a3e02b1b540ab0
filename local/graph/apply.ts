/**
 * Creates a stack in a local endpoint from the program itself: index.ts runs with the stack's config
 * under the Pulumi runtime's mocks, and the mock's newResource creates each resource in the endpoint
 * (local/graph/appliers.ts) and hands back its real id and attributes, so the program's own dependency
 * order and outputs drive creation, as `pulumi up` would. A resource whose inputs equal those of the
 * previous run is kept; a changed one is replaced; one the program no longer registers is deleted.
 */
import { createHash } from "crypto";
import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { jsonCall } from "../aws/signed-request";
import type { ApplyContext } from "./applier";
import { APPLIERS, notHeldReason } from "./appliers";
import { availabilityZones, defaultNetwork } from "./appliers-ec2";
import type { StateEntry } from "./state";

const PROGRAM = require.resolve("../../index");

/** The Elastic Load Balancing account of us-east-1 that writes access logs (ALB guide, "Enable access logs"). */
const US_EAST_1_ELB_ACCOUNT = "127311923021";

export interface ApplyOptions {
    readonly project: string;
    readonly stack: string;
    /** The full namespaced config map (config/stack-file.ts stackConfig). */
    readonly config: Record<string, string>;
    readonly ctx: ApplyContext;
    /** Where each function's code is written (`<dir>/<logical name>/index.js`), for the local function hosts. */
    readonly functionsDir: string;
    /** What the previous run created, in order. */
    readonly previous: readonly StateEntry[];
    /** Called after each resource is created or kept, in completion order (dependencies first). */
    readonly onApplied: (entry: StateEntry, action: "created" | "kept" | "updated" | "replaced") => void;
}

export interface ApplyResult {
    /** Resources of the graph in the endpoint, in creation order. */
    readonly entries: readonly StateEntry[];
    /** Previous resources the program no longer registers (to delete, newest first). */
    readonly removed: readonly StateEntry[];
    /** Resources left out of the endpoint, with why. */
    readonly notHeld: readonly { type: string; name: string; why: string }[];
    readonly outputs: Record<string, unknown>;
}

/**
 * Loads the program and what it imports (@pulumi/aws is large) without running it: index.ts only
 * exports its function, so loading it early (while the endpoint starts) has no effect but time saved.
 */
export function preloadProgram(): void {
    require(PROGRAM);
}

/** JSON with sorted keys, so equal inputs hash equally whatever order the program built them in. */
function stable(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
    if (v && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(",")}}`;
    return JSON.stringify(v) ?? "null";
}

export function inputsHash(inputs: unknown): string {
    return createHash("sha256").update(stable(inputs)).digest("hex").slice(0, 16);
}

/** What the provider would report for a type the endpoint does not hold, so the program can go on. */
function notHeldOutputs(ctx: ApplyContext, type: string, name: string, inputs: any): Record<string, unknown> {
    if (type === "docker-build:index:Image") {
        const digest = `sha256:${createHash("sha256").update(stable(inputs)).digest("hex")}`;
        return { digest, ref: `${(inputs.tags ?? [name])[0]}@${digest}` };
    }
    if (type === "aws:s3/bucket:Bucket") {
        const bucket = inputs.bucket ?? ctx.autoName(name, 63);
        return { bucket, arn: `arn:aws:s3:::${bucket}` };
    }
    return {};
}

async function invoke(ctx: ApplyContext, token: string, inputs: any): Promise<Record<string, unknown>> {
    switch (token) {
        case "aws:index/getRegion:getRegion":
            return { name: ctx.region, region: ctx.region, id: ctx.region };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ctx.account, arn: `arn:aws:iam::${ctx.account}:user/local`, userId: "local" };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return availabilityZones(ctx);
        case "aws:ec2/getVpc:getVpc": {
            const n = await defaultNetwork(ctx);
            return { id: n.vpcId, cidrBlock: n.cidrBlock, default: true };
        }
        case "aws:ec2/getSubnets:getSubnets":
            return { ids: (await defaultNetwork(ctx)).subnetIds };
        case "aws:elb/getServiceAccount:getServiceAccount": {
            if (ctx.region === "us-east-1") return { id: US_EAST_1_ELB_ACCOUNT, arn: `arn:aws:iam::${US_EAST_1_ELB_ACCOUNT}:root`, region: ctx.region };
            const details = `invocation of aws:elb/getServiceAccount:getServiceAccount returned an error: unsupported AWS Region: ${ctx.region}`;
            throw Object.assign(new Error(details), { details });
        }
        case "aws:ecr/getAuthorizationToken:getAuthorizationToken": {
            const r = await jsonCall(ctx.endpoint, "ecr", "AmazonEC2ContainerRegistry_V20150921", "GetAuthorizationToken", inputs.registryId ? { registryIds: [inputs.registryId] } : {});
            const data = r.authorizationData?.[0] ?? {};
            const [userName, password] = Buffer.from(String(data.authorizationToken ?? ""), "base64").toString().split(":");
            return { userName, password, proxyEndpoint: data.proxyEndpoint, authorizationToken: data.authorizationToken };
        }
        default:
            throw new Error(`the local stack cannot answer the data source ${token}`);
    }
}

/** Waits until every registration and invoke started so far has completed (what pulumi.runtime.disconnect waits on). */
function allRegistered(): Promise<void> {
    // Exported by the SDK's runtime/settings module (3.248) but left out of its type declarations.
    const settings: { waitForRPCs(): Promise<void> } = require("@pulumi/pulumi/runtime/settings");
    return settings.waitForRPCs();
}

function resolve<T>(o: pulumi.Input<T>): Promise<T> {
    return new Promise((r) => pulumi.output(o).apply((v) => { r(v as T); return v; }));
}

/**
 * The file of a function's code archive (the bundle the program built): the mocks hand newResource an
 * archive without its contents, so the program's own AssetArchive is read where it is constructed.
 */
async function archiveFile(code: pulumi.Input<pulumi.asset.Archive> | undefined): Promise<{ name: string; text: string } | undefined> {
    const archive = code === undefined ? undefined : await resolve(code);
    // An archive built in the program's own copy of the SDK: recognised by its marker, as the SDK does.
    if (!pulumi.asset.Archive.isInstance(archive) || !("assets" in archive)) return undefined;
    const assets = await (archive as pulumi.asset.AssetArchive).assets;
    const [name, asset] = Object.entries(assets)[0] ?? [];
    const text = pulumi.asset.Asset.isInstance(asset) && "text" in asset ? await (asset as pulumi.asset.StringAsset).text : undefined;
    return name !== undefined && typeof text === "string" ? { name, text } : undefined;
}

export async function applyGraph(o: ApplyOptions): Promise<ApplyResult> {
    const previous = new Map(o.previous.map((e) => [e.key, e]));
    const entries: StateEntry[] = [];
    const seen = new Set<string>();
    const notHeld: { type: string; name: string; why: string }[] = [];
    const failures: Error[] = [];
    const functionCode = new Map<string, Promise<{ name: string; text: string } | undefined>>();

    await pulumi.runtime.setMocks({
        async newResource(args) {
            const inputs = args.inputs ?? {};
            if (!args.custom) return { id: undefined, state: inputs };
            const why = notHeldReason(args.type, inputs);
            if (why !== undefined) {
                notHeld.push({ type: args.type, name: args.name, why });
                return { id: `${args.name}-not-held`, state: { ...inputs, ...notHeldOutputs(o.ctx, args.type, args.name, inputs) } };
            }
            const applier = APPLIERS[args.type]!;
            const key = `${args.type}::${args.name}`;
            seen.add(key);
            let stored = inputs;
            const code = args.type === "aws:lambda/function:Function" ? await functionCode.get(args.name) : undefined;
            if (code) {
                // The code goes to a file (the state keeps its path and digest) and into the archive CreateFunction receives.
                const file = path.join(o.functionsDir, args.name, code.name);
                mkdirSync(path.dirname(file), { recursive: true });
                writeFileSync(file, code.text);
                const digest = createHash("sha256").update(code.text).digest("hex");
                stored = { ...inputs, code: { file, sha256: digest } };
                inputs.code = { assets: { [code.name]: { text: code.text } } };
            }
            const hash = inputsHash(stored);
            const before = previous.get(key);
            try {
                if (before && before.inputsHash === hash && await applier.exists(o.ctx, before.id, { ...before.inputs, ...before.outputs })) {
                    entries.push(before);
                    o.onApplied(before, "kept");
                    return { id: before.id, state: { ...stored, ...before.outputs } };
                }
                // An upsert updates in place (same id); anything else that changed is replaced.
                const inPlace = before !== undefined && applier.upsert === true;
                if (before && !inPlace) await applier.remove(o.ctx, before.id, { ...before.inputs, ...before.outputs });
                const created = await applier.create(o.ctx, args.name, inputs);
                const entry: StateEntry = { key, type: args.type, name: args.name, id: created.id, inputsHash: hash, inputs: stored, outputs: created.outputs };
                entries.push(entry);
                o.onApplied(entry, inPlace ? "updated" : before ? "replaced" : "created");
                return { id: created.id, state: { ...stored, ...created.outputs } };
            } catch (error) {
                const e = new Error(`${args.type} ${args.name}: ${(error as Error).message}`);
                failures.push(e);
                throw e;
            }
        },
        call: (args) => invoke(o.ctx, args.token, args.inputs ?? {}),
    }, o.project, o.stack, false);
    pulumi.runtime.setAllConfig(o.config);
    delete require.cache[PROGRAM];
    let outputs: Record<string, unknown> = {};
    try {
        const exported = await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation((a) => {
                if (a.type === "aws:lambda/function:Function") functionCode.set(a.name, archiveFile((a.props as { code?: pulumi.Input<pulumi.asset.Archive> }).code));
                return undefined;
            });
            const mod = await import(PROGRAM);
            const main = (mod as { default?: unknown }).default ?? mod;
            return typeof main === "function" ? (main as () => Promise<Record<string, unknown>>)() : { ...mod };
        });
        for (const [k, v] of Object.entries(exported ?? {})) outputs[k] = pulumi.Output.isInstance(v) ? await resolve(v) : v;
    } finally {
        await allRegistered();
        await new Promise((r) => setTimeout(r, 0));
        await allRegistered();
    }
    if (failures.length > 0) throw failures[0];
    outputs = JSON.parse(JSON.stringify(outputs));
    const removed = o.previous.filter((e) => !seen.has(e.key)).reverse();
    return { entries, removed, notHeld, outputs };
}
