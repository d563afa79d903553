/**
 * File sources: a folder (read recursively) or a list of files. Files are left in place;
 * de-duplication makes reading them again harmless.
 *
 * Each file is read with synchronous calls, never fs/promises: report files are a few
 * kilobytes, and fs/promises needs four thread-pool round trips per file (open, stat,
 * read, close). With many files a helper thread reads ahead of the ingestion loop (see
 * read-ahead.ts), so the reads overlap with decoding.
 */

import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import path from "node:path";
import type { IngestLimits } from "../limits.js";
import { ReadAhead, type ReadResult } from "./read-ahead.js";
import type { OpenedSource, SourceItem } from "./types.js";

/**
 * Below this many files the run reads them itself. The helper thread takes 25 to 60 ms
 * to start, about as long as the loop needs for 1,000 files, so it would read few of them.
 */
const READ_AHEAD_MIN_FILES = 1000;

function compareNames(left: string, right: string): number {
  if (left < right) {
    return -1;
  }
  return left > right ? 1 : 0;
}

/**
 * Adds the files under `dir` to `files` in sorted order. Names starting with "."
 * (.gitkeep, .DS_Store) are skipped: they are never reports.
 */
function listFiles(dir: string, files: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true });
  entries.sort((left, right) => compareNames(left.name, right.name));

  // `dir` is normalised and an entry name contains no separator, so concatenation gives
  // what path.join would, without normalising every path of a large folder again.
  const prefix = dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`;
  for (const entry of entries) {
    if (entry.name.startsWith(".")) {
      continue;
    }
    const full = `${prefix}${entry.name}`;
    const directory = entry.isSymbolicLink() ? statSync(full).isDirectory() : entry.isDirectory();
    if (directory) {
      listFiles(full, files);
    } else {
      files.push(full);
    }
  }
}

/** Reads one file, or only its size when it is over `maxFileBytes`. */
function readFile(file: string, maxFileBytes: number): ReadResult {
  const descriptor = openSync(file, "r");
  try {
    const size = fstatSync(descriptor).size;
    if (size > maxFileBytes) {
      return { bytes: null, size };
    }

    const bytes = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const read = readSync(descriptor, bytes, filled, size - filled, null);
      if (read === 0) {
        break;
      }
      filled += read;
    }
    return { bytes: bytes.subarray(0, filled), size: filled };
  } finally {
    closeSync(descriptor);
  }
}

/** Expands folders in `paths` into their files; throws when a path does not exist. */
function expandPaths(paths: string[]): string[] {
  const files: string[] = [];
  for (const entry of paths) {
    let info: ReturnType<typeof statSync>;
    try {
      info = statSync(entry);
    } catch (error) {
      throw new Error(
        `report path ${entry} cannot be read: ${(error as Error).message}; check the report source configuration`,
        {
          cause: error,
        },
      );
    }
    if (info.isDirectory()) {
      listFiles(path.normalize(entry), files);
    } else {
      files.push(entry);
    }
  }
  return files;
}

/**
 * Starts the reader thread, or returns null when Node cannot start one (for example when
 * the process is out of threads). The files are then read one at a time as before.
 */
function startReadAhead(
  files: string[],
  limits: IngestLimits,
  readHere: (file: string) => ReadResult,
): ReadAhead | null {
  try {
    return new ReadAhead(files, limits, readHere);
  } catch {
    return null;
  }
}

/** Options of a file source. */
export interface FileSourceOptions {
  /** Number of files from which a helper thread reads ahead; tests lower it. */
  readAheadMinFiles?: number;
}

/** Opens a folder or a list of files and folders as a source. */
export async function openFileSource(
  paths: string[],
  limits: IngestLimits,
  options: FileSourceOptions = {},
): Promise<OpenedSource> {
  const files = expandPaths(paths);
  const readHere = (file: string) => readFile(file, limits.maxFileBytes);
  let readAhead: ReadAhead | null = null;

  async function* items(): AsyncIterable<SourceItem> {
    const ahead =
      files.length >= (options.readAheadMinFiles ?? READ_AHEAD_MIN_FILES)
        ? startReadAhead(files, limits, readHere)
        : null;
    readAhead = ahead;

    for (let index = 0; index < files.length; index += 1) {
      const file = files[index]!;
      let read = ahead === null ? readHere(file) : ahead.read(index);
      // Only the reader thread returns null: the file is claimed but not posted yet.
      while (read === null) {
        await ahead!.waitForChunk();
        read = ahead!.read(index);
      }
      yield {
        origin: file,
        fileName: path.basename(file),
        bytes: read.bytes,
        size: read.size,
        gunzipped: read.gunzipped,
      };
    }
  }

  return {
    items,
    finish: async () => undefined,
    close: async () => {
      await readAhead?.close();
    },
  };
}
