/**
 * Cross-field rules of the security settings of a service: no secret in plain `environment`, no name
 * given both as a plain variable and as a secret, no secret in place of a variable the program sets. Each problem names the key, the value (never a value that may be a secret) and the rule.
 */
import { LoadBalancerInput, ServiceInput } from "./schema";

/** Port of the HTTPS listener a certificate adds (components/load-balancer.ts listens there). */
export const HTTPS_LISTENER_PORT = 443;

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

/** The HTTP listener cannot share the HTTPS listener's port. */
export function loadBalancerSecurityProblems(lb: LoadBalancerInput): string[] {
    return lb.certificateArn !== undefined && lb.listenerPort === HTTPS_LISTENER_PORT
        ? [`loadBalancer.listenerPort: ${lb.listenerPort} is the HTTPS listener's port when loadBalancer.certificateArn is set; ` +
            "the HTTP listener that redirects to it needs another port (80 by default)"]
        : [];
}
