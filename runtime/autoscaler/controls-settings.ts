/**
 * The controls of one service of `--services` (SERVICES): `fallback`, `paused`, `activation` and
 * `forecast`, checked with the rules of scaling/autoscaler-controls.ts; each problem names the
 * service, the key, the value and the rule.
 */
import { CONTROL_RULES, FORECAST_DEFAULTS, isSlotSeconds, isWeight, isWhole } from "../../scaling/autoscaler-controls";
import type { ForecastSettings } from "./forecast";

/** The keys of a service's entry this file reads. */
export const CONTROL_KEYS = ["fallback", "paused", "activation", "forecast"] as const;

export interface ServiceControls {
    readonly fallback?: { readonly failureThreshold: number; readonly replicas: number };
    readonly paused?: boolean;
    readonly activationMessages?: number;
    readonly forecast?: ForecastSettings;
}

function object(v: unknown): Record<string, unknown> | undefined {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Reads the controls of one service's entry `v`; `at(key)` is the key's path, `fail` records a problem. */
export function readControls(v: Record<string, unknown>, at: (key: string) => string, fail: (problem: string) => void): ServiceControls {
    const out: { -readonly [K in keyof ServiceControls]: ServiceControls[K] } = {};
    const bad = (key: string, value: unknown, rule: string) => fail(`--services: ${at(key)}: ${JSON.stringify(value)} ${rule}`);
    const unknownKeys = (o: Record<string, unknown>, key: string, known: readonly string[]) => {
        for (const k of Object.keys(o)) if (!known.includes(k)) fail(`--services: ${at(`${key}.${k}`)}: unknown key; expected ${known.join(", ")}`);
    };
    if (v.fallback !== undefined) {
        const f = object(v.fallback);
        if (!f) bad("fallback", v.fallback, 'must be {"failureThreshold": <whole number >= 1>, "replicas": <whole number >= 0>}');
        else {
            unknownKeys(f, "fallback", ["failureThreshold", "replicas"]);
            if (!isWhole(f.failureThreshold, 1)) bad("fallback.failureThreshold", f.failureThreshold ?? null, CONTROL_RULES.failureThreshold);
            if (!isWhole(f.replicas, 0)) bad("fallback.replicas", f.replicas ?? null, CONTROL_RULES.replicas);
            if (isWhole(f.failureThreshold, 1) && isWhole(f.replicas, 0)) out.fallback = { failureThreshold: f.failureThreshold, replicas: f.replicas };
        }
    }
    if (v.paused !== undefined) {
        if (typeof v.paused !== "boolean") bad("paused", v.paused, CONTROL_RULES.paused);
        else if (v.paused) out.paused = true;
    }
    if (v.activation !== undefined) {
        const a = object(v.activation);
        if (!a) bad("activation", v.activation, 'must be {"messages": <whole number >= 1>}');
        else {
            unknownKeys(a, "activation", ["messages"]);
            if (!isWhole(a.messages, 1)) bad("activation.messages", a.messages ?? null, CONTROL_RULES.activationMessages);
            else out.activationMessages = a.messages;
        }
    }
    if (v.forecast !== undefined) {
        const f = object(v.forecast);
        if (!f) bad("forecast", v.forecast, 'must be {"enabled": <true or false>, "slotSeconds", "weight", "minDays"}');
        else {
            unknownKeys(f, "forecast", ["enabled", "slotSeconds", "weight", "minDays"]);
            const s = { ...FORECAST_DEFAULTS, ...f };
            let ok = true;
            const check = (key: string, valid: boolean, value: unknown, rule: string) => {
                if (!valid) {
                    ok = false;
                    bad(`forecast.${key}`, value, rule);
                }
            };
            check("enabled", typeof s.enabled === "boolean", s.enabled, CONTROL_RULES.forecastEnabled);
            check("slotSeconds", isSlotSeconds(s.slotSeconds), s.slotSeconds, CONTROL_RULES.slotSeconds);
            check("weight", isWeight(s.weight), s.weight, CONTROL_RULES.weight);
            check("minDays", isWhole(s.minDays, 1, 7), s.minDays, CONTROL_RULES.minDays);
            if (ok && s.enabled) out.forecast = { enabled: true, slotSeconds: s.slotSeconds as number, weight: s.weight as number, minDays: s.minDays as number };
        }
    }
    return out;
}
