/**
 * The ECS cluster the services run in, with Fargate and Fargate Spot as its capacity providers and the
 * stack's default strategy for splitting tasks between them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CapacityProviderItem } from "../config/schema";

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
    readonly capacityStrategy: readonly CapacityProviderItem[];
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

    constructor(name: string, args: EcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:ecs:EcsCluster", name, {}, opts);
        const containerInsights = args.containerInsights ?? true;
        strategyProblems(args.capacityStrategy);

        this.cluster = new aws.ecs.Cluster(`${name}-cluster`, {
            name: args.clusterName,
            settings: [{ name: "containerInsights", value: containerInsights ? "enabled" : "disabled" }],
        }, { parent: this });

        new aws.ecs.ClusterCapacityProviders(`${name}-capacity`, {
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

/** Throws on a strategy ECS would reject (PutClusterCapacityProviders rules). */
function strategyProblems(strategy: readonly CapacityProviderItem[]): void {
    if (strategy.length === 0) throw new Error("capacityStrategy ([]) must list at least one capacity provider");
    const providers = strategy.map((i) => i.provider);
    const twice = providers.find((p, i) => providers.indexOf(p) !== i);
    if (twice) throw new Error(`capacityStrategy lists ${twice} twice; each provider may appear once`);
    const withBase = strategy.filter((i) => i.base > 0);
    if (withBase.length > 1) {
        throw new Error(`capacityStrategy sets base > 0 on ${withBase.map((i) => `${i.provider} (${i.base})`).join(" and ")}; only one provider may have a base`);
    }
    if (strategy.every((i) => i.weight === 0)) {
        throw new Error("capacityStrategy weights are all 0; at least one provider needs weight > 0 or no task beyond base can be placed");
    }
}
