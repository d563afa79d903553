/**
 * Checks of mta-sts-gitops.yaml that the JSON Schema cannot express: address syntax,
 * URL schemes and settings that depend on each other.
 */

import { normalizeConnectTarget, parseHostPort, parseSocketAddress } from "./addresses.js";
import type { ErrorCollector } from "./errors.js";
import { isRecord, stringEntries, valueAt } from "./raw.js";
import { DEFAULT_SAFETY } from "./schema/config-file.js";
import { describeValue } from "./schema-messages.js";
import { formatPath, locate, type YamlFile } from "./yaml-file.js";

/** RFC 1035 section 4.2: DNS over UDP and TCP is served on port 53. */
const DNS_PORT = 53;

export function checkConfigValues(yaml: YamlFile, errors: ErrorCollector): void {
  checkResolvers(yaml, errors);
  checkConnectTo(yaml, errors);
  checkApiUrls(yaml, "dns_providers", errors);
  checkApiUrls(yaml, "policy_hosts", errors);
  checkVerifyTimes(yaml, errors);
}

function checkResolvers(yaml: YamlFile, errors: ErrorCollector): void {
  const path = ["observe", "resolvers"];

  for (const [index, text] of stringEntries(yaml.data, path)) {
    if (parseSocketAddress(text, DNS_PORT) !== null) {
      continue;
    }
    errors.error(
      locate(yaml, [...path, index]),
      `${formatPath([...path, index])} must be an IP address with an optional port, such as "1.1.1.1:53" or "[2606:4700:4700::1111]:53", found ${describeValue(text)}`,
    );
  }
}

function checkConnectTo(yaml: YamlFile, errors: ErrorCollector): void {
  const path = ["observe", "connect_to"];
  const map = valueAt(yaml.data, path);
  if (!isRecord(map)) {
    return;
  }

  for (const [from, to] of Object.entries(map)) {
    if (parseHostPort(from) === null) {
      errors.error(
        locate(yaml, [...path, from], "key"),
        `${formatPath(path)} key ${describeValue(from)} must be "host:port", such as "mta-sts.example.com:443"`,
      );
    }
    if (typeof to === "string" && normalizeConnectTarget(to) === null) {
      errors.error(
        locate(yaml, [...path, from]),
        `${formatPath([...path, from])} must be an IP address and port, such as "127.0.0.1:8443", or ":port" to change only the port, found ${describeValue(to)}`,
      );
    }
  }
}

function checkApiUrls(yaml: YamlFile, section: string, errors: ErrorCollector): void {
  const entries = valueAt(yaml.data, [section]);
  if (!isRecord(entries)) {
    return;
  }

  for (const name of Object.keys(entries)) {
    const urlPath = [section, name, "api_url"];
    const url = valueAt(yaml.data, urlPath);
    if (typeof url !== "string" || !URL.canParse(url)) {
      continue;
    }

    const { protocol } = new URL(url);
    if (protocol !== "https:" && protocol !== "http:") {
      errors.error(
        locate(yaml, urlPath),
        `${formatPath(urlPath)} must be an http: or https: URL, found ${describeValue(url)}`,
      );
    }
  }
}

function checkVerifyTimes(yaml: YamlFile, errors: ErrorCollector): void {
  const interval =
    valueAt(yaml.data, ["safety", "verify_interval_seconds"]) ??
    DEFAULT_SAFETY.verify_interval_seconds;
  const timeout =
    valueAt(yaml.data, ["safety", "verify_timeout_seconds"]) ??
    DEFAULT_SAFETY.verify_timeout_seconds;
  if (typeof interval !== "number" || typeof timeout !== "number" || interval <= timeout) {
    return;
  }

  errors.error(
    locate(yaml, [
      "safety",
      valueAt(yaml.data, ["safety", "verify_interval_seconds"]) === undefined
        ? "verify_timeout_seconds"
        : "verify_interval_seconds",
    ]),
    `safety.verify_interval_seconds (${interval}) is longer than safety.verify_timeout_seconds (${timeout}), so apply would fetch the policy only once; lower the interval or raise the timeout`,
  );
}
