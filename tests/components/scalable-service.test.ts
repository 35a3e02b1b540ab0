/**
 * ScalableService under Pulumi mocks, built from the real staging stack file: the load-balanced api
 * with target tracking, and the gateway with neither load balancer nor queue; every registered resource
 * and its exact inputs.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT, REGION, named, ofType, promiseOf } from "../helpers/pulumi-mocks";
import {
    CLUSTER, CLUSTER_ARN, LB, LB_NAME, PROJECT_IMAGE, SUBNETS, T, VPC, Built, buildStagingServices,
} from "../helpers/scalable-service";

describe("ScalableService: staging services", () => {
    let api: Built;
    let gateway: Built;

    before(async () => {
        ({ api, gateway } = await buildStagingServices());
    });

    describe("api (load-balanced, target tracking)", () => {
        it("registers the scalable target with the plan's bounds on the service's resource ID", () => {
            expect(named(T.target, "api-scaling-target").inputs).to.deep.equal({
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: `service/${CLUSTER}/ecs-autoscaling-staging-api`,
                minCapacity: 2,
                maxCapacity: 10,
            });
        });

        it("creates exactly the three target-tracking policies: CPU 70, memory 80, ALB requests 1000, cooldowns 60/300", async () => {
            expect(Object.keys(api.component.scaling.policies)).to.deep.equal(["cpu", "memory", "alb-requests"]);
            expect(api.component.scaling.alarms).to.deep.equal({});
            const common = { scaleOutCooldown: 60, scaleInCooldown: 300, disableScaleIn: false };
            const tgName = "ecs-autoscaling-staging-api-824e";
            const expected: Record<string, any> = {
                cpu: { targetValue: 70, ...common, predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" } },
                memory: { targetValue: 80, ...common, predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageMemoryUtilization" } },
                "alb-requests": {
                    targetValue: 1000,
                    ...common,
                    predefinedMetricSpecification: {
                        predefinedMetricType: "ALBRequestCountPerTarget",
                        resourceLabel: `app/${LB_NAME}/0123456789abcdef/targetgroup/${tgName}/fedcba9876543210`,
                    },
                },
            };
            for (const [key, configuration] of Object.entries(expected)) {
                const inputs = named(T.policy, `api-scaling-${key}`).inputs;
                expect(inputs.name, key).to.equal(`ecs-autoscaling-staging-api-${key}`);
                expect(inputs.policyType, key).to.equal("TargetTrackingScaling");
                expect(inputs.resourceId, key).to.equal(`service/${CLUSTER}/ecs-autoscaling-staging-api`);
                expect(inputs.scalableDimension, key).to.equal("ecs:service:DesiredCount");
                expect(inputs.serviceNamespace, key).to.equal("ecs");
                expect(inputs.targetTrackingScalingPolicyConfiguration, key).to.deep.equal(configuration);
                expect(inputs.stepScalingPolicyConfiguration, key).to.equal(undefined);
            }
            expect(await promiseOf(api.component.scaling.policies["alb-requests"].name)).to.equal("ecs-autoscaling-staging-api-alb-requests");
        });

        it("routes the configured paths to an IP target group on the container port", async () => {
            const tg = named(T.targetGroup, "api-fargate-tg").inputs;
            expect(tg).to.deep.equal({
                name: "ecs-autoscaling-staging-api-824e",
                targetType: "ip",
                protocol: "HTTP",
                port: 80,
                vpcId: VPC,
                deregistrationDelay: 30,
                healthCheck: {
                    enabled: true, path: "/", protocol: "HTTP", port: "traffic-port", matcher: "200-399",
                    interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3,
                },
            });
            const tgArn = await promiseOf(api.component.targetGroup!.arn);
            expect(named(T.listenerRule, "api-fargate-listener-rule").inputs).to.deep.equal({
                listenerArn: LB.listenerArn,
                priority: 100,
                conditions: [{ pathPattern: { values: ["/*"] } }],
                actions: [{ type: "forward", targetGroupArn: tgArn }],
            });
        });

        it("runs the service behind the target group with circuit breaker, the staging capacity strategy and minCapacity tasks", async () => {
            const inputs = named(T.service, "api-fargate-service").inputs;
            const taskDefArn = await promiseOf(named(T.taskDefinition, "api-fargate-task-definition").state.arn);
            expect(inputs).to.deep.equal({
                name: "ecs-autoscaling-staging-api",
                cluster: CLUSTER_ARN,
                taskDefinition: taskDefArn,
                desiredCount: 2,
                capacityProviderStrategies: [
                    { capacityProvider: "FARGATE", base: 1, weight: 1 },
                    { capacityProvider: "FARGATE_SPOT", base: 0, weight: 3 },
                ],
                forceNewDeployment: true,
                networkConfiguration: {
                    subnets: SUBNETS,
                    securityGroups: [await promiseOf(api.component.securityGroupId)],
                    assignPublicIp: false,
                },
                loadBalancers: [{ targetGroupArn: await promiseOf(api.component.targetGroup!.arn), containerName: "api", containerPort: 80 }],
                healthCheckGracePeriodSeconds: 60,
                deploymentCircuitBreaker: { enable: true, rollback: true },
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                waitForSteadyState: false,
            });
            expect(await promiseOf(api.component.serviceName)).to.equal("ecs-autoscaling-staging-api");
            expect(await promiseOf(api.component.serviceArn)).to.equal(`arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/ecs-autoscaling-staging-api`);
        });

        it("creates the service after its listener rule and security group rules", () => {
            const service = api.constructed.find((c) => c.type === T.service)!;
            const dependsOn = service.opts.dependsOn as pulumi.Resource[];
            const rule = api.constructed.find((c) => c.type === T.listenerRule)!.resource;
            expect(dependsOn).to.include(rule);
            const ingress = api.constructed.find((c) => c.type === T.ingress)!.resource;
            expect(dependsOn).to.include(ingress);
        });

        it("admits only the load balancer's security group, on the container port", async () => {
            const sgId = await promiseOf(api.component.securityGroupId);
            const sg = named(T.securityGroup, "api-fargate-tasks-sg").inputs;
            expect(sg).to.deep.equal({ vpcId: VPC, description: "ECS tasks of ecs-autoscaling-staging-api" });
            const ingress = ofType(T.ingress).filter((r) => r.inputs.securityGroupId === sgId);
            expect(ingress.map((r) => r.inputs)).to.deep.equal([{
                securityGroupId: sgId,
                description: "HTTP from the load balancer to ecs-autoscaling-staging-api",
                ipProtocol: "tcp",
                fromPort: 80,
                toPort: 80,
                referencedSecurityGroupId: LB.securityGroupId,
            }]);
            const albEgress = ofType(T.egress).filter((r) => r.inputs.securityGroupId === LB.securityGroupId);
            expect(albEgress.map((r) => r.inputs)).to.deep.equal([{
                securityGroupId: LB.securityGroupId,
                description: "HTTP from the load balancer to ecs-autoscaling-staging-api",
                ipProtocol: "tcp",
                fromPort: 80,
                toPort: 80,
                referencedSecurityGroupId: sgId,
            }]);
        });

        it("gives the container the port mapping and the awslogs configuration", () => {
            const td = named(T.taskDefinition, "api-fargate-task-definition").inputs;
            const [container] = JSON.parse(td.containerDefinitions);
            expect(container.portMappings).to.deep.equal([{ containerPort: 80, protocol: "tcp" }]);
            expect(container.memory).to.equal(1024);
            expect(container.environment).to.deep.equal([]);
            expect(td.cpu).to.equal("512");
            expect(td.memory).to.equal("1024");
        });
    });

    describe("gateway (no load balancer, no queue)", () => {
        it("registers the scalable target 1-4 with CPU and memory target tracking and a predictive policy", () => {
            const t = named(T.target, "gateway-scaling-target").inputs;
            expect([t.resourceId, t.minCapacity, t.maxCapacity]).to.deep.equal([`service/${CLUSTER}/ecs-autoscaling-staging-gateway`, 1, 4]);
            expect(Object.keys(gateway.component.scaling.policies)).to.deep.equal(["cpu", "memory", "predictive"]);
        });

        it("passes exactly the configured environment to its one essential container", () => {
            const td = named(T.taskDefinition, "gateway-fargate-task-definition").inputs;
            expect({ ...td, containerDefinitions: undefined, executionRoleArn: undefined, taskRoleArn: undefined }).to.deep.equal({
                family: "ecs-autoscaling-staging-gateway",
                networkMode: "awsvpc",
                requiresCompatibilities: ["FARGATE"],
                cpu: "256",
                memory: "512",
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
                containerDefinitions: undefined,
                executionRoleArn: undefined,
                taskRoleArn: undefined,
            });
            expect(td.executionRoleArn).to.equal(`arn:aws:iam::${ACCOUNT}:role/gateway-fargate-execution-role`);
            expect(td.taskRoleArn).to.equal(`arn:aws:iam::${ACCOUNT}:role/gateway-fargate-task-role`);
            expect(JSON.parse(td.containerDefinitions)).to.deep.equal([{
                name: "gateway",
                image: PROJECT_IMAGE.image,
                command: ["gateway", "run"],
                essential: true,
                memory: 512,
                user: "1000:1000",
                readonlyRootFilesystem: true,
                environment: [{ name: "SHARDS_PER_TASK", value: "25" }],
                logConfiguration: {
                    logDriver: "awslogs",
                    options: {
                        "awslogs-group": "/ecs/ecs-autoscaling-staging-gateway",
                        "awslogs-region": REGION,
                        "awslogs-stream-prefix": "gateway",
                    },
                },
            }]);
        });

        it("uses the cluster's capacity strategy when the service sets none", () => {
            expect(named(T.service, "gateway-fargate-service").inputs.capacityProviderStrategies).to.deep.equal([
                { capacityProvider: "FARGATE", base: 1, weight: 1 },
                { capacityProvider: "FARGATE_SPOT", base: 0, weight: 3 },
            ]);
        });
    });
});
