/**
 * Checks of one domain file as a whole: its name, and the rules that need the values
 * merged with the defaults (a mode is set, testing and enforce have mx patterns, a DNS
 * provider and a policy host are chosen).
 */

import path from "node:path";
import type { ConfiguredNames } from "./check-values.js";
import { findDomainNameProblem } from "./domain-name.js";
import type { ErrorCollector, FilePosition } from "./errors.js";
import type { DomainLayers } from "./layers.js";
import { mergeMxPatterns } from "./presets.js";
import { valueAt } from "./raw.js";
import { MODE_VALUES } from "./schema/domain-file.js";
import { locate } from "./yaml-file.js";

/** max_age used when no file sets one: one week, the value RFC 8461 uses in its examples. */
export const DEFAULT_MAX_AGE = 604_800;

/**
 * RFC 8461 section 3.2 expects max_age "in the range of weeks or greater" to limit
 * attacks at refresh time; shorter values under enforce get a warning.
 */
export const ENFORCE_MIN_MAX_AGE = 604_800;

const DOMAIN_FILE_EXTENSION = /\.ya?ml$/;

/** Position of each domain's first declaration, used to report a domain declared twice. */
export type DeclaredDomains = Map<string, FilePosition>;

/**
 * Checks the domain file's `domain` key against the rules for names, the file name and
 * the other files. Returns the declared name when it is usable for the merged checks.
 */
export function checkDomainName(
  layers: DomainLayers,
  declared: DeclaredDomains,
  errors: ErrorCollector,
): string | null {
  const yaml = layers.domainFile.yaml;
  const domain = valueAt(yaml.data, ["domain"]);
  if (typeof domain !== "string") {
    return null;
  }

  const at = locate(yaml, ["domain"]);
  const problem = findDomainNameProblem(domain);
  if (problem !== null) {
    errors.error(at, problem);
    return null;
  }

  const fileName = path.posix.basename(yaml.file);
  const expected = fileName.replace(DOMAIN_FILE_EXTENSION, "");
  if (expected !== domain) {
    errors.error(
      at,
      `domain "${domain}" does not match the file name "${fileName}"; rename the file to "${domain}.yaml" or correct the domain key`,
    );
  }

  const first = declared.get(domain);
  if (first !== undefined) {
    errors.error(
      at,
      `domain "${domain}" is also declared in ${first.file}:${first.line}:${first.column}; keep one file per domain`,
    );
    errors.error(
      first,
      `domain "${domain}" is also declared in ${at.file}:${at.line}:${at.column}; keep one file per domain`,
    );
    return domain;
  }
  declared.set(domain, at);
  return domain;
}

/** Checks the rules that need the domain file merged with its defaults. */
export function checkMergedDomain(
  domain: string,
  layers: DomainLayers,
  names: ConfiguredNames,
  defaultsFiles: string,
  errors: ErrorCollector,
): void {
  const yaml = layers.domainFile.yaml;
  const domainAt = locate(yaml, ["domain"], "key");
  const anchor =
    valueAt(yaml.data, ["mta_sts"]) === undefined ? domainAt : locate(yaml, ["mta_sts"], "key");

  checkProviderChosen(
    domain,
    layers,
    "dns",
    "DNS provider",
    names.dnsProviders,
    defaultsFiles,
    domainAt,
    errors,
  );
  checkProviderChosen(
    domain,
    layers,
    "policy_host",
    "policy host",
    names.policyHosts,
    defaultsFiles,
    domainAt,
    errors,
  );

  const mode = layers.pick(["mta_sts", "mode"]);
  if (mode === null) {
    errors.error(
      anchor,
      `mta_sts.mode is not set for "${domain}" in this file or in ${defaultsFiles}; set it to "testing", "enforce" or "none"`,
    );
    return;
  }
  // An invalid mode is already reported by the schema check.
  if (!(MODE_VALUES as readonly unknown[]).includes(mode.value)) {
    return;
  }

  const modeAt = mode.layer === layers.domainFile ? locate(yaml, ["mta_sts", "mode"]) : anchor;
  const modeSource = mode.layer === layers.domainFile ? "" : ` (from ${mode.layer.yaml.file})`;

  if (mode.value === "testing" || mode.value === "enforce") {
    const { explicit, presets } = layers.mxSources();
    if (mergeMxPatterns(explicit, presets).length === 0) {
      errors.error(
        modeAt,
        `mta_sts.mode is "${mode.value}"${modeSource} but no mx patterns are set; RFC 8461 section 3.2 requires at least one mx unless the mode is "none", so add mx or mx_presets`,
      );
    }
  }

  if (mode.value === "enforce" && valueAt(yaml.data, ["state"]) !== "absent") {
    checkEnforceMaxAge(layers, modeAt, errors);
  }

  const override = valueAt(yaml.data, ["promotion", "enforce_override"]);
  if (override !== undefined && mode.value !== "enforce") {
    errors.warning(
      locate(yaml, ["promotion", "enforce_override"], "key"),
      `promotion.enforce_override has no effect while mta_sts.mode is "${mode.value}"; remove it or set the mode to "enforce"`,
    );
  }
}

/** Warns when an enforced policy has a max_age under one week, at the line that sets it. */
function checkEnforceMaxAge(
  layers: DomainLayers,
  modeAt: FilePosition,
  errors: ErrorCollector,
): void {
  const maxAge = layers.pick(["mta_sts", "max_age"]);
  const seconds = typeof maxAge?.value === "number" ? maxAge.value : DEFAULT_MAX_AGE;
  if (seconds >= ENFORCE_MIN_MAX_AGE) {
    return;
  }

  const inDomainFile = maxAge !== null && maxAge.layer === layers.domainFile;
  const where = inDomainFile ? locate(layers.domainFile.yaml, ["mta_sts", "max_age"]) : modeAt;
  const source = maxAge === null || inDomainFile ? "" : ` (from ${maxAge.layer.yaml.file})`;
  errors.warning(
    where,
    `max_age is ${seconds} seconds${source} under mode "enforce"; RFC 8461 section 3.2 expects weeks or more, so raise it to at least ${ENFORCE_MIN_MAX_AGE} (one week) once enforce is stable`,
  );
}

function checkProviderChosen(
  domain: string,
  layers: DomainLayers,
  key: string,
  displayName: string,
  configured: readonly string[] | null,
  defaultsFiles: string,
  anchor: FilePosition,
  errors: ErrorCollector,
): void {
  if (layers.pick([key]) !== null) {
    return;
  }

  const list =
    configured === null || configured.length === 0
      ? ""
      : `; configured: ${configured.map((name) => `"${name}"`).join(", ")}`;
  errors.error(
    anchor,
    `no ${displayName} is set for "${domain}"; set ${key} in this file or in ${defaultsFiles}${list}`,
  );
}
