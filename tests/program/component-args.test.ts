/**
 * program/component-args.ts: the wiring a configured service needs and config cannot check (the
 * listener of a load-balanced service, the queue of a consumer, the image of a built-in workload) is
 * refused naming the property and the config key, before any resource is registered.
 */
import { StackConfig } from "../../config/load";
import { scalableServiceArgs } from "../../program/component-args";
import { TestCluster, testCluster } from "../helpers/cluster";
import { setupMocks } from "../helpers/pulumi-mocks";
import { CLUSTER, PROJECT, STACK, expectRejected, stagingConfig, wiringFor } from "../helpers/scalable-service";

describe("scalableServiceArgs: wiring config cannot check", () => {
    let config: StackConfig;
    let cluster: TestCluster;

    before(() => {
        setupMocks(PROJECT, STACK);
        cluster = testCluster(CLUSTER);
        config = stagingConfig();
    });

    it("a load-balanced service wired without a load balancer names the property and the config key", () => {
        expectRejected(() => scalableServiceArgs(config.services.api, { ...wiringFor(config, "api", cluster), loadBalancer: undefined }), ["loadBalancer"],
            /^ScalableService api: loadBalancer is required because services\.api\.loadBalancer is set/);
    });

    it("a queue consumer wired without its queue names the property and the config key", () => {
        expectRejected(() => scalableServiceArgs(config.services.worker, { ...wiringFor(config, "worker", cluster), queue: undefined, projectImage: undefined }), ["queue", "projectImage"],
            /^ScalableService worker: queue is required because services\.worker\.consumesQueue is set/);
    });
});
