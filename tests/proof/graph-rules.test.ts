/**
 * The graph rules that judge an accepted stack file on what AWS would refuse at create time: the ones
 * about Aurora's engine version and instance class, and the certificate's region. (Names, capacities,
 * steps and alarms are covered through the generated stack files, tests/stacks/generated-config.test.ts.)
 */
import { expect } from "chai";
import { graphProblems, type GraphResourceInputs } from "../../proof/graph-rules";

const SOURCE = "aws-cdk-lib v2.274.0 (20 Oct 2026), AuroraPostgresEngineVersion";
const cluster = (engineVersion: string): GraphResourceInputs => ({ type: "aws:rds/cluster:Cluster", name: "db", inputs: { engine: "aurora-postgresql", engineVersion } });
const instance = (instanceClass: string, engineVersion = "16.4", name = "db-writer"): GraphResourceInputs =>
    ({ type: "aws:rds/clusterInstance:ClusterInstance", name, inputs: { engine: "aurora-postgresql", engineVersion, instanceClass } });
const listener = (certificateArn?: string, name = "https"): GraphResourceInputs => ({ type: "aws:lb/listener:Listener", name, inputs: { port: 443, certificateArn } });
const CERT = (region: string) => `arn:aws:acm:${region}:123456789012:certificate/0f1e2d3c-4b5a-4c69-8d7e-9fa0b1c2d3e4`;

describe("graph rules: what CreateDBCluster, CreateDBInstance and CreateListener refuse", () => {
    it("an Aurora cluster and instances on an offered version and class pass", () => {
        expect(graphProblems([cluster("16.4"), instance("db.t4g.medium"), instance("db.serverless", "17.4", "db-reader-1")])).to.deep.equal([]);
    });

    it("an engine version RDS does not offer, on the cluster and the instance, is named with the list's source", () => {
        expect(graphProblems([cluster("99.9"), instance("db.r6g.large", "16.5")])).to.deep.equal([
            `aws:rds/cluster:Cluster db: engine version "99.9" is not offered for aurora-postgresql (${SOURCE})`,
            `aws:rds/clusterInstance:ClusterInstance db-writer: engine version "16.5" is not offered for aurora-postgresql (${SOURCE})`,
        ]);
    });

    it("an instance class Aurora PostgreSQL is not offered on", () => {
        expect(graphProblems([instance("db.t4g.small")])).to.deep.equal([
            'aws:rds/clusterInstance:ClusterInstance db-writer: instance class "db.t4g.small" is not offered for aurora-postgresql',
        ]);
    });

    it("a listener's certificate of another region than the stack's; none checked when the region is unknown", () => {
        expect(graphProblems([listener(CERT("eu-west-1"))], "us-east-1")).to.deep.equal([
            `aws:lb/listener:Listener https: certificate ${CERT("eu-west-1")} is not of the stack's region us-east-1`,
        ]);
        expect(graphProblems([listener(CERT("us-east-1")), listener(undefined, "http")], "us-east-1")).to.deep.equal([]);
        expect(graphProblems([listener(CERT("eu-west-1"))])).to.deep.equal([]);
    });
});
