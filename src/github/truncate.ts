/**
 * Cutting Markdown to a size limit without leaving a code block or a `<details>`
 * element open, so what follows the cut still renders as text.
 */

/** Returns the size of a text in the unit a limit is stated in. */
export type SizeMeasure = (text: string) => number;

/** UTF-16 code units: never fewer than code points, so a limit in characters holds. */
export const utf16Length: SizeMeasure = (text) => text.length;

export const utf8Bytes: SizeMeasure = (text) => Buffer.byteLength(text, "utf8");

/**
 * Returns `markdown` unchanged when it fits in `limit`. Otherwise returns its first
 * whole lines, closes any open code fence and `<details>`, and appends `note`, all
 * within `limit`. Throws when `note` alone does not fit.
 */
export function truncateMarkdown(
  markdown: string,
  limit: number,
  note: string,
  measure: SizeMeasure,
): string {
  if (measure(markdown) <= limit) {
    return markdown;
  }

  if (measure(note) > limit) {
    throw new Error(`The truncation note (${measure(note)}) is longer than the limit ${limit}.`);
  }

  // Binary search for the most whole lines that fit with the closers and the note.
  // Adding a line never shrinks the result by more than the closers it makes
  // unnecessary, so the search lands on the longest prefix up to a few lines.
  const lines = markdown.split("\n");
  const render = (lineCount: number): string => closeOpenBlocks(lines.slice(0, lineCount)) + note;
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (measure(render(middle)) <= limit) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }

  return low === 0 ? note : render(low);
}

/** Joins `lines` and appends the closing fence and `</details>` tags that are missing. */
function closeOpenBlocks(lines: string[]): string {
  let fence: string | null = null;
  let openDetails = 0;

  for (const line of lines) {
    const trimmed = line.trimStart();
    const fenceMatch = /^(`{3,}|~{3,})/.exec(trimmed);
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      if (fence === null) {
        fence = marker;
      } else if (marker[0] === fence[0] && marker.length >= fence.length) {
        fence = null;
      }
      continue;
    }
    if (fence !== null) {
      continue;
    }
    openDetails += countMatches(line, /<details[\s>]/gi) - countMatches(line, /<\/details>/gi);
  }

  let text = `${lines.join("\n")}\n`;
  if (fence !== null) {
    text += `${fence}\n`;
  }
  for (let i = 0; i < openDetails; i += 1) {
    text += "</details>\n";
  }
  return text;
}

function countMatches(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}
