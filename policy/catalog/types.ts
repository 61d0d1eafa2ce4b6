/**
 * One check of a public catalog the pack was compared against, and what the pack does about it.
 * A check is implemented when some policy names it in `frameworks` (FSBP, CIS EKS, PSS, Checkov
 * IDs) or `policies` lists the policies that implement it under another ID; otherwise
 * `notApplicable` says why the pack does not (and should not) check it at deploy time.
 */
export interface CatalogCheck {
    catalog: "FSBP" | "CIS EKS" | "PSS" | "Checkov" | "KICS";
    /** The catalog's own ID, e.g. "ECR.1", "4.1.2", "restricted: Seccomp", "CKV_AWS_2", a KICS query UUID. */
    id: string;
    title: string;
    /** Policies implementing the check besides those naming it in their frameworks. */
    policies?: string[];
    notApplicable?: string;
}

export const implementedBy =
    (catalog: CatalogCheck["catalog"], ...policies: string[]) =>
    (id: string, title: string): CatalogCheck => ({ catalog, id, title, policies });
export const check =
    (catalog: CatalogCheck["catalog"]) =>
    (id: string, title: string, notApplicable?: string): CatalogCheck => ({ catalog, id, title, notApplicable });
