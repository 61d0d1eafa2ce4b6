import { expect } from "chai";
import { EKS_STANDARD_SUPPORT_ENDS, PRICED_REGIONS, PRICES, PRICES_CHECKED, unconfirmedRegions, type PriceId } from "../../platform/offline/cost";
import { REGION_PATTERN } from "../../platform/config/schema";

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (value: string) => ISO_DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

describe("cost price table", () => {
    it("covers the regions the shipped stacks and the README name, each a region name the config accepts", () => {
        expect([...PRICED_REGIONS]).to.include.members(["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"]);
        for (const region of PRICED_REGIONS) expect(region).to.match(REGION_PATTERN);
    });

    it("has a positive figure for every region in every row, a unit and an AWS pricing page as source", () => {
        for (const [id, row] of Object.entries(PRICES)) {
            expect(Object.keys(row.usd).sort(), `${id} regions`).to.deep.equal([...PRICED_REGIONS].sort());
            for (const [region, usd] of Object.entries(row.usd)) expect(Number.isFinite(usd) && usd > 0, `${id} in ${region}: ${usd}`).to.equal(true);
            expect(row.unit, `${id} unit`).to.not.equal("");
            expect(row.source, `${id} source`).to.match(/^https:\/\/(aws\.amazon\.com|docs\.aws\.amazon\.com)\//);
        }
    });

    it("records for every check the page read, its day (not after the table's date) and regions the table prices", () => {
        for (const [id, row] of Object.entries(PRICES)) {
            for (const c of row.checks) {
                expect(c.page, `${id} check page`).to.match(/^https:\/\//);
                expect(isDay(c.on) && c.on <= PRICES_CHECKED, `${id} check day ${c.on}`).to.equal(true);
                expect(c.regions.length, `${id} check regions`).to.be.greaterThan(0);
                for (const region of c.regions) expect(PRICED_REGIONS, `${id}`).to.include(region);
            }
        }
    });

    it("reports a region as unconfirmed exactly when no check of the row names it", () => {
        expect(unconfirmedRegions("vpc.publicIpv4.hour")).to.deep.equal([]);
        expect(unconfirmedRegions("vpc.natGateway.hour")).to.deep.equal(["eu-west-1", "eu-central-1"]);
        expect(unconfirmedRegions("ebs.gp3.gb")).to.deep.equal(["us-west-2", "eu-west-1"]);
        for (const id of Object.keys(PRICES) as PriceId[]) {
            const named = new Set(PRICES[id].checks.flatMap((c) => c.regions as readonly string[]));
            expect(unconfirmedRegions(id), id).to.deep.equal(PRICED_REGIONS.filter((r) => !named.has(r)));
        }
    });

    it("is dated, and not older than a year (AWS changes prices; refresh the table from its sources)", () => {
        expect(isDay(PRICES_CHECKED), PRICES_CHECKED).to.equal(true);
        const ageDays = (Date.now() - Date.parse(`${PRICES_CHECKED}T00:00:00Z`)) / 86_400_000;
        expect(ageDays, "days since the prices were checked").to.be.within(-1, 365);
    });

    it("dates each EKS version's end of standard support, in version order", () => {
        const versions = Object.keys(EKS_STANDARD_SUPPORT_ENDS).sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]));
        for (const version of versions) expect(isDay(EKS_STANDARD_SUPPORT_ENDS[version]), version).to.equal(true);
        const dates = versions.map((v) => EKS_STANDARD_SUPPORT_ENDS[v]);
        expect(dates).to.deep.equal([...dates].sort());
    });
});
