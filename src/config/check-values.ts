/**
 * Checks of the domain values that a domain file, domains/_defaults.yaml and the
 * `defaults` block of mta-sts-gitops.yaml can all set: mx patterns, rua URIs and the
 * names of the DNS provider and policy host. Each file is checked where the value is
 * written, so a bad default is reported once and not once per domain.
 */

import { lowerCaseAscii, validateMxPattern } from "../sts/mx.js";
import { validateRua } from "../sts/txt.js";
import type { ErrorCollector } from "./errors.js";
import { stringEntries, valueAt } from "./raw.js";
import { didYouMean } from "./suggest.js";
import { type DataPath, locate, type YamlFile } from "./yaml-file.js";

/** A file, or a part of one, that contains domain values. */
export interface ValueLayer {
  yaml: YamlFile;
  /** Path of the domain keys in the file: [] for domain files, ["defaults"] in mta-sts-gitops.yaml. */
  base: DataPath;
}

/** The provider and host names configured in mta-sts-gitops.yaml; null when unreadable. */
export interface ConfiguredNames {
  configFile: string;
  dnsProviders: readonly string[] | null;
  policyHosts: readonly string[] | null;
}

export function checkLayerValues(
  layer: ValueLayer,
  names: ConfiguredNames,
  errors: ErrorCollector,
): void {
  checkMxPatterns(layer, errors);
  checkRua(layer, errors);
  checkName(
    layer,
    "dns",
    "DNS provider",
    "dns_providers",
    names.dnsProviders,
    names.configFile,
    errors,
  );
  checkName(
    layer,
    "policy_host",
    "policy host",
    "policy_hosts",
    names.policyHosts,
    names.configFile,
    errors,
  );
}

function checkMxPatterns(layer: ValueLayer, errors: ErrorCollector): void {
  const path = [...layer.base, "mta_sts", "mx"];
  const seen = new Map<string, number>();

  for (const [index, pattern] of stringEntries(layer.yaml.data, path)) {
    const at = locate(layer.yaml, [...path, index]);

    const problem = validateMxPattern(pattern);
    if (problem !== null) {
      errors.error(at, problem);
      continue;
    }

    const key = lowerCaseAscii(pattern);
    const first = seen.get(key);
    if (first !== undefined) {
      errors.warning(at, `mx pattern "${pattern}" repeats mx[${first}]; remove one of them`);
      continue;
    }
    seen.set(key, index);
  }
}

function checkRua(layer: ValueLayer, errors: ErrorCollector): void {
  const path = [...layer.base, "tls_rpt", "rua"];

  for (const [index, uri] of stringEntries(layer.yaml.data, path)) {
    const problem = validateRua(uri);
    if (problem !== null) {
      errors.error(locate(layer.yaml, [...path, index]), problem);
    }
  }
}

function checkName(
  layer: ValueLayer,
  key: string,
  displayName: string,
  section: string,
  configured: readonly string[] | null,
  configFile: string,
  errors: ErrorCollector,
): void {
  const path = [...layer.base, key];
  const name = valueAt(layer.yaml.data, path);
  if (typeof name !== "string" || configured === null || configured.includes(name)) {
    return;
  }

  const list =
    configured.length === 0 ? "none" : configured.map((entry) => `"${entry}"`).join(", ");
  errors.error(
    locate(layer.yaml, path),
    `${displayName} "${name}" is not configured; ${section} in ${configFile} has: ${list}${didYouMean(name, configured)}`,
  );
}
