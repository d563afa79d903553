/** zod schema of `mta-sts-gitops.yaml`, the fleet-wide settings. */

import { z } from "zod";
import { count, envName, nonEmptyString, PROVIDER_NAME_PATTERN } from "./common.js";
import { domainDefaultsSchema } from "./domain-file.js";
import { PROMOTION_DEFAULTS, promotionThresholdFields } from "./promotion.js";

const cloudflareDns = z
  .strictObject({
    type: z.literal("cloudflare"),
    api_token_env: envName("Environment variable that holds the Cloudflare API token.").default(
      "CLOUDFLARE_API_TOKEN",
    ),
    account_id: nonEmptyString(
      "Cloudflare account id; limits the zone lookup to this account.",
    ).optional(),
    api_url: z
      .url()
      .describe("Base URL of the Cloudflare API, for tests and API proxies.")
      .optional(),
  })
  .describe("Writes TXT records through the Cloudflare API.");

const powerDns = z
  .strictObject({
    type: z.literal("powerdns"),
    api_url: z.url().describe("Base URL of the PowerDNS HTTP API, such as http://127.0.0.1:8081."),
    server_id: nonEmptyString("PowerDNS server id in API paths.").default("localhost"),
    api_key_env: envName("Environment variable that holds the PowerDNS API key.").default(
      "PDNS_API_KEY",
    ),
  })
  .describe("Writes TXT records through the PowerDNS authoritative server API.");

const octoDns = z
  .strictObject({
    type: z.literal("octodns"),
    directory: nonEmptyString(
      "Folder of octoDNS YAML zone files, relative to the repository root.",
    ),
  })
  .describe("Edits octoDNS zone files in the repository; octoDNS itself pushes them.");

const cloudflareWorker = z
  .strictObject({
    type: z.literal("cloudflare-worker"),
    account_id: nonEmptyString("Cloudflare account id that owns the Worker."),
    script_name: nonEmptyString("Name of the Worker script that serves the policies.").default(
      "mta-sts-gitops",
    ),
    api_token_env: envName("Environment variable that holds the Cloudflare API token.").default(
      "CLOUDFLARE_API_TOKEN",
    ),
    api_url: z
      .url()
      .describe("Base URL of the Cloudflare API, for tests and API proxies.")
      .optional(),
  })
  .describe("Serves every policy from one Cloudflare Worker.");

const staticFiles = z
  .strictObject({
    type: z.literal("static"),
    directory: nonEmptyString(
      "Folder that receives <domain>/.well-known/mta-sts.txt files, relative to the repository root.",
    ),
  })
  .describe("Writes policy files for a web server you run.");

const observeSchema = z
  .strictObject({
    resolvers: z
      .array(z.string())
      .min(1)
      .describe('Recursive resolvers as "address" or "address:port"; IPv6 as "[address]:port".')
      .default(["1.1.1.1:53", "8.8.8.8:53"]),
    authoritative: z
      .boolean()
      .describe(
        "Ask each zone's authoritative servers first, so a plan right after apply sees the new records.",
      )
      .default(true),
    dns_timeout_ms: count("Timeout of one DNS query, in milliseconds.", 100, 60_000).default(3000),
    dns_attempts: count("Tries per DNS query before it counts as timed out.", 1, 10).default(2),
    fetch_timeout_ms: count(
      "Timeout of one policy fetch, in milliseconds (RFC 8461 suggests at most a minute).",
      100,
      60_000,
    ).default(15_000),
    smtp_timeout_ms: count(
      "Timeout of one MX STARTTLS probe, in milliseconds.",
      100,
      300_000,
    ).default(30_000),
    concurrency: count("Domains and MX hosts observed at the same time.", 1, 256).default(8),
    allow_private_addresses: z
      .boolean()
      .describe(
        "Allow connections to private, loopback and link-local addresses (tests and demos only).",
      )
      .default(false),
    connect_to: z
      .record(z.string(), z.string())
      .describe(
        'Where to connect instead, as curl --connect-to: {"host:port": "address:port"}, or ":port" to change only the port.',
      )
      .default({}),
    trusted_ca_files: z
      .array(nonEmptyString("PEM file, relative to the repository root."))
      .describe(
        "Extra CA certificates (PEM) trusted for policy fetches and MX probes, added to the default roots.",
      )
      .default([]),
  })
  .describe("How live DNS, HTTPS and SMTP are read.");

const directorySource = z
  .strictObject({
    type: z.literal("directory"),
    path: nonEmptyString(
      "Folder of .json, .json.gz, .eml and mbox files, relative to the repository root.",
    ),
  })
  .describe("Reads TLS-RPT reports from files in a folder.");

const imapSource = z
  .strictObject({
    type: z.literal("imap"),
    host: nonEmptyString("IMAP server host name."),
    port: count("IMAP server port.", 1, 65_535).default(993),
    tls: z
      .boolean()
      .describe("Connect with TLS from the start (port 993); false uses STARTTLS.")
      .default(true),
    user_env: envName("Environment variable that holds the IMAP user name."),
    password_env: envName("Environment variable that holds the IMAP password."),
    folder: nonEmptyString("Mailbox folder to read reports from.").default("INBOX"),
    processed_folder: nonEmptyString(
      "Folder that read messages are moved to; omit to leave them in place.",
    ).optional(),
    trusted_ca_files: z
      .array(nonEmptyString("PEM file, relative to the repository root."))
      .describe("Extra CA certificates (PEM) trusted for this server, added to the default roots.")
      .default([]),
  })
  .describe("Reads TLS-RPT report mail from an IMAP mailbox.");

const reportsSchema = z
  .strictObject({
    sources: z
      .array(z.discriminatedUnion("type", [directorySource, imapSource]))
      .describe("Where TLS-RPT reports arrive.")
      .default([]),
    summaries_dir: nonEmptyString("Folder of the committed daily summaries.").default(
      "reports/summaries",
    ),
    quarantine_dir: nonEmptyString(
      "Folder for reports that could not be read, with the reason.",
    ).default("reports/quarantine"),
  })
  .describe("TLS-RPT report intake.");

const thresholds = promotionThresholdFields();

const promotionSchema = z
  .strictObject({
    min_days_in_testing: thresholds.min_days_in_testing.default(
      PROMOTION_DEFAULTS.min_days_in_testing,
    ),
    window_days: thresholds.window_days.default(PROMOTION_DEFAULTS.window_days),
    min_reporting_organizations: thresholds.min_reporting_organizations.default(
      PROMOTION_DEFAULTS.min_reporting_organizations,
    ),
    min_sessions: thresholds.min_sessions.default(PROMOTION_DEFAULTS.min_sessions),
    min_certificate_days: thresholds.min_certificate_days.default(
      PROMOTION_DEFAULTS.min_certificate_days,
    ),
    blocking_result_types: thresholds.blocking_result_types.default(
      PROMOTION_DEFAULTS.blocking_result_types,
    ),
  })
  .describe("When a domain may move from testing to enforce.");

const safetySchema = z
  .strictObject({
    max_change_share: z
      .number()
      .min(0)
      .max(1)
      .describe("Share of the fleet (0 to 1) a plan may change before apply needs --force.")
      .default(0.3),
    min_fleet_size: count(
      "The share check applies only to fleets of at least this many domains.",
      0,
    ).default(10),
    verify_timeout_seconds: count(
      "How long apply waits for a published policy to be served.",
      1,
      3600,
    ).default(300),
    verify_interval_seconds: count("Seconds between fetches while apply waits.", 1, 600).default(
      10,
    ),
  })
  .describe("Limits that stop a plan from changing too much at once.");

/** The safety settings with every default applied. */
export const DEFAULT_SAFETY = safetySchema.parse({});

const providerNameKey = z.string().regex(PROVIDER_NAME_PATTERN);

/** Shape of `mta-sts-gitops.yaml`. */
export const configFileSchema = z
  .strictObject({
    version: z.literal(1).describe("Format version of this file."),
    dns_providers: z
      .record(providerNameKey, z.discriminatedUnion("type", [cloudflareDns, powerDns, octoDns]))
      .describe("DNS providers by the name domain files use in dns."),
    policy_hosts: z
      .record(providerNameKey, z.discriminatedUnion("type", [cloudflareWorker, staticFiles]))
      .describe("Policy hosts by the name domain files use in policy_host."),
    defaults: domainDefaultsSchema
      .describe(
        "Values for every domain; domains/_defaults.yaml and the domain file override them.",
      )
      .optional(),
    observe: observeSchema.default(observeSchema.parse({})),
    reports: reportsSchema.default(reportsSchema.parse({})),
    promotion: promotionSchema.default(promotionSchema.parse({})),
    safety: safetySchema.default(DEFAULT_SAFETY),
  })
  .meta({
    title: "mta-sts-gitops configuration",
    description: "Providers, policy hosts, report sources and thresholds of one fleet.",
  });

export type ConfigFile = z.output<typeof configFileSchema>;
