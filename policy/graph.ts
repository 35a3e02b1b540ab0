/**
 * The resource graph as a policy sees it: each resource's type, URN and properties (inputs, and the
 * outputs once known), plus helpers the rules share. The rules are pure functions of a graph and a
 * context, so they run the same under `pulumi preview --policy-pack policy` and in tests on the mocked
 * graph of each stack file.
 */

export interface PolicyResource {
    readonly type: string;
    readonly urn: string;
    readonly props: Record<string, any>;
}

export interface Violation {
    readonly message: string;
    readonly urn?: string;
}

export interface PolicyContext {
    /** The stack the graph belongs to. */
    readonly stack: string;
    /** The stack is production (a stack tag `environment: production`, or named in the pack's `productionStacks`). */
    readonly production: boolean;
    /** Whether an IAM action has no resource type a statement could name (AWS authorises it against "*" only). */
    readonly wildcardOnly: (action: string) => boolean;
    /** Custom metric namespaces published from outside the stack (the pack's `publishedNamespaces`). */
    readonly publishedNamespaces: readonly string[];
}

export interface ProjectPolicy {
    readonly name: string;
    readonly description: string;
    check(resources: readonly PolicyResource[], context: PolicyContext): Violation[];
}

export function ofType(resources: readonly PolicyResource[], type: string): PolicyResource[] {
    return resources.filter((r) => r.type === type);
}

/** The last URN segment: the resource's logical name. */
export function logicalName(r: PolicyResource): string {
    return r.urn.split("::").pop() ?? r.urn;
}

/** A JSON document held as a string (IAM policies, container definitions), or the value itself. */
export function documentOf(value: unknown): any {
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value);
    } catch {
        return undefined;
    }
}

export function asArray<T>(value: T | readonly T[] | undefined): T[] {
    return value === undefined || value === null ? [] : Array.isArray(value) ? [...value] : [value as T];
}

/** A number the provider may hold as a string ("0" in step adjustments). */
export function numberOf(value: unknown): number | undefined {
    if (value === undefined || value === null || value === "") return undefined;
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
}

/** The scaling target a scalable target or a scaling policy refers to. */
export function scalingKey(props: Record<string, any>): string {
    return `${props.serviceNamespace} ${props.resourceId} ${props.scalableDimension}`;
}
