/**
 * zod schemas of `domains/<domain>.yaml` and `domains/_defaults.yaml`, with keys in
 * snake_case as users write them. Nothing here has a default, because a key left out
 * of a domain file takes its value from the defaults files (see layers.ts).
 */

import { z } from "zod";
import { MAX_AGE_MAX } from "../../sts/policy.js";
import { MX_PRESET_NAMES } from "../presets.js";
import { nonEmptyString, providerName } from "./common.js";
import { promotionThresholdFields } from "./promotion.js";

/** The modes of RFC 8461 section 3.2, in the order a domain moves through them. */
export const MODE_VALUES = ["testing", "enforce", "none"] as const;

export const STATE_VALUES = ["present", "absent"] as const;

export const mtaStsSchema = z
  .strictObject({
    mode: z
      .enum(MODE_VALUES)
      .describe(
        "Policy mode (RFC 8461 section 5): testing asks for reports only, enforce makes senders refuse MX hosts that fail, none withdraws the policy.",
      )
      .optional(),
    mx: z
      .array(z.string())
      .describe(
        'MX host patterns, such as "mail.example.com" or "*.example.net" (one extra left-most label).',
      )
      .optional(),
    mx_presets: z
      .array(z.enum(MX_PRESET_NAMES as [string, ...string[]]))
      .describe("Named sets of mx patterns for mailbox providers, merged with mx.")
      .optional(),
    max_age: z
      .number()
      .int()
      .min(0)
      .max(MAX_AGE_MAX)
      .describe(`How long senders may cache the policy, in seconds (0 to ${MAX_AGE_MAX}).`)
      .optional(),
  })
  .describe("The MTA-STS policy to publish.");

export const tlsRptSchema = z
  .strictObject({
    rua: z
      .array(z.string())
      .min(1)
      .describe(
        "Where senders deliver TLS-RPT reports: mailto: or https: URIs (RFC 8460 section 3).",
      ),
  })
  .describe("The TLS-RPT record to publish at _smtp._tls; null publishes none.");

const enforceOverrideSchema = z
  .strictObject({
    reason: nonEmptyString("Why the domain may enforce without passing the promotion gate."),
    approved_by: nonEmptyString("Who approved the override, as a name or handle."),
  })
  .describe(
    "Allows mode enforce without the evidence the promotion gate needs; recorded for review.",
  );

const domainPromotionSchema = z
  .strictObject({
    ...promotionThresholdFields(),
    enforce_override: enforceOverrideSchema.optional(),
  })
  .partial()
  .describe("Per-domain changes to the promotion thresholds of mta-sts-gitops.yaml.");

const sharedDomainFields = {
  mta_sts: mtaStsSchema.optional(),
  tls_rpt: tlsRptSchema.nullable().optional(),
  dns: providerName(
    "The DNS provider, by its name under dns_providers in mta-sts-gitops.yaml.",
  ).optional(),
  policy_host: providerName(
    "The policy host, by its name under policy_hosts in mta-sts-gitops.yaml.",
  ).optional(),
};

/** Shape of `domains/_defaults.yaml` and of `defaults` in mta-sts-gitops.yaml. */
export const domainDefaultsSchema = z.strictObject(sharedDomainFields).meta({
  title: "mta-sts-gitops domain defaults",
  description: "Values every domain file inherits unless it sets them itself.",
});

/** Shape of `domains/<domain>.yaml`. */
export const domainFileSchema = z
  .strictObject({
    domain: z
      .string()
      .describe(
        "The policy domain in lower-case A-label form; must equal the file name without .yaml.",
      ),
    state: z
      .enum(STATE_VALUES)
      .describe("present publishes MTA-STS; absent retires it safely. Default: present.")
      .optional(),
    ...sharedDomainFields,
    promotion: domainPromotionSchema.optional(),
  })
  .meta({
    title: "mta-sts-gitops domain",
    description: "The MTA-STS and TLS-RPT intent for one mail domain.",
  });

export type DomainFile = z.output<typeof domainFileSchema>;
export type DomainDefaultsFile = z.output<typeof domainDefaultsSchema>;
