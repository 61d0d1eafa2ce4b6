/** The offline cost estimate: see README.md in this folder. */
export { anchorBaseline } from "./baseline";
export { COST_CATALOG, instancePriceId, isComponentType } from "./catalog";
export type { CostResource, LineItem, TypeEntry } from "./catalog";
export { DEFAULT_USAGE } from "./defaults";
export type { Usage } from "./defaults";
export { estimateCost, formatCost } from "./estimate";
export type { CostGroup, CostOptions, CostReport } from "./estimate";
export { ASSUMPTIONS, EKS_STANDARD_SUPPORT_ENDS, eksAutoModeFeePerHour, HOURS_PER_MONTH, isConfirmed, PRICED_REGIONS, PRICES, PRICES_CHECKED, unconfirmedRegions } from "./prices";
export type { PriceCheck, PriceId, PriceRow, PricedRegion } from "./prices";
export { loadUsage, resolveUsage, usageFilePath, UsageFileSchema } from "./usage";
export type { LoadedUsage } from "./usage";
