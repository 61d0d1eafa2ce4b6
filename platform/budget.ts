import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withTransforms, type Transformable } from "./transform";

/** Service principal AWS Budgets publishes notifications as; the alarm topic and its key must admit it. */
export const BUDGETS_PRINCIPAL = "budgets.amazonaws.com";

export interface CostBudgetArgs extends Transformable {
    /** Monthly limit in USD (`platform:cost.monthlyBudget`). @example 150 */
    monthlyBudget: number;
    /**
     * The stack whose spend counts: the budget filters on the `Stack` tag the provider puts on
     * every resource (`user:Stack$<stack>`). The tag must be activated once per account as a
     * cost allocation tag (Billing console), or the budget sees no spend.
     */
    stack: string;
    /**
     * The alarm topic notified at 80% and 100% of actual spend and at 100% forecast. Its policy
     * must let budgets.amazonaws.com publish, and its KMS key must be a customer-managed key that
     * lets Budgets use it: AWS Budgets cannot publish to a topic encrypted with the AWS-managed
     * `aws/sns` key.
     */
    alarmTopicArn: pulumi.Input<string>;
}

/**
 * An AWS Budgets cost budget for one stack, notifying the platform's alarm topic.
 * See https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html
 * (SNS topic policy and SSE-KMS key policy for budget notifications).
 */
export class CostBudget extends pulumi.ComponentResource {
    readonly budget: aws.budgets.Budget;

    constructor(name: string, args: CostBudgetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cost:CostBudget", name, {}, withTransforms(opts, args.transform));
        const notify = (notificationType: "ACTUAL" | "FORECASTED", threshold: number) => ({
            comparisonOperator: "GREATER_THAN",
            threshold,
            thresholdType: "PERCENTAGE",
            notificationType,
            subscriberSnsTopicArns: [args.alarmTopicArn],
        });
        this.budget = new aws.budgets.Budget(
            name,
            {
                // Budget names are unique per account (up to 100 characters, no ":" or "\").
                name: `${name}-monthly`,
                budgetType: "COST",
                timeUnit: "MONTHLY",
                limitAmount: args.monthlyBudget.toFixed(2),
                limitUnit: "USD",
                costFilters: [{ name: "TagKeyValue", values: [`user:Stack$${args.stack}`] }],
                notifications: [notify("ACTUAL", 80), notify("ACTUAL", 100), notify("FORECASTED", 100)],
            },
            { parent: this },
        );
        this.registerOutputs({ budgetName: this.budget.name });
    }
}
