/**
 * runtime/aurora/handler.ts: the scaler's settings read from its environment, a malformed event refused
 * without an AWS call, and which trigger an event is.
 */
import { expect } from "chai";
import { handler, settingsFromEnv, triggerOf, SCALER_ENV } from "../../../runtime/aurora/handler";
import { ALARM, CLUSTER } from "./fake-rds";
import { LARGE, SMALL, settings } from "./scaler-fixture";

describe("aurora instance-class scaler: Lambda settings and trigger", () => {
    const env = {
        [SCALER_ENV.clusterIdentifier]: CLUSTER, [SCALER_ENV.alarmName]: ALARM, [SCALER_ENV.smallClass]: SMALL,
        [SCALER_ENV.largeClass]: LARGE, [SCALER_ENV.okSecondsBeforeScaleDown]: "1800", [SCALER_ENV.cooldownSeconds]: "3600", [SCALER_ENV.dryRun]: "false",
    };

    it("reads every setting from the environment", () => {
        expect(settingsFromEnv(env)).to.deep.equal(settings);
    });

    it("names every missing or malformed variable in one error", () => {
        expect(() => settingsFromEnv({ ...env, [SCALER_ENV.cooldownSeconds]: "1h", [SCALER_ENV.alarmName]: undefined, [SCALER_ENV.dryRun]: "yes" }))
            .to.throw("instance-class scaler settings: ALARM_NAME is not set; COOLDOWN_SECONDS=1h must be a whole number of seconds >= 0; DRY_RUN=yes must be true or false");
    });

    it("refuses a malformed SNS event (Records: \"x\") with a logged refusal, without a throw or an AWS call", async () => {
        const saved = { ...process.env };
        const lines: string[] = [];
        const write = process.stdout.write.bind(process.stdout);
        Object.assign(process.env, env);
        // No endpoint anyone answers: a call would fail, so a refusal that makes none is what passes.
        process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:9";
        process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
        try {
            const outcome = await handler({ Records: "x" } as any);
            const nothing = await handler(null as any);
            expect(outcome).to.deep.equal({ result: "refused", reason: 'Records is "x", expected a list of SNS records' });
            expect(nothing).to.deep.equal({ result: "refused", reason: "the event is null, expected an SNS notification or a scheduled event object" });
        } finally {
            process.stdout.write = write;
            for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
            Object.assign(process.env, saved);
        }
        const logged = lines.map((l) => JSON.parse(l));
        expect(logged.map((l) => [l.level, l.msg])).to.deep.equal([
            ["error", 'refused a malformed event: Records is "x", expected a list of SNS records'],
            ["error", "refused a malformed event: the event is null, expected an SNS notification or a scheduled event object"],
        ]);
        expect(triggerOf({ Records: "x" } as any)).to.equal("schedule");
    });

    it("tells an SNS alarm notification from the schedule", () => {
        expect(triggerOf({ Records: [{ EventSource: "aws:sns" }] } as any)).to.equal("alarm");
        expect(triggerOf({ source: "aws.events", "detail-type": "Scheduled Event" } as any)).to.equal("schedule");
    });
});
