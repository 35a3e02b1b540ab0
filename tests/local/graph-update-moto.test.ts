/**
 * `autoscale up` against an endpoint that still holds the stack (AWS_ENDPOINT_URL, after a run that
 * was killed) updates it as `pulumi up` would: the program runs again, a resource whose inputs are
 * unchanged is kept (no call but a check that it exists), a changed one is updated in place (an upsert
 * such as RegisterScalableTarget) or replaced, and the ids the program sees are the kept ones.
 */
import { expect } from "chai";
import { DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { stackConfig } from "../../config/stack-file";
import { configOverrides } from "../../local/config-overrides";
import { applyGraph } from "../../local/graph/apply";
import { APPLIERS } from "../../local/graph/appliers";
import { applyContext, closeClients } from "../../local/graph/context";
import type { StateEntry } from "../../local/graph/state";
import { startMoto, type MotoServer } from "../../local/moto-server";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const STACK = "localstack";

describe("local stack: a second apply updates what the endpoint holds", function () {
    this.timeout(120_000);
    let moto: MotoServer;

    before(async () => {
        moto = await startMoto();
    });

    after(async () => {
        await moto?.stop();
    });

    it("keeps unchanged resources and updates exactly the ones whose inputs changed, in place", async () => {
        const ctx = applyContext(moto.endpoint, "us-east-1", STACK);
        const functionsDir = path.join(os.tmpdir(), `local-graph-update-${process.pid}`);
        try {
            const apply = async (config: readonly string[], previous: readonly StateEntry[]) => {
                const actions: Record<string, string[]> = { created: [], kept: [], updated: [], replaced: [] };
                const result = await applyGraph({
                    project: "ecs-autoscaling", stack: STACK, config: stackConfig(STACK, configOverrides(ROOT, STACK, config), ROOT), ctx, functionsDir, previous,
                    onApplied: (entry, action) => actions[action].push(entry.key),
                });
                return { result, actions };
            };
            const first = await apply([], []);
            expect(first.actions.kept).to.deep.equal([]);
            expect(first.actions.created).to.have.length(first.result.entries.length);

            const second = await apply(["services.api.maxCapacity=3"], first.result.entries);
            const target = "aws:appautoscaling/target:Target::api-scaling-target";
            // The api's bound is in its scalable target and drawn on the dashboard: both change, nothing else.
            expect([...second.actions.updated].sort()).to.deep.equal(["aws:appautoscaling/target:Target::api-scaling-target", "aws:cloudwatch/dashboard:Dashboard::dashboard-dashboard"]);
            expect(second.actions.replaced).to.deep.equal([]);
            expect(second.actions.created).to.deep.equal([]);
            expect(second.actions.kept).to.have.length(first.result.entries.length - 2);
            expect(second.result.removed).to.deep.equal([]);
            // Every resource keeps its id, and the endpoint holds the new bound.
            const ids = (entries: readonly StateEntry[]) => Object.fromEntries(entries.map((e) => [e.key, e.id]));
            expect(ids(second.result.entries)).to.deep.equal(ids(first.result.entries));
            const api = second.result.entries.find((e) => e.key === target)!;
            const described = await ctx.clients.autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: [String((api.inputs as { resourceId: string }).resourceId)] }));
            expect(described.ScalableTargets?.map((t) => t.MaxCapacity)).to.deep.equal([3]);
            for (const e of second.result.entries) expect(await APPLIERS[e.type].exists(ctx, e.id, { ...e.inputs, ...e.outputs }), e.key).to.equal(true);
        } finally {
            closeClients(ctx.clients);
        }
    });
});
