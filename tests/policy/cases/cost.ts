import { PRICES_CHECKED } from "../../../platform/offline/cost";
import { stack } from "../fixtures";
import type { PolicySuite } from "../runner";

const BUDGET = "aws:budgets/budget:Budget";

/**
 * eu-west-1, three NAT gateways (awsx's OnePerAz over 3 AZs) and one KMS key, by the table:
 * NAT 3 x 730 h x $0.048 = $105.12, their IPv4 addresses 3 x 730 x $0.005 = $10.95, the key $1.00
 * ($117.07 fixed); usage: 3 x 20 GB x $0.048 = $2.88 and 20,000 KMS requests $0.06. Total $120.01.
 */
const withBudget = (limitAmount: string | undefined) =>
    stack((s) => {
        s.add("pulumi:providers:aws", "aws", { region: "eu-west-1" }, { component: false });
        s.add("awsx:ec2:Vpc", "vpc", { natGateways: { strategy: "OnePerAz" }, numberOfAvailabilityZones: 3 });
        s.add("aws:kms/key:Key", "data", {});
        if (limitAmount !== undefined) s.add(BUDGET, "platform-prod", { budgetType: "COST", timeUnit: "MONTHLY", limitAmount, limitUnit: "USD" });
    });

const DRIVERS = "top drivers: 3 NAT gateways (strategy OnePerAz, 3 AZs) [vpc] $105.12; 3 public IPv4 addresses (NAT gateway elastic IPs) [vpc] $10.95; customer-managed key [data] $1.00";

export const costCases: PolicySuite[] = [
    {
        policy: "cost-budget-warning",
        pass: [
            { name: "estimate under 80% of the budget", resources: () => withBudget("200.00") },
            { name: "no budget declared", resources: () => withBudget(undefined) },
        ],
        fail: [
            {
                name: "estimate at 86% of the budget",
                resources: () => withBudget("140.00"),
                messages: [`the estimated $120.01/month ($117.07 fixed + $2.94 usage, eu-west-1, prices of ${PRICES_CHECKED}) is 86% of the monthly budget $140.00, above the advisory threshold of 80%; ${DRIVERS}`],
            },
            {
                name: "threshold from config",
                resources: () => withBudget("200.00"),
                config: { "cost-budget-warning": { advisoryAbovePercent: 50 } },
                messages: ["is 60% of the monthly budget $200.00, above the advisory threshold of 50%"],
            },
        ],
    },
    {
        policy: "cost-within-budget",
        pass: [
            { name: "estimate at 86% of the budget", resources: () => withBudget("140.00") },
            { name: "budget raised in the pack config", resources: () => withBudget("100.00"), config: { "cost-within-budget": { monthlyBudget: 130 } } },
        ],
        fail: [
            { name: "estimate above the budget", resources: () => withBudget("100.00"), messages: [`is 120% of the monthly budget $100.00, above the mandatory threshold of 100%; ${DRIVERS}`] },
            { name: "usage from the stack's usage file", resources: () => withBudget("125.00"), config: { "cost-within-budget": { usage: { natGbPerMonth: 100 } } }, messages: ["($117.07 fixed + $14.46 usage"] },
        ],
    },
];
