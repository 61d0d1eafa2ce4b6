import * as pulumi from "@pulumi/pulumi";
import { type AppConfig, BINDING_KIND_SPECS, BINDING_KINDS, CONSUMED_QUEUE_VARIABLE, type BindingConfig, type BindingKind, unknownReference, type ReferenceCatalog } from "./config";
import type { Grant } from "./grants";

/**
 * App bindings, resolved against what this stack builds: a reference becomes the resource's ARN,
 * the value its code needs (name, URL or ARN) and the key it is encrypted with, all in the same
 * deploy; a literal ARN becomes the same from the ARN itself and the binding's `kmsKeyArn`.
 */

/** One resource an app may bind to. */
export interface BindableResource {
    arn: pulumi.Input<string>;
    /** What the app's variable receives: the table, bucket, bus or stream name, the queue URL or the topic ARN. */
    value: pulumi.Input<string>;
    /** The customer-managed key the resource is encrypted with; unset when it uses an AWS-owned key. */
    kmsKeyArn?: pulumi.Input<string>;
}

/** The stack's bindable resources by section and reference (`translate.requests`). */
export type StackResources = Record<BindingKind, Record<string, BindableResource>>;

export function emptyStackResources(): StackResources {
    return { tables: {}, buckets: {}, queues: {}, topics: {}, buses: {}, streams: {} };
}

/** What an app's bindings give it: grants for its role and the variables that say where things are. */
export interface AppBindings {
    grants: Grant[];
    environment: Record<string, pulumi.Input<string>>;
    /** The queue a worker consumes (`consumes.queue`), for its scaling metric (ECS) or trigger (EKS). */
    consumes?: { arn: pulumi.Input<string>; url: pulumi.Input<string>; messagesPerTask: number; scaleToZero: boolean };
}

/**
 * What a queue worker's code does with its queue (apps/worker/src/sqs.ts): receive, delete, extend
 * visibility (and decrypt). Its backlog is read by the scaler, never by the worker: CloudWatch on
 * ECS, KEDA's own role on EKS.
 */
export const CONSUMER_ACTIONS = ["ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility"];

/**
 * On Lambda the event source mapping polls with the function's role, and it also reads the queue's
 * attributes (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html, execution
 * role permissions). A worker on Lambda runs there alone, so its role is the mapping's only.
 */
export const LAMBDA_CONSUMER_ACTIONS = [...CONSUMER_ACTIONS, "GetQueueAttributes"];

/**
 * Grants and variables for every binding of an app. Each binding grants exactly its actions on
 * exactly its resource (the objects for object actions, the indexes for Query and Scan), and,
 * when the resource has a customer-managed key, the key actions those actions need, only
 * through the resource's service in this region (`kms:ViaService`).
 */
export function appBindings(app: string, spec: AppConfig, resources: StackResources, region: string): AppBindings {
    const grants: Grant[] = [];
    const environment: Record<string, pulumi.Input<string>> = {};
    for (const kind of BINDING_KINDS) {
        for (const [variable, binding] of Object.entries(spec[kind])) {
            const resource = resolveBinding(app, kind, variable, binding, resources, region);
            environment[variable] = resource.value;
            grants.push(...bindingGrants(kind, variable, binding.actions, resource, region));
        }
    }
    if (spec.consumes) {
        const actions = spec.runtimes.includes("lambda") ? LAMBDA_CONSUMER_ACTIONS : CONSUMER_ACTIONS;
        const queue = resolveBinding(app, "queues", CONSUMED_QUEUE_VARIABLE, { ref: spec.consumes.queue, actions }, resources, region);
        environment[CONSUMED_QUEUE_VARIABLE] = queue.value;
        grants.push(...bindingGrants("queues", CONSUMED_QUEUE_VARIABLE, actions, queue, region));
        return { grants, environment, consumes: { arn: queue.arn, url: queue.value, messagesPerTask: spec.consumes.messagesPerTask, scaleToZero: spec.consumes.scaleToZero } };
    }
    return { grants, environment };
}

function resolveBinding(app: string, kind: BindingKind, variable: string, binding: BindingConfig, resources: StackResources, region: string): BindableResource {
    if (binding.ref !== undefined) {
        const resource = resources[kind][binding.ref];
        if (!resource) {
            // Config validation lists the same catalog; reaching here means the two disagree.
            const catalog = Object.fromEntries(BINDING_KINDS.map((k) => [k, Object.fromEntries(Object.keys(resources[k]).map((ref) => [ref, {}]))])) as ReferenceCatalog;
            throw new Error(`apps.${app}.${kind}.${variable}.ref: ${unknownReference(kind, binding.ref, catalog)}`);
        }
        return resource;
    }
    const arn = binding.arn as string;
    return { arn, value: valueFromArn(kind, arn, region), kmsKeyArn: binding.kmsKeyArn };
}

/** The value an app's variable gets for a resource known only by ARN. */
export function valueFromArn(kind: BindingKind, arn: string, region: string): string {
    const match = BINDING_KIND_SPECS[kind].arnPattern.exec(arn);
    if (!match) throw new Error(`not a ${BINDING_KIND_SPECS[kind].noun} ARN: ${arn}`);
    switch (kind) {
        case "queues": {
            const [, queueRegion, account, name] = match;
            return `https://sqs.${queueRegion || region}.amazonaws.com/${account}/${name}`;
        }
        case "topics":
            return arn;
        default:
            return match[1];
    }
}

const sidPart = (variable: string) => variable.replace(/[^A-Za-z0-9]/g, "");
const SID_PREFIX: Record<BindingKind, string> = { tables: "Table", buckets: "Bucket", queues: "Queue", topics: "Topic", buses: "Bus", streams: "Stream" };

/** The grants of one binding: its actions on its resource, then its key. */
export function bindingGrants(kind: BindingKind, variable: string, actions: string[], resource: Pick<BindableResource, "arn" | "kmsKeyArn">, region: string): Grant[] {
    const spec = BINDING_KIND_SPECS[kind];
    const sid = `${SID_PREFIX[kind]}${sidPart(variable)}`;
    const qualified = (list: string[]) => list.map((action) => `${spec.service}:${action}`);
    const grants: Grant[] = [];
    if (kind === "buckets") {
        // Object actions apply to `<bucket>/*`, ListBucket to the bucket itself.
        const objectActions = actions.filter((action) => action !== "ListBucket");
        if (objectActions.length > 0) grants.push({ sid: `${sid}Objects`, actions: qualified(objectActions), resources: [pulumi.interpolate`${resource.arn}/*`] });
        if (actions.includes("ListBucket")) grants.push({ sid: `${sid}List`, actions: qualified(["ListBucket"]), resources: [resource.arn] });
    } else if (kind === "tables" && actions.some((action) => action === "Query" || action === "Scan")) {
        grants.push({ sid, actions: qualified(actions), resources: [resource.arn, pulumi.interpolate`${resource.arn}/index/*`] });
    } else {
        grants.push({ sid, actions: qualified(actions), resources: [resource.arn] });
    }
    if (resource.kmsKeyArn !== undefined) {
        const keyActions = [
            ...(actions.some((action) => spec.readActions.includes(action) || (kind === "tables" && spec.writeActions.includes(action))) ? ["kms:Decrypt"] : []),
            ...(actions.some((action) => spec.writeActions.includes(action)) ? spec.writeKeyActions : []),
        ];
        const unique = [...new Set(keyActions)];
        if (unique.length > 0) {
            grants.push({ sid: `${sid}Key`, actions: unique, resources: [resource.kmsKeyArn], conditions: { StringEquals: { "kms:ViaService": `${spec.service}.${region}.amazonaws.com` } } });
        }
    }
    return grants;
}
