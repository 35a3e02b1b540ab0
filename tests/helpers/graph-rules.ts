/** The graph rules live with `autoscale validate` (proof/graph-rules.ts); the stack tests apply the same ones. */
export { graphProblems } from "../../proof/graph-rules";
