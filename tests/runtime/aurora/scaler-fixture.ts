/**
 * The instance-class scaler's fixture: the two classes it moves between, the instances of the fake
 * cluster (fake-rds.ts), the time the tests start at, and the settings its environment gives.
 */
import type { ScalerSettings } from "../../../runtime/aurora/operation";
import { ALARM, CLUSTER } from "./fake-rds";

export const SMALL = "db.t4g.medium";
export const LARGE = "db.r6g.large";
export const WRITER = `${CLUSTER}-writer`;
export const READER = `${CLUSTER}-reader-1`;
export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
export const T0s = T0 / 1000;

export const settings: ScalerSettings = {
    clusterIdentifier: CLUSTER,
    alarmName: ALARM,
    smallClass: SMALL,
    largeClass: LARGE,
    okSecondsBeforeScaleDown: 1800,
    cooldownSeconds: 3600,
    dryRun: false,
};
