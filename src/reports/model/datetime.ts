/**
 * RFC 3339 section 5.6 date-time values of a report's date-range, read tolerantly. Every
 * time zone offset is applied, so the result is an instant independent of the host's
 * time zone.
 */

/** A parsed instant and what was non-conformant about its text. */
export interface ParsedDateTime {
  date: Date;
  warning: string | null;
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:([Tt ])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*([Zz]|[+-]\d{2}:?\d{2})?$/;

/** The form nearly every report uses: "2024-09-15T00:00:00Z". */
const PLAIN_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * Valid plain UTC texts already parsed, as epoch milliseconds. Reports of one day share
 * their timestamps, so most lookups hit; cleared when full.
 */
const plainUtcInstants = new Map<string, number>();
const PLAIN_UTC_CACHE_SIZE = 4096;

/**
 * Parses a report timestamp. Returns null when the text is no date at all. RFC 3339
 * requires a time zone offset; Microsoft sends none ("2023-01-10T00:00:00"), so a value
 * without one is read as UTC and flagged. A missing time, a space for the "T" and a
 * missing seconds field are also accepted with a warning.
 */
export function parseReportDateTime(text: string, field: string): ParsedDateTime | null {
  const known = plainUtcInstants.get(text);
  if (known !== undefined) {
    return { date: new Date(known), warning: null };
  }
  if (PLAIN_UTC.test(text)) {
    // Date.parse rolls impossible dates over (February 30 becomes March 2), so the day and
    // hour must come back unchanged.
    const date = new Date(Date.parse(text));
    if (
      date.getUTCDate() === Number(text.slice(8, 10)) &&
      date.getUTCHours() === Number(text.slice(11, 13))
    ) {
      if (plainUtcInstants.size >= PLAIN_UTC_CACHE_SIZE) {
        plainUtcInstants.clear();
      }
      plainUtcInstants.set(text, date.getTime());
      return { date, warning: null };
    }
  }

  const match = DATE_TIME.exec(text.trim());
  if (match === null) {
    return null;
  }

  const [, year, month, day, separator, hour, minute, second, fraction, zone] = match;
  const monthNumber = Number(month);
  const dayNumber = Number(day);
  const hourNumber = Number(hour ?? 0);
  const minuteNumber = Number(minute ?? 0);
  // RFC 3339 allows second 60 for a leap second; Date cannot hold it, so it becomes 59.
  const secondNumber = Math.min(Number(second ?? 0), 59);
  const milliseconds = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);

  if (monthNumber < 1 || monthNumber > 12 || dayNumber < 1 || dayNumber > 31) {
    return null;
  }
  if (hourNumber > 23 || minuteNumber > 59) {
    return null;
  }

  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const digits = zone.replace(":", "");
    const sign = digits.startsWith("-") ? -1 : 1;
    offsetMinutes = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }

  const utc = Date.UTC(
    Number(year),
    monthNumber - 1,
    dayNumber,
    hourNumber,
    minuteNumber,
    secondNumber,
    milliseconds,
  );
  const date = new Date(utc - offsetMinutes * 60_000);
  if (new Date(utc).getUTCDate() !== dayNumber) {
    return null;
  }

  const problems: string[] = [];
  if (zone === undefined) {
    problems.push("has no time zone offset and was read as UTC");
  }
  if (separator === undefined) {
    problems.push("has no time of day");
  } else if (separator !== "T" && separator !== "t") {
    problems.push('separates date and time with a space instead of "T"');
  }
  if (separator !== undefined && second === undefined) {
    problems.push("has no seconds");
  }

  const warning =
    problems.length === 0
      ? null
      : `${field} ${JSON.stringify(text)} ${problems.join(" and ")}; RFC 8460 section 4.4 requires an RFC 3339 date-time`;
  return { date, warning };
}
