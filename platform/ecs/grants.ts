import type { Grant } from "../grants";
import { type AppConfig, DYNAMODB_TABLE_ARN_PATTERN } from "../config";

/**
 * One permission an app's own code needs (its task role on ECS, its pod identity on EKS): the
 * platform-wide `Grant`, exact actions on exact resources.
 */
export type TaskGrant = Grant;

/** What an app's spec binds it to: grants for its role, and the variables that tell the code where to find them. */
export interface AppBindings {
    grants: TaskGrant[];
    environment: Record<string, string>;
}

/**
 * The bindings the app spec declares: each entry of `tables` grants its actions on that table
 * (and its indexes, for Query and Scan) and hands the table name to the code in the entry's variable.
 */
export function appBindings(app: AppConfig): AppBindings {
    const grants: TaskGrant[] = [];
    const environment: Record<string, string> = {};
    for (const [variable, table] of Object.entries(app.tables)) {
        const tableName = DYNAMODB_TABLE_ARN_PATTERN.exec(table.arn)?.[1] ?? table.arn;
        environment[variable] = tableName;
        const readsIndexes = table.actions.some((action) => action === "Query" || action === "Scan");
        grants.push({
            sid: `Table${variable.replace(/[^A-Za-z0-9]/g, "")}`,
            actions: table.actions.map((action) => `dynamodb:${action}`),
            resources: readsIndexes ? [table.arn, `${table.arn}/index/*`] : [table.arn],
        });
    }
    return { grants, environment };
}
