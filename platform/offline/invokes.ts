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

const ANSWERS: Record<string, Answer> = {
    "aws:index/getCallerIdentity:getCallerIdentity": (_inputs, { accountId }) => ({
        id: accountId,
        accountId,
        arn: `arn:aws:sts::${accountId}:assumed-role/platform-deployer/session`,
        userId: "AROAEXAMPLEDEPLOYER:session",
    }),
    "aws:index/getRegion:getRegion": (_inputs, { region }) => ({ id: region, name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: region }),
    "aws:index/getPartition:getPartition": () => ({ id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" }),
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
