import { createHash } from "node:crypto";
/**
 * Answers for the data-source invokes the program makes, as AWS would answer them for the stack's
 * region and account. An invoke without an answer fails loudly: a silent empty answer would let
 * the program build something the real cloud never would.
 */
export interface InvokeContext {
    region: string;
    accountId: string;
}

type Answer = (inputs: Record<string, any>, context: InvokeContext) => Record<string, unknown>;

/**
 * The AWS account ELB writes access logs as, per Region, for Regions launched before August 2022
 * (AWS's "Enable access logs" guide). Newer Regions have none: the provider fails there, as here.
 */
const ELB_LOG_ACCOUNTS: Record<string, string> = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-south-1": "718504428378",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
};

const ANSWERS: Record<string, Answer> = {
    "aws:elb/getServiceAccount:getServiceAccount": (inputs, { region }) => {
        const target = typeof inputs.region === "string" ? inputs.region : region;
        const account = ELB_LOG_ACCOUNTS[target];
        if (!account) throw new Error(`getServiceAccount: Unknown region (${JSON.stringify(target)}): ELB has no log delivery account there; use the logdelivery.elasticloadbalancing.amazonaws.com principal`);
        return { id: account, arn: `arn:${target.startsWith("us-gov-") ? "aws-us-gov" : "aws"}:iam::${account}:root`, region: target };
    },
    "aws:index/getCallerIdentity:getCallerIdentity": (_inputs, { accountId }) => ({
        id: accountId,
        accountId,
        arn: `arn:aws:sts::${accountId}:assumed-role/platform-deployer/session`,
        userId: "AROAEXAMPLEDEPLOYER:session",
    }),
    "aws:index/getRegion:getRegion": (_inputs, { region }) => ({ id: region, name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: region }),
    "aws:index/getPartition:getPartition": () => ({ id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" }),
    // Public parameters only: AWS publishes the current AMI IDs under /aws/service/. A private
    // parameter has no value offline, so the program must not read one.
    "aws:ssm/getParameter:getParameter": (inputs, { region }) => {
        const name = String(inputs.name);
        if (!name.startsWith("/aws/service/")) throw new Error(`The mock cloud answers only public /aws/service/ SSM parameters, not ${name}`);
        const digest = createHash("sha256").update(`${region}${name}`).digest("hex");
        const value = name.includes("/ami-") ? `ami-${digest.slice(0, 17)}` : digest.slice(0, 16);
        return { id: name, name, value, insecureValue: value, type: "String", version: 1, arn: `arn:aws:ssm:${region}::parameter${name}`, withDecryption: true };
    },
    "aws:index/getAvailabilityZones:getAvailabilityZones": (_inputs, { region }) => {
        const letters = [..."abc"];
        return {
            id: region,
            names: letters.map((letter) => `${region}${letter}`),
            zoneIds: letters.map((_letter, index) => `${region.replace(/-/g, "").slice(0, 4)}-az${index + 1}`),
            groupNames: [region],
            state: "available",
        };
    },
};

export function answerInvoke(token: string, inputs: Record<string, any>, context: InvokeContext): Record<string, unknown> {
    const answer = ANSWERS[token];
    if (!answer) {
        throw new Error(`The mock cloud has no answer for invoke ${token}. Add one to platform/offline/invokes.ts, shaped as the provider returns it.`);
    }
    return answer(inputs, context);
}
