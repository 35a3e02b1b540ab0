/**
 * Where the emulator may run: only against a local endpoint (moto), unless told it is AWS on purpose,
 * checked before any AWS call. Against AWS, Application Auto Scaling already evaluates the alarms and
 * policies, and two writers of one desired count undo each other.
 */

/**
 * The SDK service ids of the clients emulate uses. The SDK reads a service's endpoint from
 * AWS_ENDPOINT_URL_<ID> (the id upper-cased, spaces as underscores) before AWS_ENDPOINT_URL, then from
 * the shared config file (`endpoint_url`, or a `services` section), unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
 * or the profile's `ignore_configured_endpoint_urls` is true ("Service-specific endpoints", AWS SDKs and
 * Tools Reference Guide; @smithy/core getEndpointUrlConfig).
 */
export const EMULATED_SERVICE_IDS = ["Application Auto Scaling", "CloudWatch", "ECS"] as const;

/** True for a loopback URL (localhost, 127.0.0.0/8, ::1), false for another host, undefined when it is not a URL. */
export function isLocalUrl(url: string): boolean | undefined {
    let host: string;
    try {
        host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    } catch {
        return undefined;
    }
    return host === "localhost" || host.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "::1";
}

const TRUE = /^(true|1)$/i;

/**
 * Why the endpoint may not be emulated against, or undefined when every service's endpoint is a local
 * one: for each service the variable the SDK reads first (AWS_ENDPOINT_URL_<ID>, else AWS_ENDPOINT_URL)
 * must name a loopback host. An endpoint only in the shared config file is refused here (the variables
 * win over it, so it decides only when they are unset); clientEndpointProblem() then asks the clients
 * what the SDK resolved, which also covers the config file's ignore setting.
 */
export function endpointProblem(env: NodeJS.ProcessEnv, allowAws: boolean): string | undefined {
    if (allowAws) return undefined;
    if (TRUE.test(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim() ?? "")) {
        return `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: ${JSON.stringify(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)} makes the SDK ignore every configured endpoint, so this would act on AWS itself; unset it or pass --i-know-this-is-aws`;
    }
    for (const id of EMULATED_SERVICE_IDS) {
        const specific = `AWS_ENDPOINT_URL_${id.toUpperCase().split(" ").join("_")}`;
        const name = env[specific]?.trim() ? specific : env.AWS_ENDPOINT_URL?.trim() ? "AWS_ENDPOINT_URL" : undefined;
        if (!name) {
            return `AWS_ENDPOINT_URL is not set (nor ${specific}), so this would act on AWS itself; point it at a local endpoint (moto) or pass --i-know-this-is-aws`;
        }
        const url = env[name]!.trim();
        const local = isLocalUrl(url);
        if (local === undefined) return `${name}: ${JSON.stringify(url)} is not a URL`;
        if (!local) {
            return `${name}: ${JSON.stringify(url)} is not a local endpoint (localhost, 127.0.0.0/8, ::1)${name === specific ? ` and the SDK sends ${id} calls there` : ""}; pass --i-know-this-is-aws to emulate against it anyway`;
        }
    }
    return undefined;
}

/** What the clients' resolved configuration says about their endpoint (SDK v3 clients have both). */
interface EndpointConfigured {
    readonly config: {
        readonly endpoint?: (() => Promise<{ hostname?: string; protocol?: string; port?: number; path?: string }>) | undefined;
        readonly serviceConfiguredEndpoint?: (() => Promise<string | undefined>) | undefined;
    };
}

/**
 * Asks each client where the SDK will send its calls (an explicit endpoint, else the one it resolved
 * from the environment and the shared config file) and refuses one that is not local; undefined when
 * all are. Makes no AWS call.
 */
export async function clientEndpointProblem(clients: Readonly<Record<string, EndpointConfigured>>, allowAws: boolean): Promise<string | undefined> {
    if (allowAws) return undefined;
    for (const [name, client] of Object.entries(clients)) {
        const explicit = await client.config.endpoint?.();
        const url = explicit ? `${explicit.protocol ?? "https:"}//${explicit.hostname ?? ""}${explicit.port ? `:${explicit.port}` : ""}` : await client.config.serviceConfiguredEndpoint?.();
        if (url === undefined) return `the ${name} client resolved no configured endpoint (the shared config file may ignore configured endpoints), so it would call AWS itself; pass --i-know-this-is-aws to allow it`;
        if (!isLocalUrl(url)) return `the ${name} client would call ${JSON.stringify(url)}, not a local endpoint (localhost, 127.0.0.0/8, ::1); pass --i-know-this-is-aws to emulate against it anyway`;
    }
    return undefined;
}
