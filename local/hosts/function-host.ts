/**
 * A warm Lambda execution environment on this machine: loads a function's deployed code (the bundle
 * the program built, as CreateFunction received it) once, then runs its handler for every invocation
 * the parent sends over IPC ({id, event}) and answers {id, result} or {id, error}. The function's
 * environment variables are this process's, as in Lambda.
 */
const [codeFile, exportName] = process.argv.slice(2);

if (!codeFile || !exportName || !process.send) {
    process.stderr.write("usage: function-host <code.js> <export> (with an IPC channel)\n");
    process.exit(2);
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const handler = require(codeFile)[exportName] as ((event: unknown) => Promise<unknown>) | undefined;
if (typeof handler !== "function") {
    process.stderr.write(`${codeFile} exports no function ${exportName}\n`);
    process.exit(2);
}

process.on("message", (message: { id: number; event: unknown }) => {
    Promise.resolve()
        .then(() => handler(message.event))
        .then(
            (result) => process.send!({ id: message.id, result: result ?? null }),
            (error: unknown) => process.send!({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
        );
});
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
