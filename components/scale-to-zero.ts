/**
 * Scale-to-zero of one load-balanced service: the idle-check function on an EventBridge schedule, the
 * wake function behind a Lambda target group the listener rule is switched to while the service
 * sleeps, one least-privilege role per function, the state alarms (to the alerts topic) and a
 * dashboard. The functions' code is runtime/scale-to-zero/, bundled by esbuild when the program runs.
 *
 * What the stack declares is the awake state: the listener rule forwards to the service's target group
 * and the scalable target has the plan's bounds. The functions change both at run time; Pulumi diffs
 * config against its recorded state, so `pulumi up` leaves them alone unless the rule's or the
 * bounds' own config changes (or `--refresh` is used): then it writes the awake route and bounds back,
 * and the next idle-check run, finding a routed service with no task, puts it back to sleep.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DESIRED_COUNT_ONLY } from "../aws/ecs-iam";
import { LAMBDA_NODE_RUNTIME } from "../aws/lambda";
import { ALB_METRICS, CONTAINER_INSIGHTS_METRICS } from "../aws/metrics";
import { STATE_TAG_PREFIX } from "../scaling/autoscaler-settings";
import { STATE_METRICS, targetEnvironment, type ScaleToZeroTarget } from "../scaling/scale-to-zero";
import { LAMBDA_ENTRIES } from "../bundle/esbuild";
import { lambdaArchive } from "./lambda-code";
import { inRegion, lambdaAssumeRolePolicy, writeLogsStatement } from "./task-iam";

export interface ScaleToZeroSettings {
    /** Seconds without a request through the load balancer before the service goes to 0 tasks (whole minutes). Required. */
    readonly idleSeconds: number;
    /** Tasks a wake asks for; at most the service's maxCapacity. Required. */
    readonly wakeCapacity: number;
    /** EventBridge schedule of the idle check, `rate(...)`. Required. */
    readonly checkSchedule: string;
    /** Seconds between two idle-check runs: the period of checkSchedule. Required. */
    readonly checkPeriodSeconds: number;
    /** CloudWatch namespace of the state metrics. Required. */
    readonly namespace: string;
}

export interface ScaleToZeroArgs {
    /** The service: cluster and service names and its ARN (the only service the roles may touch). Required. */
    readonly service: {
        readonly clusterName: pulumi.Input<string>;
        readonly serviceName: pulumi.Input<string>;
        readonly serviceArn: pulumi.Input<string>;
    };
    /** Physical service name: the wake target group, alarm and dashboard names derive from it. Required. */
    readonly physicalName: string;
    /** When the service sleeps and how it wakes. Required. */
    readonly settings: ScaleToZeroSettings;
    /** Physical name of the wake target group (ELB's 32-character limit applies). Required. */
    readonly wakeTargetGroupName: string;
    /** The service's bounds while awake (its scaling plan). Required. */
    readonly bounds: { readonly minCapacity: number; readonly maxCapacity: number };
    /** The route the functions switch: listener rule, the service's target group and the ARN suffixes of both. Required. */
    readonly route: {
        readonly listenerRuleArn: pulumi.Input<string>;
        readonly targetGroupArn: pulumi.Input<string>;
        readonly targetGroupArnSuffix: pulumi.Input<string>;
        readonly loadBalancerArnSuffix: pulumi.Input<string>;
    };
    /** ARN of the service's scalable target, the only one whose bounds the roles may set. Required. */
    readonly scalableTargetArn: pulumi.Input<string>;
    /** Topic the state alarms notify (asleep / awake, idle check silent). Required. */
    readonly alertsTopicArn: pulumi.Input<string>;
    /** Retention of the functions' log groups, days. Required. */
    readonly logRetentionDays: number;
}

/** Seconds a run may take: a few AWS calls, each answered in well under a second. */
const TIMEOUT_SECONDS = 30;
const MEMORY_MB = 256;

export class ScaleToZero extends pulumi.ComponentResource {
    readonly idleCheckFunction: aws.lambda.Function;
    readonly wakeFunction: aws.lambda.Function;
    readonly wakeTargetGroup: aws.lb.TargetGroup;
    readonly schedule: aws.cloudwatch.EventRule;
    readonly dashboard: aws.cloudwatch.Dashboard;
    readonly alarms: { readonly asleep: aws.cloudwatch.MetricAlarm; readonly idleCheckSilent: aws.cloudwatch.MetricAlarm };

    constructor(name: string, args: ScaleToZeroArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:scaling:ScaleToZero", name, {}, opts);
        const parent = { parent: this };
        const s = args.settings;
        const region = aws.getRegionOutput({}, parent).region;
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const partition = aws.getPartitionOutput({}, parent).partition;

        this.wakeTargetGroup = new aws.lb.TargetGroup(`${name}-wake-tg`, {
            name: args.wakeTargetGroupName,
            targetType: "lambda",
            // Multi-value headers off: the function answers with a plain `headers` map.
            lambdaMultiValueHeadersEnabled: false,
        }, parent);

        const target: pulumi.Output<ScaleToZeroTarget> = pulumi.all([
            args.service.clusterName, args.service.serviceName, args.route.listenerRuleArn, args.route.targetGroupArn,
            this.wakeTargetGroup.arn, args.route.loadBalancerArnSuffix, args.route.targetGroupArnSuffix,
        ]).apply(([cluster, service, listenerRuleArn, serviceTargetGroupArn, wakeTargetGroupArn, lbSuffix, tgSuffix]) => ({
            cluster,
            service,
            listenerRuleArn,
            serviceTargetGroupArn,
            wakeTargetGroupArn,
            loadBalancerDimension: lbSuffix,
            targetGroupDimension: tgSuffix,
            idleSeconds: s.idleSeconds,
            wakeCapacity: s.wakeCapacity,
            minCapacity: args.bounds.minCapacity,
            maxCapacity: args.bounds.maxCapacity,
            namespace: s.namespace,
        }));
        const code = lambdaArchive(LAMBDA_ENTRIES.scaleToZero);

        const fn = (part: "idle-check" | "wake", handler: string, readsRequests: boolean): aws.lambda.Function => {
            const logGroup = new aws.cloudwatch.LogGroup(`${name}-${part}-logs`, {
                name: `/ecs-autoscaling/scale-to-zero/${args.physicalName}/${part}`,
                retentionInDays: args.logRetentionDays,
            }, parent);
            const role = new aws.iam.Role(`${name}-${part}-role`, {
                assumeRolePolicy: lambdaAssumeRolePolicy({ partition, region, accountId: account }),
                description: `scale-to-zero ${part} of ${args.physicalName}`,
            }, parent);
            const policy = new aws.iam.RolePolicy(`${name}-${part}-policy`, {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: scaleToZeroStatements({
                        serviceArn: args.service.serviceArn,
                        listenerRuleArn: args.route.listenerRuleArn,
                        scalableTargetArn: args.scalableTargetArn,
                        namespace: s.namespace,
                        logGroupArn: logGroup.arn,
                        readsRequests,
                        region,
                    }),
                }),
            }, parent);
            return new aws.lambda.Function(`${name}-${part}`, {
                description: `scale-to-zero ${part} of ${args.physicalName}`,
                runtime: LAMBDA_NODE_RUNTIME,
                handler,
                code,
                role: role.arn,
                timeout: TIMEOUT_SECONDS,
                memorySize: MEMORY_MB,
                environment: { variables: target.apply(targetEnvironment) },
                loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            }, { parent: this, dependsOn: [policy] });
        };

        this.idleCheckFunction = fn("idle-check", "index.idleCheck", true);
        this.wakeFunction = fn("wake", "index.wake", false);

        // Each function may be invoked by one principal, for one source (its SourceArn) only.
        const invokedBy = (resourceName: string, fn: aws.lambda.Function, principal: string, sourceArn: pulumi.Input<string>) =>
            new aws.lambda.Permission(resourceName, { action: "lambda:InvokeFunction", function: fn.name, principal, sourceArn }, parent);
        // The ALB may invoke the wake function only for this target group.
        const albInvoke = invokedBy(`${name}-wake-alb-invoke`, this.wakeFunction, "elasticloadbalancing.amazonaws.com", this.wakeTargetGroup.arn);
        new aws.lb.TargetGroupAttachment(`${name}-wake-target`, {
            targetGroupArn: this.wakeTargetGroup.arn,
            targetId: this.wakeFunction.arn,
        }, { parent: this, dependsOn: [albInvoke] });

        this.schedule = new aws.cloudwatch.EventRule(`${name}-schedule`, {
            description: `idle check of ${args.physicalName}, ${s.checkSchedule}`,
            scheduleExpression: s.checkSchedule,
        }, parent);
        const scheduleInvoke = invokedBy(`${name}-schedule-invoke`, this.idleCheckFunction, "events.amazonaws.com", this.schedule.arn);
        new aws.cloudwatch.EventTarget(`${name}-schedule-target`, {
            rule: this.schedule.name,
            arn: this.idleCheckFunction.arn,
        }, { parent: this, dependsOn: [scheduleInvoke] });

        const stateDimensions = { Service: args.service.serviceName, Cluster: args.service.clusterName };
        // Every idle-check run publishes ServiceStatus: its Maximum under 1 over a check period means asleep.
        const asleep = new aws.cloudwatch.MetricAlarm(`${name}-asleep-alarm`, {
            name: `${args.physicalName}-asleep`,
            alarmDescription: `${args.physicalName} is asleep (ALARM) or awake (OK): scale-to-zero after ${s.idleSeconds / 60} idle minutes, wake on the first request`,
            namespace: s.namespace,
            metricName: STATE_METRICS.status,
            dimensions: stateDimensions,
            statistic: "Maximum",
            period: s.checkPeriodSeconds,
            evaluationPeriods: 1,
            threshold: 1,
            comparisonOperator: "LessThanThreshold",
            treatMissingData: "missing",
            alarmActions: [args.alertsTopicArn],
            okActions: [args.alertsTopicArn],
        }, parent);
        const silent = new aws.cloudwatch.MetricAlarm(`${name}-idle-check-silent-alarm`, {
            name: `${args.physicalName}-idle-check-silent`,
            alarmDescription: `The idle check of ${args.physicalName} published nothing for 2 check periods (${s.checkSchedule}): it is failing or not scheduled`,
            namespace: s.namespace,
            metricName: STATE_METRICS.status,
            dimensions: stateDimensions,
            statistic: "SampleCount",
            period: s.checkPeriodSeconds,
            evaluationPeriods: 2,
            threshold: 1,
            comparisonOperator: "LessThanThreshold",
            treatMissingData: "breaching",
            alarmActions: [args.alertsTopicArn],
        }, parent);
        this.alarms = { asleep, idleCheckSilent: silent };

        this.dashboard = new aws.cloudwatch.Dashboard(`${name}-dashboard`, {
            dashboardName: `${args.physicalName}-scale-to-zero`,
            dashboardBody: pulumi.all([target, region]).apply(([t, r]) => JSON.stringify(scaleToZeroDashboard(t, r, wakeTargetGroupDimension(t.wakeTargetGroupArn)))),
        }, parent);

        this.registerOutputs({
            idleCheckFunctionName: this.idleCheckFunction.name,
            wakeFunctionName: this.wakeFunction.name,
            wakeTargetGroupArn: this.wakeTargetGroup.arn,
            dashboardName: this.dashboard.dashboardName,
        });
    }
}

/** `targetgroup/<name>/<id>` of a target group ARN: its TargetGroup dimension. */
export function wakeTargetGroupDimension(arn: string): string {
    return arn.slice(arn.indexOf("targetgroup/"));
}

export interface StatementInputs {
    readonly serviceArn: pulumi.Input<string>;
    readonly listenerRuleArn: pulumi.Input<string>;
    readonly scalableTargetArn: pulumi.Input<string>;
    readonly namespace: string;
    readonly logGroupArn: pulumi.Input<string>;
    /** The idle check reads RequestCount; the wake function does not. */
    readonly readsRequests: boolean;
    /** The stack's region: the grants on "*" hold there only. */
    readonly region: pulumi.Input<string>;
}

/**
 * One function's policy: its own service, rule and scalable target, metrics in its own namespace.
 * ELB's DescribeRules and DescribeTargetHealth, Application Auto Scaling's DescribeScalableTargets and
 * CloudWatch's GetMetricData and PutMetricData take no resource ARN (Service Authorization Reference),
 * so they are granted on "*", and PutMetricData is narrowed by the cloudwatch:namespace condition.
 */
export function scaleToZeroStatements(i: StatementInputs): pulumi.Input<object>[] {
    return [
        { Sid: "ReadOwnService", Effect: "Allow", Action: "ecs:DescribeServices", Resource: i.serviceArn },
        // The desired count only: never a deployment.
        { Sid: "ScaleOwnService", Effect: "Allow", Action: "ecs:UpdateService", Resource: i.serviceArn, Condition: DESIRED_COUNT_ONLY },
        // The sleep and wake marks: tag keys of the project's prefix only, and at least one.
        {
            Sid: "MarkOwnService",
            Effect: "Allow",
            Action: "ecs:TagResource",
            Resource: i.serviceArn,
            Condition: { "ForAllValues:StringLike": { "aws:TagKeys": [`${STATE_TAG_PREFIX}*`] }, Null: { "aws:TagKeys": "false" } },
        },
        { Sid: "SwitchOwnListenerRule", Effect: "Allow", Action: "elasticloadbalancing:ModifyRule", Resource: i.listenerRuleArn },
        { Sid: "ReadRuleAndTargetHealth", Effect: "Allow", Action: ["elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetHealth"], Resource: "*", Condition: inRegion(i.region) },
        { Sid: "SetOwnScalableTargetBounds", Effect: "Allow", Action: "application-autoscaling:RegisterScalableTarget", Resource: i.scalableTargetArn },
        { Sid: "ReadScalableTargets", Effect: "Allow", Action: "application-autoscaling:DescribeScalableTargets", Resource: "*", Condition: inRegion(i.region) },
        ...(i.readsRequests ? [{ Sid: "ReadRequestCount", Effect: "Allow", Action: "cloudwatch:GetMetricData", Resource: "*", Condition: inRegion(i.region) }] : []),
        { Sid: "PutStateMetrics", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": i.namespace } } },
        writeLogsStatement(i.logGroupArn),
    ];
}

type Line = (string | Record<string, unknown>)[];

function widget(i: number, title: string, region: string, metrics: Line[], extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        type: "metric",
        x: (i % 2) * 12,
        y: Math.floor(i / 2) * 6,
        width: 12,
        height: 6,
        properties: { title, region, view: "timeSeries", stacked: false, period: 60, metrics, ...extra },
    };
}

/**
 * The dashboard: the seed's four widgets (state, desired count, ALB requests, running tasks) and the
 * wake latency with the idle time before each sleep.
 */
export function scaleToZeroDashboard(t: ScaleToZeroTarget, region: string, wakeTargetGroup: string): { widgets: Record<string, unknown>[] } {
    const dims = ["Service", t.service, "Cluster", t.cluster];
    return {
        widgets: [
            widget(0, "State (1 active, 0 idle)", region, [[t.namespace, STATE_METRICS.status, ...dims, { stat: "Maximum", label: "state" }]],
                { yAxis: { left: { min: 0, max: 1 } } }),
            widget(1, "Desired tasks", region, [
                [t.namespace, STATE_METRICS.desiredCount, ...dims, "Status", "active", { stat: "Maximum", label: "active" }],
                [t.namespace, STATE_METRICS.desiredCount, ...dims, "Status", "idle", { stat: "Maximum", label: "idle" }],
            ], { yAxis: { left: { min: 0 } } }),
            widget(2, "ALB requests", region, [
                [ALB_METRICS.namespace, ALB_METRICS.requestCount, ALB_METRICS.loadBalancerDimension, t.loadBalancerDimension, ALB_METRICS.targetGroupDimension, t.targetGroupDimension, { stat: "Sum", label: "to the service" }],
                [ALB_METRICS.namespace, ALB_METRICS.requestCount, ALB_METRICS.loadBalancerDimension, t.loadBalancerDimension, ALB_METRICS.targetGroupDimension, wakeTargetGroup, { stat: "Sum", label: "to the wake function" }],
            ]),
            widget(3, "Running tasks", region, [
                [CONTAINER_INSIGHTS_METRICS.namespace, CONTAINER_INSIGHTS_METRICS.runningTaskCount, CONTAINER_INSIGHTS_METRICS.clusterDimension, t.cluster, CONTAINER_INSIGHTS_METRICS.serviceDimension, t.service, { stat: "Average", label: "running" }],
            ], { yAxis: { left: { min: 0 } } }),
            widget(4, "Wake latency and idle time before sleep (s)", region, [
                [t.namespace, STATE_METRICS.wakeLatency, ...dims, { stat: "Maximum", label: "wake request to first healthy target" }],
                [t.namespace, STATE_METRICS.idle, ...dims, { stat: "Maximum", label: "idle before sleep", yAxis: "right" }],
            ], { yAxis: { left: { min: 0 }, right: { min: 0 } } }),
        ],
    };
}
