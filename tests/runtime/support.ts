/**
 * Test support for the runtime tests: fake time on an unshared @sinonjs/fake-timers clock (the
 * process's own timers stay real, so HTTP works), captured JSON logs, SDK-shaped errors.
 */
import * as FakeTimers from "@sinonjs/fake-timers";
import { request } from "node:http";
import pino from "pino";
import type { Sleep } from "../../runtime/autoscaler/time";

export interface FakeTime {
    readonly clock: FakeTimers.Clock;
    /** Epoch ms of the fake clock. */
    now(): number;
    /** Sleep on the fake clock; an abort ends it at once. */
    sleep: Sleep;
    /** Advances fake time, running due timers and the promise jobs they start. */
    advance(ms: number): Promise<void>;
    /** Lets pending promise jobs run without advancing time. */
    settle(): Promise<void>;
}

export function fakeTime(start = 0): FakeTime {
    const clock = FakeTimers.createClock(start);
    const sleep: Sleep = (ms, signal) => new Promise<void>((resolve) => {
        const id = clock.setTimeout(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        const onAbort = () => {
            clock.clearTimeout(id);
            resolve();
        };
        signal?.addEventListener("abort", onAbort, { once: true });
    });
    return {
        clock,
        now: () => clock.now,
        sleep,
        async advance(ms) {
            await clock.tickAsync(ms);
        },
        async settle() {
            await clock.tickAsync(0);
            for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
        },
    };
}

export interface CapturedLogs {
    readonly logger: pino.Logger;
    /** Every line written so far, parsed. */
    readonly lines: Record<string, any>[];
    /** Lines with this msg. */
    withMsg(msg: string): Record<string, any>[];
}

export function captureLogs(): CapturedLogs {
    const lines: Record<string, any>[] = [];
    const logger = pino({ level: "debug", base: undefined, timestamp: false }, {
        write(line: string) {
            lines.push(JSON.parse(line));
        },
    });
    return { logger, lines, withMsg: (msg) => lines.filter((l) => l.msg === msg) };
}

/** An error shaped like the SDK's: name, message and $metadata. */
export function sdkError(name: string, message: string, httpStatusCode = 400): Error {
    return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode } });
}

/** A promise with its resolve/reject exposed. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
    });
    return { promise, resolve, reject };
}

/** GET on 127.0.0.1 without keep-alive: status, content type and body. */
export function httpGet(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
    return new Promise((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path, method: "GET", agent: false }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body }));
        });
        req.on("error", reject);
        req.end();
    });
}

/** Dummy client settings: no request ever leaves the process (the clients are mocked). */
export const CLIENT_CONFIG = { region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
