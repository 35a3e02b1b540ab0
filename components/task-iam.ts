/**
 * IAM pieces every Fargate task of the stack needs: the ECS tasks trust policy, and the execution
 * role's statements for writing its own log group and pulling its own private ECR image.
 */
import * as pulumi from "@pulumi/pulumi";

/** Trust policy that lets ECS tasks assume a role. */
export const ECS_TASKS_ASSUME_ROLE_POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
    }],
});

/** Lets the execution role create streams in, and write to, one log group only. */
export function writeLogsStatement(logGroupArn: pulumi.Input<string>): pulumi.Input<object> {
    return {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: pulumi.interpolate`${logGroupArn}:*`,
    };
}

/** Lets the execution role pull from one ECR repository. */
export function ecrPullStatements(repositoryArn: pulumi.Input<string>): pulumi.Input<object>[] {
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
        },
    ];
}
