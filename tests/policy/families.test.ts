import { FAMILY_CASES } from "./cases";
import { describePolicies } from "./runner";

for (const [family, suites] of Object.entries(FAMILY_CASES)) describePolicies(family, suites);
