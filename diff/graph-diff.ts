/**
 * The resource graph diff of two snapshots, per URN: added, removed, and changed with each changed
 * input as a path (`stepScalingPolicyConfiguration.stepAdjustments[0].metricIntervalUpperBound`) and
 * its value before and after. Inputs that hold JSON documents (IAM policies, dashboards) are compared
 * inside the document, so a changed statement shows as that statement, not as one long string.
 */
import type { GraphResource } from "./snapshot";

export interface InputChange {
    readonly path: string;
    /** undefined where the input is not set on that side. */
    readonly before?: unknown;
    readonly after?: unknown;
}

export interface ResourceRef {
    readonly urn: string;
    readonly type: string;
}

export interface ChangedResource extends ResourceRef {
    readonly changes: readonly InputChange[];
}

export interface GraphDiff {
    readonly added: readonly ResourceRef[];
    readonly removed: readonly ResourceRef[];
    readonly changed: readonly ChangedResource[];
}

/** A string that holds a JSON object or array, parsed; anything else as it is. */
function documentOf(value: unknown): unknown {
    if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return value;
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function sameValue(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

/** Every leaf that differs between two values, depth first, keys in sorted order. */
export function inputChanges(before: unknown, after: unknown, at = ""): InputChange[] {
    const a = documentOf(before);
    const b = documentOf(after);
    if (sameValue(a, b)) return [];
    if (Array.isArray(a) && Array.isArray(b)) {
        const out: InputChange[] = [];
        for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...inputChanges(a[i], b[i], `${at}[${i}]`));
        return out;
    }
    if (isRecord(a) && isRecord(b)) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
        return keys.flatMap((k) => inputChanges(a[k], b[k], at ? `${at}.${k}` : k));
    }
    return [{ path: at || "(value)", ...(a === undefined ? {} : { before: a }), ...(b === undefined ? {} : { after: b }) }];
}

/** Whether an input path lies under one of the resource's ignoreChanges paths (`a`, `a.b`, `a[0]`). */
function ignores(ignoreChanges: readonly string[], at: string): boolean {
    return ignoreChanges.some((p) => at === p || at.startsWith(`${p}.`) || at.startsWith(`${p}[`));
}

/** Added, removed and changed resources; a change to an input the resource ignores changes to is no change (Pulumi keeps the old value). */
export function graphDiff(base: readonly GraphResource[], head: readonly GraphResource[]): GraphDiff {
    const before = new Map(base.map((r) => [r.urn, r]));
    const after = new Map(head.map((r) => [r.urn, r]));
    const added = head.filter((r) => !before.has(r.urn)).map(({ urn, type }) => ({ urn, type }));
    const removed = base.filter((r) => !after.has(r.urn)).map(({ urn, type }) => ({ urn, type }));
    const changed: ChangedResource[] = [];
    for (const r of head) {
        const old = before.get(r.urn);
        if (!old) continue;
        const changes = inputChanges(old.inputs, r.inputs).filter((c) => !ignores(r.ignoreChanges ?? [], c.path));
        if (changes.length > 0) changed.push({ urn: r.urn, type: r.type, changes });
    }
    const byUrn = (x: ResourceRef, y: ResourceRef) => x.urn.localeCompare(y.urn);
    return { added: added.sort(byUrn), removed: removed.sort(byUrn), changed: changed.sort(byUrn) };
}

export function isEmpty(d: GraphDiff): boolean {
    return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0;
}
