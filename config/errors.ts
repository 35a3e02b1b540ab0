/** Raised before any resource is registered; lists every broken rule with its key and value. */
export class ConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`Invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
            problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "ConfigError";
    }
}
