/**
 * Reads one raw config value through its section's schema: scalars arrive as strings and are converted
 * as the Pulumi CLI converts typed keys, objects arrive as JSON; every issue becomes one
 * `<key>: <value> <rule>` sentence.
 */
import { z } from "zod";

/** Raw config as Pulumi hands it over: project keys without the `<project>:` prefix, values as strings. */
export type RawConfig = Readonly<Record<string, string>>;

/** The parsed value of `raw[key]` (the schema's default when unset), or undefined after adding its problems. */
export function readKey<T extends z.ZodType>(raw: RawConfig, key: string, schema: T, kind: "scalar" | "object", problems: string[]): z.infer<T> | undefined {
    let value: unknown = undefined;
    const text = raw[key];
    if (text !== undefined) {
        if (kind === "object") {
            try { value = JSON.parse(text); } catch { problems.push(`${key}: value ${short(text)} is not valid JSON`); return undefined; }
        } else {
            value = parseScalar(schema, text);
        }
    }
    const result = schema.safeParse(value);
    if (!result.success) {
        for (const issue of result.error.issues) problems.push(formatIssue(key, issue, value));
        return undefined;
    }
    return result.data;
}

/** Scalars arrive as strings; convert them as the Pulumi CLI does for typed keys. */
function parseScalar(schema: z.ZodType, text: string): unknown {
    const probe = schema.safeParse(text);
    if (probe.success) return text;
    if (text === "true") return true;
    if (text === "false") return false;
    if (text.trim() !== "" && !Number.isNaN(Number(text))) return Number(text);
    return text;
}

function formatIssue(key: string, issue: z.core.$ZodIssue, root: unknown): string {
    const path = [key, ...issue.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`)].join("").replace(/\.\[/g, "[");
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => `${path}.${k}: unknown key (value ${short(valueAt(root, [...issue.path, k]))}); check the spelling`).join("\n  - ");
    }
    if (issue.code === "invalid_key") {
        // A record key that breaks its rule: show the key, and the key's own rule.
        return `${path}: ${short(issue.path[issue.path.length - 1])} ${issue.issues.map((i) => i.message).join("; ")}`;
    }
    const value = valueAt(root, issue.path);
    // A schema's own wording wins; only the library's default ("Invalid input: expected number, ...") is replaced.
    if (issue.code === "invalid_type" && issue.message.startsWith("Invalid input")) return `${path}: ${short(value)} ${typeRule(issue.expected, value)}`;
    return `${path}: ${short(value)} ${issue.message}`;
}

/** The rule a value of the wrong type breaks, in the words of every other rule (not the library's "Invalid input: expected ..."). */
function typeRule(expected: string, value: unknown): string {
    if (value === undefined) return "is required";
    switch (expected) {
        case "number":
        case "int":
            return typeof value === "string" ? "must be a number, written without quotes (e.g. 3)" : "must be a number";
        case "boolean": return "must be true or false";
        case "string": return "must be text";
        case "array": return "must be a list";
        case "object": return "must be an object of keys and values";
        default: return `must be of type ${expected}`;
    }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let v: unknown = root;
    for (const p of path) {
        if (v === null || typeof v !== "object") return undefined;
        v = (v as Record<PropertyKey, unknown>)[p];
    }
    return v;
}

/** A value as a problem quotes it: JSON, at most 200 characters; `(missing)` when unset. */
export function short(v: unknown): string {
    if (v === undefined) return "(missing)";
    const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
    return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}
