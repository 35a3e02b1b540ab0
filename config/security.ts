/**
 * Cross-field rules of the security settings of a service: no secret in plain `environment`, no name
 * given both as a plain variable and as a secret, no secret in place of a variable the program sets. Each problem names the key, the value (never a value that may be a secret) and the rule.
 */
import { ServiceInput } from "./schema";

/** Words that mark an environment variable as a secret when a `_`-separated part of its name begins or ends with one. */
export const SECRET_NAME_WORDS = ["PASSWORD", "SECRET", "TOKEN", "KEY"] as const;

/** The word that makes `name` look like a secret (`DB_PASSWORD`, `APIKEY`, `AUTH_TOKENS`), or undefined. */
export function secretLookingWord(name: string): string | undefined {
    const parts = name.toUpperCase().split("_");
    return SECRET_NAME_WORDS.find((w) => parts.some((p) => p.startsWith(w) || p.endsWith(w)));
}

/** `reserved`: variable names the program sets itself (QUEUE_URL of a queue consumer), which no secret may take. */
export function serviceSecurityProblems(path: string, svc: ServiceInput, reserved: readonly string[]): string[] {
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
