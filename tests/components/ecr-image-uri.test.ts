import { expect } from "chai";
import { parseEcrImageUri } from "../../components/ecr-image-uri";

describe("parseEcrImageUri", () => {
    const digest = "sha256:" + "0123456789abcdef".repeat(4);

    const privateImages: [string, { accountId: string; region: string; partition: string; repository: string; repositoryArn: string }][] = [
        ["123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:1.4.2",
            { accountId: "123456789012", region: "us-east-1", partition: "aws", repository: "worker", repositoryArn: "arn:aws:ecr:us-east-1:123456789012:repository/worker" }],
        ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker",
            { accountId: "123456789012", region: "eu-west-1", partition: "aws", repository: "worker", repositoryArn: "arn:aws:ecr:eu-west-1:123456789012:repository/worker" }],
        [`210987654321.dkr.ecr.ap-southeast-2.amazonaws.com/team/queue-worker@${digest}`,
            { accountId: "210987654321", region: "ap-southeast-2", partition: "aws", repository: "team/queue-worker", repositoryArn: "arn:aws:ecr:ap-southeast-2:210987654321:repository/team/queue-worker" }],
        [`123456789012.dkr.ecr.us-east-1.amazonaws.com/app_v2.api:latest@${digest}`,
            { accountId: "123456789012", region: "us-east-1", partition: "aws", repository: "app_v2.api", repositoryArn: "arn:aws:ecr:us-east-1:123456789012:repository/app_v2.api" }],
        ["123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api:7",
            { accountId: "123456789012", region: "cn-north-1", partition: "aws-cn", repository: "api", repositoryArn: "arn:aws-cn:ecr:cn-north-1:123456789012:repository/api" }],
        ["123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/api:7",
            { accountId: "123456789012", region: "us-gov-west-1", partition: "aws-us-gov", repository: "api", repositoryArn: "arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/api" }],
    ];
    for (const [image, expected] of privateImages) {
        it(`parses ${image}`, () => {
            expect(parseEcrImageUri(image)).to.deep.equal(expected);
        });
    }

    const notPrivateEcr = [
        "public.ecr.aws/nginx/nginx:1.27",
        "public.ecr.aws/docker/library/busybox:1.36",
        "nginx:1.27",
        "docker.io/library/busybox",
        "ghcr.io/acme/worker:1",
        "12345678901.dkr.ecr.us-east-1.amazonaws.com/worker:1",          // 11-digit account
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/Worker:1",         // upper-case repository
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/",                 // no repository
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:1/extra",   // path after the tag
        "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example/worker:1",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker@sha256:abc", // truncated digest
    ];
    for (const image of notPrivateEcr) {
        it(`returns undefined for ${image}`, () => {
            expect(parseEcrImageUri(image)).to.equal(undefined);
        });
    }
});
