/**
 * A one-line progress counter for long fleet reads ("observing 120/1000 domains").
 * It writes only to an interactive terminal and only once the run has lasted
 * `delayMs`, so short runs, CI logs and piped output stay clean.
 */

export interface ProgressOptions {
  /** Output stream, normally process.stderr. */
  stream: { write(text: string): unknown };
  /** Whether `stream` is a terminal, normally process.stderr.isTTY === true. */
  isTTY: boolean;
  /** Text before the counter, e.g. "observing". */
  label: string;
  /** Unit after the total, e.g. "domains". */
  unit: string;
  /** Quiet period in milliseconds before the first line; 1000 by default. */
  delayMs?: number;
  /** Minimum milliseconds between two redraws; 100 by default. */
  intervalMs?: number;
  /** Clock in milliseconds, replaceable in tests. */
  now?: () => number;
}

export interface Progress {
  /** Records that `done` of `total` items are finished and redraws when it is time. */
  update(done: number, total: number): void;
  /** Clears the line if anything was drawn. */
  finish(): void;
}

/** Erases the current terminal line and returns the cursor to its start (ECMA-48 EL). */
const CLEAR_LINE = "\r\x1b[2K";

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const delayMs = options.delayMs ?? 1000;
  const intervalMs = options.intervalMs ?? 100;
  const started = now();
  let lastDrawn: number | null = null;

  return {
    update(done, total) {
      if (!options.isTTY) {
        return;
      }
      const time = now();
      if (time - started < delayMs) {
        return;
      }
      if (lastDrawn !== null && time - lastDrawn < intervalMs && done < total) {
        return;
      }
      lastDrawn = time;
      options.stream.write(`${CLEAR_LINE}${options.label} ${done}/${total} ${options.unit}`);
    },

    finish() {
      if (lastDrawn !== null) {
        options.stream.write(CLEAR_LINE);
        lastDrawn = null;
      }
    },
  };
}
