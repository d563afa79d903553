/**
 * The UTC day a report counts on.
 *
 * RFC 8460 section 4.1: a report SHOULD cover one full UTC day, 00:00 to 24:00. Senders
 * write the end either as 23:59:59Z (Google, Microsoft) or as 00:00:00Z of the next day
 * (Mail.ru, small MTAs). Session counts cannot be split across days, so each report
 * counts on exactly one day:
 *
 * - An end exactly at 00:00:00.000Z is exclusive: the range stops just before it.
 * - The report counts on the UTC day that contains the middle of the range. For a
 *   whole-day report that is its start day. For a report that spans parts of two days it
 *   is the day with the larger share (the start day on a tie). A report over several days counts
 *   on its middle day.
 * - A report whose end is before its start counts on its start day.
 *
 * Any range that is not one whole UTC day gets a warning.
 */

const DAY_MS = 86_400_000;

/** The day a report counts on and, when its range is irregular, why. */
export interface ReportDay {
  day: string;
  warning: string | null;
}

/**
 * Formatted days by day number since the epoch. A batch of reports covers few days, and
 * formatting through toISOString costs more than the lookup; cleared when full.
 */
const formattedDays = new Map<number, string>();
const FORMATTED_DAYS_CACHE_SIZE = 4096;

/** Formats the UTC day of `instant` as YYYY-MM-DD. */
export function utcDay(instant: number): string {
  const dayNumber = Math.floor(instant / DAY_MS);
  let day = formattedDays.get(dayNumber);
  if (day === undefined) {
    day = new Date(instant).toISOString().slice(0, 10);
    if (formattedDays.size >= FORMATTED_DAYS_CACHE_SIZE) {
      formattedDays.clear();
    }
    formattedDays.set(dayNumber, day);
  }
  return day;
}

function isMidnight(instant: number): boolean {
  return instant % DAY_MS === 0;
}

/** Picks the UTC day for a report covering `start` to `end` (see the file comment). */
export function reportDay(start: Date, end: Date): ReportDay {
  const from = start.getTime();
  const to = end.getTime();

  if (to < from) {
    return {
      day: utcDay(from),
      warning: `date-range ends (${end.toISOString()}) before it starts (${start.toISOString()}); counted on the start day`,
    };
  }

  const last = isMidnight(to) && to > from ? to - 1 : to;
  // One millisecond less than half the length, so an exact tie lands on the earlier day.
  const middle = from + Math.max(0, Math.floor((last - from - 1) / 2));
  const day = utcDay(middle);

  const wholeDay = isMidnight(from) && last - from >= DAY_MS - 1000 && last - from < DAY_MS;
  if (wholeDay) {
    return { day, warning: null };
  }
  return {
    day,
    warning: `date-range ${start.toISOString()} to ${end.toISOString()} is not one whole UTC day (RFC 8460 section 4.1); counted on ${day}, the day that contains the middle of the range`,
  };
}
