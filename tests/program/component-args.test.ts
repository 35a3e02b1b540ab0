/**
 * program/component-args.ts: the wiring a configured service needs and config cannot check (the
 * listener of a load-balanced service, the queue of a consumer, the image of a built-in workload) is
 * refused naming the property and the config key, before any resource is registered; and what a
 * configured service and the autoscaler section become as component args.
 */
import { expect } from "chai";
import { StackConfig } from "../../config/load";
import { autoscalerSettings, scalableServiceArgs } from "../../program/component-args";
import { TestCluster, testCluster } from "../helpers/cluster";
import { setupMocks } from "../helpers/pulumi-mocks";
import { CLUSTER, PROJECT_IMAGE, PROJECT, QUEUE, STACK, SUBNETS, VPC, expectRejected, stagingConfig, wiringFor } from "../helpers/scalable-service";

describe("program/component-args.ts from the staging stack file", () => {
    let config: StackConfig;
    let cluster: TestCluster;

    before(() => {
        setupMocks(PROJECT, STACK);
        cluster = testCluster(CLUSTER);
        config = stagingConfig();
    });

    describe("scalableServiceArgs: wiring config cannot check", () => {
        it("a load-balanced service wired without a load balancer names the property and the config key", () => {
            expectRejected(() => scalableServiceArgs(config.services.api, { ...wiringFor(config, "api", cluster), loadBalancer: undefined }), ["loadBalancer"],
                /^ScalableService api: loadBalancer is required because services\.api\.loadBalancer is set/);
        });

        it("a queue consumer wired without its queue names the property and the config key", () => {
            expectRejected(() => scalableServiceArgs(config.services.worker, { ...wiringFor(config, "worker", cluster), queue: undefined, projectImage: undefined }), ["queue", "projectImage"],
                /^ScalableService worker: queue is required because services\.worker\.consumesQueue is set/);
        });
    });

    describe("component args", () => {
        it("a built-in worker runs the project image with its command, is told its queue as QUEUE_URL, protects its tasks and takes the cluster's strategy", () => {
            const args = scalableServiceArgs(config.services.worker, wiringFor(config, "worker", cluster));
            expect(args.cluster).to.equal(cluster);
            expect(args.plan).to.equal(config.services.worker.plan);
            expect({ ...args, cluster: undefined, plan: undefined }).to.deep.equal({
                serviceName: "ecs-autoscaling-staging-worker",
                cluster: undefined,
                cpu: 256,
                memory: 512,
                container: {
                    name: "worker",
                    image: PROJECT_IMAGE.image,
                    ecrRepositoryArn: PROJECT_IMAGE.ecrRepositoryArn,
                    command: ["worker", "run"],
                    port: undefined,
                    environment: { PROCESSING_MS: "1000" },
                    secrets: {},
                    secretsKmsKeyArn: undefined,
                    user: "1000:1000",
                    readonlyRootFilesystem: true,
                },
                vpcId: VPC,
                subnetIds: SUBNETS,
                assignPublicIp: false,
                logRetentionDays: 30,
                capacityStrategy: [{ provider: "FARGATE", base: 1, weight: 1 }, { provider: "FARGATE_SPOT", base: 0, weight: 3 }],
                plan: undefined,
                loadBalancer: undefined,
                queue: { arn: QUEUE.arn, url: QUEUE.url, urlVariable: "QUEUE_URL" },
                protectsTasks: true,
            });
            const gateway = scalableServiceArgs(config.services.gateway, wiringFor(config, "gateway", cluster));
            expect([gateway.queue, gateway.protectsTasks, gateway.container.command]).to.deep.equal([undefined, false, ["gateway", "run"]]);
        });

        it("the autoscaler section becomes settings keyed by the settings table, an unset one undefined", () => {
            expect(autoscalerSettings(config.autoscaler)).to.deep.equal({
                scaleUpThreshold: undefined,
                scaleDownThreshold: undefined,
                interval: 5,
                scaleUpCooldown: 30,
                scaleDownCooldown: 10,
                scaleDownStep: undefined,
                acceptableAge: 60,
                processingRate: undefined,
                countInFlight: true,
                deploymentHold: 600,
                oldestMessageWarning: 300,
                healthPort: 8080,
                chaosAllowed: false,
                chaosStopTaskEnabled: false,
                chaosStopTaskInterval: 600,
                chaosDrainEnabled: false,
                chaosDrainInterval: 1800,
                chaosPartitionEnabled: false,
                chaosPartitionInterval: 1800,
                chaosPartitionDuration: 120,
            });
        });
    });
});
