/**
 * How a component reports arguments that config/ could not have checked (a caller that wires it by
 * hand, bypassing the validated stack config): one pulumi.InputPropertiesError naming each property
 * path and the reason, before any child resource is registered. Rules of the stack config itself live
 * in config/ only and are not checked again here.
 */
import * as pulumi from "@pulumi/pulumi";

/** Throws one InputPropertiesError listing every bad argument of `component`; returns when there is none. */
export function throwIfAny(component: string, errors: readonly pulumi.InputPropertyErrorDetails[]): void {
    if (errors.length === 0) return;
    throw new pulumi.InputPropertiesError({
        message: `${component}: ${errors.map((e) => `${e.propertyPath} ${e.reason}`).join("; ")}`,
        errors: [...errors],
    });
}
