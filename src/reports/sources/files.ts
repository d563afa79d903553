/**
 * File sources: a folder (read recursively) or a list of files. Files are left in place;
 * de-duplication makes reading them again harmless.
 *
 * File access is synchronous on purpose: report files are a few kilobytes, fs/promises
 * needs several thread-pool round trips per file (open, stat, read, close), and the run
 * has nothing else to do while it waits.
 */

import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import path from "node:path";
import type { IngestLimits } from "../limits.js";
import type { OpenedSource, SourceItem } from "./types.js";

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

  for (const entry of entries) {
    if (entry.name.startsWith(".")) {
      continue;
    }
    const full = path.join(dir, entry.name);
    const directory = entry.isSymbolicLink() ? statSync(full).isDirectory() : entry.isDirectory();
    if (directory) {
      listFiles(full, files);
    } else {
      files.push(full);
    }
  }
}

/** Reads one file, or only its size when it is over `maxFileBytes`. */
function readItem(file: string, limits: IngestLimits): SourceItem {
  const fileName = path.basename(file);
  const descriptor = openSync(file, "r");
  try {
    const size = fstatSync(descriptor).size;
    if (size > limits.maxFileBytes) {
      return { origin: file, fileName, bytes: null, size };
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
    return { origin: file, fileName, bytes: bytes.subarray(0, filled), size: filled };
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
      listFiles(entry, files);
    } else {
      files.push(entry);
    }
  }
  return files;
}

/** Opens a folder or a list of files and folders as a source. */
export async function openFileSource(paths: string[], limits: IngestLimits): Promise<OpenedSource> {
  const files = expandPaths(paths);

  async function* items(): AsyncIterable<SourceItem> {
    for (const file of files) {
      yield readItem(file, limits);
    }
  }

  return {
    items,
    finish: async () => undefined,
    close: async () => undefined,
  };
}
