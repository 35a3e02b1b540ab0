/**
 * The security settings of a service: the schemas of its secrets and container user, and the cross-field
 * rules: no secret in plain `environment`, no name given both as a plain variable and as a secret, no
 * secret in place of a variable the program sets. Each problem names the key, the value (never a value
 * that may be a secret) and the rule.
 */
import { z } from "zod";
import type { ServiceFields } from "./service-input";

/** Environment variable names, plain or secret. */
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "environment names must be letters, digits and _" });
/** A Secrets Manager secret (optionally `:<json-key>:<version-stage>:<version-id>`) or an SSM parameter, as ECS `valueFrom` takes them. */
export const SECRET_ARN = /^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+(:[^:]*:[^:]*:[^:]*)?|ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9/_.-]+)$/;
export const secretArn = z.string().regex(SECRET_ARN, { error: "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>)" });
/** Container user as ECS takes it: user, user:group, uid, uid:gid, user:gid or uid:group. */
export const containerUser = z.string().regex(/^([a-z_][a-z0-9_-]{0,31}|\d{1,10})(:([a-z_][a-z0-9_-]{0,31}|\d{1,10}))?$/, { error: "must be <user>, <user>:<group>, <uid> or <uid>:<gid> (names lower-case, ids numeric)" });

/** Words that mark an environment variable as a secret (`DB_PASSWORD`, `CLIENT_SECRET`, `AUTH_TOKENS`, `API_KEY`, `APIKEY`). */
export const SECRET_NAME_WORDS = ["PASSWORD", "SECRET", "TOKEN", "KEY"] as const;

/**
 * The word that makes `name` look like a secret, or undefined: a `_`-separated part that contains
 * PASSWORD, SECRET or TOKEN, or that ends with KEY or KEYS (so KEYSPACE is a plain setting).
 */
export function secretLookingWord(name: string): string | undefined {
    const parts = name.toUpperCase().split("_");
    return SECRET_NAME_WORDS.find((w) => parts.some((p) => (w === "KEY" ? /KEYS?$/.test(p) : p.includes(w))));
}

/** `reserved`: variable names the program sets itself (QUEUE_URL of a queue consumer), which no secret may take. */
export function serviceSecurityProblems(path: string, svc: ServiceFields, reserved: readonly string[]): string[] {
    const problems: string[] = [];
    for (const name of Object.keys(svc.environment)) {
        const word = secretLookingWord(name);
        if (word !== undefined) {
            problems.push(`${path}.environment.${name}: (value hidden) looks like a secret (the name contains ${word}); ` +
                `plain environment values are readable by anyone who can describe the task definition: store it in Secrets Manager or SSM ` +
                `and set ${path}.secrets.${name} to its ARN`);
        }
        if (svc.secrets[name] !== undefined) {
            problems.push(`${path}.secrets.${name}: ${JSON.stringify(svc.secrets[name])} is also set in ${path}.environment; a variable comes from one of them only`);
        }
    }
    for (const name of reserved) {
        if (svc.secrets[name] !== undefined) {
            problems.push(`${path}.secrets.${name}: ${JSON.stringify(svc.secrets[name])} must not be set; the program sets ${name} itself`);
        }
    }
    return problems;
}
