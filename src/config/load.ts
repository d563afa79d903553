/**
 * Loads a project: mta-sts-gitops.yaml, domains/_defaults.yaml and every domain file.
 * Every file is checked even after another one failed, so one run lists all problems.
 * The resolved project is returned only when there is no error at all.
 */

import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import { checkConfigValues } from "./check-config.js";
import { checkDomainName, checkMergedDomain, type DeclaredDomains } from "./check-domain.js";
import { type ConfiguredNames, checkLayerValues, type ValueLayer } from "./check-values.js";
import { compareText, type DomainFolder, discoverDomainFiles } from "./discover.js";
import { type ConfigError, compareConfigErrors, ErrorCollector, wholeFile } from "./errors.js";
import { DomainLayers } from "./layers.js";
import { isRecord, valueAt } from "./raw.js";
import { resolveConfig, resolveDomain } from "./resolve.js";
import { configFileSchema } from "./schema/config-file.js";
import { domainFileSchema } from "./schema/domain-file.js";
import { checkSchema } from "./schema-check.js";
import type { DomainConfig, Project } from "./types.js";
import { formatPath, locate, parseYamlFile, type YamlFile } from "./yaml-file.js";

export const DEFAULT_CONFIG_FILE = "mta-sts-gitops.yaml";
export const DEFAULT_DOMAINS_DIR = "domains";

export interface LoadOptions {
  /** The configuration file, relative to the root or absolute. Default: mta-sts-gitops.yaml. */
  configPath?: string;
  /** The folder of domain files, relative to the root or absolute. Default: domains. */
  domainsDir?: string;
}

export type LoadResult =
  | { ok: true; project: Project; warnings: ConfigError[] }
  | { ok: false; errors: ConfigError[]; warnings: ConfigError[] };

export async function loadProject(root: string, options: LoadOptions = {}): Promise<LoadResult> {
  const rootDir = path.resolve(root);
  const relative = (absolute: string) => path.relative(rootDir, absolute).split(path.sep).join("/");
  const errors = new ErrorCollector();

  const configPath = path.resolve(rootDir, options.configPath ?? DEFAULT_CONFIG_FILE);
  const domainsDir = path.resolve(rootDir, options.domainsDir ?? DEFAULT_DOMAINS_DIR);
  const configFile = relative(configPath);
  const defaultsHint = relative(path.join(domainsDir, "_defaults.yaml"));

  // 1. mta-sts-gitops.yaml: its provider names are needed to check the domain files.
  const configYaml = await readYaml(configPath, configFile, errors);
  let names: ConfiguredNames = { configFile, dnsProviders: null, policyHosts: null };
  const configLayers: ValueLayer[] = [];
  if (configYaml !== null) {
    checkSchema(configYaml, "config", errors);
    checkConfigValues(configYaml, errors);
    names = configuredNames(configYaml, configFile);

    if (isRecord(valueAt(configYaml.data, ["defaults"]))) {
      configLayers.push({ yaml: configYaml, base: ["defaults"] });
    }
  }

  // 2. The domains folder and domains/_defaults.yaml.
  const folder = await listDomainFolder(domainsDir, relative, errors);
  const defaultsLayers: ValueLayer[] = [];
  let defaultsReadable = true;
  if (folder?.defaultsFile) {
    const defaultsYaml = await readYaml(folder.defaultsFile, relative(folder.defaultsFile), errors);
    if (defaultsYaml !== null) {
      checkSchema(defaultsYaml, "domain-defaults", errors);
      defaultsLayers.push({ yaml: defaultsYaml, base: [] });
    }
    defaultsReadable = defaultsYaml !== null;
  }

  for (const layer of [...defaultsLayers, ...configLayers]) {
    checkLayerValues(layer, names, errors);
  }

  // 3. Every domain file, each merged with the defaults. Without readable defaults,
  // every domain would also be reported as missing the values the defaults set, which
  // would bury the real error, so the merged checks wait until they can be read.
  const canMerge = configYaml !== null && defaultsReadable;
  const domainYamls = await Promise.all(
    (folder?.domainFiles ?? []).map((file) => readYaml(file, relative(file), errors)),
  );
  const declared: DeclaredDomains = new Map();
  const loaded: Array<{ yaml: YamlFile; layers: DomainLayers }> = [];

  for (const yaml of domainYamls) {
    if (yaml === null) {
      continue;
    }
    checkSchema(yaml, "domain", errors);

    const layer: ValueLayer = { yaml, base: [] };
    checkLayerValues(layer, names, errors);

    const layers = new DomainLayers([layer, ...defaultsLayers, ...configLayers]);
    const domain = checkDomainName(layers, declared, errors);
    if (domain !== null && canMerge) {
      checkMergedDomain(domain, layers, names, defaultsHint, errors);
    }
    loaded.push({ yaml, layers });
  }

  if (folder !== null && folder.domainFiles.length === 0) {
    errors.warning(
      wholeFile(relative(domainsDir)),
      "no domain files found; add one <domain>.yaml per domain",
    );
  }

  const warnings = [...errors.warnings].sort(compareConfigErrors);
  if (errors.errorCount > 0 || configYaml === null) {
    return { ok: false, errors: [...errors.errors].sort(compareConfigErrors), warnings };
  }

  // 4. Everything passed: apply defaults and build the model.
  const configData = parseChecked(configFileSchema, configYaml, errors);
  const domainData = loaded.map(({ yaml }) => parseChecked(domainFileSchema, yaml, errors));
  if (configData === null || errors.errorCount > 0) {
    return { ok: false, errors: [...errors.errors].sort(compareConfigErrors), warnings };
  }

  const config = resolveConfig(configData, rootDir);
  const domains: DomainConfig[] = loaded.map(({ layers }, index) =>
    resolveDomain(domainData[index]!, layers, config),
  );
  domains.sort((a, b) => compareText(a.domain, b.domain));

  return { ok: true, project: { root: rootDir, configFile, config, domains }, warnings };
}

/**
 * Parses data that passed the JSON Schema with its zod schema, which applies the
 * defaults. Both come from the same zod source, so a failure here means they disagree;
 * it is reported like any other error instead of throwing.
 */
function parseChecked<T extends z.ZodType>(
  schema: T,
  yaml: YamlFile,
  errors: ErrorCollector,
): z.output<T> | null {
  const result = schema.safeParse(yaml.data);
  if (result.success) {
    return result.data;
  }

  for (const issue of result.error.issues) {
    const path = issue.path.filter((segment) => typeof segment !== "symbol");
    errors.error(locate(yaml, path), `${formatPath(path)} is invalid: ${issue.message}`);
  }
  return null;
}

function configuredNames(yaml: YamlFile, configFile: string): ConfiguredNames {
  const keys = (value: unknown) => (isRecord(value) ? Object.keys(value) : null);
  return {
    configFile,
    dnsProviders: keys(valueAt(yaml.data, ["dns_providers"])),
    policyHosts: keys(valueAt(yaml.data, ["policy_hosts"])),
  };
}

async function readYaml(
  absolute: string,
  file: string,
  errors: ErrorCollector,
): Promise<YamlFile | null> {
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (cause) {
    errors.error(wholeFile(file), describeReadError(cause));
    return null;
  }
  return parseYamlFile(file, text, errors);
}

async function listDomainFolder(
  directory: string,
  relative: (absolute: string) => string,
  errors: ErrorCollector,
): Promise<DomainFolder | null> {
  const file = relative(directory);
  try {
    const info = await stat(directory);
    if (!info.isDirectory()) {
      errors.error(wholeFile(file), "expected the folder of domain files, found a file");
      return null;
    }
    return await discoverDomainFiles(directory, relative, errors);
  } catch (cause) {
    errors.error(wholeFile(file), describeReadError(cause));
    return null;
  }
}

function describeReadError(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === "ENOENT") {
    return "not found; create it or pass its path (see docs/configuration.md)";
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return `cannot be read: ${message}`;
}
