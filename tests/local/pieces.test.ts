/**
 * The pure pieces of the local stack: reading scaling activities from the three writers of a desired
 * count, the oldest-message age estimate, the load balancer's rule matching, EventBridge rate
 * schedules, `--config path=value` overrides, and the one-file ZIP Lambda receives.
 */
import { execFileSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import type { Rule } from "@aws-sdk/client-elastic-load-balancing-v2";
import { activityFromAutoscalerLog, activityFromRecord, activityFromScaleToZeroLog, activityLine } from "../../local/activities";
import { configOverrides } from "../../local/config-overrides";
import { rateSeconds } from "../../local/functions";
import { zipOneFile } from "../../local/graph/appliers-signed";
import { pathMatches, ruleFor } from "../../local/load-balancer";
import { AgeEstimate } from "../../local/metrics";

const ROOT = path.resolve(__dirname, "..", "..");

describe("local stack pieces", () => {
    it("reads an activity from the emulator's record, the autoscaler's log line and a wake's log line", () => {
        const record = activityFromRecord(JSON.stringify({
            time: "2026-12-06T19:28:13.000Z", resourceId: "service/c/c-worker", policy: "c-worker-queue-depth-out", alarm: "c-worker-queue-depth-out",
            oldDesired: 2, newDesired: 5, cause: "monitor alarm in state ALARM",
        }));
        expect(record).to.deep.equal({ at: Date.parse("2026-12-06T19:28:13.000Z"), service: "c-worker", from: 2, to: 5, by: "policy c-worker-queue-depth-out", cause: "monitor alarm in state ALARM" });
        expect(activityLine(record!)).to.equal("19:28:13 c-worker: desired 2 -> 5 (policy c-worker-queue-depth-out: monitor alarm in state ALARM)");
        const scheduled = activityFromRecord(JSON.stringify({
            time: "2026-12-06T19:30:00.000Z", resourceId: "service/c/c-api", policy: "c-api-office-hours", oldDesired: 1, newDesired: 3,
            cause: "scheduled action name c-api-office-hours set min capacity to 3, changing the desired capacity from 1 to 3",
        }));
        expect(scheduled?.by).to.equal("scheduled action c-api-office-hours");
        const autoscaler = activityFromAutoscalerLog(JSON.stringify({ level: "info", time: 1796585000000, from: 0, to: 3, reason: "from_zero", msg: "set desired count of c-worker from 0 to 3 (from_zero)" }));
        expect(autoscaler).to.deep.equal({ at: 1796585000000, service: "c-worker", from: 0, to: 3, by: "queue autoscaler", cause: "from_zero" });
        expect(activityFromAutoscalerLog(JSON.stringify({ msg: "tick", to: 3 }))).to.equal(undefined);
        expect(activityFromAutoscalerLog("not json")).to.equal(undefined);
        const wake = activityFromScaleToZeroLog(JSON.stringify({
            time: "2026-12-06T19:33:25.890Z", service: "c-preview", desiredBefore: 0, desiredCount: 1, transition: "wake-requested",
            reason: "asleep (desired 0); asking for 1 task(s)", msg: "wake: wake-requested (asleep (desired 0); asking for 1 task(s))",
        }));
        expect(wake).to.deep.equal({ at: Date.parse("2026-12-06T19:33:25.890Z"), service: "c-preview", from: 0, to: 1, by: "scale-to-zero wake", cause: "wake-requested: asleep (desired 0); asking for 1 task(s)" });
        // A pass that left the desired count as it was is no activity.
        expect(activityFromScaleToZeroLog(JSON.stringify({ service: "c-preview", desiredBefore: 0, desiredCount: 0, transition: "slept", msg: "idle check: slept" }))).to.equal(undefined);
    });

    it("estimates the oldest message's age from counts, oldest arrival first", () => {
        const age = new AgeEstimate();
        expect(age.update(0, 10)).to.equal(0);
        expect(age.update(5_000, 15)).to.equal(5);
        // 12 gone: the 10 that came first and 2 of the second 5; the oldest left arrived at 5 s.
        expect(age.update(8_000, 3)).to.equal(3);
        expect(age.update(9_000, 0)).to.equal(0);
        expect(age.update(10_000, 1)).to.equal(0);
        expect(age.update(14_000, 1)).to.equal(4);
    });

    it("matches listener rules by priority and path pattern, else the default action", () => {
        expect(pathMatches("/preview/*", "/preview/a/b")).to.equal(true);
        expect(pathMatches("/preview", "/preview/")).to.equal(false);
        expect(pathMatches("/p?g", "/pig")).to.equal(true);
        expect(pathMatches("/a.b", "/axb")).to.equal(false);
        const rules: Rule[] = [
            { RuleArn: "api", Priority: "100", IsDefault: false, Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/*"] } }] },
            { RuleArn: "preview", Priority: "10", IsDefault: false, Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/preview", "/preview/*"] } }] },
            { RuleArn: "default", Priority: "default", IsDefault: true, Conditions: [] },
        ];
        expect(ruleFor(rules, "/preview")?.RuleArn).to.equal("preview");
        expect(ruleFor(rules, "/previews")?.RuleArn).to.equal("api");
        expect(ruleFor(rules.slice(1), "/other")?.RuleArn).to.equal("default");
    });

    it("runs rate() schedules and leaves cron expressions to be listed", () => {
        expect(rateSeconds("rate(1 minute)")).to.equal(60);
        expect(rateSeconds("rate(5 minutes)")).to.equal(300);
        expect(rateSeconds("rate(2 hours)")).to.equal(7200);
        expect(rateSeconds("cron(0 12 * * ? *)")).to.equal(undefined);
    });

    it("reads --config path=value as pulumi's --config-path does, onto the stack file's structured value", () => {
        const o = configOverrides(ROOT, "localstack", ["autoscaler.scaleDownCooldownSeconds=5", 'services.worker.environment.PROCESSING_MS="200"', "logRetentionDays=3"]);
        expect(o.logRetentionDays).to.equal(3);
        expect((o.autoscaler as Record<string, unknown>).scaleDownCooldownSeconds).to.equal(5);
        expect((o.autoscaler as Record<string, unknown>).intervalSeconds).to.equal(2);
        expect((o.services as any).worker.environment).to.deep.equal({ PROCESSING_MS: "200" });
        expect((o.services as any).api.maxCapacity).to.equal(2);
        expect(() => configOverrides(ROOT, "localstack", ["noequals"])).to.throw('--config: "noequals" must be <path>=<value>, e.g. autoscaler.scaleDownCooldownSeconds=5');
        expect(() => configOverrides(ROOT, "localstack", ["logRetentionDays.x=1"])).to.throw("--config: logRetentionDays.x=1: logRetentionDays is not a structured value");
    });

    it("zips one file the way unzip reads it back", () => {
        const dir = mkdtempSync(path.join(os.tmpdir(), "zip-"));
        try {
            const file = path.join(dir, "code.zip");
            writeFileSync(file, zipOneFile("index.js", Buffer.from("exports.handler = async () => 42;\n")));
            expect(execFileSync("python3", ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip(), z.namelist(), z.read('index.js').decode(), end='')", file]).toString())
                .to.equal("None ['index.js'] exports.handler = async () => 42;\n");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
