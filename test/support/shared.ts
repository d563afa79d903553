import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Root of this repository, found from this file's location. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The team's shared folder beside the clone. It holds real reports and vendor API
 * descriptions that may not be committed here, so tests that need it skip without it.
 * MTA_STS_GITOPS_SHARED overrides the location.
 */
export const sharedDir =
  process.env.MTA_STS_GITOPS_SHARED ?? path.resolve(repoRoot, "..", "shared");

/** Returns the absolute path of `relative` inside the shared folder, or null when it is absent. */
export function sharedPath(relative: string): string | null {
  const full = path.join(sharedDir, relative);
  return existsSync(full) ? full : null;
}

/** Prints why a suite is skipped, so a CI log shows the missing folder instead of silence. */
export function reportMissingShared(relative: string): void {
  console.warn(
    `skipped: ${path.join(sharedDir, relative)} is absent; these tests need the shared folder beside the clone`,
  );
}
