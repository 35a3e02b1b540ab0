/**
 * Seed 000's proof on moto_server: a service whose custom-metric target-tracking policy (built from the
 * stack's plan) lives in moto, `autoscale metric publish` writing the stack's customMetricSeries, and
 * `autoscale evidence` judging what is there. moto has no DescribeScalingActivities and records no ECS
 * service events, so those two items are UNAVAILABLE unless an activity record is given (the
 * service events only when the record carries them).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { PutScalingPolicyCommand, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { expect } from "chai";
import { main } from "../../cli/autoscale";
import type { CliIo } from "../../cli/io";
import { plannedService } from "../../proof/plan-aws";
import { loadStackFile } from "../../config/stack-file";
import { createApplicationAutoScalingClient } from "../../runtime/aws/clients";
import { formatActivityRecord } from "../../scaling/activity-record";
import { createFixture, motoClientOverrides, motoClients, startMoto, stopAll, type MotoServer } from "../../local/moto-server";
import type { AwsClients } from "../../runtime/aws/clients";

/** Runs `autoscale ...` in-process and returns its exit code and output. */
async function autoscale(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { env: process.env, out: (s) => out.push(s), err: (s) => err.push(s), onStopSignal: () => () => undefined };
    const code = await main(args, io);
    return { code, out: out.join(""), err: err.join("") };
}

/** Points the commands' own client factory at moto for the duration of the suite. */
function useMotoEnvironment(endpoint: string): () => void {
    const keys = ["AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_MAX_ATTEMPTS"] as const;
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    Object.assign(process.env, { AWS_ENDPOINT_URL: endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_MAX_ATTEMPTS: "1" });
    return () => {
        for (const k of keys) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
    };
}

describe("integration: metric publish and evidence against moto_server", function () {
    this.timeout(90_000);
    let moto: MotoServer | undefined;
    let clients: AwsClients;
    let restoreEnv = () => undefined as void;
    const dir = mkdtempSync(path.join(tmpdir(), "evidence-"));
    // The stack's own custom-metric test: service api, bounds 2..4, target 100, series Test/Autoscaling SyntheticLoad.
    const stack = loadStackFile("staging", { customMetricTest: { enabled: true, service: "api", testId: "it-evidence" } });
    const cluster = stack.names.cluster;
    const service = stack.services.api.name;
    const series = stack.customMetricTest.series!;
    const outputsFile = path.join(dir, "outputs.json");

    /** A service with the plan's target and target-tracking policy on the custom series (predefined ones left out). */
    async function serviceWithCustomPolicy(name: string): Promise<void> {
        await createFixture(clients, { cluster, service: name, queue: `${name}-q`, desiredCount: 2 });
        const planned = plannedService({ ...stack.services.api.plan, policies: stack.services.api.plan.policies.filter((p) => p.name === "synthetic-load") }, cluster, name);
        const aas = createApplicationAutoScalingClient(motoClientOverrides(moto!.endpoint));
        await aas.send(new RegisterScalableTargetCommand({
            ServiceNamespace: "ecs", ResourceId: planned.resourceId, ScalableDimension: "ecs:service:DesiredCount",
            MinCapacity: planned.minCapacity, MaxCapacity: planned.maxCapacity,
        }));
        for (const p of planned.policies) await aas.send(new PutScalingPolicyCommand(p.input));
        aas.destroy();
    }

    before(async function () {
        moto = await startMoto();
        clients = motoClients(moto.endpoint);
        restoreEnv = useMotoEnvironment(moto.endpoint);
        writeFileSync(outputsFile, JSON.stringify({ clusterName: cluster, customMetricSeries: series }));
        await serviceWithCustomPolicy(service);
    });

    after(async function () {
        restoreEnv();
        await stopAll({ moto, clients });
    });

    it("publishes the stack's customMetricSeries phase by phase, then evidence gives PASS for series match, metric, datapoints and alarms", async function () {
        const pub = await autoscale(["metric", "publish", "--stack-outputs", outputsFile, "--phase", "200:3s", "--phase", "0:2s", "--every", "1s", "--json"]);
        expect(pub.err).to.equal("");
        expect(pub.code).to.equal(0);
        expect(JSON.parse(pub.out)).to.deep.equal({
            series: "Test/Autoscaling/SyntheticLoad{Cluster=ecs-autoscaling-staging,Service=ecs-autoscaling-staging-api,TestId=it-evidence}",
            sent: 5, planned: 5, phases: [{ value: 200, planned: 3, sent: 3 }, { value: 0, planned: 2, sent: 2 }],
        });

        const out = path.join(dir, "pass");
        const ev = await autoscale(["evidence", "--cluster", cluster, "--ecs-service", service, "--since", "10m", "--out", out]);
        const lines = ev.out.split("\n");
        const status = (item: string) => lines.find((l) => l.split(/\s+/)[1] === item.split(" ")[0] && l.includes(item))?.split(/\s+/)[0];
        const policy = `${service}-synthetic-load`;
        expect(status(`scalable-target`)).to.equal("PASS");
        expect(status(`policy ${policy}`)).to.equal("PASS");
        expect(status(`series-match ${policy}`)).to.equal("PASS");
        expect(status(`metric ${policy}`)).to.equal("PASS");
        expect(status(`datapoints ${policy}`)).to.equal("PASS");
        expect(status(`alarms ${policy}`)).to.equal("PASS");
        expect(status("scaling-activities")).to.equal("UNAVAILABLE");
        expect(status("service-events")).to.equal("UNAVAILABLE");
        expect(ev.code, ev.out + ev.err).to.equal(0);
        expect(lines.find((l) => l.startsWith("UNAVAILABLE") && l.includes("scaling-activities"))).to.contain("the endpoint has no DescribeScalingActivities");

        // The chart holds the series and the target line.
        const svg = readFileSync(path.join(out, "evidence.svg"), "utf8");
        expect(svg.startsWith("<svg")).to.equal(true);
        expect(svg).to.contain(`Test/Autoscaling SyntheticLoad {TestId=it-evidence, Cluster=${cluster}, Service=${service}}`);
        expect(svg).to.contain("target 100");
        expect(svg).to.match(/class="mark-rule role-mark/);
        expect(svg).to.match(/class="mark-line role-mark/);
        const json = JSON.parse(readFileSync(path.join(out, "evidence.json"), "utf8"));
        expect(json.data.datapoints[policy].length).to.be.greaterThan(0);
        expect(readFileSync(path.join(out, "evidence.md"), "utf8")).to.contain("| PASS | series-match");
    });

    it("reads the scaling activities and the service events from an activity record where the endpoint has neither", async function () {
        const record = path.join(dir, "activities.jsonl");
        const resourceId = `service/${cluster}/${service}`;
        writeFileSync(record, `${formatActivityRecord({
            time: new Date(Date.now() - 60_000).toISOString(), resourceId, policy: `${service}-synthetic-load`,
            alarm: `TargetTracking-${resourceId}-AlarmHigh-x`, oldDesired: 2, newDesired: 4, cause: "monitor alarm in state ALARM triggered policy",
            event: `(service ${service}) has started 2 tasks.`,
        })}\n`);
        const ev = await autoscale(["evidence", "--cluster", cluster, "--ecs-service", service, "--since", "10m", "--activities", record, "--out", path.join(dir, "record")]);
        const lines = ev.out.split("\n");
        expect(lines.find((l) => l.includes("scaling-activities"))).to.match(/^PASS +scaling-activities +activity record .*: 1 activities \(1 out, 0 in\)/);
        expect(lines.find((l) => l.includes("service-events"))).to.match(new RegExp(
            `^PASS +service-events +activity record .*activities\\.jsonl \\(the endpoint records no service events\\): 1 events about tasks started or stopped; latest: \\(service ${service}\\) has started 2 tasks\\.$`));
        expect(readFileSync(path.join(dir, "record", "evidence.md"), "utf8")).to.contain(`The endpoint records no service events; these are from the activity record ${record}.`);
        expect(ev.code).to.equal(0);
    });

    it("publishing with one dimension value changed makes the series check FAIL with the diff", async function () {
        // A fresh moto with the same service and policy, and nothing published yet.
        await moto!.reset();
        await serviceWithCustomPolicy(service);
        // The seed's gotcha: one dimension value differs from what the policy watches.
        const dims = Object.entries({ ...series.dimensions, TestId: "it-evidenze" }).map(([k, v]) => `${k}=${v}`);
        const pub = await autoscale(["metric", "publish", "--namespace", series.namespace, "--metric", series.metricName,
            ...dims.flatMap((d) => ["--dimension", d]), "--phase", "200:2s", "--every", "1s"]);
        expect(pub.code, pub.err).to.equal(0);
        const ev = await autoscale(["evidence", "--cluster", cluster, "--ecs-service", service, "--since", "10m", "--out", path.join(dir, "fail")]);
        expect(ev.code, ev.out).to.equal(1);
        const policy = `${service}-synthetic-load`;
        const lines = ev.out.split("\n");
        const at = lines.findIndex((l) => l.startsWith("FAIL") && l.includes(`series-match ${policy}`));
        expect(at, ev.out).to.be.greaterThan(-1);
        expect(lines[at]).to.match(/the policy watches a series nobody publishes; the nearest published one differs in 1 part, so the policy sees no data$/);
        expect(lines.slice(at + 1, at + 6).map((l) => l.trim())).to.deep.equal([
            'namespace: "Test/Autoscaling" (same)',
            'metricName: "SyntheticLoad" (same)',
            '! dimension TestId: policy "it-evidence", published "it-evidenze"',
            `dimension Cluster: "${cluster}" (same)`,
            `dimension Service: "${service}" (same)`,
        ]);
        expect(lines.find((l) => l.includes(`metric ${policy}`))).to.match(/^FAIL/);
        expect(lines.find((l) => l.includes(`datapoints ${policy}`))).to.match(/^FAIL/);
        expect(lines.find((l) => l.includes(`alarms ${policy}`))).to.match(/^PASS/);
    });
});
