import type { Grant } from "../grants";

/**
 * One permission an app's own code needs (its task role on ECS, its pod identity on EKS): the
 * platform-wide `Grant`, exact actions on exact resources.
 */
export type TaskGrant = Grant;

export { type AppBindings, appBindings } from "../bindings";
