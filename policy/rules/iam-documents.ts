/** The identity-based IAM policy documents of a graph: inline role policies, managed policies, a role's inline policies. */
import { asArray, documentOf, ofType, type PolicyResource } from "../graph";

export interface Statement {
    readonly Sid?: string;
    readonly Effect?: string;
    readonly Action?: string | string[];
    readonly NotAction?: string | string[];
    readonly Resource?: string | string[];
    readonly NotResource?: string | string[];
    readonly Condition?: Record<string, Record<string, unknown>>;
}

export function identityDocuments(resources: readonly PolicyResource[]): { resource: PolicyResource; statements: Statement[] }[] {
    const docs: { resource: PolicyResource; doc: unknown }[] = [
        ...ofType(resources, "aws:iam/rolePolicy:RolePolicy").map((r) => ({ resource: r, doc: r.props.policy })),
        ...ofType(resources, "aws:iam/policy:Policy").map((r) => ({ resource: r, doc: r.props.policy })),
        ...ofType(resources, "aws:iam/role:Role").flatMap((r) => asArray<any>(r.props.inlinePolicies).map((p) => ({ resource: r, doc: p.policy }))),
    ];
    return docs.map(({ resource, doc }) => ({ resource, statements: asArray<Statement>(documentOf(doc)?.Statement) }));
}
