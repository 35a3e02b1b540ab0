/**
 * The identity Pulumi gives each resource of a program run under mocks: its URN (stack, project, the
 * parent's type chain, its own type and name) and the URNs it answers to through `aliases`. A resource
 * keeps its deployed state across a move exactly when its URN, or one of its aliases, is the URN the
 * stack already holds.
 */
import * as pulumi from "@pulumi/pulumi";
import { promiseOf } from "./pulumi-mocks";

export interface ResourceIdentity {
    /** The resource's URN as the engine computes it. */
    readonly urn: string;
    /** Every URN the engine would accept as this resource's previous identity. */
    readonly aliases: readonly string[];
}

/** What Pulumi's runtime keeps on every Resource object (not in its type declarations). */
interface ResourceInternals {
    readonly __name: string;
    readonly __pulumiType: string;
    readonly __parentResource?: ResourceInternals;
}

const STACK_TYPE = "pulumi:pulumi:Stack";

function typeAndName(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    return { type: parts[2].split("$").pop()!, name: parts.slice(3).join("::") };
}

/** `urn:pulumi:<stack>::<project>::` */
function rootPrefix(stack = pulumi.getStack(), project = pulumi.getProject()): string {
    return `urn:pulumi:${stack}::${project}::`;
}

/** The type-chain prefix a child of `parentUrn` gets: the parent's qualified type, then `$`. */
function childPrefix(parentUrn: string): string {
    return `${parentUrn.substring(0, parentUrn.lastIndexOf("::"))}$`;
}

/**
 * Computes URNs and aliases the way the engine does (a child's type is qualified by its parent's whole
 * type chain; a top-level resource has none, the stack is no parent type). The mock monitor's URNs
 * differ (it qualifies by the parent's last type only and keeps the stack's), so they are not used.
 */
class UrnResolver {
    private readonly urns = new Map<ResourceInternals, string>();
    private readonly aliases = new Map<ResourceInternals, Promise<string[]>>();

    constructor(private readonly optsOf: Map<ResourceInternals, pulumi.ResourceOptions>) {}

    urnOf(res: ResourceInternals): string {
        let urn = this.urns.get(res);
        if (urn === undefined) {
            const parent = this.parentOf(res);
            urn = `${parent ? childPrefix(this.urnOf(parent)) : rootPrefix()}${res.__pulumiType}::${res.__name}`;
            this.urns.set(res, urn);
        }
        return urn;
    }

    /** Every URN the engine would accept as this resource's previous identity. */
    aliasesOf(res: ResourceInternals): Promise<string[]> {
        let known = this.aliases.get(res);
        if (!known) {
            known = this.computeAliases(res);
            this.aliases.set(res, known);
        }
        return known;
    }

    private parentOf(res: ResourceInternals): ResourceInternals | undefined {
        const p = res.__parentResource;
        return p && p.__pulumiType !== STACK_TYPE ? p : undefined;
    }

    /** One alias spec collapsed to a URN, its missing parts taken from the resource (as the SDK does). */
    private async collapse(alias: pulumi.Input<string | pulumi.Alias>, res: ResourceInternals): Promise<string> {
        const a = await promiseOf(alias as pulumi.Input<string | pulumi.Alias>);
        if (typeof a === "string") return a;
        const has = (k: keyof pulumi.Alias) => Object.prototype.hasOwnProperty.call(a, k);
        const name = has("name") ? await promiseOf(a.name!) : res.__name;
        const type = has("type") ? await promiseOf(a.type!) : res.__pulumiType;
        const stack = has("stack") ? await promiseOf(a.stack!) : pulumi.getStack();
        const project = has("project") ? await promiseOf(a.project!) : pulumi.getProject();
        // `parent` names a Resource or its URN; left out, the resource's own parent; undefined, the stack.
        const parent = has("parent") ? a.parent : (res.__parentResource as unknown as pulumi.Resource | undefined);
        let prefix = rootPrefix(stack, project);
        if (pulumi.Resource.isInstance(parent)) {
            const p = parent as unknown as ResourceInternals;
            if (p.__pulumiType !== STACK_TYPE) prefix = childPrefix(this.urnOf(p));
        } else if (parent !== undefined) {
            prefix = childPrefix(await promiseOf(parent));
        }
        return `${prefix}${type}::${name}`;
    }

    private async computeAliases(res: ResourceInternals): Promise<string[]> {
        const own = await Promise.all((this.optsOf.get(res)?.aliases ?? []).map((a) => this.collapse(a, res)));
        const parent = this.parentOf(res);
        if (!parent) return own;
        // Every alias of the parent (its inherited ones included) carries the child along; a child named
        // after its parent (`${parent}-part`) follows the parent's old name too.
        const inherited: string[] = [];
        const under = (childName: string, childType: string, parentAlias: string) => {
            const oldParentName = typeAndName(parentAlias).name;
            const name = childName.startsWith(parent.__name) ? oldParentName + childName.slice(parent.__name.length) : childName;
            return `${childPrefix(parentAlias)}${childType}::${name}`;
        };
        for (const parentAlias of await this.aliasesOf(parent)) {
            inherited.push(under(res.__name, res.__pulumiType, parentAlias));
            for (const o of own) {
                const { type, name } = typeAndName(o);
                inherited.push(under(name, type, parentAlias));
            }
        }
        return [...own, ...inherited];
    }
}

/** The URN and aliases of every resource a program constructed, sorted by URN. */
export async function identities(constructed: readonly pulumi.ResourceTransformationArgs[]): Promise<ResourceIdentity[]> {
    const optsOf = new Map(constructed.map((c) => [c.resource as unknown as ResourceInternals, c.opts]));
    const resolver = new UrnResolver(optsOf);
    const out = await Promise.all([...optsOf.keys()].map(async (res) => ({
        urn: resolver.urnOf(res),
        aliases: [...new Set(await resolver.aliasesOf(res))].sort(),
    })));
    return out.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}

export interface UrnComparison {
    /** URNs the program registers that the snapshot does not hold, under any alias. */
    readonly added: string[];
    /** Snapshot URNs no resource answers to: a deployed resource that would be deleted. */
    readonly removed: string[];
    /** Resources whose URN changed and whose alias names the snapshot URN (state kept): new -> old. */
    readonly moved: [string, string][];
    /**
     * The snapshot the program pins: each resource under the URN the snapshot knows it by (its alias
     * when it moved), new resources under their URN; sorted.
     */
    readonly pinned: string[];
}

/** Compares the program's resources with a snapshot of URNs. */
export function compareUrns(current: readonly ResourceIdentity[], snapshot: readonly string[]): UrnComparison {
    const known = new Set(snapshot);
    const matched = new Set<string>();
    const added: string[] = [];
    const moved: [string, string][] = [];
    const pinned: string[] = [];
    for (const r of current) {
        if (known.has(r.urn)) {
            matched.add(r.urn);
            pinned.push(r.urn);
            continue;
        }
        const old = r.aliases.find((a) => known.has(a));
        if (old) {
            matched.add(old);
            moved.push([r.urn, old]);
            pinned.push(old);
        } else {
            added.push(r.urn);
            pinned.push(r.urn);
        }
    }
    const removed = snapshot.filter((u) => !matched.has(u));
    return { added, removed, moved, pinned: [...new Set(pinned)].sort() };
}
