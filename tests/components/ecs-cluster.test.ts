/**
 * EcsCluster under Pulumi mocks: the cluster's name and Container Insights setting, and the capacity
 * providers with the default strategy exactly as the stack config gives it.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { EcsCluster, EcsClusterArgs } from "../../components/ecs-cluster";
import { loadStackConfig } from "../../config/load";
import { ACCOUNT, REGION, allRegistered, named, ofType, promiseOf, recorded, setupMocks } from "../helpers/pulumi-mocks";
import { rawProjectConfig } from "../helpers/stack-files";

const T = {
    cluster: "aws:ecs/cluster:Cluster",
    capacity: "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
};

async function build(args: EcsClusterArgs) {
    const cluster = new EcsCluster("cluster", args);
    const [clusterName, clusterArn] = await promiseOf(pulumi.all([cluster.clusterName, cluster.clusterArn]));
    await allRegistered();
    return { cluster, clusterName, clusterArn };
}

function stackConfig(stack: string, overrides: Record<string, unknown> = {}) {
    return loadStackConfig(rawProjectConfig(stack, overrides), { project: "ecs-autoscaling", stack });
}

describe("EcsCluster", () => {
    beforeEach(() => setupMocks());

    describe("the staging stack file", () => {
        let out: Awaited<ReturnType<typeof build>>;
        beforeEach(async () => {
            // GIVEN staging: FARGATE base 1 weight 1, FARGATE_SPOT weight 3
            const config = stackConfig("staging");
            // WHEN
            out = await build({ clusterName: config.names.cluster, capacityStrategy: config.capacityStrategy });
        });

        it("names the cluster and turns Container Insights on by default", () => {
            expect(ofType(T.cluster).map((r) => [r.name, r.inputs])).to.deep.equal([
                ["cluster-cluster", { name: "ecs-autoscaling-staging", settings: [{ name: "containerInsights", value: "enabled" }] }],
            ]);
        });

        it("offers FARGATE and FARGATE_SPOT with the configured default strategy, base and weight as given", () => {
            expect(ofType(T.capacity).map((r) => [r.name, r.inputs])).to.deep.equal([
                ["cluster-capacity", {
                    clusterName: "ecs-autoscaling-staging",
                    capacityProviders: ["FARGATE", "FARGATE_SPOT"],
                    defaultCapacityProviderStrategies: [
                        { capacityProvider: "FARGATE", base: 1, weight: 1 },
                        { capacityProvider: "FARGATE_SPOT", base: 0, weight: 3 },
                    ],
                }],
            ]);
        });

        it("exposes the cluster, its name and ARN", () => {
            expect(out.clusterName).to.equal("ecs-autoscaling-staging");
            expect(out.clusterArn).to.equal(`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/ecs-autoscaling-staging`);
            expect(out.cluster.cluster).to.be.instanceOf(pulumi.CustomResource);
            // The association every service depends on (FargateService's ClusterRef).
            expect(out.cluster.capacityProviders).to.be.instanceOf(pulumi.CustomResource);
            expect(recorded.map((r) => r.type).sort()).to.deep.equal(["ecs-autoscaling:ecs:EcsCluster", T.capacity, T.cluster].sort());
        });
    });

    it("follows an edited strategy in the stack config", async () => {
        // GIVEN staging with Spot only beyond a FARGATE base of 2
        const config = stackConfig("staging", { capacityStrategy: [{ provider: "FARGATE", base: 2, weight: 0 }, { provider: "FARGATE_SPOT", weight: 5 }] });
        // WHEN
        await build({ clusterName: config.names.cluster, capacityStrategy: config.capacityStrategy });
        // THEN
        expect(named(T.capacity, "cluster-capacity").inputs.defaultCapacityProviderStrategies).to.deep.equal([
            { capacityProvider: "FARGATE", base: 2, weight: 0 },
            { capacityProvider: "FARGATE_SPOT", base: 0, weight: 5 },
        ]);
    });

    it("the localstack stack file: both providers at weight 1", async () => {
        const config = stackConfig("localstack");
        await build({ clusterName: config.names.cluster, capacityStrategy: config.capacityStrategy });
        expect(named(T.cluster, "cluster-cluster").inputs.name).to.equal("ecs-autoscaling-localstack");
        expect(named(T.capacity, "cluster-capacity").inputs.defaultCapacityProviderStrategies).to.deep.equal([
            { capacityProvider: "FARGATE", base: 0, weight: 1 },
            { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
        ]);
    });

    it("containerInsights false disables Container Insights", async () => {
        await build({ clusterName: "c", capacityStrategy: [{ provider: "FARGATE", base: 0, weight: 1 }], containerInsights: false });
        expect(named(T.cluster, "cluster-cluster").inputs.settings).to.deep.equal([{ name: "containerInsights", value: "disabled" }]);
    });
});
