/**
 * Policy ids for the `_mta-sts` TXT record (RFC 8461 section 3.1).
 *
 * The RFC treats an id as an opaque string of 1-32 letters and digits with no implied
 * order. The ids we publish are UTC timestamps, "YYYYMMDDTHHMMSSZ", so that a reader
 * can tell when a policy was published; other publishers use other formats.
 */

/** RFC 8461 section 3.1: sts-id = %s"id=" 1*32(ALPHA / DIGIT). */
const POLICY_ID = /^[A-Za-z0-9]{1,32}$/;

const OUR_ID_FORMAT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const SECOND_MS = 1000;

/** Tells whether `id` is 1-32 ASCII letters and digits, as RFC 8461 section 3.1 requires. */
export function isValidPolicyId(id: string): boolean {
  return POLICY_ID.test(id);
}

/**
 * Formats `date` as our policy id, UTC "YYYYMMDDTHHMMSSZ" (milliseconds are dropped).
 * Throws a RangeError for an invalid date or a year outside 0000-9999.
 */
export function formatPolicyId(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) {
    throw new RangeError("cannot format a policy id from an invalid date");
  }

  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) {
    throw new RangeError(
      `cannot format a policy id for the year ${year}; the id format has four year digits`,
    );
  }

  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/**
 * Reads the time out of an id in our format. Returns null for every other id, including
 * ids that look close ("20190429T010101" without the Z) and impossible dates or times
 * such as February 30 or 24:00:00.
 */
export function parsePolicyIdTime(id: string): Date | null {
  const match = OUR_ID_FORMAT.exec(id);
  if (match === null) {
    return null;
  }

  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);

  // Date rolls out-of-range fields over (February 30 becomes March 2), so a
  // date that does not format back to the same id was not a real calendar time.
  return formatPolicyId(date) === id ? date : null;
}

/**
 * Returns a fresh id for a policy published at `now`.
 *
 * The id is formatPolicyId(now), unless one of our live ids (ids in our format) is at or
 * after `now`, which happens when the clock that made it ran ahead. Then the id is one
 * second after the latest of ours, so our ids keep increasing. The result never equals
 * any of `liveIds`.
 */
export function newPolicyId(now: Date, liveIds: string[]): string {
  const nowSecond = Math.floor(now.getTime() / SECOND_MS) * SECOND_MS;

  let latest: number | null = null;
  for (const id of liveIds) {
    const time = parsePolicyIdTime(id)?.getTime();
    if (time !== undefined && (latest === null || time > latest)) {
      latest = time;
    }
  }

  // Every live id in our format is at or before `latest`, and ids in other formats
  // cannot be spelled like ours, so the result differs from every live id.
  const candidate = latest !== null && latest >= nowSecond ? latest + SECOND_MS : nowSecond;

  return formatPolicyId(new Date(candidate));
}
