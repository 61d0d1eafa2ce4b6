import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "./iam";
import { withTransforms, type Transformable } from "./transform";

/**
 * What a construct holds to let an AWS service use a key: whoever gives a service principal an
 * encrypted queue or topic to write to (a queue policy, a topic policy, an alarm action) also
 * lets that service use the key, because the key policy must admit it (IAM on the caller's side
 * is not enough: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-services.html).
 */
export interface ServiceKeyUsers {
    /** Lets `service` (e.g. `sns.amazonaws.com`) generate data keys and decrypt, for this account's resources only. */
    allowService(service: string): void;
}

export interface PlatformKeyArgs extends Transformable {
    /** What the key protects; shown in the KMS console. */
    description: string;
    /** Alias name without the `alias/` prefix, e.g. `platform-dev/logs`. */
    alias: string;
    /** The stack's region; CloudWatch Logs' principal and encryption context are regional. */
    region: string;
    /** Account that owns the key; its IAM policies govern who else may use it. */
    accountId: pulumi.Input<string>;
    /**
     * Let CloudWatch Logs encrypt log groups of this account and region with the key. AWS
     * requires the grant in the key policy and scopes it by the log group ARN in the encryption
     * context.
     * @default false
     */
    allowCloudWatchLogs?: boolean;
    /**
     * Service principals (e.g. `sns.amazonaws.com`) that may generate data keys and decrypt on
     * behalf of this account's resources, limited by `aws:SourceAccount`.
     * @default []
     */
    servicePrincipals?: string[];
    /**
     * The key policy waits for `seal()`, so the constructs built after the key can add the
     * services they need with `allowService` (each construct declares its own needs; the key
     * never has to know which apps are on).
     * @default false (the policy is final when the key is built)
     */
    openToServices?: boolean;
    /**
     * A stateful key: Pulumi `protect` and the longest deletion window (30 days), so a key that
     * still encrypts data cannot disappear in one `pulumi destroy`.
     * @default false
     */
    protect?: boolean;
}

/**
 * A customer-managed KMS key with rotation on and a key policy built from declared uses.
 * Cost: $1 per key per month plus $0.03 per 10,000 requests.
 */
export class PlatformKey extends pulumi.ComponentResource implements ServiceKeyUsers {
    readonly key: aws.kms.Key;
    readonly alias: aws.kms.Alias;
    readonly arn: pulumi.Output<string>;
    private readonly keyName: string;
    private readonly services: string[] = [];
    /** Set while the policy still takes services (`openToServices`, before `seal()`). */
    private finishPolicy?: () => void;

    constructor(name: string, args: PlatformKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:security:PlatformKey", name, {}, withTransforms(opts, args.transform));
        this.keyName = name;
        this.services.push(...new Set(args.servicePrincipals ?? []));
        const servicesFinal = args.openToServices ? new Promise<boolean>((resolve) => (this.finishPolicy = () => resolve(true))) : Promise.resolve(true);
        const accountRoot = pulumi.interpolate`arn:aws:iam::${args.accountId}:root`;
        const statements: aws.iam.PolicyStatement[] = [
            {
                // The account keeps administering the key through IAM; without it a bad policy locks everyone out.
                Sid: "AccountAdministersKeyThroughIam",
                Effect: "Allow",
                Principal: { AWS: accountRoot },
                Action: "kms:*",
                Resource: "*",
            },
        ];
        const useActions = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"];
        if (args.allowCloudWatchLogs) {
            statements.push({
                Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
                Effect: "Allow",
                Principal: { Service: `logs.${args.region}.amazonaws.com` },
                Action: useActions,
                Resource: "*",
                Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:aws:logs:${args.region}:${args.accountId}:log-group:*` } },
            });
        }
        const serviceStatements = (): aws.iam.PolicyStatement[] =>
            this.services.map((service) => ({
                Sid: `ServiceUse${service.split(".")[0].replace(/[^A-Za-z0-9]/g, "")}`,
                Effect: "Allow",
                Principal: { Service: service },
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
            }));

        this.key = new aws.kms.Key(
            name,
            {
                description: args.description,
                enableKeyRotation: true,
                rotationPeriodInDays: 365,
                deletionWindowInDays: args.protect ? 30 : 7,
                // Built once every construct has declared its services (at once for a closed key).
                policy: pulumi.output(servicesFinal).apply(() => policyJson({ Version: "2012-10-17", Statement: [...statements, ...serviceStatements()] })),
            },
            { parent: this, protect: args.protect },
        );
        this.alias = new aws.kms.Alias(name, { name: `alias/${args.alias}`, targetKeyId: this.key.keyId }, { parent: this });
        this.arn = this.key.arn;
        this.registerOutputs({ arn: this.arn, alias: this.alias.name });
    }

    allowService(service: string): void {
        // A service the policy already admits changes nothing, sealed or not.
        if (this.services.includes(service)) return;
        if (!this.finishPolicy) throw new Error(`${this.keyName}: the key policy is already final, so ${service} cannot be added; build the key with openToServices and add services before seal()`);
        this.services.push(service);
    }

    /** Finishes the key policy of an `openToServices` key: call it once every construct using the key is built. */
    seal(): void {
        const finish = this.finishPolicy;
        this.finishPolicy = undefined;
        finish?.();
    }
}
