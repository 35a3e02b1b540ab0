/**
 * The queue autoscaler's flags, derived from its settings table (scaling/autoscaler-settings.ts): each
 * flag gets its environment variable with `.env()` and its default with `.default()`, so the names,
 * defaults and help text are written once, there. Commander options only: the `autoscale` command's
 * other commands use them without loading the autoscaler.
 */
import { Option, type Command } from "commander";
import { AUTOSCALER_SETTINGS, envName, flagName, numberRule, settingSpec, type SettingKey } from "../../scaling/autoscaler-settings";
import type { FlagValues, ValueSource } from "./settings";

/** The option of one setting: `--scale-up-cooldown <seconds>`, env AUTOSCALER_SCALE_UP_COOLDOWN, default 30. */
export function settingOption(key: SettingKey): Option {
    const spec = settingSpec(key);
    const rule = spec.kind === "int" || spec.kind === "number" ? ` (${numberRule(spec).replace(/^must be /, "")})` : "";
    const option = new Option(`${flagName(key)} ${spec.value}`, `${spec.help}${rule}`).env(envName(key));
    const def = (spec as { default?: unknown }).default;
    return def === undefined ? option : option.default(def);
}

/** Adds the options of `keys` to `cmd`. */
export function addSettingOptions(cmd: Command, keys: readonly SettingKey[]): Command {
    for (const key of keys) cmd.addOption(settingOption(key));
    return cmd;
}

/** Every setting's key. */
export const ALL_SETTINGS = Object.keys(AUTOSCALER_SETTINGS) as SettingKey[];

/** The parsed option values of `cmd` and, per key, where commander took each from (flag, env, default). */
export function valuesOf(cmd: Command): { flags: FlagValues; sources: Record<string, ValueSource> } {
    const flags = cmd.opts() as FlagValues;
    const sources: Record<string, ValueSource> = {};
    for (const key of Object.keys(flags)) sources[key] = cmd.getOptionValueSource(key) as ValueSource;
    return { flags, sources };
}
