/**
 * The image the queue autoscaler runs: a prebuilt one as given, or the repository's Dockerfile built
 * into a repository of its own, with every source file of the bundle in the build context.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { expect } from "chai";
import { build } from "esbuild";
import { AUTOSCALER_TASK_OPTIONS } from "../../bundle/esbuild";
import { OPTIONS, OUTFILE } from "../../scripts/build";
import { ROOT } from "../helpers/stack-files";
import { ACCOUNT, IMAGE_DIGEST, REGION, ofType, promiseOf } from "../helpers/pulumi-mocks";
import {
    AUTOSCALER_SERVICE, SECRET_SIG, SECRET_VALUE, actions, stagingConfig, deploy, one, taskStatements, executionStatements,
    withAction, container,
} from "../helpers/queue-autoscaler";

describe("QueueAutoscaler: the image it runs", () => {
    const staging = stagingConfig();

    it("uses settings.image as given and creates no repository or build", async () => {
        const image = "public.ecr.aws/example/autoscale:1.2.3";
        const c = await deploy({ ...staging.autoscaler, image });
        expect(await promiseOf(c.image)).to.equal(image);
        expect(container().image).to.equal(image);
        expect(ofType("aws:ecr/repository:Repository")).to.have.length(0);
        expect(ofType("docker-build:index:Image")).to.have.length(0);
        expect(executionStatements().flatMap(actions).filter((a) => a.startsWith("ecr:"))).to.deep.equal([]);
    });

    it("lets the execution role pull a prebuilt private ECR image from that repository only", async () => {
        const image = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/team/autoscale:1.2.3`;
        await deploy({ ...staging.autoscaler, image });
        const pull = withAction(executionStatements(), "ecr:BatchGetImage");
        expect(pull.map((s) => s.Resource)).to.deep.equal([`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/autoscale`]);
        expect(ofType("aws:ecr/repository:Repository")).to.have.length(0);
    });

    it("builds the repository's Dockerfile, pushes it to a repository of its own and runs it by digest when settings.image is absent", async () => {
        expect(staging.autoscaler.image).to.equal(undefined);
        const c = await deploy(staging.autoscaler);
        const repo = one("aws:ecr/repository:Repository");
        expect(repo.inputs).to.include({ name: AUTOSCALER_SERVICE, imageTagMutability: "MUTABLE" });
        expect(repo.inputs.imageScanningConfiguration).to.deep.equal({ scanOnPush: true });

        const built = one("docker-build:index:Image").inputs;
        const repoUrl = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${AUTOSCALER_SERVICE}`;
        expect(built.context).to.deep.equal({ location: ROOT });
        expect(built.dockerfile).to.deep.equal({ location: path.join(ROOT, "Dockerfile") });
        expect(built.push).to.equal(true);
        expect(built.platforms).to.deep.equal(["linux/amd64"]);
        expect(built.tags).to.deep.equal([`${repoUrl}:latest`]);
        // The registry password is a secret, so the SDK marks the whole list secret.
        expect(built.registries[SECRET_SIG], "registries are secret").to.equal(SECRET_VALUE);
        const registries = built.registries.value;
        expect(registries).to.have.length(1);
        expect(registries[0]).to.include({ address: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`, username: "AWS" });

        const expected = `${repoUrl}@${IMAGE_DIGEST}`;
        expect(await promiseOf(c.image)).to.equal(expected);
        expect(container().image).to.equal(expected);

        // Pulling is the execution role's business; the task role gets no ECR permission.
        const exec = executionStatements();
        expect(withAction(exec, "ecr:BatchGetImage").map((s) => s.Resource)).to.deep.equal([`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${AUTOSCALER_SERVICE}`]);
        expect(withAction(exec, "ecr:GetAuthorizationToken").map((s) => s.Resource)).to.deep.equal(["*"]);
        expect(taskStatements().flatMap(actions).filter((a) => a.startsWith("ecr:"))).to.deep.equal([]);
    });

    it("copies into the image build every source file its two bundles are made of, and .dockerignore lets them through", async function () {
        this.timeout(60000);
        // The bundles' own inputs, from the same options `npm run build` uses (not written to disk).
        const results = await Promise.all([OPTIONS, AUTOSCALER_TASK_OPTIONS].map((o) => build({ ...o, write: false, metafile: true, logLevel: "silent" })));
        const sources = [...new Set(results.flatMap((r) => Object.keys(r.metafile!.inputs)))].filter((f) => !f.split("/").includes("node_modules"));
        expect(sources).to.include.members(["cli/autoscale.ts", "runtime/autoscaler/main.ts"]);
        const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
        // `COPY <dir> ./<dir>` copies a folder; `COPY <file>... ./` copies top-level files (package.json, which the bundle reads its version from).
        const copied = [...dockerfile.matchAll(/^COPY (?!--)(\S+) \.\/(\S+)$/gm)].map((m) => m[1]!);
        const files = [...dockerfile.matchAll(/^COPY (?!--)((?:\S+ )+)\.\/$/gm)].flatMap((m) => m[1]!.trim().split(" "));
        const admitted = readFileSync(path.join(ROOT, ".dockerignore"), "utf8").split("\n")
            .filter((l) => l.startsWith("!")).map((l) => l.slice(1).trim());
        for (const dir of copied) expect(admitted, `.dockerignore admits ${dir}`).to.include(dir);
        for (const file of files) expect(admitted, `.dockerignore admits ${file}`).to.include(file);
        const missing = sources.filter((f) => !files.includes(f) && !copied.some((dir) => f.startsWith(`${dir}/`)));
        expect(missing, "bundle inputs the Dockerfile does not copy").to.deep.equal([]);
        expect(copied).to.include("scripts");
    });

    it("has a Dockerfile whose entry point is the bundle scripts/build.ts writes", () => {
        const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
        const bundle = path.relative(ROOT, OUTFILE).split(path.sep).join("/");
        expect(bundle).to.equal("dist/autoscale/index.js");
        expect(dockerfile).to.include(`ENTRYPOINT ["node", "${bundle}"]`);
        expect(dockerfile).to.include(`CMD ["autoscaler", "run"]`);
        expect(dockerfile).to.match(/^USER node$/m);
        // The autoscaler task's bundle, which its task definition's entry point runs, is in the image too.
        const task = path.relative(ROOT, AUTOSCALER_TASK_OPTIONS.outfile!).split(path.sep).join("/");
        expect(task).to.equal("dist/autoscaler/index.js");
        expect(dockerfile).to.include(`COPY --from=build /src/${path.dirname(task)} ./${path.dirname(task)}\n`);
    });
});
