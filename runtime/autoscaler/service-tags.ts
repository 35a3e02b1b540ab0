/**
 * State the autoscaler keeps on the scaled ECS service itself, as tags, so that a restarted autoscaler
 * (a new task after a crash, a deployment or ECS's SIGKILL) finds it: what it last did (cooldowns run
 * from it) and the count a drain is to restore. Tags need no store of their own and go with the service.
 *
 * Values are `<epoch ms>/<from>/<to>` and `<count>/<epoch ms>`: digits and `/` only, which ECS tag
 * values allow (letters, digits, spaces and + - = . _ : / @, up to 256 characters).
 */
import { ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { STATE_TAG_PREFIX } from "../../scaling/autoscaler-settings";
import { apiCall } from "../aws/call";
import type { LastActions } from "./types";

/** Prefix of every tag key the autoscaler writes (the task role may tag only keys with it). */
export const TAG_PREFIX = STATE_TAG_PREFIX;
export const TAG_LAST_SCALE_UP = `${TAG_PREFIX}last-scale-up`;
export const TAG_LAST_SCALE_DOWN = `${TAG_PREFIX}last-scale-down`;
/** Set by a drain before it sets the desired count to 0: the count to restore. */
export const TAG_DRAIN_RESTORE = `${TAG_PREFIX}drain-restore`;

export type ScaleAction = NonNullable<LastActions["scaleUp"]>;

export function formatAction(a: ScaleAction): string {
    return `${a.at}/${a.from}/${a.to}`;
}

/** `<at>/<from>/<to>` back to an action; undefined for anything else (a tag edited by hand). */
export function parseAction(value: string | undefined): ScaleAction | undefined {
    const m = value === undefined ? null : /^(\d+)\/(\d+)\/(\d+)$/.exec(value.trim());
    return m ? { at: Number(m[1]), from: Number(m[2]), to: Number(m[3]) } : undefined;
}

export function formatDrainRestore(count: number, at: number): string {
    return `${count}/${at}`;
}

export function parseDrainRestore(value: string | undefined): { count: number; at: number } | undefined {
    const m = value === undefined ? null : /^(\d+)\/(\d+)$/.exec(value.trim());
    return m ? { count: Number(m[1]), at: Number(m[2]) } : undefined;
}

/** The autoscaler's own tags on a resource (keys with TAG_PREFIX). */
export async function readTags(ecs: ECSClient, resourceArn: string): Promise<Record<string, string>> {
    const out = await apiCall("ListTagsForResource", () => ecs.send(new ListTagsForResourceCommand({ resourceArn })));
    const tags: Record<string, string> = {};
    for (const t of out?.tags ?? []) if (t.key?.startsWith(TAG_PREFIX) && t.value !== undefined) tags[t.key] = t.value;
    return tags;
}

export async function writeTags(ecs: ECSClient, resourceArn: string, tags: Record<string, string>, signal?: AbortSignal): Promise<void> {
    await apiCall("TagResource", () => ecs.send(new TagResourceCommand({
        resourceArn,
        tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    }), { abortSignal: signal }));
}

export async function removeTags(ecs: ECSClient, resourceArn: string, keys: readonly string[], signal?: AbortSignal): Promise<void> {
    await apiCall("UntagResource", () => ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: [...keys] }), { abortSignal: signal }));
}

/** What the autoscaler last did, as the service's tags record it. */
export function lastActionsFromTags(tags: Record<string, string>): LastActions {
    const scaleUp = parseAction(tags[TAG_LAST_SCALE_UP]);
    const scaleDown = parseAction(tags[TAG_LAST_SCALE_DOWN]);
    return { ...(scaleUp ? { scaleUp } : {}), ...(scaleDown ? { scaleDown } : {}) };
}
