/**
 * What a caller of a sleeping service gets from the wake function: 503 with Retry-After, as an HTML
 * page that reloads itself, or JSON when the request asks for application/json. The ALB passes the
 * `headers` map through as response headers (multi-value headers are off on the wake target group).
 */
import type { ALBResult } from "aws-lambda";

export type PageState = "starting" | "ready";

/** Seconds a caller waits before the next try: short once the service is routed again. */
export const RETRY_AFTER_SECONDS: Readonly<Record<PageState, number>> = { starting: 5, ready: 1 };

function wantsJson(accept: string | undefined): boolean {
    const a = (accept ?? "").toLowerCase();
    return a.includes("application/json") && !a.includes("text/html");
}

function escapeHtml(s: string): string {
    return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]!));
}

export function wakeResponse(service: string, state: PageState, accept: string | undefined): ALBResult {
    const retry = RETRY_AFTER_SECONDS[state];
    const headers = { "Retry-After": String(retry), "Cache-Control": "no-store" };
    if (wantsJson(accept)) {
        return {
            statusCode: 503,
            statusDescription: "503 Service Unavailable",
            isBase64Encoded: false,
            headers: { ...headers, "Content-Type": "application/json" },
            body: JSON.stringify({ status: state, service, retryAfterSeconds: retry }),
        };
    }
    const name = escapeHtml(service);
    const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="${retry}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Starting ${name}</title>
</head>
<body data-state="${state}">
<h1>${name} is starting</h1>
<p>It was asleep after a while without requests and is being started now; a first start usually takes 30 to 60 seconds.</p>
<p>This page reloads itself every ${retry} seconds and shows the service as soon as it answers.</p>
</body>
</html>
`;
    return {
        statusCode: 503,
        statusDescription: "503 Service Unavailable",
        isBase64Encoded: false,
        headers: { ...headers, "Content-Type": "text/html; charset=utf-8" },
        body,
    };
}
