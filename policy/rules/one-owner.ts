/**
 * One owner per desired count: an ECS service is scaled by Application Auto Scaling (its policies and its
 * scheduled actions) or by the queue autoscaler, never both, and by one queue autoscaler at most (two
 * writers undo each other). A scheduled action changes the target's min and max, and desired follows
 * when it falls outside them, so it writes the desired count too.
 * The queue autoscaler is recognised by its task's environment: the variables it reads its cluster and
 * its services from (AUTOSCALER_CLUSTER with AUTOSCALER_ECS_SERVICE and AUTOSCALER_QUEUE_URL, or AUTOSCALER_SERVICES; scaling/autoscaler-settings.ts).
 */
import { ECS_DESIRED_COUNT, ecsResourceId } from "../../aws/scaling-ids";
import { envName } from "../../scaling/autoscaler-settings";
import { documentOf, logicalName, ofType, type PolicyResource, type ProjectPolicy, type Violation } from "../graph";
import { SCALING_POLICY, SCHEDULED_ACTION } from "./scaling-links";

/** `service/<cluster>/<service>` for each service a queue autoscaler task definition scales. */
function autoscaledServices(resources: readonly PolicyResource[]): { resourceId: string; by: PolicyResource }[] {
    const out: { resourceId: string; by: PolicyResource }[] = [];
    for (const td of ofType(resources, "aws:ecs/taskDefinition:TaskDefinition")) {
        for (const container of documentOf(td.props.containerDefinitions) ?? []) {
            const env = new Map<string, string>((container.environment ?? []).map((e: { name: string; value: string }) => [e.name, e.value]));
            const cluster = env.get(envName("cluster"));
            if (!cluster) continue;
            // One service (its name with its queue URL), or several: a JSON map a JSON map keyed by service name.
            const service = env.get(envName("ecsService"));
            if (service && env.has(envName("queueUrl"))) out.push({ resourceId: ecsResourceId(cluster, service), by: td });
            const several = documentOf(env.get(envName("services")));
            if (several && typeof several === "object") {
                for (const name of Object.keys(several)) out.push({ resourceId: ecsResourceId(cluster, name), by: td });
            }
        }
    }
    return out;
}

export const oneOwnerPerDesiredCount: ProjectPolicy = {
    name: "one-owner-per-desired-count",
    description: "An ECS service's desired count is written by Application Auto Scaling (policies, scheduled actions) or by one queue autoscaler, never both.",
    check(resources) {
        const violations: Violation[] = [];
        const policies = ofType(resources, SCALING_POLICY).filter((p) => p.props.scalableDimension === ECS_DESIRED_COUNT);
        const scheduled = ofType(resources, SCHEDULED_ACTION).filter((a) => a.props.scalableDimension === ECS_DESIRED_COUNT);
        const autoscalers = autoscaledServices(resources);
        for (const resourceId of new Set(autoscalers.map((a) => a.resourceId))) {
            const by = autoscalers.filter((a) => a.resourceId === resourceId);
            const aas = policies.filter((p) => p.props.resourceId === resourceId);
            if (aas.length > 0) {
                violations.push({
                    urn: by[0].by.urn,
                    message: `${resourceId} has two owners of its desired count: the queue autoscaler (task definition ${logicalName(by[0].by)}) and Application Auto Scaling policies ${aas.map((p) => p.props.name ?? logicalName(p)).join(", ")}; remove the policies or the autoscaler`,
                });
            }
            const actions = scheduled.filter((a) => a.props.resourceId === resourceId);
            if (actions.length > 0) {
                violations.push({
                    urn: actions[0].urn,
                    message: `${resourceId} has two owners of its desired count: the queue autoscaler (task definition ${logicalName(by[0].by)}) and Application Auto Scaling scheduled actions ${actions.map((a) => a.props.name ?? logicalName(a)).join(", ")}, which move desired into the bounds they set; remove the scheduled actions or the autoscaler`,
                });
            }
            if (by.length > 1) {
                violations.push({
                    urn: by[1].by.urn,
                    message: `${resourceId} is scaled by ${by.length} queue autoscalers (task definitions ${by.map((b) => logicalName(b.by)).join(", ")}); one must own its desired count`,
                });
            }
        }
        return violations;
    },
};
