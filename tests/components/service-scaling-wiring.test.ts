/**
 * ServiceScaling refuses a plan it cannot attach: an ALBRequestCountPerTarget policy without the load
 * balancer's and target group's ARN suffixes names the policy, before any resource is registered.
 */
import { StackConfig } from "../../config/load";
import { ServiceScaling } from "../../components/service-scaling";
import { setupMocks } from "../helpers/pulumi-mocks";
import { CLUSTER, PROJECT, STACK, expectRejected, stagingConfig } from "../helpers/scalable-service";

describe("ServiceScaling: wiring the plan needs", () => {
    let config: StackConfig;

    before(() => {
        setupMocks(PROJECT, STACK);
        config = stagingConfig();
    });

    it("ServiceScaling with an ALBRequestCountPerTarget policy and no load balancer names the policy", () => {
        expectRejected(() => new ServiceScaling("rejected", {
            service: { clusterName: CLUSTER, serviceName: "ecs-autoscaling-staging-api" },
            physicalName: "ecs-autoscaling-staging-api",
            plan: config.services.api.plan,
        }), ["loadBalancer"], /^ServiceScaling ecs-autoscaling-staging-api: loadBalancer is required because policy "alb-requests" tracks ALBRequestCountPerTarget/);
    });
});
