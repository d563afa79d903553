/** "Did you mean" hints for misspelt keys, names and values. */

/**
 * Returns the candidate closest to `value` by edit distance, or null when none is close
 * enough to be a likely typo. The limit is 1 edit for words of up to 3 characters, 2 up
 * to 6, and a third of the length for longer ones. Case and "-"/"_" differences count
 * as no edit. A candidate that starts with a value of 3 or more characters counts as
 * one edit, so "api_token" finds "api_token_env".
 */
export function closestMatch(value: string, candidates: Iterable<string>): string | null {
  const normalizedValue = fold(value);
  const limit =
    normalizedValue.length <= 3 ? 1 : Math.max(2, Math.floor(normalizedValue.length / 3));

  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const folded = fold(candidate);
    const isPrefix =
      normalizedValue.length >= 3 &&
      folded.startsWith(normalizedValue) &&
      folded !== normalizedValue;
    const distance = isPrefix ? 1 : editDistance(normalizedValue, folded);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }

  return bestDistance <= limit ? best : null;
}

/** Formats the hint that ends a message, e.g. `; did you mean "policy_host"?`, or "" when there is none. */
export function didYouMean(value: string, candidates: Iterable<string>): string {
  const match = closestMatch(value, candidates);
  return match === null || match === value ? "" : `; did you mean "${match}"?`;
}

function fold(text: string): string {
  return text.toLowerCase().replaceAll("-", "_");
}

/** Levenshtein distance with adjacent transpositions counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const table: number[][] = Array.from({ length: rows }, () => new Array<number>(columns).fill(0));

  for (let i = 0; i < rows; i++) {
    table[i]![0] = i;
  }
  for (let j = 0; j < columns; j++) {
    table[0]![j] = j;
  }

  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(
        table[i - 1]![j]! + 1,
        table[i]![j - 1]! + 1,
        table[i - 1]![j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, table[i - 2]![j - 2]! + 1);
      }
      table[i]![j] = distance;
    }
  }

  return table[a.length]![b.length]!;
}
