import { CHECKOV_CHECKS } from "./checkov";
import { FSBP_CHECKS } from "./fsbp";
import { KICS_CHECKS } from "./kics";
import { CIS_EKS_CHECKS, PSS_CHECKS } from "./kubernetes";
import type { CatalogCheck } from "./types";

export type { CatalogCheck } from "./types";

/** Every catalog check the pack was compared against, in catalog order. */
export const CATALOG: CatalogCheck[] = [...FSBP_CHECKS, ...CIS_EKS_CHECKS, ...PSS_CHECKS, ...CHECKOV_CHECKS, ...KICS_CHECKS];

/** The framework ID policies use for a check, e.g. "FSBP ECR.1", "PSS restricted: Seccomp". */
export function frameworkId(check: CatalogCheck): string {
    return `${check.catalog} ${check.id}`;
}
