/**
 * The controls of one `--services` entry (fallback, paused, activation, forecast): read with the rules
 * the stack config states, each problem naming the service, the key, the value and the rule.
 */
import { expect } from "chai";
import { readControls } from "../../../runtime/autoscaler/controls-settings";

function read(v: Record<string, unknown>): { controls: ReturnType<typeof readControls>; problems: string[] } {
    const problems: string[] = [];
    const controls = readControls(v, (k) => `svc.${k}`, (p) => problems.push(p));
    return { controls, problems };
}

describe("--services controls", () => {
    it("reads fallback, paused, activation and an enabled forecast with its defaults", () => {
        expect(read({ fallback: { failureThreshold: 3, replicas: 2 }, paused: true, activation: { messages: 5 }, forecast: { enabled: true, slotSeconds: 300 } })).to.deep.equal({
            controls: { fallback: { failureThreshold: 3, replicas: 2 }, paused: true, activationMessages: 5, forecast: { enabled: true, slotSeconds: 300, weight: 0.5, minDays: 1 } },
            problems: [],
        });
    });

    it("leaves out paused: false and a forecast that is off", () => {
        expect(read({ paused: false, forecast: { enabled: false } })).to.deep.equal({ controls: {}, problems: [] });
    });

    it("refuses each bad value, naming the service, the key, the value and the rule", () => {
        expect(read({
            fallback: { failureThreshold: 0, replicas: 1.5 },
            paused: "yes",
            activation: { messages: 0, extra: 1 },
            forecast: { enabled: true, slotSeconds: 700, weight: 2, minDays: 0 },
        }).problems).to.deep.equal([
            "--services: svc.fallback.failureThreshold: 0 must be a whole number >= 1",
            "--services: svc.fallback.replicas: 1.5 must be a whole number >= 0",
            '--services: svc.paused: "yes" must be true or false',
            "--services: svc.activation.extra: unknown key; expected messages",
            "--services: svc.activation.messages: 0 must be a whole number >= 1",
            "--services: svc.forecast.slotSeconds: 700 must be one of 300, 600, 900, 1200, 1800, 3600 (a multiple of 60 that divides a day)",
            "--services: svc.forecast.weight: 2 must be a number > 0 and <= 1",
            "--services: svc.forecast.minDays: 0 must be a whole number >= 1 and <= 7",
        ]);
    });
});
