import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RoleGrants } from "../../platform/grants";
import { serviceTrustPolicy } from "../../platform/iam";
import type { RecordedResource } from "../../platform/offline/mock-cloud";
import { synthesize, SynthResult } from "../../platform/offline/synth";
import { parseJson } from "../helpers";

/** Builds constructs on their own (no platform around them) against the mock cloud. */
export function synthConstructs(program: () => unknown): Promise<SynthResult> {
    return synthesize({ project: "platform", stack: "dev", config: { "aws:region": "eu-west-1" }, program });
}

export const DATA_KEY = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-4000-8000-000000000001";
export const LOGS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-4000-8000-000000000002";

/** A role to grant to, as a function or a workflow would hold one. */
export class TestGrantee extends pulumi.ComponentResource {
    readonly grants: RoleGrants;
    constructor(name: string) {
        super("test:index:Grantee", name);
        const role = new aws.iam.Role(name, { assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com", "123456789012") }, { parent: this });
        this.grants = new RoleGrants(name, role, this);
    }
}

/** The statements granted to `grantee` (its inline policies), by Sid. */
export function grantsOf(resources: RecordedResource[], grantee: string): Record<string, any> {
    const statements = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.startsWith(`${grantee}-`)).flatMap((r) => parseJson(r.inputs.policy).Statement);
    return Object.fromEntries(statements.map((statement: any) => [statement.Sid, statement]));
}
