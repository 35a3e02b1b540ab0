/**
 * What the task runner needs to know about each ECS service of a local stack, read from what the graph
 * created: its cluster and task definition, the container it runs (the project's own `autoscale`
 * command, or another image), its port, environment and target groups.
 */
import type { StateEntry } from "../graph/state";

export interface ContainerSpec {
    readonly name: string;
    readonly image: string;
    /** True when the image is the project image (built from this repository). */
    readonly projectImage: boolean;
    /** The `autoscale` arguments (the task definition's command, else the image's CMD). */
    readonly command: readonly string[];
    readonly environment: Readonly<Record<string, string>>;
    readonly containerPort?: number;
}

export interface ServiceSpec {
    /** The ECS service name. */
    readonly name: string;
    readonly arn: string;
    readonly cluster: string;
    readonly taskDefinitionArn: string;
    readonly container: ContainerSpec;
    readonly targetGroupArns: readonly string[];
    readonly subnets: readonly string[];
    readonly securityGroups: readonly string[];
}

/** The project image's CMD (Dockerfile): what a task runs when its task definition names no command. */
export const PROJECT_IMAGE_CMD = ["autoscaler", "run"] as const;

export function serviceSpecs(entries: readonly StateEntry[]): ServiceSpec[] {
    const taskDefs = new Map<string, StateEntry>();
    for (const e of entries) if (e.type === "aws:ecs/taskDefinition:TaskDefinition") taskDefs.set(String(e.outputs.arn), e);
    const repositories = entries.filter((e) => e.type === "aws:ecr/repository:Repository").map((e) => String(e.outputs.repositoryUrl ?? ""));
    // The mocked image reference the program used for the project image: <registry>/<repository>@<digest>.
    const repositoryNames = entries.filter((e) => e.type === "aws:ecr/repository:Repository").map((e) => String(e.outputs.name));
    const isProject = (image: string) => repositories.some((r) => r && image.startsWith(r)) || repositoryNames.some((n) => image.split("@")[0].split(":")[0].endsWith(`/${n}`));
    const specs: ServiceSpec[] = [];
    for (const e of entries) {
        if (e.type !== "aws:ecs/service:Service") continue;
        const inputs = e.inputs as any;
        const td = taskDefs.get(String(inputs.taskDefinition));
        if (!td) throw new Error(`service ${e.outputs.name}: task definition ${inputs.taskDefinition} is not among the created resources`);
        const c = JSON.parse(String((td.inputs as any).containerDefinitions))[0];
        const projectImage = isProject(String(c.image));
        specs.push({
            name: String(e.outputs.name), arn: String(e.outputs.arn), cluster: String(String(inputs.cluster).split("/").pop()),
            taskDefinitionArn: String(td.outputs.arn),
            container: {
                name: c.name, image: c.image, projectImage,
                command: c.command ?? (projectImage ? [...PROJECT_IMAGE_CMD] : []),
                environment: Object.fromEntries((c.environment ?? []).map((kv: { name: string; value: string }) => [kv.name, kv.value])),
                ...(c.portMappings?.[0]?.containerPort !== undefined ? { containerPort: c.portMappings[0].containerPort } : {}),
            },
            targetGroupArns: (inputs.loadBalancers ?? []).map((l: { targetGroupArn: string }) => l.targetGroupArn),
            subnets: inputs.networkConfiguration?.subnets ?? [],
            securityGroups: inputs.networkConfiguration?.securityGroups ?? [],
        });
    }
    return specs;
}
