/**
 * FargateService under Pulumi mocks, built by hand (as a caller that bypasses config would): secrets
 * reach the container as ECS secrets and the execution role may read exactly those; the container user
 * and read-only root filesystem; a stack-owned desired count; the wiring errors it reports.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { FargateService, FargateServiceArgs, targetGroupName } from "../../components/fargate-service";
import { ECS_TASKS_TRUST_STATEMENT, TestCluster, testCluster } from "../helpers/cluster";
import { ACCOUNT, REGION, allRegistered, named, ofType, recorded, setupMocks } from "../helpers/pulumi-mocks";

const T = {
    service: "aws:ecs/service:Service",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
};
const DB_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:orders/db-AbCdEf`;
const API_TOKEN_PARAMETER = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/orders/api-token`;
const KMS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

let cluster: TestCluster;

function args(more: Partial<Omit<FargateServiceArgs, "container">> & { container?: Partial<FargateServiceArgs["container"]> } = {}): FargateServiceArgs {
    return {
        serviceName: "orders",
        cluster,
        cpu: 256,
        memory: 512,
        vpcId: "vpc-0abc",
        subnetIds: ["subnet-a", "subnet-b"],
        assignPublicIp: false,
        logRetentionDays: 14,
        capacityStrategy: [{ provider: "FARGATE", base: 0, weight: 1 }],
        desiredCount: 2,
        ...more,
        container: { name: "orders", image: "public.ecr.aws/docker/library/busybox:1.36", ...more.container },
    };
}

interface Built { component: FargateService; constructed: pulumi.ResourceTransformationArgs[] }

async function build(a: FargateServiceArgs): Promise<Built> {
    const constructed: pulumi.ResourceTransformationArgs[] = [];
    const component = new FargateService("orders", a, { transformations: [(t) => { constructed.push(t); return undefined; }] });
    await allRegistered();
    return { component, constructed };
}

const container = () => JSON.parse(named(T.taskDefinition, "orders-task-definition").inputs.containerDefinitions)[0];
const executionStatements = () => JSON.parse(named(T.rolePolicy, "orders-execution-policy").inputs.policy).Statement;

describe("FargateService", () => {
    beforeEach(() => {
        setupMocks();
        cluster = testCluster("c1");
    });

    describe("secrets", () => {
        it("a Secrets Manager secret (with a JSON key) and an SSM parameter reach the container as ECS secrets, sorted by name, and nowhere in its environment", async () => {
            await build(args({ container: { environment: { LOG_LEVEL: "info" }, secrets: { DB_PASSWORD: `${DB_SECRET}:password::`, API_TOKEN: API_TOKEN_PARAMETER } } }));
            expect(container().secrets).to.deep.equal([
                { name: "API_TOKEN", valueFrom: API_TOKEN_PARAMETER },
                { name: "DB_PASSWORD", valueFrom: `${DB_SECRET}:password::` },
            ]);
            expect(container().environment).to.deep.equal([{ name: "LOG_LEVEL", value: "info" }]);
        });

        it("lets the execution role read exactly those two (the secret itself, not its JSON key) and decrypt nothing without a key", async () => {
            await build(args({ container: { secrets: { DB_PASSWORD: `${DB_SECRET}:password::`, API_TOKEN: API_TOKEN_PARAMETER } } }));
            expect(executionStatements().slice(1)).to.deep.equal([
                { Sid: "ReadOwnSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [DB_SECRET] },
                { Sid: "ReadOwnParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: [API_TOKEN_PARAMETER] },
            ]);
            // The task role (the workload's own code) gets no secret permission at all.
            expect(ofType(T.rolePolicy).filter((p) => p.inputs.role === "orders-task-role-id")).to.deep.equal([]);
        });

        it("with secretsKmsKeyArn: kms:Decrypt on that key only", async () => {
            await build(args({ container: { secrets: { DB_PASSWORD: DB_SECRET }, secretsKmsKeyArn: KMS_KEY } }));
            expect(executionStatements().slice(1)).to.deep.equal([
                { Sid: "ReadOwnSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [DB_SECRET] },
                { Sid: "DecryptOwnSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: KMS_KEY },
            ]);
        });

        it("without secrets: no secrets in the container and only the log statement on the execution role", async () => {
            await build(args({ container: { secretsKmsKeyArn: KMS_KEY } }));
            expect(container().secrets).to.equal(undefined);
            expect(executionStatements().map((s: any) => s.Sid)).to.deep.equal(["WriteOwnLogs"]);
        });
    });

    describe("container and roles", () => {
        it("runs as the given user on a read-only root filesystem by default", async () => {
            await build(args({ container: { user: "1000:1000" } }));
            expect([container().user, container().readonlyRootFilesystem]).to.deep.equal(["1000:1000", true]);
        });

        it("without a user: the image's own user (no user key); readonlyRootFilesystem false when asked", async () => {
            await build(args({ container: { readonlyRootFilesystem: false } }));
            expect("user" in container()).to.equal(false);
            expect(container().readonlyRootFilesystem).to.equal(false);
        });

        it("trusts ECS tasks of this account and region only, for both roles", async () => {
            await build(args());
            for (const role of ["orders-execution-role", "orders-task-role"]) {
                expect(JSON.parse(named(T.role, role).inputs.assumeRolePolicy).Statement, role).to.deep.equal([ECS_TASKS_TRUST_STATEMENT]);
            }
        });
    });

    describe("the ECS service", () => {
        it("depends first on the cluster's capacity-provider association and is deleted before it is replaced", async () => {
            const b = await build(args());
            const opts = b.constructed.find((c) => c.type === T.service)!.opts as pulumi.CustomResourceOptions;
            expect((opts.dependsOn as pulumi.Resource[])[0]).to.equal(cluster.capacityProviders);
            expect(opts.deleteBeforeReplace).to.equal(true);
            expect(opts.ignoreChanges).to.deep.equal(["desiredCount"]);
        });

        it("a desired count the stack owns (desiredCountOwnedElsewhere false) is not ignored", async () => {
            const b = await build(args({ desiredCountOwnedElsewhere: false, desiredCount: 1, deployment: { minimumHealthyPercent: 0, maximumPercent: 100 } }));
            const opts = b.constructed.find((c) => c.type === T.service)!.opts;
            expect(opts.ignoreChanges).to.equal(undefined);
            const inputs = named(T.service, "orders-service").inputs;
            expect([inputs.desiredCount, inputs.deploymentMinimumHealthyPercent, inputs.deploymentMaximumPercent]).to.deep.equal([1, 0, 100]);
        });
    });

    it("a route without a container port is an InputPropertiesError naming container.port, before anything is registered", () => {
        const before = recorded.length;
        let error: unknown;
        try {
            new FargateService("orders", args({ loadBalancer: { listenerArn: "arn:l", securityGroupId: "sg-1", pathPatterns: ["/*"], priority: 1, healthCheckPath: "/" } }));
        } catch (e) { error = e; }
        expect(pulumi.InputPropertiesError.isInstance(error), String(error)).to.equal(true);
        expect((error as pulumi.InputPropertiesError).errors).to.deep.equal([
            { propertyPath: "container.port", reason: "is required when loadBalancer is set (the target group forwards to it)" },
        ]);
        expect(recorded.length).to.equal(before);
    });
});

describe("targetGroupName", () => {
    const settings = { port: 80, protocol: "HTTP", targetType: "ip", vpcId: "vpc-0staging" };

    it("fits 32 characters, keeps a physical name of up to 27 whole, and tells long names apart by a hash of the whole name", () => {
        expect(targetGroupName("ecs-autoscaling-staging-api", settings)).to.equal("ecs-autoscaling-staging-api-824e");
        const long = targetGroupName("a-very-long-name-prefix-1234-service-with-a-long-key", settings);
        expect(long).to.equal("a-very-long-name-pref-2db99-824e");
        expect(long).to.have.length(32);
        // Names that share their first 27 characters no longer share a target group name.
        expect(["ecs-autoscaling-localstack-api", "ecs-autoscaling-localstack-api2"].map((n) => targetGroupName(n, settings)))
            .to.deep.equal(["ecs-autoscaling-local-0523d-824e", "ecs-autoscaling-local-7a55a-824e"]);
        // A cut that ends in a dash drops it, so the name never holds "--".
        expect(targetGroupName("abcdefghijklmnopqrst-uvwxyz-more", settings)).to.equal("abcdefghijklmnopqrst-3eef0-824e");
    });

    it("changes with every setting that replaces a target group, and only then", () => {
        expect(targetGroupName("svc", settings)).to.equal("svc-824e");
        expect(targetGroupName("svc", { ...settings })).to.equal("svc-824e");
        const changes = [{ port: 8080 }, { protocol: "HTTPS" }, { targetType: "instance" }, { vpcId: "vpc-other" }];
        expect(changes.map((changed) => targetGroupName("svc", { ...settings, ...changed })))
            .to.deep.equal(["svc-0175", "svc-fee2", "svc-4739", "svc-5a5d"]);
    });
});
