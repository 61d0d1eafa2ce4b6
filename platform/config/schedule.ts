/**
 * EventBridge Scheduler's recurring expressions, checked before deploy so that a typo fails with
 * the key's name instead of a CreateSchedule ValidationException halfway through `pulumi up`.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */

export const SCHEDULE_FORM = "cron(minutes hours day-of-month month day-of-week year), e.g. cron(0 3 * * ? *), or rate(value unit), e.g. rate(6 hours)";

interface CronField {
    name: string;
    min: number;
    max: number;
    /** Characters allowed besides digits and `, - * /`. */
    extra: string;
    /** Three-letter names the field accepts instead of numbers. */
    names?: string[];
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const CRON_FIELDS: CronField[] = [
    { name: "minutes", min: 0, max: 59, extra: "" },
    { name: "hours", min: 0, max: 23, extra: "" },
    { name: "day-of-month", min: 1, max: 31, extra: "?LW" },
    { name: "month", min: 1, max: 12, extra: "", names: MONTHS },
    { name: "day-of-week", min: 1, max: 7, extra: "?L#", names: WEEKDAYS },
    { name: "year", min: 1970, max: 2199, extra: "" },
];

/** What is wrong with a recurring schedule expression, or undefined when Scheduler accepts it. */
export function scheduleProblem(expression: string): string | undefined {
    const rate = /^rate\((\d+) ([a-z]+)\)$/.exec(expression);
    if (rate) return rateProblem(Number(rate[1]), rate[2]);
    const cron = /^cron\((.*)\)$/.exec(expression);
    if (cron) return cronProblem(cron[1].trim().split(/\s+/));
    return `expected ${SCHEDULE_FORM}, got ${JSON.stringify(expression)}`;
}

function rateProblem(value: number, unit: string): string | undefined {
    if (!["minute", "minutes", "hour", "hours", "day", "days"].includes(unit)) return `expected a rate unit of minute(s), hour(s) or day(s) in ${SCHEDULE_FORM}`;
    if (value < 1) return "expected a rate of at least 1, e.g. rate(1 day)";
    // Scheduler insists on the grammatical number: rate(1 hour), rate(2 hours).
    const singular = unit.replace(/s$/, "");
    if ((value === 1) !== (unit === singular)) return `expected rate(${value} ${value === 1 ? singular : `${singular}s`}): the unit is singular for 1, plural otherwise`;
    return undefined;
}

function cronProblem(fields: string[]): string | undefined {
    if (fields.length !== 6) return `expected 6 cron fields (${CRON_FIELDS.map((f) => f.name).join(" ")}), not ${fields.length}, e.g. cron(0 3 * * ? *)`;
    for (const [index, field] of CRON_FIELDS.entries()) {
        const problem = cronFieldProblem(fields[index], field);
        if (problem) return `expected a cron ${field.name} field (${field.min}-${field.max}${field.names ? `, ${field.names[0]}-${field.names[field.names.length - 1]}` : ""}), but ${problem}`;
    }
    const [, , dayOfMonth, , dayOfWeek] = fields;
    // One of the two day fields must be "?" and the other must say something.
    if ((dayOfMonth === "?") === (dayOfWeek === "?")) return "expected ? in exactly one of day-of-month and day-of-week, e.g. cron(0 3 * * ? *)";
    return undefined;
}

function cronFieldProblem(value: string, field: CronField): string | undefined {
    if (value === "?" || value === "*") return value === "?" && !field.extra.includes("?") ? "? is only allowed in day-of-month and day-of-week" : undefined;
    for (const part of value.split(",")) {
        const [range, step, ...rest] = part.split("/");
        if (rest.length > 0 || (step !== undefined && !/^\d+$/.test(step))) return `"${part}" has a malformed /step`;
        if (range === "*") continue;
        if (field.extra.includes("L") && /^(?:L|LW|\d{1,2}W|[1-7]L|L-\d{1,2})$/.test(range)) continue;
        if (field.extra.includes("#") && /^[1-7]#[1-5]$/.test(range)) continue;
        const bounds = range.split("-");
        if (bounds.length > 2) return `"${part}" is neither a value nor a range`;
        for (const bound of bounds) {
            const number = field.names?.includes(bound.toUpperCase()) ? field.min : /^\d+$/.test(bound) ? Number(bound) : NaN;
            if (Number.isNaN(number)) return `"${bound}" is not a ${field.name} value`;
            if (number < field.min || number > field.max) return `${bound} is out of range`;
        }
    }
    return undefined;
}

/** IANA time zone names (plus UTC), as Scheduler accepts in scheduleExpressionTimezone. */
export function isTimeZone(name: string): boolean {
    return name === "UTC" || Intl.supportedValuesOf("timeZone").includes(name);
}
