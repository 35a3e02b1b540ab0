/**
 * The security keys of the stack config, one rule per row: an accepted value, a refused value, and the
 * refused message, which names the key, the value (hidden when it may be a secret) and the rule.
 */
import { expect } from "chai";
import { loadStackConfig } from "../../config/load";
import { secretLookingWord } from "../../config/security";
import { rawProjectConfig } from "../helpers/stack-files";
import { problemsOf } from "../helpers/config-problems";

const ctx = { project: "ecs-autoscaling", stack: "staging" };
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/db-AbCdEf";
const PARAMETER = "arn:aws:ssm:us-east-1:123456789012:parameter/orders/api-token";
const KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";

/** Staging with the gateway service (a plain, non-queue service) edited. */
function gateway(change: (g: any) => void): Record<string, unknown> {
    const services = JSON.parse(rawProjectConfig("staging").services);
    change(services.gateway);
    return { services };
}

/** Staging with the worker (a queue consumer) edited. */
function worker(change: (w: any) => void): Record<string, unknown> {
    const services = JSON.parse(rawProjectConfig("staging").services);
    change(services.worker);
    return { services };
}

const loadBalancer = (lb: Record<string, unknown>) => ({ loadBalancer: { listenerPort: 80, ...lb } });

const table: [rule: string, accepted: Record<string, unknown>, refused: Record<string, unknown>, message: string][] = [
    ["a secret-looking name (PASSWORD) in plain environment points to secrets, without echoing the value",
        gateway((g) => { g.environment.DB_HOST = "db.internal"; }),
        gateway((g) => { g.environment.DB_PASSWORD = "hunter2"; }),
        "services.gateway.environment.DB_PASSWORD: (value hidden) looks like a secret (the name contains PASSWORD); plain environment values are readable by anyone who can describe the task definition: store it in Secrets Manager or SSM and set services.gateway.secrets.DB_PASSWORD to its ARN"],
    ["SECRET in a name part",
        gateway((g) => { g.environment.CLIENT_ID = "abc"; }),
        gateway((g) => { g.environment.CLIENT_SECRET = "s"; }),
        "services.gateway.environment.CLIENT_SECRET: (value hidden) looks like a secret (the name contains SECRET); plain environment values are readable by anyone who can describe the task definition: store it in Secrets Manager or SSM and set services.gateway.secrets.CLIENT_SECRET to its ARN"],
    ["TOKEN in a name part",
        gateway((g) => { g.environment.AUTH_URL = "https://auth"; }),
        gateway((g) => { g.environment.GITHUB_TOKENS = "t"; }),
        "services.gateway.environment.GITHUB_TOKENS: (value hidden) looks like a secret (the name contains TOKEN); plain environment values are readable by anyone who can describe the task definition: store it in Secrets Manager or SSM and set services.gateway.secrets.GITHUB_TOKENS to its ARN"],
    ["a name part ending in KEY (not KEYSPACE)",
        gateway((g) => { g.environment.KEYSPACE = "orders"; }),
        gateway((g) => { g.environment.STRIPE_APIKEY = "k"; }),
        "services.gateway.environment.STRIPE_APIKEY: (value hidden) looks like a secret (the name contains KEY); plain environment values are readable by anyone who can describe the task definition: store it in Secrets Manager or SSM and set services.gateway.secrets.STRIPE_APIKEY to its ARN"],
    ["secrets: a Secrets Manager or SSM parameter ARN",
        gateway((g) => { g.secrets = { DB_PASSWORD: `${SECRET}:password::`, API_TOKEN: PARAMETER }; }),
        gateway((g) => { g.secrets = { DB_PASSWORD: "arn:aws:s3:::bucket/db-password" }; }),
        "services.gateway.secrets.DB_PASSWORD: \"arn:aws:s3:::bucket/db-password\" must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>)"],
    ["secrets: a name not also in environment",
        gateway((g) => { g.secrets = { SHARD_MAP: PARAMETER }; }),
        gateway((g) => { g.secrets = { SHARDS_PER_TASK: PARAMETER }; }),
        `services.gateway.secrets.SHARDS_PER_TASK: "${PARAMETER}" is also set in services.gateway.environment; a variable comes from one of them only`],
    ["secrets: not QUEUE_URL on a queue consumer (the program sets it)",
        worker((w) => { w.secrets = { QUEUE_TOKEN: PARAMETER }; }),
        worker((w) => { w.secrets = { QUEUE_URL: PARAMETER }; }),
        `services.worker.secrets.QUEUE_URL: "${PARAMETER}" must not be set; the program sets QUEUE_URL itself`],
    ["secretsKmsKeyArn: a KMS key ARN, not an alias",
        gateway((g) => { g.secretsKmsKeyArn = KMS_KEY; }),
        gateway((g) => { g.secretsKmsKeyArn = "alias/aws/secretsmanager"; }),
        "services.gateway.secretsKmsKeyArn: \"alias/aws/secretsmanager\" must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)"],
    ["user: ECS's user[:group] or uid[:gid] forms",
        gateway((g) => { g.user = "nobody:65534"; }),
        gateway((g) => { g.user = "Root User"; }),
        "services.gateway.user: \"Root User\" must be <user>, <user>:<group>, <uid> or <uid>:<gid> (names lower-case, ids numeric)"],
    ["readonlyRootFilesystem: a boolean",
        gateway((g) => { g.readonlyRootFilesystem = false; }),
        gateway((g) => { g.readonlyRootFilesystem = "no"; }),
        "services.gateway.readonlyRootFilesystem: \"no\" must be true or false"],
    ["loadBalancer.certificateArn: an ACM certificate ARN",
        loadBalancer({ certificateArn: CERTIFICATE }),
        loadBalancer({ certificateArn: "arn:aws:iam::123456789012:server-certificate/staging" }),
        "loadBalancer.certificateArn: \"arn:aws:iam::123456789012:server-certificate/staging\" must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)"],
    ["loadBalancer.listenerPort: not 443 when a certificate adds the HTTPS listener there",
        loadBalancer({ listenerPort: 8080, certificateArn: CERTIFICATE }),
        loadBalancer({ listenerPort: 443, certificateArn: CERTIFICATE }),
        "loadBalancer.listenerPort: 443 is the HTTPS listener's port when loadBalancer.certificateArn is set; the HTTP listener that redirects to it needs another port (80 by default)"],
    ["loadBalancer.accessLogs: a boolean",
        loadBalancer({ accessLogs: false }),
        loadBalancer({ accessLogs: "yes" }),
        "loadBalancer.accessLogs: \"yes\" must be true or false"],
    ["loadBalancer.deletionProtection: a boolean",
        loadBalancer({ deletionProtection: false }),
        loadBalancer({ deletionProtection: 1 }),
        "loadBalancer.deletionProtection: 1 must be true or false"],
    ["alertsKmsKeyArn: a KMS key ARN or empty (not the AWS managed alias/aws/sns)",
        { alertsKmsKeyArn: KMS_KEY },
        { alertsKmsKeyArn: "alias/aws/sns" },
        "alertsKmsKeyArn: \"alias/aws/sns\" must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>) or empty"],
];

describe("config: security keys, one accepted and one refused value per rule", () => {
    for (const [rule, accepted, refused, message] of table) {
        it(rule, () => {
            expect(problemsOf(accepted), "accepted").to.deep.equal([]);
            expect(problemsOf(refused), "refused").to.deep.equal([message]);
        });
    }

    it("never prints a secret-looking environment value", () => {
        const problems = problemsOf(gateway((g) => { g.environment.DB_PASSWORD = "hunter2-do-not-print"; }));
        expect(problems.join("\n")).to.not.contain("hunter2");
    });
});

describe("config: security defaults and what reaches StackConfig", () => {
    it("defaults: containers as 1000:1000 on a read-only root filesystem, no secrets, no certificate, no access logs, no deletion protection, the stack's own alerts key", () => {
        const config = loadStackConfig(rawProjectConfig("localstack"), { project: "ecs-autoscaling", stack: "localstack" });
        const worker = config.services.worker;
        expect([worker.user, worker.readonlyRootFilesystem, worker.secrets, worker.secretsKmsKeyArn]).to.deep.equal(["1000:1000", true, {}, undefined]);
        expect(config.loadBalancer).to.deep.equal({ listenerPort: 80, accessLogs: false, deletionProtection: false });
        expect(config.alertsKmsKeyArn).to.equal(undefined);
    });

    it("staging turns on access logs and deletion protection, and runs the nginx api as root with a writable root filesystem", () => {
        const config = loadStackConfig(rawProjectConfig("staging"), ctx);
        expect(config.loadBalancer).to.deep.equal({ listenerPort: 80, accessLogs: true, deletionProtection: true });
        expect([config.services.api.user, config.services.api.readonlyRootFilesystem]).to.deep.equal(["root", false]);
    });

    it("secrets and the key pass through to the service config as given", () => {
        const config = loadStackConfig(rawProjectConfig("staging", gateway((g) => { g.secrets = { API_TOKEN: PARAMETER }; g.secretsKmsKeyArn = KMS_KEY; })), ctx);
        expect([config.services.gateway.secrets, config.services.gateway.secretsKmsKeyArn]).to.deep.equal([{ API_TOKEN: PARAMETER }, KMS_KEY]);
    });

    it("secretLookingWord: which names look like secrets", () => {
        const cases: [string, string | undefined][] = [
            ["DB_PASSWORD", "PASSWORD"], ["db_password", "PASSWORD"], ["CLIENT_SECRETS", "SECRET"], ["AUTHTOKEN", "TOKEN"],
            ["API_KEY", "KEY"], ["APIKEY", "KEY"], ["SSH_KEYS", "KEY"], ["KEYSPACE", undefined], ["KEY_PREFIX", "KEY"],
            ["SHARDS_PER_TASK", undefined], ["LOG_LEVEL", undefined],
        ];
        expect(cases.map(([n]) => [n, secretLookingWord(n)])).to.deep.equal(cases);
    });
});
