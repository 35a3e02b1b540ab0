/**
 * ScaleToZero under Pulumi mocks, as the staging program builds it for its `preview` service: the
 * schedule, the wake target group and both invoke permissions, the roles' exact statements, the
 * functions and their bundle, the alarms, the dashboard, and what `pulumi up` declares (the awake
 * route and bounds, the same the functions restore).
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { wakeTargetGroupName } from "../../config/scale-to-zero";
import { isBuiltin } from "node:module";
import { SCALE_TO_ZERO_ENV } from "../../scaling/scale-to-zero";
import { LAMBDA_ENTRIES, bundleLambda } from "../../bundle/esbuild";
import { ACCOUNT, REGION, ofType, promiseOf, recorded, setupMocks } from "../helpers/pulumi-mocks";
import { stackConfig } from "../helpers/stack-files";

const PROGRAM = require.resolve("../../index");
const PHYSICAL = "ecs-autoscaling-staging-preview";
const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/ecs-autoscaling-staging/${PHYSICAL}`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:ecs-autoscaling-staging-alerts`;

async function runStaging(overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
    setupMocks("ecs-autoscaling", "staging");
    pulumi.runtime.setAllConfig(stackConfig("staging", overrides));
    delete require.cache[PROGRAM];
    const exports = await pulumi.runtime.runInPulumiStack(async () => {
        const mod = await import(PROGRAM);
        return ((mod as any).default ?? mod)();
    });
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(exports ?? {})) out[k] = pulumi.Output.isInstance(v) ? await promiseOf(v) : v;
    await new Promise((r) => setTimeout(r, 50));
    return out;
}

const one = (type: string, name: string) => {
    const found = recorded.filter((r) => r.type === type && r.name === name);
    expect(found.map((r) => r.name), `${type} ${name}`).to.have.length(1);
    return found[0];
};

describe("ScaleToZero (staging preview, under mocks)", function () {
    this.timeout(60_000);
    let outputs: Record<string, any>;
    before(async () => { outputs = await runStaging(); });

    const wakeFn = () => one("aws:lambda/function:Function", "preview-scale-to-zero-wake");
    const idleFn = () => one("aws:lambda/function:Function", "preview-scale-to-zero-idle-check");
    const wakeTg = () => one("aws:lb/targetGroup:TargetGroup", "preview-scale-to-zero-wake-tg");
    const rule = () => one("aws:lb/listenerRule:ListenerRule", "preview-fargate-listener-rule");
    const serviceTg = () => one("aws:lb/targetGroup:TargetGroup", "preview-fargate-tg");
    const target = () => ofType("aws:appautoscaling/target:Target").find((t) => t.inputs.resourceId === `service/ecs-autoscaling-staging/${PHYSICAL}`)!;

    it("only the preview service sleeps: one ScaleToZero, and the other services keep their figures", () => {
        expect(ofType("ecs-autoscaling:scaling:ScaleToZero").map((r) => r.name)).to.deep.equal(["preview-scale-to-zero"]);
        expect(Object.keys(outputs.scaleToZero)).to.deep.equal(["preview"]);
        expect(outputs.scaleToZero.preview).to.deep.equal({
            wakeFunction: "preview-scale-to-zero-wake", idleCheckFunction: "preview-scale-to-zero-idle-check", dashboard: `${PHYSICAL}-scale-to-zero`,
        });
        // Besides the Aurora class scaler, the stack's one other function (tests/components/aurora-cluster.test.ts).
        expect(ofType("aws:lambda/function:Function").map((f) => f.name).filter((n) => n !== "aurora-scaler").sort()).to.deep.equal(["preview-scale-to-zero-idle-check", "preview-scale-to-zero-wake"]);
    });

    it("the preview route: its own path patterns at priority 10 (before the api's /* at 100), forwarding to its own target group; bounds 0..1", () => {
        expect(rule().inputs).to.deep.include({ priority: 10 });
        expect(rule().inputs.conditions).to.deep.equal([{ pathPattern: { values: ["/preview", "/preview/*"] } }]);
        // What `pulumi up` declares is the awake route; the functions switch it at run time.
        expect(rule().inputs.actions).to.deep.equal([{ type: "forward", targetGroupArn: serviceTg().state.arn }]);
        expect([target().inputs.minCapacity, target().inputs.maxCapacity]).to.deep.equal([0, 1]);
        expect(one("aws:lb/listenerRule:ListenerRule", "api-fargate-listener-rule").inputs.priority).to.equal(100);
    });

    it("schedule: rate(1 minute), targeting the idle-check function, which only that rule may invoke", () => {
        const schedule = one("aws:cloudwatch/eventRule:EventRule", "preview-scale-to-zero-schedule");
        expect(schedule.inputs.scheduleExpression).to.equal("rate(1 minute)");
        const t = one("aws:cloudwatch/eventTarget:EventTarget", "preview-scale-to-zero-schedule-target");
        expect(t.inputs).to.deep.include({ rule: schedule.state.name, arn: idleFn().state.arn });
        expect(one("aws:lambda/permission:Permission", "preview-scale-to-zero-schedule-invoke").inputs).to.deep.equal({
            action: "lambda:InvokeFunction", function: idleFn().state.name, principal: "events.amazonaws.com", sourceArn: schedule.state.arn,
        });
    });

    it("wake target group: target type lambda, a name within 32 characters, the wake function its only target, invocable by the ALB for that group only", () => {
        expect(wakeTg().inputs).to.deep.equal({ name: wakeTargetGroupName(PHYSICAL), targetType: "lambda", lambdaMultiValueHeadersEnabled: false });
        expect(wakeTg().inputs.name).to.equal("ecs-autoscaling-stagi-2c730-wake").and.have.length.at.most(32);
        expect(one("aws:lambda/permission:Permission", "preview-scale-to-zero-wake-alb-invoke").inputs).to.deep.equal({
            action: "lambda:InvokeFunction", function: wakeFn().state.name, principal: "elasticloadbalancing.amazonaws.com", sourceArn: wakeTg().state.arn,
        });
        expect(ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment").map((a) => a.inputs)).to.deep.equal([
            { targetGroupArn: wakeTg().state.arn, targetId: wakeFn().state.arn },
        ]);
    });

    it("functions: Node 22, the two handlers of one esbuild bundle, 30 s, and the settings the runtime reads (the rule, both target groups, bounds 0..1)", async () => {
        for (const [fn, handler] of [[idleFn(), "index.idleCheck"], [wakeFn(), "index.wake"]] as const) {
            expect(fn.inputs).to.deep.include({ runtime: "nodejs22.x", handler, timeout: 30, memorySize: 256 });
            const env = fn.inputs.environment.variables;
            expect(env).to.deep.equal({
                [SCALE_TO_ZERO_ENV.cluster]: "ecs-autoscaling-staging",
                [SCALE_TO_ZERO_ENV.service]: PHYSICAL,
                [SCALE_TO_ZERO_ENV.listenerRuleArn]: rule().state.arn,
                [SCALE_TO_ZERO_ENV.serviceTargetGroupArn]: serviceTg().state.arn,
                [SCALE_TO_ZERO_ENV.wakeTargetGroupArn]: wakeTg().state.arn,
                [SCALE_TO_ZERO_ENV.loadBalancerDimension]: one("aws:lb/loadBalancer:LoadBalancer", "alb-alb").state.arnSuffix,
                [SCALE_TO_ZERO_ENV.targetGroupDimension]: serviceTg().state.arnSuffix,
                [SCALE_TO_ZERO_ENV.idleSeconds]: "300",
                [SCALE_TO_ZERO_ENV.wakeCapacity]: "1",
                [SCALE_TO_ZERO_ENV.minCapacity]: "0",
                [SCALE_TO_ZERO_ENV.maxCapacity]: "1",
                [SCALE_TO_ZERO_ENV.namespace]: "ECSAutoscaling/ScaleToZero",
            });
            expect(fn.inputs.code.__pulumiArchive).to.equal(true);
        }
    });

    it("bundle: one CommonJS file that loads without node_modules and exports both handlers, with no Pulumi inside", async () => {
        const code = await bundleLambda(LAMBDA_ENTRIES.scaleToZero);
        expect(code).to.not.include("@pulumi/");
        const module = { exports: {} as Record<string, unknown> };
        // Only Node's built-ins are reachable, as in the Lambda runtime with nothing installed.
        const builtinOnly = (id: string) => {
            if (!isBuiltin(id)) throw new Error(`bundle requires ${id}`);
            return require(id);
        };
        new Function("module", "exports", "require", code)(module, module.exports, builtinOnly);
        expect(Object.keys(module.exports).sort()).to.deep.equal(["idleCheck", "wake"]);
        expect(typeof module.exports.idleCheck).to.equal("function");
    });

    it("roles: each function's exact statements, scoped to its own service, rule and scalable target, and metrics only in its namespace", () => {
        const statements = (part: string) => JSON.parse(one("aws:iam/rolePolicy:RolePolicy", `preview-scale-to-zero-${part}-policy`).inputs.policy).Statement;
        const logs = (part: string) => ({
            Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${one("aws:cloudwatch/logGroup:LogGroup", `preview-scale-to-zero-${part}-logs`).state.arn}:*`,
        });
        const common = [
            { Sid: "ReadOwnService", Effect: "Allow", Action: "ecs:DescribeServices", Resource: SERVICE_ARN },
            {
                Sid: "ScaleOwnService", Effect: "Allow", Action: "ecs:UpdateService", Resource: SERVICE_ARN,
                Condition: { Null: {
                "ecs:auto-assign-public-ip": "true", "ecs:capacity-provider": "true", "ecs:enable-ebs-volumes": "true", "ecs:enable-ecs-managed-tags": "true",
                "ecs:enable-execute-command": "true", "ecs:enable-service-connect": "true", "ecs:enable-vpc-lattice": "true", "ecs:namespace": "true",
                "ecs:propagate-tags": "true", "ecs:subnet": "true", "ecs:task-cpu": "true", "ecs:task-definition": "true", "ecs:task-memory": "true",
            } },
            },
            {
                Sid: "MarkOwnService", Effect: "Allow", Action: "ecs:TagResource", Resource: SERVICE_ARN,
                Condition: { "ForAllValues:StringLike": { "aws:TagKeys": ["ecs-autoscaling:*"] }, Null: { "aws:TagKeys": "false" } },
            },
            { Sid: "SwitchOwnListenerRule", Effect: "Allow", Action: "elasticloadbalancing:ModifyRule", Resource: rule().state.arn },
            { Sid: "ReadRuleAndTargetHealth", Effect: "Allow", Action: ["elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetHealth"], Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } },
            { Sid: "SetOwnScalableTargetBounds", Effect: "Allow", Action: "application-autoscaling:RegisterScalableTarget", Resource: target().state.arn },
            { Sid: "ReadScalableTargets", Effect: "Allow", Action: "application-autoscaling:DescribeScalableTargets", Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } },
        ];
        const put = { Sid: "PutStateMetrics", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "ECSAutoscaling/ScaleToZero" } } };
        expect(statements("idle-check")).to.deep.equal([...common, { Sid: "ReadRequestCount", Effect: "Allow", Action: "cloudwatch:GetMetricData", Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } }, put, logs("idle-check")]);
        expect(statements("wake")).to.deep.equal([...common, put, logs("wake")]);
        for (const part of ["idle-check", "wake"]) {
            // Lambda's confused-deputy conditions, as every other role of the stack has (Lambda developer guide, "Lambda execution role").
            expect(JSON.parse(one("aws:iam/role:Role", `preview-scale-to-zero-${part}-role`).inputs.assumeRolePolicy).Statement).to.deep.equal([{
                Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:lambda:us-east-1:123456789012:function:*" } },
            }]);
        }
    });

    it("alarms: asleep (ALARM) and awake (OK) notify the alerts topic; a silent idle check alarms too", () => {
        const asleep = one("aws:cloudwatch/metricAlarm:MetricAlarm", "preview-scale-to-zero-asleep-alarm").inputs;
        expect(asleep).to.deep.include({
            name: `${PHYSICAL}-asleep`, namespace: "ECSAutoscaling/ScaleToZero", metricName: "ServiceStatus", statistic: "Maximum",
            period: 60, evaluationPeriods: 1, threshold: 1, comparisonOperator: "LessThanThreshold", treatMissingData: "missing",
        });
        expect(asleep.dimensions).to.deep.equal({ Service: PHYSICAL, Cluster: "ecs-autoscaling-staging" });
        expect([asleep.alarmActions, asleep.okActions]).to.deep.equal([[TOPIC_ARN], [TOPIC_ARN]]);
        const silent = one("aws:cloudwatch/metricAlarm:MetricAlarm", "preview-scale-to-zero-idle-check-silent-alarm").inputs;
        expect(silent).to.deep.include({ statistic: "SampleCount", period: 60, evaluationPeriods: 2, treatMissingData: "breaching", comparisonOperator: "LessThanThreshold", threshold: 1 });
        expect(silent.alarmActions).to.deep.equal([TOPIC_ARN]);
    });

    it("dashboard: the seed's four widgets (state, desired count, ALB requests, running tasks) and the wake latency", () => {
        const d = one("aws:cloudwatch/dashboard:Dashboard", "preview-scale-to-zero-dashboard");
        expect(d.inputs.dashboardName).to.equal(`${PHYSICAL}-scale-to-zero`);
        const widgets = JSON.parse(d.inputs.dashboardBody).widgets;
        const ns = "ECSAutoscaling/ScaleToZero";
        const dims = ["Service", PHYSICAL, "Cluster", "ecs-autoscaling-staging"];
        const lb = one("aws:lb/loadBalancer:LoadBalancer", "alb-alb").state.arnSuffix;
        expect(widgets.map((w: any) => [w.properties.title, w.properties.metrics.map((m: any[]) => m.filter((x) => typeof x === "string"))])).to.deep.equal([
            ["State (1 active, 0 idle)", [[ns, "ServiceStatus", ...dims]]],
            ["Desired tasks", [[ns, "ServiceDesiredCount", ...dims, "Status", "active"], [ns, "ServiceDesiredCount", ...dims, "Status", "idle"]]],
            ["ALB requests", [
                ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", lb, "TargetGroup", serviceTg().state.arnSuffix],
                ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", lb, "TargetGroup", wakeTg().state.arnSuffix],
            ]],
            ["Running tasks", [["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", "ecs-autoscaling-staging", "ServiceName", PHYSICAL]]],
            ["Wake latency and idle time before sleep (s)", [[ns, "WakeLatencySeconds", ...dims], [ns, "IdleSeconds", ...dims]]],
        ]);
        expect(widgets.every((w: any) => w.properties.region === REGION)).to.equal(true);
    });
});
