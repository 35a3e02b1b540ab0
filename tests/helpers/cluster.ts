/** A cluster for component tests: its names, and a capacity-provider association registered under the mocks. */
import * as aws from "@pulumi/aws";
import { ClusterRef } from "../../components/fargate-service";
import { ACCOUNT, REGION } from "./pulumi-mocks";

export interface TestCluster extends ClusterRef {
    readonly clusterName: string;
    readonly clusterArn: string;
    readonly capacityProviders: aws.ecs.ClusterCapacityProviders;
}

/** Registers the association (call after setupMocks); every service built on it must depend on it. */
export function testCluster(clusterName: string): TestCluster {
    return {
        clusterName,
        clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${clusterName}`,
        capacityProviders: new aws.ecs.ClusterCapacityProviders(`${clusterName}-capacity`, {
            clusterName,
            capacityProviders: ["FARGATE", "FARGATE_SPOT"],
        }),
    };
}

/** The trust statement of every ECS task role: ECS tasks of this account and region only (confused-deputy conditions). */
export const ECS_TASKS_TRUST_STATEMENT = {
    Effect: "Allow",
    Principal: { Service: "ecs-tasks.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: {
        ArnLike: { "aws:SourceArn": `arn:aws:ecs:${REGION}:${ACCOUNT}:*` },
        StringEquals: { "aws:SourceAccount": ACCOUNT },
    },
};
