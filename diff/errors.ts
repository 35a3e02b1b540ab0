/** Bad input to `autoscale diff` (unknown ref, unknown stack, a stack file the program refuses): exit 2. */
export class DiffInputError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "DiffInputError";
    }
}
