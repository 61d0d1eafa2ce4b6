import { z } from "zod";

/**
 * Field builders shared by every config schema file, so each error names the expected form the
 * same way. No runtime import of schema.ts (it imports the area schemas that import this).
 */

/** A whole number in [min, max]; the error says what the key holds and the range. */
export const wholeNumber = (what: string, min: number, max: number) => {
    const error = `expected ${what}: a whole number from ${min} to ${max}`;
    return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

export const bool = (what: string) => z.boolean({ error: `expected ${what}: true or false` });

export const IAM_ROLE_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
