/**
 * Building blocks shared by the zod schemas of the configuration files. The schemas
 * describe the YAML shapes only. Rules that need more than a JSON Schema can express
 * (mx pattern grammar, rua URIs, names that must exist) are in the check-*.ts modules.
 */

import { z } from "zod";

/**
 * Names of environment variables that hold secrets. Upper case only: a pasted token
 * almost always contains lower-case letters, so it fails this pattern instead of being
 * taken for a variable name and printed in a later "variable is not set" message.
 */
export const ENV_NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/;

/** Names given to DNS providers and policy hosts in mta-sts-gitops.yaml. */
export const PROVIDER_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/** Description in words of what each pattern allows, for validation messages. */
export const PATTERN_DESCRIPTIONS: ReadonlyMap<string, string> = new Map([
  [
    ENV_NAME_PATTERN.source,
    "the name of an environment variable: upper-case letters, digits and _, such as CLOUDFLARE_API_TOKEN",
  ],
  [
    PROVIDER_NAME_PATTERN.source,
    'a name of lower-case letters, digits, "-" and "_", starting with a letter or digit',
  ],
]);

export function envName(description: string) {
  return z.string().regex(ENV_NAME_PATTERN).describe(description);
}

export function providerName(description: string) {
  return z.string().regex(PROVIDER_NAME_PATTERN).describe(description);
}

export function nonEmptyString(description: string) {
  return z.string().min(1).describe(description);
}

export function count(description: string, minimum: number, maximum?: number) {
  const base = z.number().int().min(minimum);
  return (maximum === undefined ? base : base.max(maximum)).describe(description);
}
