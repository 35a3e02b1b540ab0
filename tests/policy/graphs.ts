/** The mocked graph of a stack file as the policy pack sees it: type, URN and properties of every resource. */
import type { PolicyResource } from "../../policy/graph";
import { runProgram } from "../helpers/program";
import { recorded } from "../helpers/pulumi-mocks";

export async function stackGraph(stack: string): Promise<PolicyResource[]> {
    await runProgram(stack);
    // `pulumi up` validates the stack with every output known: the mock's state is inputs plus outputs.
    return recorded.map((r) => ({ type: r.type, urn: `urn:pulumi:${stack}::ecs-autoscaling::${r.type}::${r.name}`, props: JSON.parse(JSON.stringify(r.state)) }));
}
