/**
 * What the README must tell an operator about Aurora that no graph shows: the teardown that works on a
 * stack with deletion protection and with instances Pulumi does not know (in that order), and that the
 * readers Application Auto Scaling adds keep the class they were created with.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ROOT, stackNames } from "../helpers/stack-files";

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The text of the `## title` section. */
function section(title: string): string {
    const start = README.indexOf(`\n## ${title}\n`);
    expect(start, `README section ${title}`).to.be.greaterThan(-1);
    const end = README.indexOf("\n## ", start + 1);
    return README.slice(start, end < 0 ? undefined : end);
}

describe("README: Aurora teardown and reader classes", () => {
    it("Teardown turns deletion protection off and applies it, removes the instances outside Pulumi's state, then destroys, in that order", () => {
        const t = section("Teardown");
        const steps = [
            "pulumi config set --path aurora.deletionProtection false",
            "pulumi up",
            "npx autoscale aurora teardown --cluster",
            "pulumi destroy",
        ].map((s) => [s, t.indexOf(s)] as const);
        for (const [s, at] of steps) expect(at, `"${s}" in the Teardown section`).to.be.greaterThan(-1);
        expect(steps.map(([, at]) => at)).to.deep.equal(steps.map(([, at]) => at).sort((a, b) => a - b));
        expect(t).to.include("Application Auto Scaling added");
        expect(t).to.include("`<cluster>-final-<creation time>`");
    });

    it("every stack file whose cluster is protected is one the Teardown section's first step applies to", () => {
        const protectedStacks = stackNames().filter((s) => {
            const file = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${s}.yaml`), "utf8"));
            const aurora = file.config?.["ecs-autoscaling:aurora"];
            return aurora !== undefined && aurora.deletionProtection !== false;
        });
        expect(protectedStacks).to.deep.equal(["staging"]);
        for (const s of protectedStacks) expect(section("Teardown")).to.include(`pulumi config set --path aurora.deletionProtection false --stack ${s}`);
    });

    it("Aurora says the readers Application Auto Scaling adds are not resized back after a class scale-down", () => {
        expect(section("Aurora").replace(/\s+/g, " ")).to.include("readers that Application Auto Scaling adds copy the writer's class when they are created (after a scale-up, the large one) and are not resized back on scale-down");
    });
});
