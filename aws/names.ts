/**
 * How the stack fits the names it gives into AWS's name rules: the budget of a target group name and
 * the characters of a dashboard name. The limits come from aws/limits.ts; imports nothing else of the
 * project's, so config/ (which derives and checks the names) and components/ (which create the
 * resources) share one definition.
 */
import * as crypto from "crypto";
import { TARGET_GROUP_NAME_MAX_LENGTH } from "./limits";

/**
 * What is appended to a target group base: `-<4 hex>` of the settings whose change replaces the
 * service's target group (components/fargate-service.ts), or `-wake` (config/scale-to-zero.ts).
 */
export const TARGET_GROUP_SUFFIX_LENGTH = 5;
/** A base leaves room for the suffix within ELB's target group name limit: 32 - 5 = 27 characters. */
const TARGET_GROUP_BASE_LENGTH = TARGET_GROUP_NAME_MAX_LENGTH - TARGET_GROUP_SUFFIX_LENGTH;
/** Hex digits of the name's hash that a shortened base ends with. */
const BASE_HASH_HEX = 5;

/**
 * The base of a service's target group name, to which a suffix of TARGET_GROUP_SUFFIX_LENGTH is
 * added. A physical name of up to 27 characters is kept whole; a longer one keeps its first 21
 * characters and adds `-` and 5 hex digits of a hash of the whole name, so two services never share a
 * target group name because their names share a beginning (config checks that the bases are unique).
 */
export function targetGroupBase(physicalName: string): string {
    if (physicalName.length <= TARGET_GROUP_BASE_LENGTH) return physicalName;
    const hash = crypto.createHash("sha256").update(physicalName).digest("hex").slice(0, BASE_HASH_HEX);
    return `${physicalName.slice(0, TARGET_GROUP_BASE_LENGTH - BASE_HASH_HEX - 1).replace(/-+$/, "")}-${hash}`;
}

/** CloudWatch dashboard names: 1-255 letters, digits, `-` and `_` (CloudWatch API reference, PutDashboard, DashboardName). */
export const DASHBOARD_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
/** How a refused dashboard name is told: `<key>: <value> <rule>`. */
export const DASHBOARD_NAME_RULE = "must be 1-255 letters, digits, hyphens and underscores (CloudWatch dashboard names)";
