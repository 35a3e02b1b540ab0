/**
 * Checks a resource graph recorded under mocks against the same AWS rules config/ applies before
 * apply (config/aws-rules.ts): every physical name within its service's rule and unique, capacities
 * and steps within AWS's types, listener rules and task definitions within their limits. A graph
 * config accepted must pass; a problem here means config let through what AWS would refuse.
 */
import { AURORA_POSTGRESQL_VERSIONS, AURORA_POSTGRESQL_VERSIONS_SOURCE } from "../aws/aurora-engine-versions";
import { INT32_MAX, MAX_PATH_PATTERNS, TASK_DEFINITION_MAX_BYTES, alarmEvaluationWindowSeconds } from "../aws/limits";
import { SQS_METRICS } from "../aws/metrics";
import { AwsRule, rules } from "../config/aws-rules";
import { AURORA_POSTGRESQL_CLASSES, AURORA_POSTGRESQL_ENGINE, SERVERLESS_V2_CLASS } from "../scaling/aurora";

/** A registered resource: its type, logical name and inputs. */
export interface GraphResourceInputs {
    readonly type: string;
    readonly name: string;
    readonly inputs: any;
}

/** The physical-name input of each named resource type, and its rule. */
const NAMED: Record<string, { readonly field: string; readonly rule: AwsRule<string> }> = {
    "aws:ecs/cluster:Cluster": { field: "name", rule: rules.ecsName },
    "aws:ecs/service:Service": { field: "name", rule: rules.ecsName },
    "aws:ecs/taskDefinition:TaskDefinition": { field: "family", rule: rules.ecsName },
    "aws:cloudwatch/logGroup:LogGroup": { field: "name", rule: rules.logGroupName },
    "aws:lb/targetGroup:TargetGroup": { field: "name", rule: rules.targetGroupName },
    "aws:sqs/queue:Queue": { field: "name", rule: rules.sqsName },
    "aws:sns/topic:Topic": { field: "name", rule: rules.snsName },
    "aws:cloudwatch/dashboard:Dashboard": { field: "dashboardName", rule: rules.dashboardName },
    "aws:ecr/repository:Repository": { field: "name", rule: rules.ecrRepositoryName },
    "aws:cloudwatch/metricAlarm:MetricAlarm": { field: "name", rule: rules.alarmName },
    "aws:appautoscaling/policy:Policy": { field: "name", rule: rules.policyName },
    "aws:appautoscaling/scheduledAction:ScheduledAction": { field: "name", rule: rules.scheduledActionName },
};

/** Pulumi appends a dash and 7 random characters to the logical name of an autonamed resource. */
const AUTONAME_SUFFIX = 8;

const int32 = (v: unknown) => typeof v === "number" && Number.isInteger(v) && Math.abs(v) <= INT32_MAX;

/**
 * Every rule the graph breaks, one sentence each (empty when AWS would accept it). `region`: the stack's
 * region, when known, for the rules that depend on it.
 */
export function graphProblems(recorded: readonly GraphResourceInputs[], region?: string): string[] {
    const problems: string[] = [...auroraProblems(recorded), ...certificateProblems(recorded, region)];
    const seen = new Map<string, string>();
    const urns = new Set<string>();
    for (const r of recorded) {
        const urn = `${r.type}::${r.name}`;
        if (urns.has(urn)) problems.push(`two resources of type ${r.type} share the logical name ${r.name}`);
        urns.add(urn);
        const named = NAMED[r.type];
        if (named) {
            const name = r.inputs[named.field];
            if (typeof name !== "string" || !named.rule.test(name)) {
                problems.push(`${r.type} ${r.name}: ${named.field} ${JSON.stringify(name)} ${named.rule.says}`);
            }
            // Policy and scheduled action names are unique per scalable target; every other name per account and region.
            const scope = r.type === "aws:appautoscaling/policy:Policy" || r.type === "aws:appautoscaling/scheduledAction:ScheduledAction" ? `${r.inputs.resourceId}/` : "";
            const id = `${r.type}:${scope}${name}`;
            const other = seen.get(id);
            if (other) problems.push(`${r.type} ${r.name} and ${other} share the physical name ${JSON.stringify(name)}`);
            seen.set(id, r.name);
        }
        if (r.type === "aws:iam/role:Role" && r.inputs.name === undefined && !rules.iamRoleName.test(`${r.name}-${"x".repeat(AUTONAME_SUFFIX - 1)}`)) {
            problems.push(`aws:iam/role:Role ${r.name}: the autonamed role name ${rules.iamRoleName.says}`);
        }
        if (r.type === "aws:appautoscaling/target:Target") {
            const { minCapacity: min, maxCapacity: max } = r.inputs;
            if (!int32(min) || !int32(max) || min < 0 || min > max) problems.push(`${r.name}: capacities ${min}..${max} are not 32-bit whole numbers with 0 <= min <= max`);
        }
        if (r.type === "aws:appautoscaling/scheduledAction:ScheduledAction") {
            const { minCapacity: min, maxCapacity: max } = r.inputs.scalableTargetAction ?? {};
            if (min === undefined && max === undefined) problems.push(`${r.name}: a scheduled action sets neither minCapacity nor maxCapacity`);
            if ((min !== undefined && (!int32(min) || min < 0)) || (max !== undefined && (!int32(max) || max < 0)) || (min !== undefined && max !== undefined && min > max)) {
                problems.push(`${r.name}: scheduled capacities ${min}..${max} are not 32-bit whole numbers with 0 <= min <= max`);
            }
        }
        if (r.type === "aws:appautoscaling/policy:Policy") {
            const steps: { scalingAdjustment: unknown }[] = r.inputs.stepScalingPolicyConfiguration?.stepAdjustments ?? [];
            if (steps.length > 20) problems.push(`${r.name}: ${steps.length} step adjustments exceed the quota of 20`);
            for (const s of steps) if (!int32(s.scalingAdjustment)) problems.push(`${r.name}: scalingAdjustment ${s.scalingAdjustment} is not a 32-bit whole number`);
        }
        if (r.type === "aws:lb/listenerRule:ListenerRule") {
            const values: string[] = (r.inputs.conditions ?? []).flatMap((c: any) => c.pathPattern?.values ?? []);
            if (values.length > MAX_PATH_PATTERNS) problems.push(`${r.name}: ${values.length} path patterns exceed ${MAX_PATH_PATTERNS}`);
            for (const v of values) if (!rules.pathPattern.test(v)) problems.push(`${r.name}: path pattern ${JSON.stringify(v)} ${rules.pathPattern.says}`);
        }
        if (r.type === "aws:lb/targetGroup:TargetGroup") {
            const path = r.inputs.healthCheck?.path;
            if (path !== undefined && !rules.healthCheckPath.test(path)) problems.push(`${r.name}: health check path ${rules.healthCheckPath.says}`);
        }
        if (r.type === "aws:ecs/taskDefinition:TaskDefinition") {
            const bytes = Buffer.byteLength(JSON.stringify(r.inputs), "utf8");
            if (bytes > TASK_DEFINITION_MAX_BYTES) problems.push(`${r.name}: the task definition is ${bytes} bytes, over ${TASK_DEFINITION_MAX_BYTES}`);
            for (const c of JSON.parse(r.inputs.containerDefinitions ?? "[]")) {
                if (!rules.image.test(c.image)) problems.push(`${r.name}: image ${JSON.stringify(c.image)} ${rules.image.says}`);
            }
        }
        if (r.type === "aws:cloudwatch/metricAlarm:MetricAlarm") {
            const a = r.inputs;
            if (!rules.namespace.test(a.namespace ?? "")) problems.push(`${r.name}: namespace ${JSON.stringify(a.namespace)} ${rules.namespace.says}`);
            if (!rules.metricName.test(a.metricName ?? "")) problems.push(`${r.name}: metric name ${JSON.stringify(a.metricName)} ${rules.metricName.says}`);
            for (const [k, v] of Object.entries<string>(a.dimensions ?? {})) {
                if (!rules.dimensionName.test(k) || !rules.dimensionValue.test(v)) problems.push(`${r.name}: dimension ${k}=${JSON.stringify(v)} breaks CloudWatch's dimension rules`);
            }
            if (!int32(a.evaluationPeriods) || a.period * a.evaluationPeriods > alarmEvaluationWindowSeconds(a.period)) {
                problems.push(`${r.name}: ${a.evaluationPeriods} periods of ${a.period} s exceed CloudWatch's evaluation window`);
            }
            if (a.namespace === SQS_METRICS.namespace && a.period < 60) problems.push(`${r.name}: a ${a.period} s period on a one-minute SQS metric`);
        }
    }
    return problems;
}

/**
 * CreateDBCluster and CreateDBInstance refuse an engine version RDS does not offer
 * (aws/aurora-engine-versions.ts) and an instance class not offered for the engine (scaling/aurora.ts).
 */
function auroraProblems(recorded: readonly GraphResourceInputs[]): string[] {
    const problems: string[] = [];
    for (const r of recorded) {
        if (r.type !== "aws:rds/cluster:Cluster" && r.type !== "aws:rds/clusterInstance:ClusterInstance") continue;
        const { engine, engineVersion, instanceClass } = r.inputs;
        if (engine === AURORA_POSTGRESQL_ENGINE && engineVersion !== undefined && !AURORA_POSTGRESQL_VERSIONS.includes(engineVersion)) {
            problems.push(`${r.type} ${r.name}: engine version ${JSON.stringify(engineVersion)} is not offered for ${engine} (${AURORA_POSTGRESQL_VERSIONS_SOURCE})`);
        }
        if (r.type === "aws:rds/clusterInstance:ClusterInstance" && instanceClass !== SERVERLESS_V2_CLASS && !AURORA_POSTGRESQL_CLASSES.includes(instanceClass)) {
            problems.push(`${r.type} ${r.name}: instance class ${JSON.stringify(instanceClass)} is not offered for ${AURORA_POSTGRESQL_ENGINE}`);
        }
    }
    return problems;
}

/** A listener takes ACM certificates of its load balancer's region only (ACM user guide, "Supported Regions"). */
function certificateProblems(recorded: readonly GraphResourceInputs[], region: string | undefined): string[] {
    if (region === undefined) return [];
    return recorded
        .filter((r) => r.type === "aws:lb/listener:Listener" && typeof r.inputs.certificateArn === "string")
        .filter((r) => r.inputs.certificateArn.split(":")[3] !== region)
        .map((r) => `${r.type} ${r.name}: certificate ${r.inputs.certificateArn} is not of the stack's region ${region}`);
}
