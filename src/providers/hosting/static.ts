import { mkdir, readdir, readFile, realpath, rmdir, unlink } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../atomic-file.js";
import type { HostedPolicy, PolicyHost } from "../types.js";

export interface StaticHostOptions {
  /** The host's name in the configuration, used in logs and errors. */
  name: string;
  /** The folder that contains one `mta-sts.<domain>` site folder per policy domain. */
  directory: string;
  /** Receives one line per step, "static[<name>] <method>: key=value ...". */
  log: (line: string) => void;
}

const SITE_PREFIX = "mta-sts.";
const WELL_KNOWN = ".well-known";
const POLICY_FILE = "mta-sts.txt";

/** A DNS name label in A-label form: letters, digits, hyphens and underscores, no leading or trailing hyphen. */
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** RFC 1035 section 2.3.4: a name is at most 255 octets, 253 characters in text form. */
const MAX_NAME_LENGTH = 253;

export function createStaticHost(options: StaticHostOptions): PolicyHost {
  const label = `static policy host "${options.name}"`;
  const log = (line: string) => options.log(`static[${options.name}] ${line}`);
  const root = path.resolve(options.directory);

  /** Returns the lower-case domain, or throws when it is not a DNS name and could reach outside the directory. */
  function checkDomain(domain: string): string {
    const normalized = domain.trim().toLowerCase().replace(/\.$/, "");
    if (!isDomainName(normalized)) {
      throw new Error(
        `${label}: invalid policy domain ${JSON.stringify(domain)}; expected a DNS name such as example.com (internationalized names in their xn-- form)`,
      );
    }
    return normalized;
  }

  function sitePath(domain: string): string {
    const site = path.join(root, `${SITE_PREFIX}${domain}`);
    // The label check already excludes "/" and "..", so this only guards against a
    // mistake in that check.
    if (path.dirname(site) !== root) {
      throw new Error(`${label}: the site folder for ${domain} would be outside ${root}`);
    }
    return site;
  }

  /** Rejects a folder that resolves outside the directory, e.g. through a symbolic link. */
  async function assertInside(domain: string, folder: string): Promise<void> {
    const [realRoot, realFolder] = await Promise.all([realpath(root), realpath(folder)]);
    if (!realFolder.startsWith(`${realRoot}${path.sep}`)) {
      throw new Error(
        `${label}: ${folder} for ${domain} resolves to ${realFolder}, outside ${realRoot}; remove the link so the policy stays inside the served directory`,
      );
    }
  }

  /** Creates the site and `.well-known` folders one level at a time, checking each before going into it. */
  async function prepareFolder(domain: string): Promise<void> {
    const site = sitePath(domain);
    const folder = path.join(site, WELL_KNOWN);
    await mkdir(root, { recursive: true });
    for (const level of [site, folder]) {
      await mkdir(level).catch((error: unknown) => {
        if (!isErrorCode(error, "EEXIST")) {
          throw error;
        }
      });
      await assertInside(domain, level);
    }
  }

  return {
    name: options.name,
    type: "static",
    capabilities: { bulkPublish: false },

    async list() {
      let entries: string[];
      try {
        entries = (await readdir(root, { withFileTypes: true }))
          .filter((entry) => entry.isDirectory() && entry.name.startsWith(SITE_PREFIX))
          .map((entry) => entry.name)
          .sort();
      } catch (error) {
        if (isErrorCode(error, "ENOENT")) {
          log(`list: directory=${root} count=0 (the directory does not exist yet)`);
          return new Map();
        }
        throw new Error(`${label}: cannot list ${root}`, { cause: error });
      }

      const policies = new Map<string, string>();
      for (const entry of entries) {
        const domain = entry.slice(SITE_PREFIX.length);
        if (!isDomainName(domain)) {
          log(`list: skipped folder=${entry} (not mta-sts. followed by a lower-case domain name)`);
          continue;
        }
        const file = path.join(root, entry, WELL_KNOWN, POLICY_FILE);
        try {
          policies.set(domain, await readFile(file, "utf8"));
        } catch (error) {
          if (!isErrorCode(error, "ENOENT")) {
            throw new Error(`${label}: cannot read ${file}`, { cause: error });
          }
        }
      }

      log(`list: directory=${root} count=${policies.size}`);
      return policies;
    },

    async publish(policies: HostedPolicy[]) {
      const checked = new Map<string, string>();
      for (const policy of policies) {
        const domain = checkDomain(policy.domain);
        if (checked.has(domain)) {
          throw new Error(
            `${label}: two policies for ${domain} in one publish; pass one per domain`,
          );
        }
        checked.set(domain, policy.body);
      }

      for (const [domain, body] of checked) {
        const file = path.join(sitePath(domain), WELL_KNOWN, POLICY_FILE);
        try {
          await prepareFolder(domain);

          const current = await readFile(file, "utf8").catch(() => null);
          if (current === body) {
            log(`publish: domain=${domain} change=none`);
            continue;
          }

          await writeFileAtomic(file, body);
          const change = current === null ? "create" : "update";
          log(
            `publish: domain=${domain} file=${file} change=${change} bytes=${Buffer.byteLength(body)}`,
          );
        } catch (error) {
          if (error instanceof Error && error.message.startsWith(label)) {
            throw error;
          }
          throw new Error(`${label}: cannot publish the policy of ${domain} to ${file}`, {
            cause: error,
          });
        }
      }
    },

    async withdraw(domains: string[]) {
      const checked = domains.map(checkDomain);

      for (const domain of checked) {
        const site = sitePath(domain);
        const folder = path.join(site, WELL_KNOWN);
        const file = path.join(folder, POLICY_FILE);
        try {
          await assertInside(domain, folder);
          await unlink(file);
        } catch (error) {
          if (isErrorCode(error, "ENOENT")) {
            log(`withdraw: domain=${domain} change=none`);
            continue;
          }
          if (error instanceof Error && error.message.startsWith(label)) {
            throw error;
          }
          throw new Error(`${label}: cannot remove ${file}`, { cause: error });
        }

        // Folders are removed only when empty, so other files the web server serves stay.
        const removedWellKnown = await removeEmptyFolder(folder);
        if (removedWellKnown) {
          await removeEmptyFolder(site);
        }
        log(`withdraw: domain=${domain} file=${file} change=delete`);
      }
    },
  };
}

/** Tells whether `name` is a lower-case DNS name of two or more labels, which cannot name a path outside a folder. */
function isDomainName(name: string): boolean {
  const labels = name.split(".");
  return (
    name.length <= MAX_NAME_LENGTH && labels.length >= 2 && labels.every((part) => LABEL.test(part))
  );
}

/** Removes `folder` when it is empty, and returns whether it is gone. */
async function removeEmptyFolder(folder: string): Promise<boolean> {
  try {
    await rmdir(folder);
    return true;
  } catch (error) {
    if (isErrorCode(error, "ENOENT")) {
      return true;
    }
    if (isErrorCode(error, "ENOTEMPTY") || isErrorCode(error, "EEXIST")) {
      return false;
    }
    throw error;
  }
}

function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
