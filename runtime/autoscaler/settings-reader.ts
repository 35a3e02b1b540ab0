/**
 * Reading flags and environment variables with the settings table's rules (scaling/autoscaler-settings.ts),
 * collecting every problem, each naming the flag, the value and the rule.
 */
import * as z from "zod";
import { envName, flagName, inBounds, LOG_FORMATS, numberRule, settingSpec, type NumberSetting, type SettingKey } from "../../scaling/autoscaler-settings";
import { LOG_LEVELS } from "../aws/logger";

export type FlagValues = Record<string, string | boolean | undefined>;

/** Where a value came from, as commander reports it (`getOptionValueSource`). */
export type ValueSource = "cli" | "env" | "default" | "implied" | "config" | undefined;

/** Thrown with every problem found; the CLI prints them and exits with code 2. */
export class SettingsError extends Error {
    readonly problems: readonly string[];
    constructor(problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "SettingsError";
        this.problems = problems;
    }
}

function toCamel(key: string): string {
    return key.replace(/^-+/, "").replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

/** The rules, each with the exact words an error shows. */
const rules = {
    text: z.string().trim().min(1, { error: "must not be empty" }),
    bool: z.string().trim().toLowerCase()
        .refine((s) => TRUE.has(s) || FALSE.has(s), { error: "must be true or false" })
        .transform((s) => TRUE.has(s)),
    sqsUrl: z.string().trim().regex(/^https?:\/\/[^/\s]+(\/[^/\s]+)*\/[^/\s]+$/, { error: "must be an SQS queue URL (http(s)://host/<account>/<queue>)" }),
    amqpUrl: z.string().trim().regex(/^amqps?:\/\/\S+$/, { error: "must be an amqp:// or amqps:// URL" }),
    roleArn: z.string().trim().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/, { error: "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)" }),
    logLevel: z.string().trim().toLowerCase()
        .refine((s) => (LOG_LEVELS as readonly string[]).includes(s), { error: `must be one of ${LOG_LEVELS.join(", ")}` }),
    logFormat: z.string().trim().toLowerCase()
        .refine((s) => (LOG_FORMATS as readonly string[]).includes(s), { error: `must be one of ${LOG_FORMATS.join(", ")}` }),
} as const;

/** The rule of a number setting: its bounds from the table, in the words numberRule gives them. */
function numberOf(spec: NumberSetting): z.ZodType<number, string> {
    return z.string().trim()
        .refine((s) => s !== "" && inBounds(spec, Number(s)), { error: numberRule(spec) })
        .transform(Number);
}

/** The rule of any setting in the table. */
export function ruleOf(key: SettingKey): z.ZodType<unknown, string> {
    const spec = settingSpec(key);
    switch (spec.kind) {
        case "int":
        case "number": return numberOf(spec);
        case "bool": return rules.bool;
        case "text": return rules.text;
        case "sqsUrl": return rules.sqsUrl;
        case "amqpUrl": return rules.amqpUrl;
        case "roleArn": return rules.roleArn;
        case "logLevel": return rules.logLevel;
        case "logFormat": return rules.logFormat;
    }
}

/** Reads flags and environment with the table's rule for each key, collecting problems. */
export class Reader {
    readonly problems: string[] = [];
    private readonly flags: FlagValues;
    private readonly sources: Readonly<Record<string, ValueSource>>;

    constructor(flags: FlagValues, private readonly env: NodeJS.ProcessEnv, sources: Readonly<Record<string, ValueSource>> = {}) {
        this.flags = Object.fromEntries(Object.entries(flags).map(([k, v]) => [toCamel(k), v]));
        this.sources = Object.fromEntries(Object.entries(sources).map(([k, v]) => [toCamel(k), v]));
    }

    /** Where the key was set: `--min` or `--min (env MIN)`. */
    private where(key: string, fromEnv: boolean): string {
        return fromEnv ? `${flagName(key)} (env ${envName(key)})` : flagName(key);
    }

    /** The raw value and where it came from; a default filled in by commander, or an empty variable, counts as unset. */
    private raw(key: string): { value: string; fromEnv: boolean } | undefined {
        const flag = this.flags[key];
        const source = this.sources[key];
        if (flag !== undefined && source !== "default") {
            if (source !== "env") return { value: String(flag), fromEnv: false };
            if (String(flag).trim() !== "") return { value: String(flag), fromEnv: true };
        }
        const fromEnv = this.env[envName(key)];
        if (fromEnv !== undefined && fromEnv.trim() !== "") return { value: fromEnv, fromEnv: true };
        return undefined;
    }

    has(key: SettingKey): boolean {
        return this.raw(key) !== undefined;
    }

    /** The parsed value, the table's default when unset; undefined (and a problem) when invalid. */
    get<T>(key: SettingKey): T | undefined {
        const raw = this.raw(key);
        if (!raw) return (settingSpec(key) as { default?: T }).default;
        const parsed = ruleOf(key).safeParse(raw.value);
        if (parsed.success) return parsed.data as T;
        this.problems.push(`${this.where(key, raw.fromEnv)}: ${JSON.stringify(raw.value)} ${parsed.error.issues[0]?.message ?? "is not valid"}`);
        return undefined;
    }

    /** Like get, and a problem when unset. */
    required<T>(key: SettingKey, why = "is required"): T | undefined {
        if (!this.has(key)) {
            this.problems.push(`${flagName(key)}: (missing) ${why} (or set ${envName(key)})`);
            return undefined;
        }
        return this.get<T>(key);
    }

    fail(message: string): void {
        this.problems.push(message);
    }

    done(): void {
        if (this.problems.length > 0) throw new SettingsError(this.problems);
    }
}

