import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { ApiCallError } from "../../../runtime/aws/call";
import { EcsActuator } from "../../../runtime/autoscaler/actuator";
import type { Decision } from "../../../runtime/autoscaler/types";
import { captureLogs, CLIENT_CONFIG } from "../support";

const service = (desired: number, running = desired, pending = 0) => ({
    services: [{ serviceName: "worker", desiredCount: desired, runningCount: running, pendingCount: pending }],
});
const up = (to: number): Decision => ({ direction: "up", desired: to, reason: { code: "backlog_high", text: "t" } });

describe("EcsActuator", () => {
    const ecs = new ECSClient(CLIENT_CONFIG);
    const ecsMock = mockClient(ecs);
    afterEach(() => ecsMock.reset());

    it("reads desired, running and pending with DescribeServices for the one service", async () => {
        ecsMock.on(DescribeServicesCommand).resolves(service(4, 3, 1));
        const counts = await new EcsActuator({ ecs, cluster: "main", service: "worker" }).readCounts();
        expect(counts).to.deep.equal({ arn: "", desired: 4, running: 3, pending: 1, deploymentInProgress: false });
        expect(ecsMock.commandCalls(DescribeServicesCommand)[0]!.args[0].input).to.deep.equal({ cluster: "main", services: ["worker"] });
    });

    it("fails with operation DescribeServices when the service is missing", async () => {
        ecsMock.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: "arn:aws:ecs:us-east-1:123456789012:service/main/worker", reason: "MISSING" }] });
        const error = await new EcsActuator({ ecs, cluster: "main", service: "worker" }).readCounts().then(() => undefined, (e: unknown) => e as ApiCallError);
        expect(error).to.be.instanceOf(ApiCallError);
        expect(error!.operation).to.equal("DescribeServices");
        expect(error!.message).to.equal('DescribeServices failed: ServiceNotFoundError: ECS service "worker" in cluster "main" not found: MISSING');
    });

    it("sends UpdateService { cluster, service, desiredCount } after re-reading an unchanged desired count", async () => {
        ecsMock.on(DescribeServicesCommand).resolves(service(2)).on(UpdateServiceCommand).resolves({});
        const result = await new EcsActuator({ ecs, cluster: "main", service: "worker" }).apply(up(6), { desired: 2, running: 2, pending: 0 });
        expect(result).to.deep.equal({ outcome: "updated", desired: 6 });
        expect(ecsMock.commandCalls(DescribeServicesCommand)).to.have.length(1);
        const updates = ecsMock.commandCalls(UpdateServiceCommand);
        expect(updates.map((c) => c.args[0].input)).to.deep.equal([{ cluster: "main", service: "worker", desiredCount: 6 }]);
    });

    it("calls nothing when the desired count does not change", async () => {
        const result = await new EcsActuator({ ecs, cluster: "main", service: "worker" })
            .apply({ direction: "none", desired: 3, reason: { code: "within_band", text: "t" } }, { desired: 3, running: 3, pending: 0 });
        expect(result).to.deep.equal({ outcome: "unchanged", desired: 3 });
        expect(ecsMock.calls()).to.have.length(0);
    });

    it("does not overwrite a desired count someone else changed since the tick read it", async () => {
        ecsMock.on(DescribeServicesCommand).resolves(service(8)).on(UpdateServiceCommand).resolves({});
        const logs = captureLogs();
        const result = await new EcsActuator({ ecs, cluster: "main", service: "worker", logger: logs.logger }).apply(up(6), { desired: 5, running: 5, pending: 0 });
        expect(result).to.deep.equal({ outcome: "external_change", desired: 8, observedDesired: 8 });
        expect(ecsMock.commandCalls(UpdateServiceCommand)).to.have.length(0);
        const warn = logs.lines.find((l) => l.level === 40)!;
        expect([warn.from, warn.to, warn.observedDesired]).to.deep.equal([5, 6, 8]);
        expect(warn.msg).to.equal("desired count of worker changed from 5 to 8 by someone else; not overwritten, next tick decides from 8");
    });

    it("in dry-run mode logs the change and calls nothing", async () => {
        const logs = captureLogs();
        const result = await new EcsActuator({ ecs, cluster: "main", service: "worker", dryRun: true, logger: logs.logger }).apply(up(4), { desired: 1, running: 1, pending: 0 });
        expect(result).to.deep.equal({ outcome: "dry_run", desired: 1 });
        expect(ecsMock.calls()).to.have.length(0);
        expect(logs.lines.map((l) => [l.msg, l.from, l.to, l.reason, l.dryRun])).to.deep.equal([
            ["dry run: would set desired count of worker from 1 to 4", 1, 4, "backlog_high", true],
        ]);
    });

    it("names UpdateService when it fails", async () => {
        ecsMock.on(DescribeServicesCommand).resolves(service(1)).on(UpdateServiceCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
        const error = await new EcsActuator({ ecs, cluster: "main", service: "worker" }).apply(up(2), { desired: 1, running: 1, pending: 0 }).then(() => undefined, (e: unknown) => e as ApiCallError);
        expect([error!.operation, error!.code, error!.throttling]).to.deep.equal(["UpdateService", "AccessDeniedException", false]);
    });
});
