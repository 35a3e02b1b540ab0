/**
 * Container Insights on the cluster, as the program sets it: on in staging, where batch's backlog per
 * task divides by ECS/ContainerInsights RunningTaskCount of that very cluster; off only when the stack
 * says so and no plan needs it; refused, before any resource, when it is off and a plan needs it.
 */
import { expect } from "chai";
import { runProgram } from "../helpers/program";
import { ofType, recorded } from "../helpers/pulumi-mocks";
import { stackFileConfig } from "../helpers/stack-files";

const CLUSTER = "aws:ecs/cluster:Cluster";

function stagingServices(): any {
    return JSON.parse(JSON.stringify(stackFileConfig("staging")["ecs-autoscaling:services"]));
}

describe("stacks: Container Insights on the cluster when a plan needs it", function () {
    this.timeout(120_000);

    it("staging: the cluster has Container Insights on, and batch's m2 reads RunningTaskCount of that cluster and service", async () => {
        await runProgram("staging");
        const [cluster] = ofType(CLUSTER);
        expect(cluster.inputs.settings).to.deep.equal([{ name: "containerInsights", value: "enabled" }]);
        const backlog = ofType("aws:appautoscaling/policy:Policy").find((p) => p.inputs.name === "ecs-autoscaling-staging-batch-backlog")!;
        const m2 = backlog.inputs.targetTrackingScalingPolicyConfiguration.customizedMetricSpecification.metrics[1].metricStat.metric;
        expect(m2).to.deep.equal({
            namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount",
            dimensions: [{ name: "ClusterName", value: cluster.inputs.name }, { name: "ServiceName", value: "ecs-autoscaling-staging-batch" }],
        });
    });

    it("containerInsights false with no plan that needs it: the cluster has it off", async () => {
        const services = stagingServices();
        services.batch.policies = [{ kind: "cpu", target: 70 }];
        await runProgram("staging", { services, containerInsights: false });
        expect(ofType(CLUSTER)[0].inputs.settings).to.deep.equal([{ name: "containerInsights", value: "disabled" }]);
    });

    it("containerInsights false while batch divides by RunningTaskCount: refused naming the key, nothing registered", async () => {
        let error: Error | undefined;
        try { await runProgram("staging", { containerInsights: false }); } catch (e) { error = e as Error; }
        expect(error?.message).to.contain("containerInsights: false cannot hold: backlogPerTask (services.batch.policies[0]) divides by ECS/ContainerInsights RunningTaskCount");
        expect(recorded.filter((r) => r.type.startsWith("aws:"))).to.deep.equal([]);
    });
});
