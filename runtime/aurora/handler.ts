/**
 * Lambda entry of the instance-class scaler. Invoked by the write alarm's SNS topic (ALARM and OK) and
 * by a one-minute schedule that carries an operation forward while AWS works (an instance takes
 * minutes to become available; the function never sleeps through that). Settings come from the
 * environment the AuroraCluster component sets from the validated stack config.
 */
import type { ScheduledEvent, SNSEvent } from "aws-lambda";
import { createCloudWatchClient, createRdsClient } from "../aws/clients";
import { createLogger } from "../aws/logger";
import { CLASS_SCALER_ENV } from "../../scaling/aurora";
import { ScalerSettings } from "./operation";
import { InstanceClassScaler, Outcome } from "./scaler";

/** Environment variable names, shared with components/aurora-cluster.ts. */
export const SCALER_ENV = CLASS_SCALER_ENV;

/** Reads the settings; every missing or malformed variable is named in one error. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): ScalerSettings {
    const problems: string[] = [];
    const text = (k: keyof typeof SCALER_ENV): string => {
        const v = env[SCALER_ENV[k]]?.trim();
        if (!v) problems.push(`${SCALER_ENV[k]} is not set`);
        return v ?? "";
    };
    const whole = (k: keyof typeof SCALER_ENV): number => {
        const v = text(k);
        const n = Number(v);
        if (v !== "" && (!Number.isInteger(n) || n < 0)) problems.push(`${SCALER_ENV[k]}=${v} must be a whole number of seconds >= 0`);
        return n;
    };
    const dryRun = (): boolean => {
        const dry = text("dryRun");
        if (dry !== "" && dry !== "true" && dry !== "false") problems.push(`${SCALER_ENV.dryRun}=${dry} must be true or false`);
        return dry === "true";
    };
    const settings: ScalerSettings = {
        clusterIdentifier: text("clusterIdentifier"),
        alarmName: text("alarmName"),
        smallClass: text("smallClass"),
        largeClass: text("largeClass"),
        okSecondsBeforeScaleDown: whole("okSecondsBeforeScaleDown"),
        cooldownSeconds: whole("cooldownSeconds"),
        dryRun: dryRun(),
    };
    if (problems.length > 0) throw new Error(`instance-class scaler settings: ${problems.join("; ")}`);
    return settings;
}

/** "alarm" for an SNS notification, "schedule" otherwise. */
export function triggerOf(event: SNSEvent | ScheduledEvent | undefined): string {
    const records = (event as SNSEvent | undefined)?.Records;
    return Array.isArray(records) && records.some((r) => r?.EventSource === "aws:sns") ? "alarm" : "schedule";
}

/**
 * Why an event is neither an SNS notification nor a scheduled event the function can act on, or
 * undefined when it is one: an event that is not an object, or whose Records is not a list of objects.
 */
export function malformedEvent(event: unknown): string | undefined {
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
        return `the event is ${event === null ? "null" : Array.isArray(event) ? "an array" : typeof event}, expected an SNS notification or a scheduled event object`;
    }
    if (!("Records" in event)) return undefined;
    const records = (event as { Records: unknown }).Records;
    if (!Array.isArray(records)) return `Records is ${JSON.stringify(records)}, expected a list of SNS records`;
    const bad = records.findIndex((r) => typeof r !== "object" || r === null);
    return bad >= 0 ? `Records[${bad}] is ${JSON.stringify(records[bad])}, expected an SNS record object` : undefined;
}

/** What the function answers: the scaler's outcome, or a refusal of an event it cannot read. */
export type HandlerOutcome = Outcome | { readonly result: "refused"; readonly reason: string };

export async function handler(event: SNSEvent | ScheduledEvent): Promise<HandlerOutcome> {
    const logger = createLogger({ name: "aurora-class-scaler" });
    const malformed = malformedEvent(event);
    if (malformed !== undefined) {
        // Nothing to retry: the same event would be refused again. Logged, answered, never thrown.
        logger.error({ reason: malformed }, `refused a malformed event: ${malformed}`);
        return { result: "refused", reason: malformed };
    }
    const settings = settingsFromEnv(process.env);
    const scaler = new InstanceClassScaler(settings, {
        rds: createRdsClient(),
        cloudwatch: createCloudWatchClient(),
        logger,
        now: () => Date.now(),
    });
    return scaler.run(triggerOf(event));
}
