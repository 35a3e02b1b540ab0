/**
 * IAM roles and policies, SNS topics, the KMS key, EventBridge rules, the ECR repository and the Lambda
 * functions, through signed requests (local/aws/signed-request.ts): the project has no SDK client for
 * these services, and the local stack needs only their create, describe and delete calls.
 */
import { crc32 } from "zlib";
import { jsonCall, queryCall, restJsonCall, xmlFind, type Endpoint } from "../aws/signed-request";
import { found, ignoreMissing, type Applier } from "./applier";

const iam = (e: Endpoint, action: string, p: Record<string, string | undefined>) => queryCall(e, "iam", "2010-05-08", action, p);
const sns = (e: Endpoint, action: string, p: Record<string, string | undefined>) => queryCall(e, "sns", "2010-03-31", action, p);
const kms = (e: Endpoint, action: string, input: object) => jsonCall(e, "kms", "TrentService", action, input);
const events = (e: Endpoint, action: string, input: object) => jsonCall(e, "events", "AWSEvents", action, input);
const ecr = (e: Endpoint, action: string, input: object) => jsonCall(e, "ecr", "AmazonEC2ContainerRegistry_V20150921", action, input);
const FUNCTIONS = "/2015-03-31/functions";

const role: Applier = {
    async create(ctx, name, inputs) {
        const roleName = inputs.name ?? ctx.autoName(name, 64);
        const r = await iam(ctx.endpoint, "CreateRole", { RoleName: roleName, AssumeRolePolicyDocument: inputs.assumeRolePolicy, Description: inputs.description, Path: inputs.path });
        return { id: roleName, outputs: { name: roleName, arn: String(xmlFind(r, "Arn")), uniqueId: String(xmlFind(r, "RoleId")) } };
    },
    exists: (ctx, id) => found(async () => xmlFind(await iam(ctx.endpoint, "GetRole", { RoleName: id }), "Arn") !== undefined),
    remove: (ctx, id) => ignoreMissing(() => iam(ctx.endpoint, "DeleteRole", { RoleName: id })),
};

const rolePolicy: Applier = {
    async create(ctx, name, inputs) {
        const policyName = inputs.name ?? ctx.autoName(name, 128);
        await iam(ctx.endpoint, "PutRolePolicy", { RoleName: inputs.role, PolicyName: policyName, PolicyDocument: inputs.policy });
        return { id: `${inputs.role}:${policyName}`, outputs: { name: policyName } };
    },
    exists: (ctx, _id, o) => found(async () => xmlFind(await iam(ctx.endpoint, "GetRolePolicy", { RoleName: o.role, PolicyName: o.name }), "PolicyDocument") !== undefined),
    remove: (ctx, _id, o) => ignoreMissing(() => iam(ctx.endpoint, "DeleteRolePolicy", { RoleName: o.role, PolicyName: o.name })),
};

const topic: Applier = {
    async create(ctx, name, inputs) {
        const topicName = inputs.name ?? ctx.autoName(name, 256);
        const attrs: Record<string, string | undefined> = {};
        if (inputs.kmsMasterKeyId) Object.assign(attrs, { "Attributes.entry.1.key": "KmsMasterKeyId", "Attributes.entry.1.value": inputs.kmsMasterKeyId });
        const arn = String(xmlFind(await sns(ctx.endpoint, "CreateTopic", { Name: topicName, ...attrs }), "TopicArn"));
        return { id: arn, outputs: { arn, name: topicName } };
    },
    exists: (ctx, id) => found(async () => xmlFind(await sns(ctx.endpoint, "GetTopicAttributes", { TopicArn: id }), "Attributes") !== undefined),
    remove: (ctx, id) => ignoreMissing(() => sns(ctx.endpoint, "DeleteTopic", { TopicArn: id })),
};

const topicPolicy: Applier = {
    async create(ctx, _name, inputs) {
        await sns(ctx.endpoint, "SetTopicAttributes", { TopicArn: inputs.arn, AttributeName: "Policy", AttributeValue: inputs.policy });
        return { id: inputs.arn, outputs: {} };
    },
    exists: (ctx, id) => found(async () => JSON.stringify(await sns(ctx.endpoint, "GetTopicAttributes", { TopicArn: id })).includes("Policy")),
    // Deleting the policy resource leaves the topic with SNS's default policy.
    remove: async () => undefined,
};

const subscription: Applier = {
    async create(ctx, _name, inputs) {
        const arn = String(xmlFind(await sns(ctx.endpoint, "Subscribe", { TopicArn: inputs.topic, Protocol: inputs.protocol, Endpoint: inputs.endpoint, ReturnSubscriptionArn: "true" }), "SubscriptionArn"));
        return { id: arn, outputs: { arn } };
    },
    exists: (ctx, id) => found(async () => xmlFind(await sns(ctx.endpoint, "GetSubscriptionAttributes", { SubscriptionArn: id }), "Attributes") !== undefined),
    remove: (ctx, id) => ignoreMissing(() => sns(ctx.endpoint, "Unsubscribe", { SubscriptionArn: id })),
};

const key: Applier = {
    async create(ctx, _name, inputs) {
        const r = await kms(ctx.endpoint, "CreateKey", { Description: inputs.description, Policy: inputs.policy });
        const keyId = String(r.KeyMetadata?.KeyId);
        if (inputs.enableKeyRotation) await kms(ctx.endpoint, "EnableKeyRotation", { KeyId: keyId });
        return { id: keyId, outputs: { keyId, arn: r.KeyMetadata?.Arn } };
    },
    exists: (ctx, id) => found(async () => (await kms(ctx.endpoint, "DescribeKey", { KeyId: id })).KeyMetadata?.KeyState === "Enabled"),
    // KMS deletes a key only after a waiting period (7 to 30 days); until then it is PendingDeletion and unusable.
    remove: (ctx, id, o) => ignoreMissing(() => kms(ctx.endpoint, "ScheduleKeyDeletion", { KeyId: id, PendingWindowInDays: o.deletionWindowInDays ?? 7 })),
};

const eventRule: Applier = {
    async create(ctx, name, inputs) {
        const ruleName = inputs.name ?? ctx.autoName(name, 64);
        const r = await events(ctx.endpoint, "PutRule", { Name: ruleName, ScheduleExpression: inputs.scheduleExpression, EventPattern: inputs.eventPattern, Description: inputs.description, State: inputs.state ?? "ENABLED" });
        return { id: ruleName, outputs: { name: ruleName, arn: r.RuleArn } };
    },
    exists: (ctx, id) => found(async () => (await events(ctx.endpoint, "DescribeRule", { Name: id })).Name === id),
    remove: (ctx, id) => ignoreMissing(() => events(ctx.endpoint, "DeleteRule", { Name: id })),
};

const eventTarget: Applier = {
    async create(ctx, name, inputs) {
        const targetId = inputs.targetId ?? ctx.autoName(name, 64);
        await events(ctx.endpoint, "PutTargets", { Rule: inputs.rule, Targets: [{ Id: targetId, Arn: inputs.arn, ...(inputs.input ? { Input: inputs.input } : {}) }] });
        return { id: `${inputs.rule}-${targetId}`, outputs: { targetId } };
    },
    exists: (ctx, _id, o) => found(async () => ((await events(ctx.endpoint, "ListTargetsByRule", { Rule: o.rule })).Targets ?? []).some((t: { Id?: string }) => t.Id === o.targetId)),
    remove: (ctx, _id, o) => ignoreMissing(() => events(ctx.endpoint, "RemoveTargets", { Rule: o.rule, Ids: [o.targetId] })),
};

const repository: Applier = {
    async create(ctx, name, inputs) {
        const repositoryName = inputs.name ?? ctx.autoName(name, 256);
        const r = await ecr(ctx.endpoint, "CreateRepository", { repositoryName, imageTagMutability: inputs.imageTagMutability, imageScanningConfiguration: { scanOnPush: inputs.imageScanningConfiguration?.scanOnPush ?? false } });
        return { id: repositoryName, outputs: { name: repositoryName, arn: r.repository?.repositoryArn, repositoryUrl: r.repository?.repositoryUri, registryId: r.repository?.registryId } };
    },
    exists: (ctx, id) => found(async () => ((await ecr(ctx.endpoint, "DescribeRepositories", { repositoryNames: [id] })).repositories ?? []).length > 0),
    remove: (ctx, id) => ignoreMissing(() => ecr(ctx.endpoint, "DeleteRepository", { repositoryName: id, force: true })),
};

const lifecyclePolicy: Applier = {
    async create(ctx, _name, inputs) {
        await ecr(ctx.endpoint, "PutLifecyclePolicy", { repositoryName: inputs.repository, lifecyclePolicyText: inputs.policy });
        return { id: inputs.repository, outputs: {} };
    },
    exists: (ctx, id) => found(async () => (await ecr(ctx.endpoint, "GetLifecyclePolicy", { repositoryName: id })).lifecyclePolicyText !== undefined),
    remove: (ctx, id) => ignoreMissing(() => ecr(ctx.endpoint, "DeleteLifecyclePolicy", { repositoryName: id })),
};

/** A ZIP archive (stored, not deflated) of one file: what Lambda's CreateFunction takes as ZipFile. */
export function zipOneFile(name: string, content: Buffer): Buffer {
    const fileName = Buffer.from(name);
    const crc = crc32(content);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(content.length, 18); local.writeUInt32LE(content.length, 22); local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(content.length, 20); central.writeUInt32LE(content.length, 24); central.writeUInt16LE(fileName.length, 28);
    const centralOffset = local.length + fileName.length + content.length;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
    end.writeUInt32LE(central.length + fileName.length, 12); end.writeUInt32LE(centralOffset, 16);
    return Buffer.concat([local, fileName, content, central, fileName, end]);
}

/** The files of the function's code archive as the program registered it (an AssetArchive of StringAssets). */
function archiveFiles(code: any): Record<string, string> {
    const assets = code?.assets ?? {};
    return Object.fromEntries(Object.entries(assets).map(([k, v]: [string, any]) => [k, String(v?.text ?? "")]));
}

const lambdaFunction: Applier = {
    async create(ctx, name, inputs) {
        const functionName = inputs.name ?? ctx.autoName(name, 64);
        const files = archiveFiles(inputs.code);
        const [file, text] = Object.entries(files)[0] ?? ["index.js", ""];
        const r = await restJsonCall(ctx.endpoint, "lambda", "POST", FUNCTIONS, {
            FunctionName: functionName, Runtime: inputs.runtime, Role: inputs.role, Handler: inputs.handler, Description: inputs.description,
            Timeout: inputs.timeout, MemorySize: inputs.memorySize, Environment: { Variables: inputs.environment?.variables ?? {} },
            Code: { ZipFile: zipOneFile(file, Buffer.from(text)).toString("base64") },
        });
        return { id: functionName, outputs: { name: functionName, arn: r.FunctionArn, invokeArn: `arn:aws:apigateway:${ctx.region}:lambda:path/2015-03-31/functions/${r.FunctionArn}/invocations`, version: r.Version } };
    },
    exists: (ctx, id) => found(async () => (await restJsonCall(ctx.endpoint, "lambda", "GET", `${FUNCTIONS}/${encodeURIComponent(id)}`)).Configuration !== undefined),
    remove: (ctx, id) => ignoreMissing(() => restJsonCall(ctx.endpoint, "lambda", "DELETE", `${FUNCTIONS}/${encodeURIComponent(id)}`)),
};

const permission: Applier = {
    async create(ctx, name, inputs) {
        const statementId = inputs.statementId ?? ctx.autoName(name, 100);
        await restJsonCall(ctx.endpoint, "lambda", "POST", `${FUNCTIONS}/${encodeURIComponent(inputs.function)}/policy`, {
            StatementId: statementId, Action: inputs.action, Principal: inputs.principal, SourceArn: inputs.sourceArn,
        });
        return { id: statementId, outputs: { statementId } };
    },
    exists: (ctx, id, o) => found(async () => String((await restJsonCall(ctx.endpoint, "lambda", "GET", `${FUNCTIONS}/${encodeURIComponent(o.function)}/policy`)).Policy ?? "").includes(id)),
    remove: (ctx, id, o) => ignoreMissing(() => restJsonCall(ctx.endpoint, "lambda", "DELETE", `${FUNCTIONS}/${encodeURIComponent(o.function)}/policy/${encodeURIComponent(id)}`)),
};

export const SIGNED_APPLIERS: Record<string, Applier> = {
    "aws:iam/role:Role": role,
    "aws:iam/rolePolicy:RolePolicy": rolePolicy,
    "aws:sns/topic:Topic": topic,
    "aws:sns/topicPolicy:TopicPolicy": topicPolicy,
    "aws:sns/topicSubscription:TopicSubscription": subscription,
    "aws:kms/key:Key": key,
    "aws:cloudwatch/eventRule:EventRule": eventRule,
    "aws:cloudwatch/eventTarget:EventTarget": eventTarget,
    "aws:ecr/repository:Repository": repository,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": lifecyclePolicy,
    "aws:lambda/function:Function": lambdaFunction,
    "aws:lambda/permission:Permission": permission,
};
