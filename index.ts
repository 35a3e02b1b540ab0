/**
 * The program: read and validate the stack config, check what only the region can tell, then build
 * the components from it and return what operators and tools read back. Everything is decided before
 * the first resource exists, so a refused config leaves nothing half-applied. Pulumi runs the exported
 * async function and takes the object it returns as the stack outputs.
 */
import * as aws from "@pulumi/aws";
import { ConfigError, readStackConfig, regionProblems } from "./config";
import { wakeTargetGroupName } from "./config/scale-to-zero";
import { Alerts } from "./components/alerts";
import { AuroraCluster } from "./components/aurora-cluster";
import { AutoscalingDashboard } from "./components/autoscaling-dashboard";
import { EcsCluster } from "./components/ecs-cluster";
import { LoadBalancer } from "./components/load-balancer";
import { Network, REGULAR_ZONES_QUERY } from "./components/network";
import { ProjectImage } from "./components/project-image";
import { QueueAutoscaler } from "./components/queue-autoscaler";
import { ScalableService } from "./components/scalable-service";
import { ScaleToZero } from "./components/scale-to-zero";
import { WorkQueue } from "./components/work-queue";
import { queueAutoscalerArgs, scalableServiceArgs } from "./program/component-args";

export = async () => {
    const config = readStackConfig();
    const { names } = config;

    // Checks that need the region, before anything that depends on them is registered.
    if (config.paidTierResources && config.network.mode === "vpc") {
        const zones = await aws.getAvailabilityZones(REGULAR_ZONES_QUERY);
        const problems = regionProblems(config, zones.names);
        if (problems.length > 0) throw new ConfigError(problems);
    }

    /** ECS, Application Auto Scaling and ELBv2 services: none when `paidTierResources` is false (LocalStack free tier). */
    const services = config.paidTierResources ? Object.values(config.services) : [];

    const alerts = new Alerts("alerts", { topicName: names.alertsTopic, email: config.alertEmail, kmsKeyArn: config.alertsKmsKeyArn });

    /** One WorkQueue per key under `queues`; consumers and the autoscaler find theirs by that key. */
    const workQueues: Record<string, WorkQueue> = Object.fromEntries(Object.values(config.queues).map((q) => [q.key, new WorkQueue(q.key, {
        queueName: q.name,
        deadLetterQueueName: q.deadLetterQueueName,
        settings: q,
        alarmActions: [alerts.topicArn],
    })]));

    // The dashboard draws only what is created: no cluster or service widgets without ECS.
    new AutoscalingDashboard("dashboard", {
        dashboardName: names.dashboard,
        region: aws.getRegionOutput().region,
        clusterName: config.paidTierResources ? names.cluster : undefined,
        services,
        queues: Object.fromEntries(Object.values(config.queues).map((q) => [q.key, q.name])),
    });

    function deployEcs() {
        const network = new Network("network", { network: config.network });
        const cluster = new EcsCluster("cluster", { clusterName: names.cluster, capacityStrategy: config.capacityStrategy, containerInsights: config.containerInsights });
        const alb = services.some((s) => s.loadBalancer)
            ? new LoadBalancer("alb", { vpcId: network.vpcId, subnetIds: network.publicSubnetIds, ...config.loadBalancer })
            : undefined;

        // The project image, built once and run by the queue autoscaler and every built-in workload.
        const projectImage = config.autoscaler.enabled || services.some((s) => s.workload !== undefined)
            ? new ProjectImage("project-image", { image: config.autoscaler.image, repositoryName: names.imageRepository })
            : undefined;

        const deployed: Record<string, ScalableService> = {};
        for (const service of services) {
            deployed[service.key] = new ScalableService(service.key, scalableServiceArgs(service, {
                cluster,
                vpcId: network.vpcId,
                subnetIds: network.privateSubnetIds,
                assignPublicIp: network.assignPublicIp,
                logRetentionDays: config.logRetentionDays,
                capacityStrategy: config.capacityStrategy,
                loadBalancer: service.loadBalancer && alb
                    ? { listenerArn: alb.listenerArn, securityGroupId: alb.securityGroupId, arnSuffix: alb.arnSuffix }
                    : undefined,
                queue: service.consumesQueue !== undefined
                    ? { arn: workQueues[service.consumesQueue].queueArn, url: workQueues[service.consumesQueue].queueUrl }
                    : undefined,
                projectImage,
            }));
        }

        // Scale-to-zero switches the service's own listener rule between its target group and a wake function.
        const sleepers: Record<string, ScaleToZero> = {};
        for (const service of services) {
            const s = deployed[service.key];
            if (!service.scaleToZero || !alb || !s.fargate.listenerRule || !s.targetGroup) continue;
            sleepers[service.key] = new ScaleToZero(`${service.key}-scale-to-zero`, {
                service: { clusterName: cluster.clusterName, serviceName: s.serviceName, serviceArn: s.serviceArn },
                physicalName: service.name,
                settings: service.scaleToZero,
                wakeTargetGroupName: wakeTargetGroupName(service.name),
                bounds: { minCapacity: service.plan.minCapacity, maxCapacity: service.plan.maxCapacity },
                route: { listenerRuleArn: s.fargate.listenerRule.arn, targetGroupArn: s.targetGroup.arn, targetGroupArnSuffix: s.targetGroup.arnSuffix, loadBalancerArnSuffix: alb.arnSuffix },
                scalableTargetArn: s.scaling.target.arn,
                alertsTopicArn: alerts.topicArn,
                logRetentionDays: config.logRetentionDays,
            });
        }

        const scaler = config.autoscaler.enabled
            ? new QueueAutoscaler("queue-autoscaler", queueAutoscalerArgs(config.autoscaler, {
                image: projectImage,
                serviceName: names.autoscalerService,
                cluster,
                services: deployed,
                queues: workQueues,
                vpcId: network.vpcId,
                subnetIds: network.privateSubnetIds,
                assignPublicIp: network.assignPublicIp,
                logRetentionDays: config.logRetentionDays,
            }))
            : undefined;

        // The database admits exactly the services that declare they use it (services.<name>.usesDatabase).
        const aurora = config.aurora ? new AuroraCluster("aurora", {
            aurora: config.aurora,
            vpcId: network.vpcId,
            subnetIds: network.privateSubnetIds,
            clientSecurityGroupIds: services.filter((s) => s.usesDatabase).map((s) => deployed[s.key].securityGroupId),
            alertsTopicArn: alerts.topicArn,
            topicKmsKeyArn: alerts.kmsKeyArn,
            logRetentionDays: config.logRetentionDays,
        }) : undefined;

        return {
            aurora,
            clusterName: cluster.clusterName,
            loadBalancerUrl: alb?.url,
            serviceNames: Object.fromEntries(Object.entries(deployed).map(([k, s]) => [k, s.serviceName])),
            autoscalerService: scaler?.serviceName,
            scaleToZero: Object.fromEntries(Object.entries(sleepers).map(([k, z]) => [k, {
                wakeFunction: z.wakeFunction.name, idleCheckFunction: z.idleCheckFunction.name, dashboard: z.dashboard.dashboardName,
            }])),
        };
    }

    const ecs = config.paidTierResources ? deployEcs() : undefined;

    return {
        clusterName: ecs?.clusterName,
        serviceNames: ecs?.serviceNames,
        loadBalancerUrl: ecs?.loadBalancerUrl,
        autoscalerService: ecs?.autoscalerService,
        /** Per scale-to-zero service: its wake and idle-check functions (for `aws lambda invoke`) and its dashboard. */
        scaleToZero: ecs?.scaleToZero,
        auroraEndpoint: ecs?.aurora?.endpoint,
        auroraReaderEndpoint: ecs?.aurora?.readerEndpoint,
        /** The Secrets Manager secret holding the master password (RDS manages it; the stack never sees it). */
        auroraMasterUserSecretArn: ecs?.aurora?.masterUserSecretArn,
        /** Queue URLs by key under `queues`. */
        queueUrls: Object.fromEntries(Object.entries(workQueues).map(([key, q]) => [key, q.queueUrl])),
        alertsTopicArn: alerts.topicArn,
        dashboardName: names.dashboard,
        /** The scaling plans of the services deployed: bounds, policies and watched series, for tools and the simulator. */
        scalingPlans: Object.fromEntries(services.map((s) => [s.key, s.plan])),
        /**
         * The series the customMetricTest policy watches, for publishing tools to write to. It is the very
         * object the policy was built from, so what is published and what is watched cannot differ.
         */
        customMetricSeries: config.customMetricTest.series,
    };
};
