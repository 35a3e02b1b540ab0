/**
 * IAM pieces every Fargate task of the stack needs: the ECS tasks trust policy with its confused-deputy
 * conditions, and the execution role's statements for writing its own log group, pulling its own
 * private ECR image and reading exactly the secrets its container is given.
 */
import * as pulumi from "@pulumi/pulumi";

/** Where a role's trust policy is evaluated: the partition, region and account of the stack. */
export interface AwsScope {
    readonly partition: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
}

/**
 * Trust policy that lets ECS tasks of this account and region, and nothing acting on behalf of another
 * account, assume a role. ECS sets aws:SourceAccount and aws:SourceArn (`arn:<partition>:ecs:<region>:
 * <account>:*`) when it assumes a task or task execution role (ECS developer guide, "Task IAM role" and
 * "Task execution IAM role": cross-service confused deputy prevention).
 */
export function ecsTasksAssumeRolePolicy(scope: AwsScope): pulumi.Output<string> {
    return serviceTrustPolicy("ecs-tasks.amazonaws.com", {
        ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${scope.partition}:ecs:${scope.region}:${scope.accountId}:*` },
        StringEquals: { "aws:SourceAccount": scope.accountId },
    });
}

/**
 * Trust policy that lets Lambda assume a function's role only for functions of this account and
 * region: Lambda sets aws:SourceAccount and aws:SourceArn (the function's ARN) when it assumes an
 * execution role (Lambda developer guide, "Lambda execution role": cross-service confused deputy
 * prevention). `functionName` narrows it to one function when its name is known before it exists.
 */
export function lambdaAssumeRolePolicy(scope: AwsScope, functionName: pulumi.Input<string> = "*"): pulumi.Output<string> {
    return serviceTrustPolicy("lambda.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": scope.accountId },
        ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${scope.partition}:lambda:${scope.region}:${scope.accountId}:function:${functionName}` },
    });
}

/** A trust policy that lets one AWS service principal assume the role, under `condition`. */
function serviceTrustPolicy(service: string, condition: object): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", Condition: condition }],
    });
}

/** Lets the execution role create streams in, and write to, one log group only. */
export function writeLogsStatement(logGroupArn: pulumi.Input<string>): pulumi.Input<object> {
    return {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: pulumi.interpolate`${logGroupArn}:*`,
    };
}

/**
 * The condition of a statement whose action AWS authorises only on "*": the stack's own region.
 * aws:RequestedRegion is a global condition key AWS sets on every request (IAM user guide, "AWS global
 * condition context keys"), so the grant holds for this stack's region and no other.
 */
export function inRegion(region: pulumi.Input<string>): { StringEquals: { "aws:RequestedRegion": pulumi.Input<string> } } {
    return { StringEquals: { "aws:RequestedRegion": region } };
}

/** Lets the execution role pull from one ECR repository. */
export function ecrPullStatements(repositoryArn: pulumi.Input<string>, region: pulumi.Input<string>): pulumi.Input<object>[] {
    return [
        {
            Sid: "PullOwnImage",
            Effect: "Allow",
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            Resource: repositoryArn,
        },
        {
            // GetAuthorizationToken is authorised only on "*": the token is per registry and account,
            // not per repository (ECR API permissions reference).
            Sid: "GetRegistryToken",
            Effect: "Allow",
            Action: "ecr:GetAuthorizationToken",
            Resource: "*",
            Condition: inRegion(region),
        },
    ];
}

/**
 * The IAM resource a container secret's `valueFrom` is read from. A Secrets Manager reference may carry
 * `:<json-key>:<version-stage>:<version-id>` after the secret's ARN (ECS "Pass Secrets Manager secrets");
 * IAM authorises the secret itself, the first seven colon-separated fields.
 */
export function secretResourceArn(valueFrom: string): string {
    const parts = valueFrom.split(":");
    return parts[2] === "secretsmanager" ? parts.slice(0, 7).join(":") : valueFrom;
}

/**
 * Lets the execution role read exactly the given secrets when it starts the task: GetSecretValue on the
 * Secrets Manager secrets, GetParameters on the SSM parameters, and kms:Decrypt on the customer managed
 * key only when one encrypts them (ECS developer guide, "Required IAM permissions for Amazon ECS secrets").
 */
export function readSecretsStatements(valueFroms: readonly string[], kmsKeyArn?: string): object[] {
    const arns = [...new Set(valueFroms.map(secretResourceArn))].sort();
    const secretsManager = arns.filter((a) => a.split(":")[2] === "secretsmanager");
    const ssm = arns.filter((a) => a.split(":")[2] === "ssm");
    const statements: object[] = [];
    if (secretsManager.length > 0) {
        statements.push({ Sid: "ReadOwnSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretsManager });
    }
    if (ssm.length > 0) {
        statements.push({ Sid: "ReadOwnParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: ssm });
    }
    if (kmsKeyArn !== undefined && arns.length > 0) {
        statements.push({ Sid: "DecryptOwnSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: kmsKeyArn });
    }
    return statements;
}
