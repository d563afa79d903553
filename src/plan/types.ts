/**
 * The plan: per domain, the changes that would bring the live state to the declared
 * intent and the findings about what is served now. Renderers (text, Markdown, JSON)
 * and `apply` only read these objects, so the description a reviewer approves is the
 * same object that apply executes.
 */

export type Severity = "error" | "warning" | "info";

/** A finding about one domain, with a stable code documented in docs/findings.md. */
export interface Finding {
  code: string;
  severity: Severity;
  domain: string;
  /** One line that states the fact and quotes the bad value. */
  message: string;
  /** The fix. */
  hint: string;
}

/**
 * Kind of change. Apply orders changes by kind, not by their order in the list:
 * policies are published and verified before any `_mta-sts` TXT changes.
 */
export type ChangeKind =
  | "publish-policy" // create or replace the policy body on the policy host
  | "set-sts-record" // write `_mta-sts.<domain>` TXT with a new id
  | "set-tlsrpt-record" // write `_smtp._tls.<domain>` TXT
  | "delete-tlsrpt-record"
  | "delete-sts-record" // only after the cache horizon of every served policy has passed
  | "withdraw-policy"; // only after the cache horizon, together with the TXT deletion

export type Risk = "low" | "medium" | "high";

export interface Change {
  kind: ChangeKind;
  domain: string;
  /** One line for reviewers, computed at plan time, e.g. "mode testing -> enforce, new id 20261204T101500Z". */
  description: string;
  risk: Risk;
  /** The provider (by configured name) that performs the change. */
  provider: string;
  /** The DNS owner name or policy URL the change writes. */
  target: string;
  /** Live value before the change (TXT text or policy body), or null when absent. */
  before: string | null;
  /** Value after the change, or null for a deletion. */
  after: string | null;
  /**
   * Set when the change is known but must not run yet, e.g. a deletion inside the
   * cache horizon. Apply skips held changes and reports them as held.
   */
  heldUntil?: string;
  heldReason?: string;
}

export type DomainStatus = "in-sync" | "changes" | "held" | "error";

export interface DomainPlan {
  domain: string;
  /** The file the domain is declared in, relative to the repository root. */
  file: string;
  status: DomainStatus;
  changes: Change[];
  findings: Finding[];
}

export interface Plan {
  /** ISO 8601 UTC time the plan was computed. */
  generatedAt: string;
  domains: DomainPlan[];
  /**
   * SHA-256 over the canonical JSON of the changes (without times), so `apply
   * --plan-checksum` can refuse when the live state no longer yields the reviewed plan.
   */
  checksum: string;
}
