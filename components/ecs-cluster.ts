/**
 * The ECS cluster the services run in, with Fargate and Fargate Spot as its capacity providers and the
 * stack's default strategy for splitting tasks between them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CapacityProviderStrategyItem } from "./fargate-service";

/** The capacity providers every cluster offers; a strategy may use either or both. */
export const FARGATE_CAPACITY_PROVIDERS = ["FARGATE", "FARGATE_SPOT"] as const;

export interface EcsClusterArgs {
    /** Physical cluster name (`names.cluster`); the metric dimensions and scalable-target ids use it. Required. */
    readonly clusterName: string;
    /**
     * Default capacity provider strategy of services that do not set their own: tasks up to `base` on
     * that provider first, the rest split by `weight`. Required; at least one item, each provider once,
     * at most one with base > 0.
     */
    readonly capacityStrategy: readonly CapacityProviderStrategyItem[];
    /**
     * CloudWatch Container Insights (the ECS/ContainerInsights metrics, among them RunningTaskCount and
     * DesiredTaskCount that the dashboard draws). Defaults to true.
     */
    readonly containerInsights?: boolean;
}

export class EcsCluster extends pulumi.ComponentResource {
    readonly cluster: aws.ecs.Cluster;
    readonly clusterName: pulumi.Output<string>;
    readonly clusterArn: pulumi.Output<string>;
    /** The capacity-provider association; every service depends on it (see ClusterRef in fargate-service.ts). */
    readonly capacityProviders: aws.ecs.ClusterCapacityProviders;

    constructor(name: string, args: EcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:ecs:EcsCluster", name, {}, opts);
        const containerInsights = args.containerInsights ?? true;

        this.cluster = new aws.ecs.Cluster(`${name}-cluster`, {
            name: args.clusterName,
            settings: [{ name: "containerInsights", value: containerInsights ? "enabled" : "disabled" }],
        }, { parent: this });

        this.capacityProviders = new aws.ecs.ClusterCapacityProviders(`${name}-capacity`, {
            clusterName: this.cluster.name,
            capacityProviders: [...FARGATE_CAPACITY_PROVIDERS],
            defaultCapacityProviderStrategies: args.capacityStrategy.map((item) => ({
                capacityProvider: item.provider,
                base: item.base,
                weight: item.weight,
            })),
        }, { parent: this });

        this.clusterName = this.cluster.name;
        this.clusterArn = this.cluster.arn;
        this.registerOutputs({ clusterName: this.clusterName, clusterArn: this.clusterArn });
    }
}

