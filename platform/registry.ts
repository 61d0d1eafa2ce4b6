import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "./iam";
import { withTransforms, type Transformable } from "./transform";

/** ECR actions a runtime needs to pull an image, and no more. */
export const ECR_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];
/** ECR actions Lambda's service principal needs to pull a function's image. */
export const LAMBDA_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
/** ECR actions a CI job needs to push an image (layer upload and manifest put), and no more. */
export const ECR_PUSH_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"];

export interface RegistryArgs extends Transformable {
    /** Repository path prefix: repositories are named `<namespace>/<app>`, e.g. `team-a/web`. */
    namespace: string;
    /** One repository per app name. */
    apps: string[];
    /** Days after which untagged images (build leftovers) expire. */
    untaggedImageExpiryDays: number;
    /** How many tagged images each repository keeps; older ones expire. */
    keepTaggedImages: number;
    /** KMS key that encrypts the images at rest. */
    kmsKeyArn: pulumi.Input<string>;
    /** The stack's region and account, to scope the Lambda pull grant. */
    region: string;
    accountId: pulumi.Input<string>;
    /**
     * App name to the name of the Lambda function that runs its image: the repository admits
     * Lambda's service principal to pull for that function only. An app not listed gets no
     * Lambda statement.
     * @default {} (no app on Lambda)
     * @example { web: "platform-dev-web-lambda" }
     */
    lambdaFunctions?: Record<string, string>;
    /**
     * Role that CI assumes to push images. It gets push actions on these repositories only; it
     * still needs `ecr:GetAuthorizationToken` in its own IAM policy (an account-level action).
     * @default no push grant
     */
    ciPushRoleArn?: string;
    /**
     * Registry-wide enhanced scanning (Amazon Inspector, continuous) of every repository in the
     * registry: the setting is one per account and region, so the stack that owns it
     * (`platform:account.owner`) covers the other stacks' repositories too (with enhanced scanning
     * on, a repository no rule matches is not scanned at all). Cost: about $0.09 per image scanned
     * on push plus rescans.
     * @default false (basic scan on push only)
     * @example true (in the account owner's stack)
     */
    enhancedScanning?: boolean;
    /**
     * A pull-through cache rule for ECR Public under the `ecr-public/` prefix, so public base
     * images come from this registry (no Docker Hub rate limits, scanned, no NAT egress), and the
     * creation template of the repositories it creates. Both are one per registry (account and
     * region): only the account owner's stack sets this.
     * @default false
     * @example true (in the account owner's stack)
     */
    pullThroughCache?: boolean;
    /**
     * Stateful repositories: Pulumi `protect`, and `pulumi destroy` refuses to delete images.
     * When false, repositories are force-deleted with their images (dev).
     * @default false
     */
    protect?: boolean;
}

export interface AppRepository {
    repository: aws.ecr.Repository;
    url: pulumi.Output<string>;
    arn: pulumi.Output<string>;
}

/**
 * One private ECR repository per app: scan on push, immutable tags (a tag is a release), KMS
 * encryption, a lifecycle policy and a repository policy granting exactly pull to the account's
 * runtimes and push to one CI role.
 */
export class Registry extends pulumi.ComponentResource {
    readonly repositories: Record<string, AppRepository> = {};

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:registry:Registry", name, {}, withTransforms(opts, args.transform));
        const lifecyclePolicy = JSON.stringify({
            rules: [
                {
                    rulePriority: 1,
                    description: `Expire untagged images after ${args.untaggedImageExpiryDays} days`,
                    selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: args.untaggedImageExpiryDays },
                    action: { type: "expire" },
                },
                {
                    rulePriority: 2,
                    description: `Keep the last ${args.keepTaggedImages} tagged images`,
                    selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: args.keepTaggedImages },
                    action: { type: "expire" },
                },
            ],
        });

        for (const app of args.apps) {
            const repository = new aws.ecr.Repository(
                `${name}-${app}`,
                {
                    name: `${args.namespace}/${app}`,
                    imageTagMutability: "IMMUTABLE",
                    imageScanningConfiguration: { scanOnPush: true },
                    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
                    forceDelete: !args.protect,
                },
                { parent: this, protect: args.protect },
            );
            new aws.ecr.LifecyclePolicy(`${name}-${app}`, { repository: repository.name, policy: lifecyclePolicy }, { parent: this });
            new aws.ecr.RepositoryPolicy(`${name}-${app}`, { repository: repository.name, policy: this.repositoryPolicy(args, args.lambdaFunctions?.[app]) }, { parent: this });
            this.repositories[app] = { repository, url: repository.repositoryUrl, arn: repository.arn };
        }

        if (args.enhancedScanning) {
            new aws.ecr.RegistryScanningConfiguration(
                `${name}-scanning`,
                {
                    scanType: "ENHANCED",
                    // With enhanced scanning on, a repository no rule matches is not scanned at all:
                    // this one setting serves every stack's repositories and the cached public images.
                    rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }],
                },
                { parent: this },
            );
        }
        if (args.pullThroughCache) {
            new aws.ecr.PullThroughCacheRule(`${name}-ecr-public`, { ecrRepositoryPrefix: "ecr-public", upstreamRegistryUrl: "public.ecr.aws" }, { parent: this });
            // Repositories the cache creates get these settings instead of the registry's defaults.
            // Tags stay mutable there: the cache must follow upstream tags such as `latest`.
            new aws.ecr.RepositoryCreationTemplate(
                `${name}-ecr-public`,
                {
                    prefix: "ecr-public",
                    description: "Repositories created by the ECR Public pull-through cache",
                    appliedFors: ["PULL_THROUGH_CACHE"],
                    imageTagMutability: "MUTABLE",
                    encryptionConfigurations: [{ encryptionType: "AES256" }],
                    lifecyclePolicy: JSON.stringify({
                        rules: [
                            {
                                rulePriority: 1,
                                description: `Expire cached images not pulled for ${args.untaggedImageExpiryDays * 4} days`,
                                selection: { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: args.untaggedImageExpiryDays * 4 },
                                action: { type: "expire" },
                            },
                        ],
                    }),
                },
                { parent: this },
            );
        }

        this.registerOutputs({ repositories: Object.fromEntries(Object.entries(this.repositories).map(([app, repo]) => [app, repo.url])) });
    }

    private repositoryPolicy(args: RegistryArgs, lambdaFunction?: string): pulumi.Output<string> {
        const statements: aws.iam.PolicyStatement[] = [
            {
                // Same-account principals still need IAM permission; this admits nobody outside the account.
                Sid: "AccountRuntimesPull",
                Effect: "Allow",
                Principal: { AWS: pulumi.interpolate`arn:aws:iam::${args.accountId}:root` },
                Action: ECR_PULL_ACTIONS,
            },
        ];
        if (lambdaFunction) {
            // Lambda pulls a container image with its own service principal, the two actions AWS documents
            // (https://docs.aws.amazon.com/lambda/latest/dg/images-create.html#configuration-images-permissions),
            // here for the app's own function only (and its versions). The repository's KMS key needs no
            // statement: ECR decrypts layers through the grant it made on the key when the repository was
            // created (https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html).
            const functionArn = pulumi.interpolate`arn:aws:lambda:${args.region}:${args.accountId}:function:${lambdaFunction}`;
            statements.push({
                Sid: "LambdaPullForOwnFunction",
                Effect: "Allow",
                Principal: { Service: "lambda.amazonaws.com" },
                Action: LAMBDA_PULL_ACTIONS,
                Condition: { StringLike: { "aws:sourceArn": [functionArn, pulumi.interpolate`${functionArn}:*`] } },
            });
        }
        if (args.ciPushRoleArn) {
            statements.push({ Sid: "CiPush", Effect: "Allow", Principal: { AWS: args.ciPushRoleArn }, Action: ECR_PUSH_ACTIONS });
        }
        return policyJson({ Version: "2012-10-17", Statement: statements });
    }
}
