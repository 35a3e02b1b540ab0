/**
 * IAM policy simulation against the stack's own graph: finds, in a graph recorded under Pulumi mocks,
 * every role whose code calls AWS (the queue autoscaler's and the workers' task roles, the
 * scale-to-zero functions' and the Aurora class scaler's roles) with the identity policies the graph
 * attaches to it and the names the code is given (its environment), and evaluates recorded requests
 * (tests/helpers/aws-call-recorder.ts) with @cloud-copilot/iam-simulate.
 *
 * Dev dependency only (AGPL-3.0): used by the tests, never bundled into what the stack deploys.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { CLASS_SCALER_ENV } from "../../scaling/aurora";
import { envName } from "../../scaling/autoscaler-settings";
import { PROJECT_NAMESPACE } from "../../scaling/metric-series";
import { SCALE_TO_ZERO_ENV } from "../../scaling/scale-to-zero";
import { Principal, RecordedRequest } from "./aws-call-recorder";
import { IamRequest, SCALABLE_TARGET_MARK } from "./iam-requests";
import { ACCOUNT, REGION, Recorded } from "./pulumi-mocks";

export interface PolicyDocument {
    readonly Version: string;
    readonly Statement: Record<string, any>[];
}

/** A role of the graph whose code calls AWS. */
export interface GraphPrincipal {
    readonly kind: Principal;
    /** What the role belongs to, for messages: `autoscaler of ecs-autoscaling-staging-jobs`. */
    readonly label: string;
    readonly roleArn: string;
    /** The role's identity policies (inline role policies of the graph), by logical name. */
    readonly policies: readonly { readonly name: string; readonly policy: PolicyDocument }[];
    /** Placeholder -> value: what the code is told to work on. */
    readonly facts: Readonly<Record<string, string>>;
    /**
     * Calls an AWS service makes with the role on the workload's behalf, not the code itself: Lambda
     * writes the function's logs with its execution role (Lambda developer guide, "Lambda execution role").
     */
    readonly platformRequests: readonly IamRequest[];
}

/** Log writes Lambda makes with the function's role, to its log group (CreateLogStream and PutLogEvents on a stream). */
function lambdaLogRequests(logGroup: string): IamRequest[] {
    const stream = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroup}:log-stream:2026/01/01/[$LATEST]0123456789abcdef`;
    return ["logs:CreateLogStream", "logs:PutLogEvents"].map((action) => ({ action, resource: stream, context: {} }));
}

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

const byType = (graph: readonly Recorded[], type: string) => graph.filter((r) => r.type === type);

function rolePolicies(graph: readonly Recorded[], roleArn: string): GraphPrincipal["policies"] {
    const logical = roleArn.slice(roleArn.lastIndexOf("/") + 1);
    return byType(graph, "aws:iam/rolePolicy:RolePolicy")
        .filter((p) => p.inputs.role === `${logical}-id`)
        .map((p) => ({ name: p.name, policy: JSON.parse(p.inputs.policy) }));
}

const queueName = (url: string) => url.replace(/\/+$/, "").split("/").pop()!;

function rdsFacts(graph: readonly Recorded[], clusterId: string): Record<string, string> {
    const cluster = byType(graph, "aws:rds/cluster:Cluster").find((c) => c.inputs.clusterIdentifier === clusterId);
    if (!cluster) throw new Error(`no aws:rds/cluster:Cluster ${clusterId} in the graph`);
    const major = String(cluster.inputs.engineVersion).split(".")[0];
    return {
        dbCluster: clusterId,
        subnetGroup: cluster.inputs.dbSubnetGroupName,
        // The defaults RDS gives an instance that names none (RDS user guide: default DB parameter and option groups).
        parameterGroup: `default.${cluster.inputs.engine}${major}`,
        optionGroup: `default:${cluster.inputs.engine}-${major}`,
    };
}

/** Every role of the graph whose code calls AWS, with its policies and the names it works on. */
export function graphPrincipals(graph: readonly Recorded[]): GraphPrincipal[] {
    // `task`: an id ECS assigns to a task of the cluster.
    const base = { account: ACCOUNT, region: REGION, task: "0123456789abcdef0123456789abcdef" };
    const out: GraphPrincipal[] = [];
    const services = byType(graph, "aws:ecs/service:Service");
    for (const td of byType(graph, "aws:ecs/taskDefinition:TaskDefinition")) {
        const [container] = JSON.parse(td.inputs.containerDefinitions);
        const env: Record<string, string> = Object.fromEntries((container.environment ?? []).map((e: any) => [e.name, e.value]));
        const taskDefinitionArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${td.inputs.family}:1`;
        const service = services.find((s) => s.inputs.taskDefinition === taskDefinitionArn);
        const cluster = String(service?.inputs.cluster ?? "").split("/").pop()!;
        const roleArn = td.inputs.taskRoleArn;
        if (container.name === "autoscaler") {
            // One service: ECS_SERVICE and QUEUE_URL; else the first of SERVICES (the one failure simulation acts on).
            const [first, own] = env[envName("services")] ? Object.entries(JSON.parse(env[envName("services")]!) as Record<string, { queueUrls: string[] }>)[0]! : [];
            const autoscaler: GraphPrincipal = {
                kind: "autoscaler", label: `autoscaler ${td.inputs.family}`, roleArn, policies: rolePolicies(graph, roleArn), platformRequests: [],
                facts: { ...base, cluster: env[envName("cluster")], service: env[envName("ecsService")] ?? first, queue: queueName(env[envName("queueUrl")] ?? own?.queueUrls[0]), namespace: PROJECT_NAMESPACE },
            };
            out.push(autoscaler);
            if (env[envName("chaosAllowed")] === "true") out.push({ ...autoscaler, kind: "autoscaler-failure-simulation", label: `failure simulation of ${autoscaler.label}` });
        } else if ((container.command ?? []).join(" ") === "worker run") {
            out.push({
                kind: "worker", label: `worker ${td.inputs.family}`, roleArn, policies: rolePolicies(graph, roleArn), platformRequests: [],
                facts: { ...base, cluster, service: service?.inputs.name, queue: queueName(env.QUEUE_URL) },
            });
        }
    }
    for (const fn of byType(graph, "aws:lambda/function:Function")) {
        const env: Record<string, string> = fn.inputs.environment?.variables ?? {};
        const roleArn = fn.inputs.role;
        if (fn.inputs.handler === "index.idleCheck" || fn.inputs.handler === "index.wake") {
            const e = (k: keyof typeof SCALE_TO_ZERO_ENV) => env[SCALE_TO_ZERO_ENV[k]];
            out.push({
                kind: fn.inputs.handler === "index.idleCheck" ? "scale-to-zero-idle-check" : "scale-to-zero-wake",
                label: `${fn.inputs.handler} of ${e("service")}`, roleArn, policies: rolePolicies(graph, roleArn),
                platformRequests: lambdaLogRequests(fn.inputs.loggingConfig?.logGroup ?? `/aws/lambda/${fn.inputs.name ?? fn.name}`),
                facts: {
                    ...base, cluster: e("cluster"), service: e("service"), listenerRule: e("listenerRuleArn"),
                    serviceTargetGroup: e("serviceTargetGroupArn"), wakeTargetGroup: e("wakeTargetGroupArn"), namespace: e("namespace"),
                },
            });
        } else if (env[CLASS_SCALER_ENV.clusterIdentifier] !== undefined) {
            out.push({
                kind: "aurora-class-scaler", label: `class scaler of ${env[CLASS_SCALER_ENV.clusterIdentifier]}`, roleArn, policies: rolePolicies(graph, roleArn),
                platformRequests: lambdaLogRequests(fn.inputs.loggingConfig?.logGroup ?? `/aws/lambda/${fn.inputs.name ?? fn.name}`),
                // `started`: the base-36 start time in the name of an instance the scaler creates.
                facts: { ...base, ...rdsFacts(graph, env[CLASS_SCALER_ENV.clusterIdentifier]), alarm: env[CLASS_SCALER_ENV.alarmName], started: "mz3k9a1b" },
            });
        }
    }
    return out;
}

/** A recorded request with the principal's values in place of its placeholders (and real scalable-target ARNs). */
export function resolveRequest(r: IamRequest, facts: Readonly<Record<string, string>>, graph: readonly Recorded[]): IamRequest {
    const fill = (s: string) => s.replace(/\{([A-Za-z]+)\}/g, (m, name: string) => {
        if (facts[name] === undefined) throw new Error(`no value for {${name}} in ${s}`);
        return facts[name];
    });
    let resource = fill(r.resource);
    const mark = resource.indexOf(SCALABLE_TARGET_MARK);
    if (mark >= 0) {
        const [namespace, ...id] = resource.slice(mark + SCALABLE_TARGET_MARK.length).split("/");
        const target = byType(graph, "aws:appautoscaling/target:Target")
            .find((t) => t.inputs.serviceNamespace === namespace && t.inputs.resourceId === id.join("/"));
        resource = target ? target.state.arn : `arn:aws:application-autoscaling:${REGION}:${ACCOUNT}:scalable-target/not-in-the-graph`;
    }
    const context = Object.fromEntries(Object.entries(r.context).map(([k, v]) => [k, Array.isArray(v) ? v.map(fill) : fill(v)]));
    return { action: r.action, resource, context };
}

/** IAM's decision on one request of the principal, given its identity policies. */
export async function decide(p: Pick<GraphPrincipal, "roleArn" | "policies">, r: IamRequest): Promise<Decision> {
    // A call AWS authorises on "*" is matched only by statements whose Resource is "*": a statement
    // naming ARNs never applies to it (IAM user guide, "Resource" element; aws-cdk#3199 for ListTasks).
    // The simulator reads a "*" request as a pattern instead, so statements that cannot apply are left out.
    const policies = r.resource !== "*" ? p.policies : p.policies.map((x) => ({
        name: x.name,
        policy: { ...x.policy, Statement: x.policy.Statement.filter((st) => st.NotResource !== undefined || [st.Resource].flat().includes("*")) },
    }));
    const result = await runSimulation({
        identityPolicies: policies.map((x) => ({ name: x.name, policy: x.policy })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        request: {
            action: r.action,
            principal: p.roleArn.replace(/:role\/.*/, `:assumed-role/${p.roleArn.split("/").pop()}/session`),
            resource: { accountId: ACCOUNT, resource: r.resource },
            // AWS sets aws:RequestedRegion on every request; the recorded calls ran in the stack's region.
            contextVariables: { "aws:RequestedRegion": REGION, ...r.context },
        },
    }, {});
    if (result.resultType === "error") throw new Error(`simulation of ${r.action} on ${r.resource}: ${JSON.stringify(result.errors)}`);
    return result.overallResult as Decision;
}

/** The principal's policies without one statement (index into the flattened statements of all its policies). */
export function withoutStatement(p: GraphPrincipal, index: number): GraphPrincipal {
    let i = 0;
    const policies = p.policies.map((x) => ({
        name: x.name,
        policy: { ...x.policy, Statement: x.policy.Statement.filter(() => i++ !== index) },
    }));
    return { ...p, policies };
}

/** Every statement of the principal, in order, with its policy's name. */
export function statementsOf(p: GraphPrincipal): { policy: string; statement: Record<string, any> }[] {
    return p.policies.flatMap((x) => x.policy.Statement.map((statement) => ({ policy: x.name, statement })));
}

/** The recorded requests of one principal kind. */
export function requestsOf(all: readonly RecordedRequest[], kind: Principal): RecordedRequest[] {
    return all.filter((r) => r.principal === kind);
}
