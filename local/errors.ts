/**
 * A problem the user fixes before the local stack can start (unknown stack, bad stack file, port in
 * use, moto_server missing, the stack already running): one line naming the fix; the command exits 2
 * and leaves nothing behind.
 */
export class LocalStackError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "LocalStackError";
    }
}
