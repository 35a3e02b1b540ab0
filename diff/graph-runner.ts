/**
 * Runs one checkout's program (its index.ts and its config/) under mocks for one stack and writes what
 * `autoscale diff` compares: every resource with its inputs per URN, and each service's scaling plan
 * as that checkout's config/ builds it. Started as a child process per side (`node -r
 * ts-node/register/transpile-only graph-runner.ts <root> <stack> <out.json>`), so the base and the head
 * each run their own code against the one @pulumi/pulumi module. A stack file that fails validation
 * is reported with its problems, not thrown.
 */
import { createHash } from "crypto";
import { existsSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { allRegistered, installMockCloud, registeredUrns, type MockedResource } from "./mock-cloud";
import type { AutoscalerConfig } from "../config/load";
import type { GraphResource, SideSnapshot, SnapshotService } from "./snapshot";

/** The SDK's wire signature of a secret value (sdk/nodejs/runtime/rpc.ts, specialSigKey and specialSecretSig). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE_SIG = "1b47061264138c4ac30d75fd1eb44270";

function sha(text: string): string {
    return `sha256:${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
}

/** Plain JSON of an input value: assets as content hashes, resources as URNs, the checkout's path as ".". */
async function plain(value: unknown, root: string): Promise<unknown> {
    if (value === null || value === undefined) return value ?? null;
    if (typeof value === "string") return value.split(root).join(".");
    if (typeof value !== "object") return value;
    if (Array.isArray(value)) return Promise.all(value.map((v) => plain(v, root)));
    if (pulumi.asset.Asset.isInstance(value)) {
        const a = value as any;
        if (a.text !== undefined) return { asset: sha(await a.text) };
        if (a.path !== undefined) {
            const file = await a.path;
            return { asset: existsSync(file) ? sha(readFileSync(file, "utf8")) : `file ${String(file).split(root).join(".")}` };
        }
        return { asset: await a.uri };
    }
    if (pulumi.asset.Archive.isInstance(value)) {
        const a = value as any;
        if (a.assets !== undefined) return { archive: await plain(await a.assets, root) };
        return { archive: String(await (a.path ?? a.uri)).split(root).join(".") };
    }
    // A secret as the SDK serialises it: the value stays out of the diff.
    if ((value as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE_SIG) return "[secret]";
    if (pulumi.Resource.isInstance(value)) {
        return { resource: await new Promise((r) => (value as pulumi.Resource).urn.apply(r)) };
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = await plain((value as Record<string, unknown>)[key], root);
    return out;
}

/** Pairs the monitor's URNs with the recorded inputs (by type and name, in registration order). */
function byUrn(urns: readonly string[], recorded: readonly MockedResource[]): { urn: string; rec: MockedResource }[] {
    const queues = new Map<string, MockedResource[]>();
    for (const r of recorded) {
        const key = `${r.type}::${r.name}`;
        queues.set(key, [...(queues.get(key) ?? []), r]);
    }
    const out: { urn: string; rec: MockedResource }[] = [];
    for (const urn of urns) {
        const parts = urn.split("::");
        const key = `${parts[2].split("$").pop()}::${parts.slice(3).join("::")}`;
        const rec = queues.get(key)?.shift();
        if (rec) out.push({ urn, rec });
    }
    return out;
}

/** The program's validation problems, or the error's first line (a YAML error adds a code excerpt). */
function problemsOf(error: unknown): readonly string[] {
    const problems = (error as { problems?: unknown })?.problems;
    if (Array.isArray(problems)) return problems.map(String);
    return [(error instanceof Error ? error.message : String(error)).split("\n")[0].replace(/:$/, "")];
}

export async function snapshotSide(root: string, stack: string): Promise<SideSnapshot> {
    const stackFiles: typeof import("../config/stack-file") = require(path.join(root, "config", "stack-file"));
    if (!existsSync(path.join(root, `Pulumi.${stack}.yaml`))) return { kind: "absent" };
    let services: SnapshotService[];
    let autoscaler: AutoscalerConfig;
    try {
        const config = stackFiles.loadStackFile(stack, {}, root);
        services = Object.values(config.services).map((s) => ({
            key: s.key, name: s.name, consumesQueue: s.consumesQueue ?? null, scaledBy: s.scaledBy, plan: s.plan,
        }));
        autoscaler = config.autoscaler;
    } catch (error) {
        return { kind: "invalid", problems: problemsOf(error) };
    }
    const project = stackFiles.projectFile(root).name;
    const recorded = installMockCloud(project, stack);
    pulumi.runtime.setAllConfig(stackFiles.stackConfig(stack, {}, root));
    // The options the mocks do not see: inputs a resource ignores changes to (Pulumi keeps their old value).
    const ignored = new Map<string, string[]>();
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation((a) => {
                if (a.opts.ignoreChanges?.length) ignored.set(`${a.type}::${a.name}`, [...a.opts.ignoreChanges]);
                return undefined;
            });
            const mod = await import(path.join(root, "index"));
            const main = (mod as any).default ?? mod;
            return typeof main === "function" ? main() : { ...mod };
        });
    } catch (error) {
        return { kind: "invalid", problems: problemsOf(error) };
    } finally {
        await allRegistered();
    }
    const resources: GraphResource[] = [];
    for (const { urn, rec } of byUrn(registeredUrns(), recorded)) {
        const ignoreChanges = ignored.get(`${rec.type}::${rec.name}`);
        resources.push({ urn, type: rec.type, inputs: (await plain(rec.inputs, root)) as Record<string, unknown>, ...(ignoreChanges ? { ignoreChanges } : {}) });
    }
    return { kind: "graph", resources, services, autoscaler };
}

if (require.main === module) {
    const [root, stack, out] = process.argv.slice(2);
    snapshotSide(path.resolve(root), stack).then(
        (snapshot) => writeFileSync(out, JSON.stringify(snapshot)),
        (error: unknown) => {
            writeFileSync(out, JSON.stringify({ kind: "invalid", problems: problemsOf(error) }));
        },
    );
}
