/**
 * The stack config mapped to the args of the components that take a configured service or the
 * autoscaler section. The components know nothing of config/; this is the one place that reads a
 * ServiceConfig or the AutoscalerConfig for them. It also checks the wiring config cannot see (a
 * load-balanced service needs the listener, a consumer its queue) before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { AutoscalerConfig, QUEUE_URL_ENV, ServiceConfig } from "../config/load";
import { configSettings, valueAt } from "../scaling/autoscaler-settings";
import { throwIfAny } from "../components/input-errors";
import { ProjectImageRef } from "../components/project-image";
import { AutoscalerSettingValues, QueueAutoscalerArgs } from "../components/queue-autoscaler";
import { ScalableServiceArgs } from "../components/scalable-service";

/** What a configured service is wired to: the resources config names but cannot create. */
export interface ServiceWiring extends Pick<ScalableServiceArgs, "cluster" | "vpcId" | "subnetIds" | "assignPublicIp" | "logRetentionDays"> {
    /** The cluster's default strategy; the service's own `capacityStrategy` overrides it. */
    readonly capacityStrategy: ScalableServiceArgs["capacityStrategy"];
    /** The listener services attach their rules to, the ALB's security group and ARN suffix. Needed when the service sets `loadBalancer`. */
    readonly loadBalancer?: {
        readonly listenerArn: pulumi.Input<string>;
        readonly securityGroupId: pulumi.Input<string>;
        readonly arnSuffix: pulumi.Input<string>;
    };
    /** The queue the service consumes. Needed when the service sets `consumesQueue`. */
    readonly queue?: { readonly arn: pulumi.Input<string>; readonly url: pulumi.Input<string> };
    /** The stack's project image (components/project-image.ts). Needed when the service sets `workload`. */
    readonly projectImage?: ProjectImageRef;
}

/** A configured service's ScalableService args. Throws an InputPropertiesError naming the wiring it lacks. */
export function scalableServiceArgs(svc: ServiceConfig, wiring: ServiceWiring): ScalableServiceArgs {
    checkWiring(svc, wiring);
    const lb = wiring.loadBalancer;
    // A built-in workload runs the project image with its `autoscale` subcommand, pulled from the project repository only.
    const builtin = svc.workload !== undefined ? wiring.projectImage : undefined;
    return {
        serviceName: svc.name,
        cluster: wiring.cluster,
        cpu: svc.cpu,
        memory: svc.memory,
        container: {
            name: svc.key,
            ...(builtin ? { image: builtin.image, ecrRepositoryArn: builtin.ecrRepositoryArn, command: svc.command } : { image: svc.image! }),
            port: svc.containerPort,
            environment: svc.environment,
            secrets: svc.secrets,
            secretsKmsKeyArn: svc.secretsKmsKeyArn,
            user: svc.user,
            readonlyRootFilesystem: svc.readonlyRootFilesystem,
        },
        vpcId: wiring.vpcId,
        subnetIds: wiring.subnetIds,
        assignPublicIp: wiring.assignPublicIp,
        logRetentionDays: wiring.logRetentionDays,
        capacityStrategy: svc.capacityStrategy ?? wiring.capacityStrategy,
        plan: svc.plan,
        loadBalancer: svc.loadBalancer && lb ? {
            listenerArn: lb.listenerArn,
            securityGroupId: lb.securityGroupId,
            arnSuffix: lb.arnSuffix,
            pathPatterns: svc.loadBalancer.pathPatterns,
            priority: svc.loadBalancer.priority,
            healthCheckPath: svc.loadBalancer.healthCheckPath,
        } : undefined,
        queue: svc.consumesQueue !== undefined && wiring.queue ? { arn: wiring.queue.arn, url: wiring.queue.url, urlVariable: QUEUE_URL_ENV } : undefined,
        protectsTasks: svc.workload === "worker",
    };
}

function checkWiring(svc: ServiceConfig, wiring: ServiceWiring): void {
    const errors: pulumi.InputPropertyErrorDetails[] = [];
    if (svc.loadBalancer && !wiring.loadBalancer) {
        errors.push({ propertyPath: "loadBalancer", reason: `is required because services.${svc.key}.loadBalancer is set (the listener rule, target group and security group rules need the listener ARN, the ALB security group and the ALB ARN suffix)` });
    }
    if (svc.consumesQueue && !wiring.queue) {
        errors.push({ propertyPath: "queue", reason: `is required because services.${svc.key}.consumesQueue is set (the task role is granted that queue and no other)` });
    }
    if (svc.workload !== undefined && !wiring.projectImage) {
        errors.push({ propertyPath: "projectImage", reason: `is required because services.${svc.key}.workload is set (the workload runs the project image)` });
    }
    throwIfAny(`ScalableService ${svc.key}`, errors);
}

/** Every setting the `autoscaler` section sets, keyed as the settings table keys it (one table maps config paths to settings). */
export function autoscalerSettings(config: AutoscalerConfig): AutoscalerSettingValues {
    return Object.fromEntries(configSettings().map(({ key, path }) => [key, valueAt(config, path) as string | number | boolean | undefined]));
}

/** A deployed service, as the autoscaler scales it. */
export interface ScaledServiceOutputs {
    readonly serviceName: pulumi.Input<string>;
    readonly serviceArn: pulumi.Input<string>;
    readonly taskRoleArn: pulumi.Input<string>;
}

/** What the queue autoscaler is wired to: the deployed services and queues by config key, and where its task runs. */
export interface AutoscalerWiring extends Pick<QueueAutoscalerArgs, "serviceName" | "cluster" | "vpcId" | "subnetIds" | "assignPublicIp" | "logRetentionDays"> {
    /** The stack's project image; without it the autoscaler runs `autoscaler.image` or builds its own. */
    readonly image?: ProjectImageRef;
    /** Deployed services by their key under `services`. */
    readonly services: Readonly<Record<string, ScaledServiceOutputs>>;
    /** Work queues by their key under `queues`. */
    readonly queues: Readonly<Record<string, { readonly queueUrl: pulumi.Input<string>; readonly queueArn: pulumi.Input<string> }>>;
}

/** The autoscaler section's QueueAutoscaler args: each scaled service with the queues it consumes, and the settings. */
export function queueAutoscalerArgs(config: AutoscalerConfig, wiring: AutoscalerWiring): QueueAutoscalerArgs {
    return {
        settings: autoscalerSettings(config),
        image: wiring.image ?? config.image,
        serviceName: wiring.serviceName,
        cluster: wiring.cluster,
        // Each scaled service with the queues it consumes: the autoscaler reads its own consumers' queues.
        scaled: config.scaled.map((s) => ({
            serviceName: wiring.services[s.service].serviceName,
            serviceArn: wiring.services[s.service].serviceArn,
            taskRoleArn: wiring.services[s.service].taskRoleArn,
            queues: s.queues.map((q) => ({ url: wiring.queues[q].queueUrl, arn: wiring.queues[q].queueArn })),
            settings: s.settings,
        })),
        vpcId: wiring.vpcId,
        subnetIds: wiring.subnetIds,
        assignPublicIp: wiring.assignPublicIp,
        logRetentionDays: wiring.logRetentionDays,
    };
}
