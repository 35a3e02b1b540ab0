/**
 * `autoscale gateway run`: the long-running gateway stand-in (runtime/gateway) on --port (PORT),
 * until SIGTERM, then exit 0.
 */
import { Option, type Command } from "commander";
import { createLogger } from "../../runtime/aws/logger";
import { startGateway } from "../../runtime/gateway/server";
import { EXIT, runTool, type CliIo, type SetRun } from "../io";
import { UsageError, parseCount } from "../../input/usage";

export function addGatewayCommand(program: Command, io: CliIo, setRun: SetRun): Command {
    const gateway = program.command("gateway").description("the gateway stand-in");
    const run = gateway.command("run").description("serve GET /healthz and GET /work?ms=N until SIGTERM")
        .addOption(new Option("--port <port>", "port to listen on").env("PORT").default("8080"));
    run.action((flags: { port: string }) => setRun(() => runTool(io, async (signal) => {
        const port = parseCount(flags.port, "--port", 1);
        if (port > 65535) throw new UsageError(`--port: ${port} must be <= 65535`);
        const server = await startGateway(port, createLogger({ name: "gateway", env: io.env }));
        await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
        await server.close();
        return EXIT.ok;
    })));
    return gateway;
}
