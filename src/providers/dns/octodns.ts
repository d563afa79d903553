import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../atomic-file.js";
import { checkWrites, managedNames } from "../managed-names.js";
import type { DnsProvider, ManagedTxt, TxtWrite } from "../types.js";
import {
  findNameOrderViolation,
  parseZoneFile,
  readNameRecords,
  setTxtRecord,
  type ZoneFile,
} from "./octodns-zone-file.js";

export interface OctoDnsFilesOptions {
  /** The provider's name in the configuration, used in logs and errors. */
  name: string;
  /** The YamlProvider `directory`, which contains one `<zone>.yaml` per zone. */
  directory: string;
  /** Receives one line per step, "octodns[<name>] <method>: key=value ...". */
  log: (line: string) => void;
}

/** Zone, zone file and relative record name of one owner name. */
interface Location {
  zone: string;
  file: string;
  recordName: string;
}

export function createOctoDnsFiles(options: OctoDnsFilesOptions): DnsProvider {
  const label = `octoDNS provider "${options.name}"`;
  const log = (line: string) => options.log(`octodns[${options.name}] ${line}`);
  const warnedFiles = new Set<string>();

  /** Finds the zone file whose zone is the longest suffix of `name`. */
  async function locate(name: string): Promise<Location> {
    const labels = name.split(".");
    const tried: string[] = [];
    for (let index = 0; index < labels.length; index++) {
      const zone = labels.slice(index).join(".");
      const file = path.join(options.directory, `${zone}.yaml`);
      tried.push(`${zone}.yaml`);
      if (await isFile(file)) {
        const recordName = index === 0 ? "" : labels.slice(0, index).join(".");
        return { zone, file, recordName };
      }
    }

    throw new Error(
      `${label}: no zone file for ${name} in ${options.directory} (looked for ${tried.join(", ")}); create the zone file that octoDNS's YamlProvider reads for this domain's zone, or use another provider for this domain`,
    );
  }

  async function load(file: string): Promise<ZoneFile> {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new Error(`${label}: cannot read ${file}`, { cause: error });
    }

    const zoneFile = parseZoneFile(file, text);
    const violation = findNameOrderViolation(zoneFile);
    if (violation !== null && !warnedFiles.has(file)) {
      warnedFiles.add(file);
      log(
        `warning: file=${file} names out of natural order ("${violation.before}" before "${violation.after}"); octoDNS with enforce_order rejects this file`,
      );
    }
    return zoneFile;
  }

  async function applyWrites(file: string, writes: { write: TxtWrite; location: Location }[]) {
    const original = await load(file);
    let current = original;
    let changed = false;

    for (const { write, location } of writes) {
      const result = setTxtRecord(current, location.recordName, write.values ?? [], write.ttl);
      log(
        `writeTxt: file=${path.basename(file)} name=${location.recordName || "(apex)"} change=${result.kind}`,
      );
      if (result.kind === "none") {
        continue;
      }
      changed = true;
      current = parseZoneFile(file, result.text);
    }

    if (!changed) {
      return;
    }

    verify(original, current, writes);
    await writeFileAtomic(file, current.text);
  }

  /** Checks the edited file before it is written: the managed records read back as requested and nothing else moved. */
  function verify(
    original: ZoneFile,
    edited: ZoneFile,
    writes: { write: TxtWrite; location: Location }[],
  ) {
    const managed = new Set(writes.map(({ location }) => location.recordName));
    for (const { write, location } of writes) {
      const readBack = readNameRecords(edited, location.recordName).txt;
      const expected = [...new Set(write.values ?? [])];
      const matches =
        readBack.length === expected.length && expected.every((value) => readBack.includes(value));
      if (!matches) {
        throw new Error(
          `${label}: internal error: the edited ${original.path} reads back ${JSON.stringify(readBack)} at ${location.recordName}, not ${JSON.stringify(expected)}; the file was not written`,
        );
      }
    }

    const others = (file: ZoneFile) => {
      const data = (file.document.toJS() ?? {}) as Record<string, unknown>;
      return JSON.stringify(
        Object.entries(data).filter(([name]) => !managed.has(name.toLowerCase())),
      );
    };
    if (others(original) !== others(edited)) {
      throw new Error(
        `${label}: internal error: editing ${original.path} would change records this tool does not manage; the file was not written`,
      );
    }
  }

  return {
    name: options.name,
    type: "octodns",
    capabilities: { batchWrites: true, cnameAware: true },

    async readTxt(domain) {
      const names = managedNames(domain);
      const result: ManagedTxt = { sts: [], tlsRpt: [] };

      for (const [key, name] of [
        ["sts", names.sts],
        ["tlsRpt", names.tlsRpt],
      ] as const) {
        const location = await locate(name);
        const zoneFile = await load(location.file);
        result[key] = readNameRecords(zoneFile, location.recordName).txt;
      }

      log(
        `readTxt: domain=${names.domain} sts=${result.sts.length} tlsRpt=${result.tlsRpt.length}`,
      );
      return result;
    },

    async writeTxt(domain, writes) {
      const names = managedNames(domain);
      const byFile = new Map<string, { write: TxtWrite; location: Location }[]>();
      for (const write of checkWrites(label, names, writes)) {
        const location = await locate(write.name);
        const group = byFile.get(location.file) ?? [];
        group.push({ write, location });
        byFile.set(location.file, group);
      }

      for (const [file, group] of byFile) {
        try {
          await applyWrites(file, group);
        } catch (error) {
          if (error instanceof Error && error.message.startsWith(label)) {
            throw error;
          }
          const detail = error instanceof Error ? error.message : String(error);
          throw new Error(`${label}: ${detail}`, { cause: error });
        }
      }
    },
  };
}

async function isFile(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => null);
  return info?.isFile() ?? false;
}
