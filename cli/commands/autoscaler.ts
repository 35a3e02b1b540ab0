/**
 * `autoscale autoscaler run`: the queue-driven autoscaler, until SIGTERM or SIGINT
 * (runtime/autoscaler/command.ts, the command the autoscaler task's own entry runs too). The
 * `autoscale` command also carries the RabbitMQ queue source; the task's entry reads SQS only.
 */
import type { Command } from "commander";
import { addAutoscalerCommand as addAutoscalerRun } from "../../runtime/autoscaler/command";
import { RabbitMqQueueSource } from "../../runtime/autoscaler/sources/rabbitmq";
import type { CliIo, SetRun } from "../io";
import { addServiceOptions, applyServiceKey } from "../options";

export { STOP_DEADLINE_MS } from "../../runtime/autoscaler/command";

export function addAutoscalerCommand(program: Command, io: CliIo, setResult: SetRun): Command {
    return addAutoscalerRun(program, io, setResult, {
        rabbitMq: (options) => new RabbitMqQueueSource(options),
        options: (cmd) => addServiceOptions(cmd, false),
        applyOptions: (flags, sources) => applyServiceKey(flags, sources),
    });
}
