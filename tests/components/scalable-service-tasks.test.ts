/**
 * What every staging ScalableService has in common, under Pulumi mocks: the ECS service's options, the
 * children and their parents, the container user, task egress and the IAM roles of each workload.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { ECS_TASKS_TRUST_STATEMENT } from "../helpers/cluster";
import { ACCOUNT, REGION, named, ofType, promiseOf } from "../helpers/pulumi-mocks";
import {
    T, Built, buildStagingServices,
} from "../helpers/scalable-service";
import type { TestCluster } from "../helpers/cluster";

describe("ScalableService: every staging service", () => {
    let cluster: TestCluster;
    let api: Built;
    let worker: Built;
    let gateway: Built;

    before(async () => {
        ({ cluster, api, worker, gateway } = await buildStagingServices());
    });

    describe("every service", () => {
        it("ignores desiredCount changes on the ECS service (Application Auto Scaling owns it) and deletes it before replacing it (fixed name)", () => {
            for (const b of [api, worker, gateway]) {
                const services = b.constructed.filter((c) => c.type === T.service);
                expect(services).to.have.length(1);
                expect(services[0].opts.ignoreChanges).to.deep.equal(["desiredCount"]);
                expect((services[0].opts as pulumi.CustomResourceOptions).deleteBeforeReplace).to.equal(true);
                expect(services[0].opts.parent).to.equal(b.component.fargate);
            }
        });

        it("creates every ECS service after, and deletes it before, the cluster's capacity-provider association", () => {
            for (const b of [api, worker, gateway]) {
                const service = b.constructed.find((c) => c.type === T.service)!;
                expect((service.opts.dependsOn as pulumi.Resource[])[0]).to.equal(cluster.capacityProviders);
            }
        });

        it("builds a FargateService (with its FargateTaskDefinition) and a ServiceScaling under the component, every child named after it", () => {
            const taskParts = new Set([T.logGroup, T.role, T.rolePolicy, T.taskDefinition]);
            for (const [name, b] of [["api", api], ["worker", worker], ["gateway", gateway]] as const) {
                const components = b.constructed.filter((c) => !c.type.startsWith("aws:"));
                expect(components.map((c) => `${c.type} ${c.name}`)).to.deep.equal([
                    `ecs-autoscaling:ecs:ScalableService ${name}`,
                    `ecs-autoscaling:ecs:FargateService ${name}-fargate`,
                    `ecs-autoscaling:ecs:FargateTaskDefinition ${name}-fargate`,
                    `ecs-autoscaling:ecs:ServiceScaling ${name}-scaling`,
                ]);
                const children = b.constructed.filter((c) => c.type.startsWith("aws:"));
                expect(children.length).to.be.greaterThan(8);
                for (const c of children) {
                    const owner = c.type.startsWith("aws:appautoscaling/") || c.type === T.alarm ? b.component.scaling
                        : taskParts.has(c.type) ? b.component.fargate.task : b.component.fargate;
                    expect(c.opts.parent, `${c.type} ${c.name}`).to.equal(owner);
                    expect(c.name.startsWith(owner === b.component.scaling ? `${name}-scaling-` : `${name}-fargate-`), c.name).to.equal(true);
                }
            }
        });

        it("runs worker and gateway as the non-root default user 1000:1000 on a read-only root filesystem, api (nginx) as its stack file says", () => {
            const expected: Record<string, [string, boolean]> = { api: ["root", false], worker: ["1000:1000", true], gateway: ["1000:1000", true] };
            for (const [key, userAndReadonly] of Object.entries(expected)) {
                const [container] = JSON.parse(named(T.taskDefinition, `${key}-fargate-task-definition`).inputs.containerDefinitions);
                expect([container.user, container.readonlyRootFilesystem], key).to.deep.equal(userAndReadonly);
            }
        });

        it("keeps task egress to HTTPS only", async () => {
            for (const b of [api, worker, gateway]) {
                const sgId = await promiseOf(b.component.securityGroupId);
                expect(ofType(T.egress).filter((r) => r.inputs.securityGroupId === sgId).map((r) => r.inputs)).to.deep.equal([{
                    securityGroupId: sgId,
                    description: "HTTPS to image registries and AWS APIs",
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrIpv4: "0.0.0.0/0",
                }]);
            }
        });

        it("lets the execution role write only its own log group, and pull nothing from ECR for public images", async () => {
            for (const key of ["api"]) {
                const logGroup = named(T.logGroup, `${key}-fargate-logs`);
                expect(logGroup.inputs).to.deep.equal({ name: `/ecs/ecs-autoscaling-staging-${key}`, retentionInDays: 30 });
                const policy = JSON.parse(named(T.rolePolicy, `${key}-fargate-execution-policy`).inputs.policy);
                expect(policy.Statement).to.deep.equal([{
                    Sid: "WriteOwnLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/ecs-autoscaling-staging-${key}:*`,
                }]);
                expect(named(T.rolePolicy, `${key}-fargate-execution-policy`).inputs.role).to.equal(`${key}-fargate-execution-role-id`);
                const assume = JSON.parse(named(T.role, `${key}-fargate-execution-role`).inputs.assumeRolePolicy);
                expect(assume.Statement).to.deep.equal([ECS_TASKS_TRUST_STATEMENT]);
            }
        });

        it("uses one task role per workload, trusted by ECS tasks of this account and region only", async () => {
            const arns = await Promise.all([api, worker, gateway].map((b) => promiseOf(b.component.taskRoleArn)));
            expect(new Set(arns).size).to.equal(3);
            for (const key of ["api", "worker", "gateway"]) {
                const assume = JSON.parse(named(T.role, `${key}-fargate-task-role`).inputs.assumeRolePolicy);
                expect(assume.Statement).to.deep.equal([ECS_TASKS_TRUST_STATEMENT]);
            }
        });
    });
});
