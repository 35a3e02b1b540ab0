/**
 * `autoscale validate`: every stack file of the repository passes; a stack file with one error of each
 * kind (the region, a value out of its rule, a rule across two keys) gets every error with its
 * key, value and rule and exit 2; a stack the config accepts but the program refuses (more zones than
 * the region has) gets the program's problem. Bad stack files are written to a scratch project whose
 * Pulumi.yaml is the repository's and whose program is the repository's index.ts (a symlink).
 */
import { execFile } from "child_process";
import { expect } from "chai";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PROJECT_ROOT, stackNames } from "../../config/stack-file";
import { validateStack } from "../../proof/validate";

const NODE = process.execPath;
const BIN = path.join(PROJECT_ROOT, "bin", "autoscale.js");

function stagingWith(edit: (config: Record<string, any>) => void): string {
    const doc = parse(readFileSync(path.join(PROJECT_ROOT, "Pulumi.staging.yaml"), "utf8"));
    edit(doc.config);
    return stringify(doc);
}

describe("autoscale validate", function () {
    this.timeout(120_000);
    let scratch: string;

    before(() => {
        scratch = mkdtempSync(path.join(os.tmpdir(), "validate-"));
        copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(scratch, "Pulumi.yaml"));
        symlinkSync(path.join(PROJECT_ROOT, "index.ts"), path.join(scratch, "index.ts"));
        writeFileSync(path.join(scratch, "Pulumi.broken.yaml"), stagingWith((c) => {
            c["aws:region"] = "us-east1";
            c["ecs-autoscaling:services"].api.cpu = 500;
            c["ecs-autoscaling:services"].gateway.minCapacity = 9;
        }));
        writeFileSync(path.join(scratch, "Pulumi.zones.yaml"), stagingWith((c) => {
            c["ecs-autoscaling:network"].availabilityZones = 4;
        }));
    });
    after(() => rmSync(scratch, { recursive: true, force: true }));

    it("passes every stack file of the repository and says each service's plan in words", async () => {
        const names = stackNames(PROJECT_ROOT);
        expect(names).to.include.members(["localstack", "staging"]);
        for (const stack of names) {
            const v = await validateStack(stack, PROJECT_ROOT);
            expect(v.problems, stack).to.deep.equal([]);
            expect(v.valid, stack).to.equal(true);
        }
        const staging = await validateStack("staging", PROJECT_ROOT);
        expect(staging.services.find((s) => s.service === "api")).to.deep.equal({
            service: "api", ecsService: "ecs-autoscaling-staging-api",
            plan: "2-10 tasks, keeps average CPU at 70 %; keeps average memory at 80 %; keeps requests per task at 1000",
        });
        expect(staging.services.find((s) => s.service === "jobs")?.plan).to.equal(
            "0-10 tasks, set by the queue autoscaler from queue jobs every 5 s: enough tasks that no message waits over 60 s at the rate tasks are seen to process");
    });

    it("prints every error of a stack file with its key, value and rule, and exits 2", async () => {
        const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
            execFile(NODE, [BIN, "validate", "--stack", "broken"], { cwd: scratch, env: { ...process.env, LOG_LEVEL: "silent" } },
                (error, stdout) => resolve({ code: error ? (error as { code?: number }).code ?? null : 0, stdout }));
        });
        expect(code).to.equal(2);
        expect(stdout).to.equal([
            "broken: 3 problems",
            '  error: aws:region: "us-east1" must be an AWS region code such as us-east-1 (one of 48 known regions); did you mean us-east-1?',
            "  error: services.api.cpu: 500 is not a Fargate CPU size; expected one of 256, 512, 1024, 2048, 4096, 8192, 16384",
            "  error: services.gateway.minCapacity: 9 must be <= services.gateway.maxCapacity (4)",
            "",
        ].join("\n"));
    });

    it("reports what only the program finds: more zones than the stack's region has", async () => {
        const v = await validateStack("zones", scratch);
        expect(v.valid).to.equal(false);
        expect(v.problems).to.deep.equal([
            "network.availabilityZones: 4 exceeds the 3 availability zones of the stack's region (us-east-1a, us-east-1b, us-east-1c)",
        ]);
    });
});
