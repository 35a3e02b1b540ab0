/**
 * `autoscale validate`: a stack file checked as `pulumi up` would check it, without the Pulumi CLI or
 * an AWS account. Three passes, every problem reported with its key, value and rule:
 *   1. the region (`aws:region`) against AWS's list (aws/regions.ts), as the AWS provider refuses an
 *      unknown one unless `aws:skipRegionValidation` is true;
 *   2. the program itself (index.ts) run under the mock cloud of diff/mock-cloud.ts with the stack's
 *      config: config/'s validation and the region checks the program makes before registering anything;
 *   3. the rules only the resulting resource graph can show (proof/graph-rules.ts: physical names,
 *      32-bit capacities, step quotas, listener and task definition limits).
 * A valid stack gets a summary of each service's scaling plan in words.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { isAwsRegion, regionRule } from "../aws/regions";
import { ECS_PREDEFINED_METRICS, SQS_METRICS } from "../aws/metrics";
import type { AutoscalerConfig, ServiceConfig, StackConfig } from "../config/load";
import { loadStackFile, projectFile, stackConfig, stackFileConfig } from "../config/stack-file";
import { allRegistered, installMockCloud } from "../diff/mock-cloud";
import type { ScalingPolicy } from "../scaling/plan";
import { graphProblems } from "./graph-rules";

export interface ServicePlanSummary {
    readonly service: string;
    /** The ECS service name the stack gives it. */
    readonly ecsService: string;
    readonly plan: string;
}

export interface StackValidation {
    readonly stack: string;
    readonly valid: boolean;
    /** Every problem, one sentence each naming the key (or resource), the value and the rule. */
    readonly problems: readonly string[];
    /** Empty when the stack is not valid. */
    readonly services: readonly ServicePlanSummary[];
}

/** `aws:region` of the stack file, checked as the AWS provider checks it. */
export function stackRegionProblems(file: Readonly<Record<string, unknown>>): string[] {
    if (String(file["aws:skipRegionValidation"]) === "true") return [];
    const region = file["aws:region"];
    if (region === undefined) return [];
    if (typeof region !== "string" || !isAwsRegion(region)) {
        return [`aws:region: ${JSON.stringify(region)} ${regionRule(String(region))}`];
    }
    return [];
}

function problemsOf(error: unknown): string[] {
    const problems = (error as { problems?: unknown })?.problems;
    if (Array.isArray(problems)) return problems.map(String);
    return [(error instanceof Error ? error.message : String(error)).split("\n")[0]];
}

/** Runs the program of `root` for `stack` under the mock cloud; its refusal's problems, or the graph's. */
async function programProblems(root: string, stack: string): Promise<string[]> {
    const recorded = installMockCloud(projectFile(root).name, stack);
    pulumi.runtime.setAllConfig(stackConfig(stack, {}, root));
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            const mod = await import(path.join(root, "index"));
            const main = (mod as { default?: unknown }).default ?? mod;
            return typeof main === "function" ? main() : undefined;
        });
    } catch (error) {
        return problemsOf(error);
    } finally {
        await allRegistered();
    }
    const region = stackConfig(stack, {}, root)["aws:region"];
    return graphProblems(recorded, typeof region === "string" ? region : undefined);
}

/** Checks one stack file of the project at `root`. */
export async function validateStack(stack: string, root: string): Promise<StackValidation> {
    let file: Record<string, unknown>;
    try {
        file = stackFileConfig(stack, root);
    } catch (error) {
        return { stack, valid: false, problems: problemsOf(error), services: [] };
    }
    const problems = stackRegionProblems(file);
    let config: StackConfig | undefined;
    try {
        config = loadStackFile(stack, {}, root);
    } catch (error) {
        problems.push(...problemsOf(error));
    }
    if (config) problems.push(...await programProblems(root, stack));
    const valid = problems.length === 0 && config !== undefined;
    return { stack, valid, problems, services: valid ? Object.values(config!.services).map((s) => summarise(s, config!.autoscaler)) : [] };
}

const METRIC_WORDS: Readonly<Record<string, string>> = {
    [ECS_PREDEFINED_METRICS.cpu]: "average CPU at",
    [ECS_PREDEFINED_METRICS.memory]: "average memory at",
    [ECS_PREDEFINED_METRICS.albRequestsPerTarget]: "requests per task at",
};

function policyWords(p: ScalingPolicy): string {
    if (p.kind === "targetTracking") {
        const metric = p.metric.type === "predefined" ? METRIC_WORDS[p.metric.predefinedMetricType] ?? `${p.metric.predefinedMetricType} at` : `${p.metric.series.metricName} at`;
        const unit = p.metric.type === "predefined" && p.metric.predefinedMetricType !== ECS_PREDEFINED_METRICS.albRequestsPerTarget ? " %" : "";
        return `keeps ${metric} ${p.targetValue}${unit}${p.disableScaleIn ? " (never scales in)" : ""}`;
    }
    if (p.kind === "backlogPerTask") {
        return `keeps ${p.targetValue} messages of ${p.backlog.dimensions[SQS_METRICS.queueDimension] ?? p.backlog.metricName} per running task${p.disableScaleIn ? " (never scales in)" : ""}`;
    }
    if (p.kind === "predictive") {
        const metric = p.metric.type === "pair" ? p.metric.pair : `${p.metric.scaling.metricName} (load ${p.metric.load.metricName})`;
        return `${p.mode === "ForecastOnly" ? "forecasts only" : "forecasts and scales ahead"} for ${metric} at ${p.targetValue}, ${p.schedulingBufferTime} s early`;
    }
    const verb = p.direction === "out" ? "adds" : "removes";
    const steps = p.steps.map((s) => `${Math.abs(s.change)} at ${p.direction === "out" ? s.lower ?? s.upper : s.upper ?? s.lower}`).join(", ");
    return `${verb} tasks as ${p.series.metricName} ${p.direction === "out" ? "rises" : "falls"} (${steps})`;
}

/** One service's plan in a sentence. */
export function summarise(s: ServiceConfig, autoscaler: AutoscalerConfig): ServicePlanSummary {
    const bounds = `${s.plan.minCapacity}-${s.plan.maxCapacity} tasks`;
    let how: string;
    if (s.scaledBy === "queueAutoscaler") {
        // Threshold rules are opt-in; without them the autoscaler sizes for the acceptable message age.
        const rule = autoscaler.scaleUpThreshold !== undefined && autoscaler.scaleDownThreshold !== undefined
            ? `up above ${autoscaler.scaleUpThreshold} messages per task, down below ${autoscaler.scaleDownThreshold}`
            : `enough tasks that no message waits over ${autoscaler.acceptableAgeSeconds} s` +
              (autoscaler.processingRate !== undefined ? ` at ${autoscaler.processingRate} messages/s per task` : " at the rate tasks are seen to process");
        how = `set by the queue autoscaler from queue ${autoscaler.queue} every ${autoscaler.intervalSeconds} s: ${rule}`;
    } else if (s.plan.policies.length === 0) {
        how = `no scaling policy: stays at ${s.plan.minCapacity}`;
    } else {
        how = s.plan.policies.map(policyWords).join("; ");
    }
    const zero = s.scaleToZero ? `; sleeps at 0 after ${s.scaleToZero.idleSeconds / 60} idle minutes and wakes on the first request` : "";
    return { service: s.key, ecsService: s.name, plan: `${bounds}, ${how}${zero}` };
}

/** The lines `autoscale validate` prints for one stack. */
export function validationText(v: StackValidation): string {
    if (!v.valid) {
        return [`${v.stack}: ${v.problems.length} problem${v.problems.length === 1 ? "" : "s"}`, ...v.problems.map((p) => `  error: ${p}`)].join("\n");
    }
    return [`${v.stack}: valid`, ...v.services.map((s) => `  ${s.service} (${s.ecsService}): ${s.plan}`)].join("\n");
}
