/**
 * IAM proven by simulation: every AWS call the runtime code makes in the tests (recorded under
 * tests/iam/recorded/ by tests/helpers/aws-call-recorder.ts), with every resource AWS authorises it
 * against, evaluated by @cloud-copilot/iam-simulate against the policies each stack file's graph gives
 * the role that makes it. Every call must be allowed; the same calls on someone else's resources must
 * be denied; and every statement of every such role must be needed by some call.
 */
import { expect } from "chai";
import { UPDATE_SERVICE_CONDITION_KEYS } from "../../aws/ecs-iam";
import { committedRequests, Principal, RecordedRequest } from "../helpers/aws-call-recorder";
import { IamRequest } from "../helpers/iam-requests";
import {
    decide, GraphPrincipal, graphPrincipals, requestsOf, resolveRequest, statementsOf, withoutStatement,
} from "../helpers/iam-simulation";
import { runProgram } from "../helpers/program";
import { recorded, Recorded } from "../helpers/pulumi-mocks";

/** The roles each stack file gives code that calls AWS. */
const EXPECTED_PRINCIPALS: Record<string, Principal[]> = {
    staging: ["autoscaler", "worker", "worker", "worker", "scale-to-zero-idle-check", "scale-to-zero-wake", "aurora-class-scaler"],
    localstack: ["autoscaler", "autoscaler-failure-simulation", "worker", "aurora-class-scaler"],
};

/**
 * The negative table: the same recorded calls with one name replaced by someone else's. Each change
 * applies to the principals whose facts have that name; every request it changes must be denied.
 */
const OTHERS: { readonly what: string; readonly facts: Readonly<Record<string, string>> }[] = [
    { what: "another cluster's service", facts: { cluster: "other-cluster" } },
    { what: "another service of the same cluster", facts: { service: "other-service" } },
    { what: "another queue", facts: { queue: "other-queue" } },
    { what: "another metric namespace", facts: { namespace: "Other/Namespace" } },
    { what: "another listener rule", facts: { listenerRule: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/other/0123456789abcdef/0123456789abcdef/0123456789abcdef" } },
    { what: "another DB cluster", facts: { dbCluster: "other-aurora" } },
    { what: "another alarm", facts: { alarm: "other-alarm" } },
    { what: "another DB subnet group", facts: { subnetGroup: "other-subnets" } },
    { what: "another DB parameter group", facts: { parameterGroup: "custom-params" } },
];

/** A value a request that sets the parameter carries for each UpdateService condition key. */
const UPDATE_SERVICE_SAMPLE_VALUES: Readonly<Record<(typeof UPDATE_SERVICE_CONDITION_KEYS)[number], string>> = {
    "ecs:auto-assign-public-ip": "ENABLED",
    "ecs:capacity-provider": "arn:aws:ecs:us-east-1:123456789012:capacity-provider/FARGATE_SPOT",
    "ecs:enable-ebs-volumes": "true",
    "ecs:enable-ecs-managed-tags": "false",
    "ecs:enable-execute-command": "true",
    "ecs:enable-service-connect": "true",
    "ecs:enable-vpc-lattice": "true",
    "ecs:namespace": "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-0123456789abcdef",
    "ecs:propagate-tags": "SERVICE",
    "ecs:subnet": "subnet-0123456789abcdef0",
    "ecs:task-cpu": "4096",
    "ecs:task-definition": "arn:aws:ecs:us-east-1:123456789012:task-definition/other:1",
    "ecs:task-memory": "30720",
};

/** Changes to the request itself rather than to a name: each must be denied where it applies. */
const ALTERED: { readonly what: string; readonly applies: (r: IamRequest) => boolean; readonly alter: (r: IamRequest) => IamRequest }[] = [
    {
        what: "UpdateService with a task definition (a deployment, not a count)",
        applies: (r) => r.action === "ecs:UpdateService",
        alter: (r) => ({ ...r, context: { ...r.context, "ecs:task-definition": "arn:aws:ecs:us-east-1:123456789012:task-definition/other:1" } }),
    },
    // Every other parameter UpdateService can change besides the desired count, one at a time.
    ...UPDATE_SERVICE_CONDITION_KEYS.filter((k) => k !== "ecs:task-definition").map((key) => ({
        what: `UpdateService that sets ${key}`,
        applies: (r: IamRequest) => r.action === "ecs:UpdateService",
        alter: (r: IamRequest) => ({ ...r, context: { ...r.context, [key]: UPDATE_SERVICE_SAMPLE_VALUES[key] } }),
    })),
    {
        what: "DeleteDBInstance on an instance without the scaler's created tag",
        applies: (r) => r.action === "rds:DeleteDBInstance",
        alter: (r) => ({ ...r, context: Object.fromEntries(Object.entries(r.context).filter(([k]) => !k.endsWith("/class-scaler:created"))) }),
    },
    {
        what: "CreateDBInstance that is publicly accessible",
        applies: (r) => r.action === "rds:CreateDBInstance",
        alter: (r) => ({ ...r, context: { ...r.context, "rds:PubliclyAccessible": "true" } }),
    },
    {
        what: "AddTagsToResource that marks an instance as the scaler's own (then deletable)",
        applies: (r) => r.action === "rds:AddTagsToResource" && r.resource.includes(":db:"),
        alter: (r) => ({ ...r, context: { "aws:TagKeys": ["class-scaler:created"], "aws:RequestTag/class-scaler:created": "true" } }),
    },
    {
        what: "TagResource with a tag key outside the project's prefix",
        applies: (r) => r.action === "ecs:TagResource",
        alter: (r) => ({ ...r, context: { "aws:TagKeys": ["owner"], "aws:RequestTag/owner": "someone" } }),
    },
];

/** A principal's recorded calls, resolved to its names, and the platform's calls with its role. */
function callsOf(p: GraphPrincipal, all: readonly RecordedRequest[], graph: readonly Recorded[]): IamRequest[] {
    return [...requestsOf(all, p.kind).map((r) => resolveRequest(r, p.facts, graph)), ...p.platformRequests];
}

const show = (r: IamRequest) => `${r.action} on ${r.resource}${Object.keys(r.context).length ? ` ${JSON.stringify(r.context)}` : ""}`;

describe("IAM simulation: every recorded AWS call against the stack's own policies", function () {
    this.timeout(120_000);
    const all = committedRequests();

    it("the recorded list covers every principal kind, from the tests that run the code", () => {
        const kinds = [...new Set(all.map((r) => r.principal))].sort();
        expect(kinds).to.deep.equal(["aurora-class-scaler", "autoscaler", "autoscaler-failure-simulation", "scale-to-zero-idle-check", "scale-to-zero-wake", "worker"]);
    });

    for (const stack of Object.keys(EXPECTED_PRINCIPALS)) {
        describe(`stack ${stack}`, () => {
            let graph: Recorded[];
            let principals: GraphPrincipal[];
            before(async () => {
                await runProgram(stack);
                graph = [...recorded];
                principals = graphPrincipals(graph);
            });

            it("finds the roles whose code calls AWS, each with a policy", () => {
                expect(principals.map((p) => p.kind).sort()).to.deep.equal([...EXPECTED_PRINCIPALS[stack]].sort());
                for (const p of principals) expect(p.policies, p.label).to.not.be.empty;
            });

            it("allows every recorded call on the resources AWS authorises it against (0 denied)", async () => {
                const denied: string[] = [];
                let simulated = 0;
                for (const p of principals) {
                    for (const r of callsOf(p, all, graph)) {
                        simulated++;
                        const d = await decide(p, r);
                        if (d !== "Allowed") denied.push(`${p.label}: ${d} ${show(r)}`);
                    }
                }
                expect(denied).to.deep.equal([]);
                const pairs = new Set(principals.flatMap((p) => callsOf(p, all, graph).map((r) => `${p.kind} ${r.action} ${r.resource}`)));
                console.log(`      ${stack}: ${simulated} requests simulated (${pairs.size} distinct role-action-resource triples), ${denied.length} denied`);
                expect(simulated).to.be.greaterThan(0);
            });

            it("denies the same calls on other resources (the negative table: 0 allowed)", async () => {
                const allowed: string[] = [];
                let checked = 0;
                for (const p of principals) {
                    const own = requestsOf(all, p.kind);
                    for (const other of OTHERS) {
                        if (!Object.keys(other.facts).every((k) => p.facts[k] !== undefined)) continue;
                        for (const r of own) {
                            const mine = resolveRequest(r, p.facts, graph);
                            const theirs = resolveRequest(r, { ...p.facts, ...other.facts }, graph);
                            if (JSON.stringify(mine) === JSON.stringify(theirs)) continue;
                            checked++;
                            if (await decide(p, theirs) === "Allowed") allowed.push(`${p.label}, ${other.what}: ${show(theirs)}`);
                        }
                    }
                    for (const change of ALTERED) {
                        for (const r of own.map((x) => resolveRequest(x, p.facts, graph)).filter(change.applies)) {
                            checked++;
                            const theirs = change.alter(r);
                            if (await decide(p, theirs) === "Allowed") allowed.push(`${p.label}, ${change.what}: ${show(theirs)}`);
                        }
                    }
                }
                expect(allowed).to.deep.equal([]);
                console.log(`      ${stack}: ${checked} requests of the negative table, ${allowed.length} allowed`);
                expect(checked).to.be.greaterThan(0);
            });

            it("needs every statement: without any one of them some recorded call is denied", async () => {
                const unneeded: string[] = [];
                let removed = 0;
                for (const p of principals.filter((x) => x.kind !== "autoscaler-failure-simulation")) {
                    // The autoscaler's role serves both its own calls and its failure simulations.
                    const calls = principals.filter((x) => x.roleArn === p.roleArn).flatMap((x) => callsOf(x, all, graph));
                    const statements = statementsOf(p);
                    for (let i = 0; i < statements.length; i++) {
                        removed++;
                        const without = withoutStatement(p, i);
                        let needed = false;
                        for (const r of calls) {
                            if (await decide(without, r) !== "Allowed") { needed = true; break; }
                        }
                        if (!needed) unneeded.push(`${p.label}: ${statements[i].statement.Sid ?? JSON.stringify(statements[i].statement)}`);
                    }
                }
                expect(unneeded).to.deep.equal([]);
                console.log(`      ${stack}: ${removed} statements removed one at a time, each made a recorded call denied`);
            });
        });
    }
});
