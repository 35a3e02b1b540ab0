/**
 * Alerts under Pulumi mocks: the named topic, and an email subscription only when an address is set.
 */
import { expect } from "chai";
import { Alerts, AlertsArgs } from "../../components/alerts";
import { loadStackConfig } from "../../config/load";
import { ACCOUNT, REGION, allRegistered, ofType, promiseOf, recorded, setupMocks } from "../helpers/pulumi-mocks";
import { rawProjectConfig } from "../helpers/stack-files";

const T = { topic: "aws:sns/topic:Topic", subscription: "aws:sns/topicSubscription:TopicSubscription" };
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:ecs-autoscaling-staging-alerts`;

async function build(args: AlertsArgs) {
    const alerts = new Alerts("alerts", args);
    const topicArn = await promiseOf(alerts.topicArn);
    await allRegistered();
    return { alerts, topicArn };
}

function staging(overrides: Record<string, unknown> = {}) {
    return loadStackConfig(rawProjectConfig("staging", overrides), { project: "ecs-autoscaling", stack: "staging" });
}

describe("Alerts", () => {
    beforeEach(() => setupMocks());

    it("without alertEmail (the staging default): the named topic and no subscription", async () => {
        // GIVEN staging, where alertEmail keeps its default ""
        const config = staging();
        expect(config.alertEmail).to.equal(undefined);
        // WHEN
        const out = await build({ topicName: config.names.alertsTopic, email: config.alertEmail });
        // THEN
        expect(ofType(T.topic).map((r) => [r.name, r.inputs])).to.deep.equal([["alerts-topic", { name: "ecs-autoscaling-staging-alerts" }]]);
        expect(ofType(T.subscription)).to.deep.equal([]);
        expect(out.topicArn).to.equal(TOPIC_ARN);
        expect(recorded.map((r) => r.type).sort()).to.deep.equal(["ecs-autoscaling:monitoring:Alerts", T.topic].sort());
    });

    it("with alertEmail set: one email subscription of that address to the topic", async () => {
        // GIVEN staging with an alert address
        const config = staging({ alertEmail: "oncall@example.com" });
        // WHEN
        const out = await build({ topicName: config.names.alertsTopic, email: config.alertEmail });
        // THEN
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
