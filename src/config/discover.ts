/** Finds the domain files and the defaults file under the domains folder. */

import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { ErrorCollector } from "./errors.js";

const YAML_EXTENSION = /\.ya?ml$/;
const DEFAULTS_NAMES = ["_defaults.yaml", "_defaults.yml"];

export interface DomainFolder {
  /** Absolute paths of the domain files, sorted. */
  domainFiles: string[];
  /** Absolute path of domains/_defaults.yaml, or null when there is none. */
  defaultsFile: string | null;
}

/**
 * Lists the YAML files under `directory`, including subfolders, so large fleets can
 * group domains by client or team. Hidden files and folders are skipped. Names that
 * start with "_" are reserved: only `_defaults.yaml` at the top is read, and any other
 * such YAML file is reported so a misspelt defaults file is not ignored silently.
 */
export async function discoverDomainFiles(
  directory: string,
  relative: (absolute: string) => string,
  errors: ErrorCollector,
): Promise<DomainFolder> {
  const domainFiles: string[] = [];
  let defaultsFile: string | null = null;

  const walk = async (folder: string, top: boolean): Promise<void> => {
    const entries: Dirent[] = await readdir(folder, { withFileTypes: true });
    entries.sort((a, b) => compareText(a.name, b.name));

    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.name.startsWith(".")) {
        continue;
      }
      if (entry.isDirectory()) {
        await walk(full, false);
        continue;
      }
      if (!entry.isFile() || !YAML_EXTENSION.test(entry.name)) {
        continue;
      }

      if (!entry.name.startsWith("_")) {
        domainFiles.push(full);
        continue;
      }

      if (top && DEFAULTS_NAMES.includes(entry.name) && defaultsFile === null) {
        defaultsFile = full;
        continue;
      }
      errors.error(
        { file: relative(full), line: 0, column: 0 },
        top && DEFAULTS_NAMES.includes(entry.name)
          ? `both ${DEFAULTS_NAMES.join(" and ")} exist; keep one`
          : `file names that start with "_" are reserved, and only ${relative(path.join(directory, DEFAULTS_NAMES[0]!))} is read; rename this file after its domain, or move its values there`,
      );
    }
  };

  await walk(directory, true);
  return { domainFiles, defaultsFile };
}

/** Orders strings by UTF-16 code units, the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}
