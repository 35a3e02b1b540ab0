/**
 * `--services` (SERVICES): several services for one autoscaler, as a JSON map of service name to its
 * queue or queues and its settings; a setting a service leaves out takes the flag's value. Each value
 * is checked with the flag's own rule, and an error names the service, the key and the value.
 */
import type { SettingKey } from "../../scaling/autoscaler-settings";
import { CONTROL_KEYS, readControls } from "./controls-settings";
import { ruleOf, type Reader } from "./settings-reader";
import type { DecisionSettings, ScaledServiceSettings, SourceSettings } from "./types";

/** Keys a service of --services may set, with the setting whose rule checks it. */
const SERVICE_KEYS = {
    min: "min", max: "max", scaleUpThreshold: "scaleUpThreshold", scaleDownThreshold: "scaleDownThreshold",
    scaleUpCooldown: "scaleUpCooldown", scaleDownCooldown: "scaleDownCooldown", scaleDownStep: "scaleDownStep",
    acceptableAge: "acceptableAge", processingRate: "processingRate", countInFlight: "countInFlight",
} as const satisfies Record<string, SettingKey>;

/** One value of --services checked with the flag's own rule; undefined (and a problem) when invalid. */
function serviceValue<T>(r: Reader, path: string, key: SettingKey, value: unknown): T | undefined {
    const parsed = ruleOf(key).safeParse(typeof value === "string" ? value : JSON.stringify(value));
    if (parsed.success && (typeof value === "number" || typeof value === "boolean" || typeof value === "string")) return parsed.data as T;
    r.fail(`--services: ${path}: ${JSON.stringify(value)} ${parsed.success ? "must be a number or a boolean" : parsed.error.issues[0]?.message ?? "is not valid"}`);
    return undefined;
}

/** --services: a JSON map of service name -> its queue(s) and settings; unset settings take `base`. */
export function readServicesMap(r: Reader, base: Partial<DecisionSettings>): ScaledServiceSettings[] | undefined {
    const raw = r.get<string>("services");
    if (raw === undefined) return undefined;
    let map: unknown;
    try {
        map = JSON.parse(raw);
    } catch (error) {
        r.fail(`--services: ${JSON.stringify(raw.slice(0, 80))} is not JSON (${(error as Error).message})`);
        return undefined;
    }
    if (typeof map !== "object" || map === null || Array.isArray(map) || Object.keys(map).length === 0) {
        r.fail(`--services: ${JSON.stringify(raw.slice(0, 80))} must be a JSON object with at least one service name`);
        return undefined;
    }
    const out: ScaledServiceSettings[] = [];
    for (const [name, value] of Object.entries(map as Record<string, unknown>)) {
        const at = (k: string) => `${name}.${k}`;
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            r.fail(`--services: ${name}: ${JSON.stringify(value)} must be an object`);
            continue;
        }
        const v = value as Record<string, unknown>;
        for (const k of Object.keys(v)) {
            if (!(k in SERVICE_KEYS) && !["queueUrl", "queueUrls", ...CONTROL_KEYS].includes(k)) {
                r.fail(`--services: ${at(k)}: unknown key; expected queueUrl or queueUrls, ${CONTROL_KEYS.join(", ")}, ${Object.keys(SERVICE_KEYS).join(", ")}`);
            }
        }
        const urls = v.queueUrls !== undefined ? v.queueUrls : v.queueUrl !== undefined ? [v.queueUrl] : undefined;
        if (v.queueUrls !== undefined && v.queueUrl !== undefined) r.fail(`--services: ${at("queueUrl")}: give queueUrl or queueUrls, not both`);
        if (!Array.isArray(urls) || urls.length === 0) {
            r.fail(`--services: ${at("queueUrls")}: ${JSON.stringify(urls ?? null)} must name at least one SQS queue URL`);
            continue;
        }
        const sources: SourceSettings[] = [];
        for (const u of urls) {
            const q = serviceValue<string>(r, at("queueUrls"), "queueUrl", u);
            if (q !== undefined) sources.push({ kind: "sqs", queueUrl: q });
        }
        const own: Record<string, unknown> = {};
        for (const [k, key] of Object.entries(SERVICE_KEYS)) if (v[k] !== undefined) own[k] = serviceValue(r, at(k), key, v[k]);
        const decision: Partial<DecisionSettings> = {
            ...base,
            ...(own.min !== undefined ? { minCapacity: own.min as number } : {}),
            ...(own.max !== undefined ? { maxCapacity: own.max as number } : {}),
            ...(own.scaleUpThreshold !== undefined ? { scaleUpThreshold: own.scaleUpThreshold as number } : {}),
            ...(own.scaleDownThreshold !== undefined ? { scaleDownThreshold: own.scaleDownThreshold as number } : {}),
            ...(own.scaleUpCooldown !== undefined ? { scaleUpCooldownMs: (own.scaleUpCooldown as number) * 1000 } : {}),
            ...(own.scaleDownCooldown !== undefined ? { scaleDownCooldownMs: (own.scaleDownCooldown as number) * 1000 } : {}),
            ...(own.scaleDownStep !== undefined ? { scaleDownStep: own.scaleDownStep as number } : {}),
            ...(own.acceptableAge !== undefined ? { acceptableAgeSeconds: own.acceptableAge as number } : {}),
            ...(own.processingRate !== undefined ? { processingRate: own.processingRate as number } : {}),
            ...(own.countInFlight !== undefined ? { countInFlight: own.countInFlight as boolean } : {}),
        };
        if (decision.maxCapacity === undefined) r.fail(`--services: ${at("max")}: (missing) is required (or set --max for every service)`);
        if (decision.minCapacity !== undefined && decision.maxCapacity !== undefined && decision.minCapacity > decision.maxCapacity) {
            r.fail(`--services: ${at("min")}: ${decision.minCapacity} must be <= ${at("max")} (${decision.maxCapacity})`);
        }
        if (decision.scaleUpThreshold !== undefined && decision.scaleDownThreshold !== undefined && decision.scaleDownThreshold >= decision.scaleUpThreshold) {
            r.fail(`--services: ${at("scaleDownThreshold")}: ${decision.scaleDownThreshold} must be < ${at("scaleUpThreshold")} (${decision.scaleUpThreshold})`);
        }
        const { fallback, ...controls } = readControls(v, at, (problem) => r.fail(problem));
        out.push({ service: name, sources, decision: { ...decision, ...controls } as DecisionSettings, ...(fallback ? { fallback } : {}) });
    }
    return out;
}

