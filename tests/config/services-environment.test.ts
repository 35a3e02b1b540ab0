/**
 * The built-in workloads' settings (services.<key>.environment of a `workload: worker` or
 * `workload: gateway` service) are refused by config, naming the key, whenever the workload's command
 * would refuse them at start (cli/commands/worker.ts, gateway.ts, runtime/aws/logger.ts): a value that
 * passed config and then made the task exit 2 after deployment is what this prevents.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { workerSettings } from "../../cli/commands/worker";
import { parseCount } from "../../input/usage";
import { logLevel } from "../../runtime/aws/logger";
import { problemsOf } from "../helpers/config-problems";
import { ROOT } from "../helpers/stack-files";

const STAGING_SERVICES = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8")).config["ecs-autoscaling:services"];

/** Staging with one environment variable of `service` set. */
function withEnv(service: string, name: string, value: string): Record<string, unknown> {
    const s = STAGING_SERVICES[service];
    return { services: { ...STAGING_SERVICES, [service]: { ...s, environment: { ...s.environment, [name]: value } } } };
}

/** Whether the workload's own start-up check refuses the value (what the task would do with it). */
function commandRefuses(workload: "worker" | "gateway", name: string, value: string): boolean {
    const worker = { queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/q", processingMs: "1000", waitSeconds: "20", protectionMinutes: "10" };
    const key: Record<string, keyof typeof worker> = { PROCESSING_MS: "processingMs", WAIT_SECONDS: "waitSeconds", PROTECTION_MINUTES: "protectionMinutes" };
    try {
        if (name === "LOG_LEVEL") logLevel(undefined, { LOG_LEVEL: value });
        else if (workload === "worker") workerSettings({ ...worker, [key[name]]: value });
        // The gateway parses --port as a count >= 1; listen() then refuses a port above 65535 (Node's net module).
        else if (parseCount(value, "--port", 1) > 65535) return true;
        return false;
    } catch {
        return true;
    }
}

const W = "read by the worker when it starts";
const G = "read by the gateway when it starts";
const LEVELS = "fatal, error, warn, info, debug, trace, silent";
const rows: [string, "worker" | "gateway", string, string, string[]][] = [
    ["worker", "worker", "PROCESSING_MS", "250", []],
    ["worker", "worker", "PROCESSING_MS", "0", []],
    ["worker", "worker", "PROCESSING_MS", "abc", [`services.worker.environment.PROCESSING_MS: "abc" must be a whole number >= 0 (work per message, ms, ${W})`]],
    ["worker", "worker", "PROCESSING_MS", "1.5", [`services.worker.environment.PROCESSING_MS: "1.5" must be a whole number >= 0 (work per message, ms, ${W})`]],
    ["worker", "worker", "PROCESSING_MS", "-1", [`services.worker.environment.PROCESSING_MS: "-1" must be a whole number >= 0 (work per message, ms, ${W})`]],
    ["worker", "worker", "PROCESSING_MS", " ", [`services.worker.environment.PROCESSING_MS: " " must be a whole number >= 0 (work per message, ms, ${W})`]],
    ["jobs", "worker", "WAIT_SECONDS", "20", []],
    ["jobs", "worker", "WAIT_SECONDS", "21", [`services.jobs.environment.WAIT_SECONDS: "21" must be a whole number from 0 to 20 (the SQS long-poll wait, s, ${W})`]],
    ["worker", "worker", "PROTECTION_MINUTES", "2880", []],
    ["worker", "worker", "PROTECTION_MINUTES", "2881", [`services.worker.environment.PROTECTION_MINUTES: "2881" must be a whole number from 1 to 2880 (the ECS task-protection expiry, minutes, ${W})`]],
    ["worker", "worker", "LOG_LEVEL", "debug", []],
    ["worker", "worker", "LOG_LEVEL", " WARN ", []],
    ["worker", "worker", "LOG_LEVEL", "", []],
    ["worker", "worker", "LOG_LEVEL", "verbose", [`services.worker.environment.LOG_LEVEL: "verbose" must be one of ${LEVELS} (${W})`]],
    ["gateway", "gateway", "PORT", "8080", []],
    ["gateway", "gateway", "PORT", "http", [`services.gateway.environment.PORT: "http" must be a whole number from 1 to 65535 (the port it listens on, ${G})`]],
    ["gateway", "gateway", "PORT", "65536", [`services.gateway.environment.PORT: "65536" must be a whole number from 1 to 65535 (the port it listens on, ${G})`]],
    ["gateway", "gateway", "PORT", "0", [`services.gateway.environment.PORT: "0" must be a whole number from 1 to 65535 (the port it listens on, ${G})`]],
    ["gateway", "gateway", "LOG_LEVEL", "loud", [`services.gateway.environment.LOG_LEVEL: "loud" must be one of ${LEVELS} (${G})`]],
];

describe("config: the built-in workloads' environment settings", () => {
    for (const [service, workload, name, value, want] of rows) {
        it(`${service} (${workload}) ${name}=${JSON.stringify(value)}: ${want.length === 0 ? "accepted" : "refused"}, as its command would ${want.length === 0 ? "accept" : "refuse"} it`, () => {
            expect(problemsOf(withEnv(service, name, value))).to.deep.equal(want);
            expect(commandRefuses(workload, name, value), "the command's own check agrees").to.equal(want.length > 0);
        });
    }

    it("a service with its own image may set any of these names: its program, not ours, reads them", () => {
        const api = STAGING_SERVICES.api;
        expect(api.workload).to.equal(undefined);
        expect(problemsOf({ services: { ...STAGING_SERVICES, api: { ...api, environment: { PROCESSING_MS: "abc", LOG_LEVEL: "verbose" } } } })).to.deep.equal([]);
    });
});
