import { describe, expect, it } from "vitest";
import * as id from "../../src/sts/id.js";
import * as mx from "../../src/sts/mx.js";
import type { Policy, PolicyParse } from "../../src/sts/policy.js";
import * as policy from "../../src/sts/policy.js";
import type { RecordParse, RecordSelection, StsRecord, TlsRptRecord } from "../../src/sts/txt.js";
import * as txt from "../../src/sts/txt.js";

// The signatures other modules code against; tsc fails here when one changes.
const signatures = {
  normalizeHostName: mx.normalizeHostName satisfies (name: string) => string,
  validateMxPattern: mx.validateMxPattern satisfies (pattern: string) => string | null,
  mxPatternMatches: mx.mxPatternMatches satisfies (pattern: string, host: string) => boolean,
  uncoveredHosts: mx.uncoveredHosts satisfies (patterns: string[], hosts: string[]) => string[],
  parsePolicy: policy.parsePolicy satisfies (text: string) => PolicyParse,
  renderPolicy: policy.renderPolicy satisfies (policy: Policy) => string,
  policiesEqual: policy.policiesEqual satisfies (a: Policy, b: Policy) => boolean,
  joinTxtStrings: txt.joinTxtStrings satisfies (strings: string[]) => string,
  splitTxtValue: txt.splitTxtValue satisfies (text: string) => string[],
  parseStsRecord: txt.parseStsRecord satisfies (text: string) => RecordParse<StsRecord>,
  parseTlsRptRecord: txt.parseTlsRptRecord satisfies (text: string) => RecordParse<TlsRptRecord>,
  selectStsRecord: txt.selectStsRecord satisfies (
    records: string[][],
  ) => RecordSelection<StsRecord>,
  selectTlsRptRecord: txt.selectTlsRptRecord satisfies (
    records: string[][],
  ) => RecordSelection<TlsRptRecord>,
  renderStsRecord: txt.renderStsRecord satisfies (id: string) => string,
  renderTlsRptRecord: txt.renderTlsRptRecord satisfies (rua: string[]) => string,
  validateRua: txt.validateRua satisfies (uri: string) => string | null,
  isValidPolicyId: id.isValidPolicyId satisfies (id: string) => boolean,
  formatPolicyId: id.formatPolicyId satisfies (date: Date) => string,
  parsePolicyIdTime: id.parsePolicyIdTime satisfies (id: string) => Date | null,
  newPolicyId: id.newPolicyId satisfies (now: Date, liveIds: string[]) => string,
};

describe("sts API", () => {
  it.each(Object.entries(signatures))("exports %s", (_name, exported) => {
    expect(typeof exported).toBe("function");
  });

  it("exports MAX_AGE_MAX", () => {
    expect(policy.MAX_AGE_MAX).toBe(31_557_600);
  });
});
