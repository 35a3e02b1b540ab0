/**
 * The part of the ECS agent a local task talks to: task scale-in protection
 * (`PUT $ECS_AGENT_URI/task-protection/v1/state`, ECS developer guide "Protect your Amazon ECS tasks from
 * being terminated by scale-in events"). Each task gets its own ECS_AGENT_URI under one loopback server;
 * the task runner asks it which tasks are protected before it stops any on a scale-in.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { TASK_PROTECTION_DEFAULT_MINUTES, TASK_PROTECTION_MAX_MINUTES, TASK_PROTECTION_MIN_MINUTES } from "../../aws/limits";

export interface TaskAgent {
    /** The ECS_AGENT_URI of one task. */
    uriFor(taskId: string): string;
    isProtected(taskId: string, now: number): boolean;
    close(): Promise<void>;
}

export async function startTaskAgent(clock: () => number = Date.now): Promise<TaskAgent> {
    const protectedUntil = new Map<string, number>();
    const server = http.createServer((req, res) => {
        const m = /^\/([^/]+)\/task-protection\/v1\/state$/.exec(req.url ?? "");
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const answer = (status: number, body: unknown) => {
                res.writeHead(status, { "content-type": "application/json" });
                res.end(JSON.stringify(body));
            };
            if (!m || (req.method !== "PUT" && req.method !== "GET")) return answer(404, { error: { Code: "NotFound", Message: `${req.method} ${req.url}` } });
            const taskId = decodeURIComponent(m[1]);
            if (req.method === "PUT") {
                let body: { ProtectionEnabled?: boolean; ExpiresInMinutes?: number };
                try {
                    body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
                } catch {
                    return answer(400, { error: { Code: "InvalidParameterException", Message: "body is not JSON" } });
                }
                const minutes = body.ExpiresInMinutes ?? TASK_PROTECTION_DEFAULT_MINUTES;
                if (typeof body.ProtectionEnabled !== "boolean" || !Number.isInteger(minutes) || minutes < TASK_PROTECTION_MIN_MINUTES || minutes > TASK_PROTECTION_MAX_MINUTES) {
                    return answer(400, { error: { Code: "InvalidParameterException", Message: `ProtectionEnabled must be a boolean and ExpiresInMinutes ${TASK_PROTECTION_MIN_MINUTES}-${TASK_PROTECTION_MAX_MINUTES}` } });
                }
                if (body.ProtectionEnabled) protectedUntil.set(taskId, clock() + minutes * 60_000); else protectedUntil.delete(taskId);
            }
            const until = protectedUntil.get(taskId);
            answer(200, { protection: { ProtectionEnabled: until !== undefined && until > clock(), ...(until ? { ExpirationDate: new Date(until).toISOString() } : {}), TaskArn: taskId } });
        });
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    return {
        uriFor: (taskId) => `http://127.0.0.1:${port}/${encodeURIComponent(taskId)}`,
        isProtected: (taskId, now) => (protectedUntil.get(taskId) ?? 0) > now,
        close: () => new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}
