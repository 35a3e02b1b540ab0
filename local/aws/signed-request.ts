/**
 * Signed calls to the services whose AWS SDK client is not a dependency of the project (EC2, IAM, SNS,
 * KMS, EventBridge, Lambda): the local stack needs a handful of their operations to create what the
 * graph holds. Requests are signed with SigV4 (the endpoint picks the service from the credential
 * scope, as moto and LocalStack do) and sent to the local endpoint only. Query-protocol answers (XML)
 * are parsed with the SDK's own XML parser; JSON answers with JSON.parse.
 */
import { createHash, createHmac } from "crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { parseXML } from "@aws-sdk/xml-builder";

/** A request that does not answer in this time fails: every call is bounded. */
const CALL_TIMEOUT_MS = 10_000;

export interface Endpoint {
    /** `http://127.0.0.1:<port>` */
    readonly url: string;
    readonly region: string;
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
    if (typeof data === "string") return data;
    return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** Node's crypto in the shape SignatureV4 takes (a sha256 or HMAC-sha256 checksum). */
class Sha256 {
    private readonly h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
    constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
        this.h = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
    }
    update(data: string | ArrayBuffer | ArrayBufferView): void { this.h.update(bytes(data)); }
    async digest(): Promise<Uint8Array> { return this.h.digest(); }
    reset(): void { /* one use per instance */ }
}

/** An error the endpoint answered with: its code and message. */
export class EndpointError extends Error {
    constructor(readonly operation: string, readonly code: string, message: string, readonly status: number) {
        super(`${operation}: ${code}: ${message}`);
    }
}

async function send(endpoint: Endpoint, service: string, method: string, path: string, headers: Record<string, string>, body: string) {
    const url = new URL(path, endpoint.url);
    const signer = new SignatureV4({
        service, region: endpoint.region, sha256: Sha256,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => (query[k] = v));
    const signed = await signer.sign({
        method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, query,
        headers: { ...headers, host: url.host }, body,
    });
    const res = await fetch(url, { method, headers: signed.headers as Record<string, string>, body: method === "GET" || method === "DELETE" ? undefined : body, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    return { status: res.status, text: await res.text() };
}

type XmlNode = Record<string, unknown>;

/** The first node named `name` anywhere under `node` (depth first). */
export function xmlFind(node: unknown, name: string): unknown {
    if (node === null || typeof node !== "object") return undefined;
    for (const [k, v] of Object.entries(node as XmlNode)) {
        if (k === name) return v;
        const found = xmlFind(v, name);
        if (found !== undefined) return found;
    }
    return undefined;
}

/** Items of an XML list (`<set><item/>...</set>` or `<member/>`), whether one or many. */
export function xmlItems(list: unknown): XmlNode[] {
    if (list === undefined || list === null || list === "") return [];
    const node = list as XmlNode;
    const items = node.item ?? node.member ?? [];
    return (Array.isArray(items) ? items : [items]) as XmlNode[];
}

/** A Query-protocol call (EC2, IAM, SNS): form-encoded parameters, XML answer. */
export async function queryCall(endpoint: Endpoint, service: string, version: string, action: string, params: Record<string, string | number | boolean | undefined>): Promise<XmlNode> {
    const form = new URLSearchParams({ Action: action, Version: version });
    for (const [k, v] of Object.entries(params)) if (v !== undefined) form.set(k, String(v));
    const r = await send(endpoint, service, "POST", "/", { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, form.toString());
    const parsed = r.text.trim() ? parseXML(r.text) as XmlNode : {};
    if (r.status >= 300) {
        throw new EndpointError(action, String(xmlFind(parsed, "Code") ?? r.status), String(xmlFind(parsed, "Message") ?? r.text.slice(0, 200)), r.status);
    }
    return parsed;
}

/** A JSON 1.1 call (KMS, EventBridge): `X-Amz-Target: <prefix>.<action>`. */
export async function jsonCall(endpoint: Endpoint, service: string, targetPrefix: string, action: string, input: object): Promise<any> {
    const r = await send(endpoint, service, "POST", "/", {
        "content-type": "application/x-amz-json-1.1", "x-amz-target": `${targetPrefix}.${action}`,
    }, JSON.stringify(input));
    const parsed = r.text.trim() ? JSON.parse(r.text) : {};
    if (r.status >= 300) {
        throw new EndpointError(action, String(parsed.__type ?? r.status).split("#").pop()!, String(parsed.message ?? parsed.Message ?? r.text.slice(0, 200)), r.status);
    }
    return parsed;
}

/** A REST-JSON call (Lambda). */
export async function restJsonCall(endpoint: Endpoint, service: string, method: string, path: string, input?: object): Promise<any> {
    const r = await send(endpoint, service, method, path, { "content-type": "application/json" }, input ? JSON.stringify(input) : "");
    const parsed = r.text.trim() ? JSON.parse(r.text) : {};
    if (r.status >= 300) {
        throw new EndpointError(`${method} ${path}`, String(parsed.Type ?? parsed.__type ?? r.status), String(parsed.message ?? parsed.Message ?? r.text.slice(0, 200)), r.status);
    }
    return parsed;
}
