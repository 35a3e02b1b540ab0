/**
 * Alerts under Pulumi mocks: the named topic encrypted with a KMS key CloudWatch alarms may use (the
 * component's own, or the configured one), and an email subscription only when an address is set.
 */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { Alerts, AlertsArgs } from "../../components/alerts";
import { loadStackConfig } from "../../config/load";
import { ACCOUNT, REGION, allRegistered, named, ofType, promiseOf, recorded, setupMocks } from "../helpers/pulumi-mocks";
import { rawProjectConfig } from "../helpers/stack-files";

const T = { topic: "aws:sns/topic:Topic", subscription: "aws:sns/topicSubscription:TopicSubscription", key: "aws:kms/key:Key" };
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:ecs-autoscaling-staging-alerts`;
/** The ARN the mock gives the component's own key. */
const OWN_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:alerts-key`;
const CONFIGURED_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

async function build(args: AlertsArgs) {
    const constructed: pulumi.ResourceTransformationArgs[] = [];
    const alerts = new Alerts("alerts", args, { transformations: [(a) => { constructed.push(a); return undefined; }] });
    const [topicArn, kmsKeyArn] = await promiseOf(pulumi.all([alerts.topicArn, alerts.kmsKeyArn]));
    await allRegistered();
    return { alerts, topicArn, kmsKeyArn, constructed };
}

function staging(overrides: Record<string, unknown> = {}) {
    return loadStackConfig(rawProjectConfig("staging", overrides), { project: "ecs-autoscaling", stack: "staging" });
}

describe("Alerts", () => {
    beforeEach(() => setupMocks());

    describe("the staging stack file (no alertEmail, no alertsKmsKeyArn)", () => {
        let out: Awaited<ReturnType<typeof build>>;
        beforeEach(async () => {
            const config = staging();
            expect([config.alertEmail, config.alertsKmsKeyArn]).to.deep.equal([undefined, undefined]);
            out = await build({ topicName: config.names.alertsTopic, email: config.alertEmail, kmsKeyArn: config.alertsKmsKeyArn });
        });

        it("encrypts the named topic with a key of its own, and subscribes nobody", () => {
            expect(ofType(T.topic).map((r) => [r.name, r.inputs])).to.deep.equal([
                ["alerts-topic", { name: "ecs-autoscaling-staging-alerts", kmsMasterKeyId: OWN_KEY_ARN }],
            ]);
            expect(out.kmsKeyArn).to.equal(OWN_KEY_ARN);
            expect(ofType(T.subscription)).to.deep.equal([]);
            expect(out.topicArn).to.equal(TOPIC_ARN);
            expect(recorded.map((r) => r.type).sort()).to.deep.equal(["ecs-autoscaling:monitoring:Alerts", T.key, T.topic].sort());
        });

        it("gives the key a policy: the account administers it, CloudWatch of this account may encrypt and decrypt with it", () => {
            const key = named(T.key, "alerts-key").inputs;
            expect({ ...key, policy: undefined }).to.deep.equal({
                description: "Encrypts the SNS topic ecs-autoscaling-staging-alerts",
                enableKeyRotation: true,
                deletionWindowInDays: 7,
                policy: undefined,
            });
            expect(JSON.parse(key.policy)).to.deep.equal({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
                    {
                        Sid: "CloudWatchAlarmsPublish",
                        Effect: "Allow",
                        Principal: { Service: "cloudwatch.amazonaws.com" },
                        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                        Resource: "*",
                        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
                    },
                ],
            });
        });

        it("deletes the fixed-name topic before replacing it", () => {
            const topic = out.constructed.find((c) => c.type === T.topic)!;
            expect((topic.opts as pulumi.CustomResourceOptions).deleteBeforeReplace).to.equal(true);
        });
    });

    it("alertsKmsKeyArn set: the topic uses that key and no key is created", async () => {
        const config = staging({ alertsKmsKeyArn: CONFIGURED_KEY_ARN });
        const out = await build({ topicName: config.names.alertsTopic, kmsKeyArn: config.alertsKmsKeyArn });
        expect(named(T.topic, "alerts-topic").inputs).to.deep.equal({ name: "ecs-autoscaling-staging-alerts", kmsMasterKeyId: CONFIGURED_KEY_ARN });
        expect(out.kmsKeyArn).to.equal(CONFIGURED_KEY_ARN);
        expect(ofType(T.key)).to.deep.equal([]);
    });

    it("with alertEmail set: one email subscription of that address to the topic", async () => {
        const config = staging({ alertEmail: "oncall@example.com" });
        const out = await build({ topicName: config.names.alertsTopic, email: config.alertEmail });
        expect(ofType(T.subscription).map((r) => [r.name, r.inputs])).to.deep.equal([
            ["alerts-email", { topic: TOPIC_ARN, protocol: "email", endpoint: "oncall@example.com" }],
        ]);
        expect(out.topicArn).to.equal(TOPIC_ARN);
    });

    it("an empty address subscribes nobody", async () => {
        await build({ topicName: "t", email: "" });
        expect(ofType(T.subscription)).to.deep.equal([]);
    });
});
