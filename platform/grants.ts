import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "./iam";

/**
 * One permission, declared between two constructs (`queue.grantConsume(fn)`,
 * `table.grantReadWrite(machine)`): exact actions on exact resources. Narrower than an IAM
 * statement on purpose: no Deny, no NotAction, no wildcard action, no principal.
 */
export interface Grant {
    /** What the grant is for, e.g. `ConsumeWorkQueue`; becomes the statement's Sid ([A-Za-z0-9]). */
    sid: string;
    /** Fully qualified actions such as `sqs:ReceiveMessage`; never a wildcard. */
    actions: string[];
    /** Exact ARNs (an index or object path suffix such as `/index/*` is allowed when the action needs it). */
    resources: pulumi.Input<string>[];
    /** IAM condition block, e.g. `{ StringEquals: { "kms:ViaService": "sqs.eu-west-1.amazonaws.com" } }`. */
    conditions?: Record<string, Record<string, pulumi.Input<string | string[]>>>;
}

/**
 * Anything that runs with an IAM role and can be granted permissions: a function, a state
 * machine, an API Gateway integration role, a pod identity. Each grant becomes its own inline
 * policy on the role, parented to the grantee, so adding a grant later never rewrites another.
 */
export interface Grantee {
    /** The role's name, for inline policies. */
    readonly roleName: pulumi.Output<string>;
    readonly roleArn: pulumi.Output<string>;
    /** Adds `grant` to the role. Sids must be unique per grantee (they name the policy). */
    addGrant(grant: Grant): void;
}

const SID_PATTERN = /^[A-Za-z0-9]{1,100}$/;

/** The statement a grant becomes. */
export function grantStatement(grant: Grant): aws.iam.PolicyStatement {
    return { Sid: grant.sid, Effect: "Allow", Action: grant.actions, Resource: grant.resources, ...(grant.conditions ? { Condition: grant.conditions } : {}) };
}

/**
 * The `Grantee` half of a construct that owns a role: validates each grant and creates an
 * `aws.iam.RolePolicy` named `<name>-<sid in kebab case>` as a child of `parent`.
 */
export class RoleGrants implements Grantee {
    private readonly sids = new Set<string>();

    constructor(
        private readonly name: string,
        private readonly role: aws.iam.Role,
        private readonly parent: pulumi.Resource,
    ) {}

    get roleName(): pulumi.Output<string> {
        return this.role.name;
    }

    get roleArn(): pulumi.Output<string> {
        return this.role.arn;
    }

    /** Returns the policy, for resources that must wait for the permission (an SQS event source mapping checks it when created). */
    addGrant(grant: Grant): aws.iam.RolePolicy {
        if (!SID_PATTERN.test(grant.sid)) throw new Error(`${this.name}: grant sid "${grant.sid}" must be 1-100 letters and digits`);
        if (this.sids.has(grant.sid)) throw new Error(`${this.name}: grant sid "${grant.sid}" is already used on this role; give each grant its own sid`);
        if (grant.actions.length === 0) throw new Error(`${this.name}: grant ${grant.sid} names no action`);
        const wildcard = grant.actions.find((action) => action.includes("*") || !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action));
        if (wildcard) throw new Error(`${this.name}: grant ${grant.sid} has action "${wildcard}"; expected a fully qualified action such as sqs:SendMessage, never a wildcard`);
        if (grant.resources.length === 0) throw new Error(`${this.name}: grant ${grant.sid} names no resource`);
        this.sids.add(grant.sid);
        const kebab = grant.sid.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
        return new aws.iam.RolePolicy(`${this.name}-${kebab}`, { role: this.role.name, policy: policyJson({ Version: "2012-10-17", Statement: [grantStatement(grant)] }) }, { parent: this.parent });
    }
}
