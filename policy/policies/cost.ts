import type { PolicyResource } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
// The estimate and its defaults only: no file, YAML or config access in the pack.
import { DEFAULT_USAGE, type Usage } from "../../platform/offline/cost/defaults";
import { type CostReport, estimateCost } from "../../platform/offline/cost/estimate";
import { defineStackPolicy, StackContext } from "../lib/define";
import { parseUrn } from "../lib/environment";
import { num, str } from "../lib/props";

/**
 * Budgets as policy: the stack's monthly estimate (platform/offline/cost: the dated price table
 * applied to what the program registers, plus usage under stated assumptions) against the budget
 * the program declares with `platform:cost.monthlyBudget` (an aws.budgets.Budget of type COST and
 * a MONTHLY time unit). Two policies so each has its own enforcement level: a warning above
 * `advisoryAbovePercent` (80) and a failure above `mandatoryAbovePercent` (100) of the budget.
 * The offline gate passes the stack's usage file as `usage`; `pulumi preview` uses the defaults
 * unless the pack config sets it.
 */

const BUDGET_TYPE = "aws:budgets/budget:Budget";

interface BudgetConfig {
    /** Overrides the budget read from the program's aws.budgets.Budget. */
    monthlyBudget?: number;
    /** Usage assumptions (keys of the usage file's `usage`). */
    usage?: Partial<Usage>;
    /** The region to price, when the stack has no explicit aws provider (default us-east-1). */
    region?: string;
}

const USAGE_SCHEMA: PolicyConfigJSONSchema = {
    type: "object",
    properties: Object.fromEntries(Object.keys(DEFAULT_USAGE).map((key) => [key, { type: "number", minimum: 0 }])),
    additionalProperties: false,
    description: "Usage assumptions for the estimate (the keys of cost/usage.<stack>.yaml's usage); the offline gate fills it from that file.",
};

const COMMON_CONFIG: Record<string, PolicyConfigJSONSchema> = {
    monthlyBudget: { type: "number", minimum: 0, description: "Monthly budget in USD; default: the limitAmount of the stack's monthly COST aws.budgets.Budget." },
    usage: USAGE_SCHEMA,
    region: { type: "string", description: "Region to price when the stack's aws provider does not say (default us-east-1)." },
};

/** The monthly budget the stack declares, in USD, or undefined when it sets none. */
function budgetOf(resources: PolicyResource[], config: BudgetConfig): number | undefined {
    if (config.monthlyBudget !== undefined) return config.monthlyBudget;
    const budgets = resources.filter((r) => r.type === BUDGET_TYPE && str(r.props.budgetType) === "COST" && str(r.props.timeUnit) === "MONTHLY" && (str(r.props.limitUnit) ?? "USD") === "USD");
    const amounts = budgets.map((b) => num(b.props.limitAmount) ?? Number(b.props.limitAmount)).filter((a) => Number.isFinite(a));
    return amounts.length > 0 ? Math.min(...amounts) : undefined;
}

function estimateOf(stack: StackContext<BudgetConfig>): CostReport {
    const provider = stack.resources.find((r) => r.type === "pulumi:providers:aws");
    const region = str(provider?.props.region) ?? stack.config.region ?? "us-east-1";
    const resources = stack.resources.map((r) => ({ urn: r.urn, type: r.type, name: parseUrn(r.urn).name, parent: r.parent?.urn, inputs: r.props as Record<string, unknown> }));
    return estimateCost(resources, { region, usage: { ...DEFAULT_USAGE, ...(stack.config.usage ?? {}) } });
}

const usd = (value: number) => `$${value.toFixed(2)}`;

function check(stack: StackContext<BudgetConfig & { threshold: number }>, report: (message: string) => void, level: string): void {
    const budget = budgetOf(stack.resources, stack.config);
    if (budget === undefined || budget <= 0) return;
    const estimate = estimateOf(stack);
    const percent = (estimate.totalMonthly / budget) * 100;
    if (percent <= stack.config.threshold) return;
    const drivers = estimate.topDrivers
        .slice(0, 3)
        .map((d) => `${d.what} [${d.name}] ${usd(d.monthly)}`)
        .join("; ");
    report(
        `the estimated ${usd(estimate.totalMonthly)}/month (${usd(estimate.fixedMonthly)} fixed + ${usd(estimate.usageMonthly)} usage, ${estimate.region}, prices of ${estimate.pricesChecked}) is ${percent.toFixed(0)}% of the monthly budget ${usd(budget)}, above the ${level} threshold of ${stack.config.threshold}%; top drivers: ${drivers}`,
    );
}

export const costBudgetWarning = defineStackPolicy<BudgetConfig & { advisoryAbovePercent: number }>({
    name: "cost-budget-warning",
    description: "The stack's estimated monthly cost stays under the advisory share of its budget (80% by default).",
    severity: "low",
    frameworks: ["Platform: cost within budget"],
    remediation: "Lower the fixed cost (see the synth's cost section: the dev profile's cheaper options, fewer NAT gateways, a shared load balancer) or raise platform:cost.monthlyBudget.",
    enforcementLevel: "advisory",
    types: [BUDGET_TYPE],
    config: { ...COMMON_CONFIG, advisoryAbovePercent: { type: "number", minimum: 0, default: 80, description: "Report above this percentage of the budget." } },
    validate: (stack, report) => check({ ...stack, config: { ...stack.config, threshold: stack.config.advisoryAbovePercent } }, report, "advisory"),
});

export const costWithinBudget = defineStackPolicy<BudgetConfig & { mandatoryAbovePercent: number }>({
    name: "cost-within-budget",
    description: "The stack's estimated monthly cost does not exceed its budget.",
    severity: "medium",
    frameworks: ["Platform: cost within budget"],
    remediation: "Lower the fixed cost (see the synth's cost section and its top drivers) or raise platform:cost.monthlyBudget.",
    enforcementLevel: "mandatory",
    types: [BUDGET_TYPE],
    config: { ...COMMON_CONFIG, mandatoryAbovePercent: { type: "number", minimum: 0, default: 100, description: "Fail above this percentage of the budget." } },
    validate: (stack, report) => check({ ...stack, config: { ...stack.config, threshold: stack.config.mandatoryAbovePercent } }, report, "mandatory"),
});

export const costPolicies = [costBudgetWarning, costWithinBudget];
