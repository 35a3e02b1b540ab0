/**
 * Network paths of each stack file's graph: for every pair of security groups (and the internet),
 * the ports the client's egress and the server's ingress both allow. The exact matrix is asserted:
 * the internet reaches only the load balancer's listener; the load balancer reaches only the tasks of
 * its services, on their container port; only the services that declare usesDatabase reach Aurora, on
 * 5432; tasks reach the internet on 443 only (image registries, AWS APIs) and nothing reaches a task but
 * the load balancer.
 */
import { expect } from "chai";
import { runProgram } from "../helpers/program";
import { problemsOf } from "../helpers/config-problems";
import { recorded } from "../helpers/pulumi-mocks";
import { reachability } from "../helpers/reachability";
import { rawProjectConfig } from "../helpers/stack-files";

const TASK_GROUPS: Record<string, string[]> = {
    staging: ["api", "worker", "jobs", "batch", "gateway", "preview", "queue-autoscaler"],
    localstack: ["api", "worker", "queue-autoscaler"],
};

/** Every task group reaches the internet on 443, and nothing else there. */
const toInternet = (stack: string) => Object.fromEntries(TASK_GROUPS[stack].map((s) => [`${s}-fargate-tasks-sg -> internet`, ["tcp:443"]]));

const EXPECTED: Record<string, Record<string, string[]>> = {
    staging: {
        "internet -> alb-sg": ["tcp:80"],
        "alb-sg -> api-fargate-tasks-sg": ["tcp:80"],
        "alb-sg -> preview-fargate-tasks-sg": ["tcp:80"],
        "worker-fargate-tasks-sg -> aurora-sg": ["tcp:5432"],
        ...toInternet("staging"),
    },
    localstack: {
        "internet -> alb-sg": ["tcp:80"],
        "alb-sg -> api-fargate-tasks-sg": ["tcp:80"],
        "worker-fargate-tasks-sg -> aurora-sg": ["tcp:5432"],
        ...toInternet("localstack"),
    },
};

describe("stacks: security-group reachability", function () {
    this.timeout(60_000);
    for (const stack of Object.keys(EXPECTED)) {
        it(`${stack}: exactly the expected client -> server ports`, async () => {
            await runProgram(stack);
            const matrix = reachability(recorded);
            expect(matrix).to.deep.equal(EXPECTED[stack]);
        });
    }

    it("the database's clients are declared: a cluster nobody may use, and usesDatabase without a cluster, are refused naming the key", () => {
        const staging = rawProjectConfig("staging");
        const services = JSON.parse(staging.services);
        delete services.worker.usesDatabase;
        expect(problemsOf({ services })).to.deep.equal([
            "aurora: no service sets usesDatabase: true, so no task could reach the cluster (its security group admits only those services); " +
            "set services.<name>.usesDatabase: true on each service that connects to it",
        ]);
        expect(problemsOf({ aurora: undefined })).to.deep.equal([
            "services.worker.usesDatabase: true needs the stack's database, and aurora is not set; set aurora or remove usesDatabase",
        ]);
    });
});
