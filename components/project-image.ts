/**
 * The image of this repository (Dockerfile: the `autoscale` bundle), built once per stack and run by the
 * queue autoscaler and by every service that names a built-in workload (`workload: worker | gateway`).
 * Either a prebuilt reference from config (`autoscaler.image`), or the Dockerfile built at deploy time
 * and pushed to an ECR repository of the stack.
 */
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { parseEcrImageUri } from "./ecr-image-uri";

/** The repository root: the Docker build context, holding the Dockerfile that packages the runtime. */
export const BUILD_CONTEXT = path.resolve(__dirname, "..");

/** What a task needs to run the project image: the reference, and the ECR repository its execution role may pull from. */
export interface ProjectImageRef {
    readonly image: pulumi.Input<string>;
    /** Undefined for an image outside a private ECR repository (nothing to pull from ECR). */
    readonly ecrRepositoryArn?: pulumi.Input<string>;
}

export interface ProjectImageArgs {
    /** A prebuilt image reference; defaults to none, and then the Dockerfile is built and pushed. */
    readonly image?: string;
    /** Physical name of the ECR repository created when `image` is absent. Required. */
    readonly repositoryName: string;
}

export class ProjectImage extends pulumi.ComponentResource implements ProjectImageRef {
    /** `args.image`, or `<repository>@<digest>` of the image built at deploy time. */
    public readonly image: pulumi.Output<string>;
    /** The repository the image is pulled from, when it is a private ECR one. */
    public readonly ecrRepositoryArn?: pulumi.Output<string>;

    constructor(name: string, args: ProjectImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ecs-autoscaling:ecr:ProjectImage", name, {}, opts);
        const parent = { parent: this };
        if (args.image !== undefined) {
            this.image = pulumi.output(args.image);
            // A private ECR image needs pull rights on its repository; public registries need none.
            const arn = parseEcrImageUri(args.image)?.repositoryArn;
            this.ecrRepositoryArn = arn !== undefined ? pulumi.output(arn) : undefined;
        } else {
            // Tags are MUTABLE because every build pushes the same `latest` tag; what runs is pinned by
            // digest below, so a moved tag never changes a running or future task. An immutable tag
            // would have to be unique per build, and the repository would keep every build's tag forever.
            const repository = new aws.ecr.Repository(`${name}-images`, {
                name: args.repositoryName,
                imageTagMutability: "MUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                // The repository holds only this stack's builds; destroying the stack removes them.
                forceDelete: true,
            }, { parent: this, deleteBeforeReplace: true });
            new aws.ecr.LifecyclePolicy(`${name}-images-expiry`, {
                repository: repository.name,
                policy: JSON.stringify({
                    rules: [{
                        rulePriority: 1,
                        description: "Keep the 10 most recent untagged images (earlier builds, for rollback)",
                        selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 10 },
                        action: { type: "expire" },
                    }],
                }),
            }, parent);
            const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, parent);
            const built = new dockerBuild.Image(`${name}-image`, {
                context: { location: BUILD_CONTEXT },
                dockerfile: { location: path.join(BUILD_CONTEXT, "Dockerfile") },
                // Fargate tasks run on X86_64 (the task definitions' runtimePlatform), whatever machine runs `pulumi up`.
                platforms: ["linux/amd64"],
                push: true,
                // @pulumi/docker-build builds (and needs Docker) during `pulumi preview` unless told not to
                // (its Image docs, "Previews"); Docker is needed only for `pulumi up`.
                buildOnPreview: false,
                tags: [pulumi.interpolate`${repository.repositoryUrl}:latest`],
                registries: [{
                    address: repository.repositoryUrl.apply((url) => url.split("/")[0]),
                    username: token.userName,
                    password: pulumi.secret(token.password),
                }],
            }, parent);
            this.image = pulumi.interpolate`${repository.repositoryUrl}@${built.digest}`;
            this.ecrRepositoryArn = repository.arn;
        }
        this.registerOutputs({ image: this.image, ecrRepositoryArn: this.ecrRepositoryArn });
    }
}
