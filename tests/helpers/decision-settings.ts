/**
 * The decision settings the autoscaler tests share: the stack-config defaults of the settings table
 * (scaling/autoscaler-settings.ts) with bounds 0..10 (no threshold rule: they are opt-in), so a test
 * states only what it changes.
 */
import { AUTOSCALER_SETTINGS as A } from "../../scaling/autoscaler-settings";
import type { DecisionSettings } from "../../runtime/autoscaler/types";

export const DECISION_SETTINGS: DecisionSettings = Object.freeze({
    minCapacity: 0,
    maxCapacity: 10,
    scaleUpCooldownMs: A.scaleUpCooldown.default * 1000,
    scaleDownCooldownMs: A.scaleDownCooldown.default * 1000,
    countInFlight: A.countInFlight.default,
    acceptableAgeSeconds: A.acceptableAge.default,
});

/** The shared settings with some changed. */
export function decisionSettings(changes: Partial<DecisionSettings> = {}): DecisionSettings {
    return { ...DECISION_SETTINGS, ...changes };
}
