/**
 * The AWS endpoint a local stack lives in: AWS_ENDPOINT_URL when it is set and local (a running
 * LocalStack or moto, which the stack then shares and leaves running), otherwise a moto_server from the
 * PATH started on a free loopback port, which goes away with the stack. A non-local endpoint is refused,
 * as `autoscale emulate` refuses it: the local stack drives desired counts and deletes what it made.
 */
import { accessSync, constants } from "fs";
import * as path from "path";
import { freeLoopbackPort, startMoto, type MotoServer } from "./moto-server";
import { isLocalUrl } from "../emulator/endpoint";
import { LocalStackError } from "./errors";

export interface LocalEndpoint {
    readonly url: string;
    /** True when this process started it (and stops it). */
    readonly own: boolean;
    /** The moto process group, when started here. */
    readonly pid?: number;
    stop(): Promise<void>;
}

export const MOTO_INSTALL_HINT = "moto_server is not on the PATH: install it with `pip install \"moto[server]\"` (moto 5.2), or set AWS_ENDPOINT_URL to a running local endpoint";

/** The first `name` on PATH that may be executed, or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
        if (!dir) continue;
        const file = path.join(dir, name);
        try {
            accessSync(file, constants.X_OK);
            return file;
        } catch {
            // not here
        }
    }
    return undefined;
}

/** Why AWS_ENDPOINT_URL may not be used, or undefined when it is unset or local. */
export function endpointUrlProblem(env: NodeJS.ProcessEnv): string | undefined {
    const url = env.AWS_ENDPOINT_URL?.trim();
    if (!url) return undefined;
    const local = isLocalUrl(url);
    if (local === undefined) return `AWS_ENDPOINT_URL: ${JSON.stringify(url)} is not a URL; unset it to let the local stack start moto_server`;
    return local ? undefined
        : `AWS_ENDPOINT_URL: ${JSON.stringify(url)} is not a local endpoint (localhost, 127.0.0.0/8, ::1); unset it to let the local stack start moto_server`;
}

/** Checks what can be checked before anything starts (usage errors). */
export function endpointPreflight(env: NodeJS.ProcessEnv): void {
    const problem = endpointUrlProblem(env);
    if (problem) throw new LocalStackError(problem);
    if (!env.AWS_ENDPOINT_URL?.trim() && !onPath("moto_server", env)) throw new LocalStackError(MOTO_INSTALL_HINT);
}

/**
 * The endpoint to use. moto_server is spawned before this returns its promise when `port` is given
 * (the caller can do other work while it starts).
 */
export function openEndpoint(env: NodeJS.ProcessEnv, port?: number): Promise<LocalEndpoint> {
    endpointPreflight(env);
    const given = env.AWS_ENDPOINT_URL?.trim();
    if (given) return Promise.resolve({ url: given.replace(/\/$/, ""), own: false, stop: async () => undefined });
    return startMoto(port === undefined ? {} : { port }).then((moto: MotoServer) => ({ url: moto.endpoint, own: true, stop: () => moto.stop() }));
}

export { freeLoopbackPort };
