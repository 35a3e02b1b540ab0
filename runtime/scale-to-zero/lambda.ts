/**
 * Lambda entry points, bundled by esbuild (bundle/esbuild.ts) into one file that both functions run:
 * `index.idleCheck` (EventBridge schedule) and `index.wake` (ALB target, and `aws lambda invoke`).
 * Settings and clients are built once per execution environment.
 */
import type { ALBEvent, ALBResult } from "aws-lambda";
import { createApplicationAutoScalingClient, createCloudWatchClient, createEcsClient, createElbv2Client } from "../aws/clients";
import { createLogger } from "../aws/logger";
import { runIdleCheck, type IdleCheckResult, type RunDeps } from "./idle-check";
import { settingsFromEnv } from "./settings";
import { createWakeHandler } from "./wake";

let deps: RunDeps | undefined;
function runDeps(): RunDeps {
    deps ??= {
        clients: {
            ecs: createEcsClient(),
            elbv2: createElbv2Client(),
            autoscaling: createApplicationAutoScalingClient(),
            cloudwatch: createCloudWatchClient(),
        },
        clock: Date.now,
        logger: createLogger({ name: "scale-to-zero" }),
    };
    return deps;
}

export async function idleCheck(): Promise<IdleCheckResult> {
    return runIdleCheck(settingsFromEnv(process.env), runDeps());
}

let wakeHandler: ((event: ALBEvent) => Promise<ALBResult>) | undefined;
/** ALB requests, or a manual `aws lambda invoke` with any payload (answered with the same 503 page, as JSON). */
export async function wake(event: Partial<ALBEvent> = {}): Promise<ALBResult> {
    wakeHandler ??= createWakeHandler(settingsFromEnv(process.env), runDeps());
    return wakeHandler({ headers: { accept: "application/json" }, ...event } as ALBEvent);
}
