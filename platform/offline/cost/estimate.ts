/** The estimate itself, free of file and config access, so the policy pack can run it. */
import { COST_CATALOG, CostResource, isComponentType, LineItem, unitPrice } from "./catalog";
import { DEFAULT_USAGE, type Usage } from "./defaults";
import { HOURS_PER_MONTH, isConfirmed, isPricedRegion, PRICED_REGIONS, PRICES_CHECKED, type PriceId } from "./prices";

export interface CostOptions {
    region: string;
    usage?: Usage;
    /** The usage file the assumptions came from, for the report. */
    usageFile?: string;
    /** YYYY-MM-DD the estimate is for (EKS support windows); default today. */
    date?: string;
}

export interface CostGroup {
    key: string;
    monthly: number;
}

/** The `cost` object of the synth's JSON report. */
export interface CostReport {
    region: string;
    currency: "USD";
    pricesChecked: string;
    hoursPerMonth: number;
    /** False when the table has no figures for the region: every amount is then 0 and `note` says why. */
    regionPriced: boolean;
    note?: string;
    usageFile?: string;
    fixedMonthly: number;
    usageMonthly: number;
    totalMonthly: number;
    /** Fixed cost per top-level component (the stack's direct children) and per resource type. */
    fixedByComponent: CostGroup[];
    fixedByType: CostGroup[];
    /** The largest fixed lines, most expensive first (what a budget violation names). */
    topDrivers: { what: string; name: string; monthly: number }[];
    lines: LineItem[];
    /** Resource types registered with no catalog entry: the estimate misses them. */
    unpriced: string[];
    /** Count of resources that cost nothing by themselves. */
    freeResources: number;
    /**
     * Price rows this estimate used whose figure for the region no readable page confirmed
     * (prices.ts `checks`): compiled figures, to be read from their source before relying on them.
     */
    unconfirmedPrices: PriceId[];
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** The stack's direct child a resource belongs to (itself when it is one), as `type name`. */
function componentOf(resource: CostResource, byUrn: Map<string, CostResource>): string {
    let current = resource;
    for (;;) {
        const parent = current.parent ? byUrn.get(current.parent) : undefined;
        if (!parent || parent.type === "pulumi:pulumi:Stack") return `${current.type} ${current.name}`;
        current = parent;
    }
}

function sumBy(lines: LineItem[], key: (line: LineItem) => string): CostGroup[] {
    const totals = new Map<string, number>();
    for (const line of lines) totals.set(key(line), (totals.get(key(line)) ?? 0) + line.monthly);
    return [...totals]
        .map(([k, monthly]) => ({ key: k, monthly: round2(monthly) }))
        .filter((g) => g.monthly > 0)
        .sort((a, b) => b.monthly - a.monthly || a.key.localeCompare(b.key));
}

/**
 * The monthly estimate of what a synth recorded: every resource priced through COST_CATALOG with
 * the dated price table of the stack's region, usage lines under the stated assumptions.
 */
export function estimateCost(resources: CostResource[], options: CostOptions): CostReport {
    const usage = options.usage ?? { ...DEFAULT_USAGE };
    const date = options.date ?? new Date().toISOString().slice(0, 10);
    const ctx = { region: options.region, usage, date, all: resources };
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const lines: LineItem[] = [];
    const unpriced = new Set<string>();
    let freeResources = 0;
    const componentByUrn = new Map<string, string>();
    for (const resource of resources) {
        if (isComponentType(resource.type)) continue;
        const entry = COST_CATALOG[resource.type];
        if (!entry) {
            unpriced.add(resource.type);
            continue;
        }
        const drafts = entry.lines?.(resource, ctx) ?? [];
        if (drafts.length === 0) freeResources++;
        for (const draft of drafts) {
            const price = unitPrice(draft.priceId, options.region);
            lines.push({ ...draft, urn: resource.urn, type: resource.type, name: resource.name, unitPrice: price, monthly: round2((price ?? 0) * draft.quantity) });
        }
        componentByUrn.set(resource.urn, componentOf(resource, byUrn));
    }
    const fixedLines = lines.filter((l) => l.kind === "fixed");
    const fixedMonthly = round2(fixedLines.reduce((a, l) => a + l.monthly, 0));
    const usageMonthly = round2(lines.filter((l) => l.kind === "usage").reduce((a, l) => a + l.monthly, 0));
    const regionPriced = isPricedRegion(options.region);
    return {
        region: options.region,
        currency: "USD",
        pricesChecked: PRICES_CHECKED,
        hoursPerMonth: HOURS_PER_MONTH,
        regionPriced,
        ...(regionPriced ? {} : { note: `no prices for ${options.region} in platform/offline/cost/prices.ts (it has ${PRICED_REGIONS.join(", ")}): amounts are 0; add the region's figures to estimate it` }),
        ...(options.usageFile ? { usageFile: options.usageFile } : {}),
        fixedMonthly,
        usageMonthly,
        totalMonthly: round2(fixedMonthly + usageMonthly),
        fixedByComponent: sumBy(fixedLines, (l) => componentByUrn.get(l.urn) ?? l.name),
        fixedByType: sumBy(fixedLines, (l) => l.type),
        topDrivers: topDrivers(fixedLines),
        lines,
        unpriced: [...unpriced].sort(),
        freeResources,
        unconfirmedPrices: regionPriced ? [...new Set(lines.filter((l) => l.monthly > 0 && !isConfirmed(l.priceId, options.region)).map((l) => l.priceId))].sort() : [],
    };
}

/** Fixed lines merged by what they pay for (all alarms are one driver), most expensive first. */
function topDrivers(fixedLines: LineItem[], count = 5): CostReport["topDrivers"] {
    const merged = new Map<string, { what: string; names: Set<string>; monthly: number }>();
    for (const line of fixedLines) {
        const key = `${line.priceId}|${line.what}`;
        const entry = merged.get(key) ?? { what: line.what, names: new Set<string>(), monthly: 0 };
        entry.names.add(line.name);
        entry.monthly += line.monthly;
        merged.set(key, entry);
    }
    return [...merged.values()]
        .map((e) => ({ what: e.names.size > 1 ? `${e.what} x${e.names.size}` : e.what, name: e.names.size > 1 ? `${e.names.size} resources` : [...e.names][0], monthly: round2(e.monthly) }))
        .sort((a, b) => b.monthly - a.monthly || a.what.localeCompare(b.what))
        .slice(0, count);
}

const usd = (value: number) => `$${value.toFixed(2)}`;

/** The "Monthly cost estimate" section the synth prints after the readiness section. */
export function formatCost(report: CostReport): string {
    const lines = [
        `Monthly cost estimate (${report.region}, USD list prices checked ${report.pricesChecked}, ${report.hoursPerMonth} h/month): ${usd(report.fixedMonthly)} fixed + ${usd(report.usageMonthly)} usage = ${usd(report.totalMonthly)}`,
    ];
    if (report.note) lines.push(`  note: ${report.note}`);
    if (report.unconfirmedPrices.length > 0) {
        const amount = report.lines.filter((l) => report.unconfirmedPrices.includes(l.priceId)).reduce((a, l) => a + l.monthly, 0);
        lines.push(
            `  note: ${usd(amount)} of it uses ${report.unconfirmedPrices.length} price rows not confirmed for ${report.region} against a readable page (compiled figures; prices.ts \`checks\`): ${report.unconfirmedPrices.join(", ")}`,
        );
    }
    const width = Math.max(20, ...report.fixedByComponent.map((g) => g.key.length), ...report.fixedByType.map((g) => g.key.length));
    lines.push("  Fixed (paid while idle), by component:");
    for (const g of report.fixedByComponent) lines.push(`    ${g.key.padEnd(width)}  ${usd(g.monthly).padStart(9)}`);
    lines.push("  Fixed, by resource type:");
    for (const g of report.fixedByType) lines.push(`    ${g.key.padEnd(width)}  ${usd(g.monthly).padStart(9)}`);
    lines.push("  Fixed line items:");
    const assumptions = new Map(report.lines.filter((l) => l.assumption).map((l) => [l.what, l.assumption]));
    for (const d of topDrivers(
        report.lines.filter((x) => x.kind === "fixed"),
        Infinity,
    ).filter((d) => d.monthly > 0)) {
        const assumption = assumptions.get(d.what.replace(/ x\d+$/, ""));
        lines.push(`    ${usd(d.monthly).padStart(9)}  ${d.what}  [${d.name}]${assumption ? `  (${assumption})` : ""}`);
    }
    lines.push(`  Usage-priced, under assumptions (${report.usageFile ? `from ${report.usageFile}` : "defaults; override in cost/usage.<stack>.yaml"}):`);
    for (const g of sumBy(
        report.lines.filter((l) => l.kind === "usage"),
        (l) => `${l.what} — ${l.assumption ?? ""}`,
    )) {
        const count = report.lines.filter((l) => l.kind === "usage" && `${l.what} — ${l.assumption ?? ""}` === g.key).length;
        lines.push(`    ${usd(g.monthly).padStart(9)}  ${g.key}${count > 1 ? ` (x${count})` : ""}`);
    }
    lines.push(`  ${report.freeResources} resources cost nothing by themselves (IAM, policies, configuration, Kubernetes objects on priced nodes)`);
    if (report.unpriced.length > 0) lines.push(`  not estimated (no entry in platform/offline/cost/catalog.ts): ${report.unpriced.join(", ")}`);
    return lines.join("\n");
}
