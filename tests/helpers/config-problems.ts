/** What config/ says of a stack file with some keys replaced: the problems it reports, empty when valid. */
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { rawProjectConfig } from "./stack-files";

export function problemsOf(overrides: Record<string, unknown>, stack = "staging"): string[] {
    try {
        loadStackConfig(rawProjectConfig(stack, overrides), { project: "ecs-autoscaling", stack });
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return [...e.problems];
    }
}
