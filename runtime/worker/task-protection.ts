/**
 * ECS task scale-in protection through the ECS agent's endpoint inside the task
 * (`PUT $ECS_AGENT_URI/task-protection/v1/state`, body `{"ProtectionEnabled":true,"ExpiresInMinutes":n}`;
 * ECS developer guide, "Protect your Amazon ECS tasks from being terminated by scale-in events").
 * A protected task is not chosen when the service scales in, so a worker busy with a message is not
 * stopped half-way; the expiry bounds the protection if the worker dies without clearing it.
 */

export interface TaskProtection {
    /** Turns protection on for `expiresInMinutes`, or off. Never throws: a failure is returned. */
    set(enabled: boolean, expiresInMinutes?: number): Promise<{ ok: true } | { ok: false; error: string }>;
}

/** The agent's task-protection endpoint: the one the ECS agent serves at $ECS_AGENT_URI. */
export function taskProtectionUrl(agentUri: string): string {
    return `${agentUri.replace(/\/+$/, "")}/task-protection/v1/state`;
}

/** The request body the agent takes. */
export function protectionBody(enabled: boolean, expiresInMinutes?: number): { ProtectionEnabled: boolean; ExpiresInMinutes?: number } {
    return enabled && expiresInMinutes !== undefined ? { ProtectionEnabled: true, ExpiresInMinutes: expiresInMinutes } : { ProtectionEnabled: enabled };
}

/** Protection over HTTP with a per-call timeout (the agent is local; a slow answer must not stall work). */
export function agentTaskProtection(agentUri: string, timeoutMs = 3_000): TaskProtection {
    const url = taskProtectionUrl(agentUri);
    return {
        async set(enabled, expiresInMinutes) {
            try {
                const res = await fetch(url, {
                    method: "PUT",
                    headers: { "content-type": "application/json" },
                    body: JSON.stringify(protectionBody(enabled, expiresInMinutes)),
                    signal: AbortSignal.timeout(timeoutMs),
                });
                const text = await res.text();
                // The agent answers 200 with `{"protection":{...}}` or `{"failure":{...}}` / `{"error":{...}}`.
                if (!res.ok || /"(failure|error)"\s*:/.test(text)) return { ok: false, error: `HTTP ${res.status}: ${text.slice(0, 300)}` };
                return { ok: true };
            } catch (error) {
                return { ok: false, error: (error as Error).message };
            }
        },
    };
}
