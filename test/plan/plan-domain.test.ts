import { describe, expect, it } from "vitest";
import { planDomain } from "../../src/plan/plan-domain.js";
import type { DomainPlan } from "../../src/plan/types.js";
import { declared, observed, policyBody } from "./observed.js";

const now = new Date("2026-12-04T10:00:00Z");
const domain = "example.com";
const sts = [["v=STSv1; id=20261101T000000Z;"]];
const tlsRpt = [["v=TLSRPTv1; rua=mailto:tlsrpt@example.com"]];
const testingBody = policyBody("testing", ["mx.example.com"], 604800);

function codes(plan: DomainPlan): string[] {
  return plan.findings.map((item) => item.code);
}

function kinds(plan: DomainPlan): string[] {
  return plan.changes.map((change) => change.kind);
}

describe("planDomain present", () => {
  it("in-sync domain has no changes", () => {
    const plan = planDomain(
      declared(domain),
      observed(domain, { sts, tlsRpt, policy: testingBody }),
      { now },
    );
    expect(plan.status).toBe("in-sync");
    expect(plan.changes).toEqual([]);
    expect(plan.findings).toEqual([]);
  });

  it("LF policy with the same content stays in sync", () => {
    const body = testingBody.replace(/\r\n/g, "\n").replace(/\n$/, "");
    const plan = planDomain(declared(domain), observed(domain, { sts, tlsRpt, policy: body }), {
      now,
    });
    expect(plan.status).toBe("in-sync");
    expect(codes(plan)).toEqual(["policy-line-endings"]);
  });

  it("missing record gets a record with a new id", () => {
    const plan = planDomain(declared(domain), observed(domain, { tlsRpt, policy: testingBody }), {
      now,
    });
    expect(kinds(plan)).toEqual(["set-sts-record"]);
    expect(plan.changes[0]!.after).toBe("v=STSv1; id=20261204T100000Z;");
    expect(codes(plan)).toContain("sts-record-missing");
  });

  it("empty live state publishes policy, record and TLS-RPT", () => {
    const plan = planDomain(declared(domain), observed(domain, {}), { now });
    expect(kinds(plan)).toEqual(["publish-policy", "set-sts-record", "set-tlsrpt-record"]);
    expect(plan.changes[0]!.after).toBe(testingBody);
    expect(plan.changes[2]!.after).toBe("v=TLSRPTv1; rua=mailto:tlsrpt@example.com");
    expect(codes(plan)).toContain("tlsrpt-record-missing");
  });

  it("max_age drift republishes with a new id", () => {
    const body = policyBody("testing", ["mx.example.com"], 86400);
    const plan = planDomain(declared(domain), observed(domain, { sts, tlsRpt, policy: body }), {
      now,
    });
    expect(kinds(plan)).toEqual(["publish-policy", "set-sts-record"]);
    expect(plan.changes[0]!.description).toBe("max_age 86400 -> 604800");
    expect(plan.changes[1]!.before).toBe("v=STSv1; id=20261101T000000Z;");
    expect(codes(plan)).toContain("policy-drift");
  });

  it("two STS records are replaced by one", () => {
    const two = [["v=STSv1; id=1;"], ["v=STSv1; id=2;"]];
    const plan = planDomain(
      declared(domain),
      observed(domain, { sts: two, tlsRpt, policy: testingBody }),
      { now },
    );
    expect(codes(plan)).toContain("sts-record-multiple");
    expect(kinds(plan)).toEqual(["set-sts-record"]);
  });

  it("invalid id is reported and replaced", () => {
    const bad = [["v=STSv1; id=ab+c/d=;"]];
    const plan = planDomain(
      declared(domain),
      observed(domain, { sts: bad, tlsRpt, policy: testingBody }),
      { now },
    );
    expect(codes(plan)).toContain("sts-record-invalid");
    expect(plan.changes[0]!.after).toBe("v=STSv1; id=20261204T100000Z;");
  });

  it("redirecting host with a record is an error", () => {
    const policy = {
      ok: false as const,
      url: `https://mta-sts.${domain}/.well-known/mta-sts.txt`,
      reason: "redirect" as const,
      detail: "HTTP 301 to https://www.example.com/",
      status: 301,
    };
    const plan = planDomain(declared(domain), observed(domain, { sts, tlsRpt, policy }), { now });
    const fetchFinding = plan.findings.find((item) => item.code === "policy-fetch-failed")!;
    expect(fetchFinding.severity).toBe("error");
    expect(fetchFinding.message).toContain("redirect: HTTP 301 to https://www.example.com/");
    expect(kinds(plan)).toEqual(["publish-policy", "set-sts-record"]);
  });

  it("SERVFAIL on _mta-sts plans nothing", () => {
    const observation = observed(domain, { tlsRpt, policy: testingBody });
    observation.stsTxt = {
      ...observation.stsTxt,
      status: "servfail",
      records: [],
      detail: "SERVFAIL from 127.0.0.1:53",
    };
    const plan = planDomain(declared(domain), observation, { now });
    expect(plan.status).toBe("error");
    expect(plan.changes).toEqual([]);
    expect(codes(plan)).toEqual(["dns-temporary-failure"]);
  });

  it("TLS-RPT timeout keeps the policy plan", () => {
    const observation = observed(domain, { sts, policy: testingBody });
    observation.tlsRptTxt = { ...observation.tlsRptTxt, status: "timeout", records: [] };
    const plan = planDomain(declared(domain), observation, { now });
    expect(plan.status).toBe("in-sync");
    expect(codes(plan)).toEqual(["dns-temporary-failure"]);
  });

  it("rua change rewrites the TLS-RPT record", () => {
    const desired = declared(domain, { tlsRpt: { rua: ["https://r.example.net/v1"] } });
    const plan = planDomain(desired, observed(domain, { sts, tlsRpt, policy: testingBody }), {
      now,
    });
    expect(kinds(plan)).toEqual(["set-tlsrpt-record"]);
    expect(plan.changes[0]!.after).toBe("v=TLSRPTv1; rua=https://r.example.net/v1");
  });

  it("undeclared TLS-RPT is deleted", () => {
    const plan = planDomain(
      declared(domain, { tlsRpt: null }),
      observed(domain, { sts, tlsRpt, policy: testingBody }),
      { now },
    );
    expect(kinds(plan)).toEqual(["delete-tlsrpt-record"]);
    expect(plan.changes[0]!.after).toBeNull();
  });

  it("max_age under a week in enforce warns", () => {
    const desired = declared(domain, {
      mtaSts: { mode: "enforce", mx: ["mx.example.com"], maxAge: 86400 },
    });
    const body = policyBody("enforce", ["mx.example.com"], 86400);
    const plan = planDomain(desired, observed(domain, { sts, tlsRpt, policy: body }), { now });
    expect(codes(plan)).toEqual(["max-age-short"]);
  });

  it("body modified after its id warns and bumps the id", () => {
    const policy = {
      ok: true as const,
      url: `https://mta-sts.${domain}/.well-known/mta-sts.txt`,
      contentType: "text/plain",
      body: testingBody,
      address: "127.0.0.1:443",
      lastModified: "Wed, 02 Dec 2026 08:00:00 GMT",
    };
    const plan = planDomain(declared(domain), observed(domain, { sts, tlsRpt, policy }), { now });
    expect(codes(plan)).toContain("policy-id-unchanged");
    expect(kinds(plan)).toEqual(["set-sts-record"]);
  });
});

describe("planDomain mode and mx safety", () => {
  const enforce = declared(domain, {
    mtaSts: { mode: "enforce", mx: ["mx.example.com"], maxAge: 604800 },
  });

  it("testing to enforce without gate is held", () => {
    const plan = planDomain(enforce, observed(domain, { sts, tlsRpt, policy: testingBody }), {
      now,
    });
    expect(plan.status).toBe("held");
    expect(plan.changes.every((change) => change.heldReason)).toBe(true);
    expect(codes(plan)).toContain("promotion-not-approved");
  });

  it("testing to enforce with override runs", () => {
    const desired = {
      ...enforce,
      enforceOverride: { reason: "audited by hand", approvedBy: "alice" },
    };
    const plan = planDomain(desired, observed(domain, { sts, tlsRpt, policy: testingBody }), {
      now,
    });
    expect(plan.status).toBe("changes");
    expect(codes(plan)).toContain("promotion-override");
  });

  it("testing to enforce with passed gate runs", () => {
    const gate = () => ({ passed: true, reasons: [] });
    const plan = planDomain(enforce, observed(domain, { sts, tlsRpt, policy: testingBody }), {
      now,
      promotionGate: gate,
    });
    expect(plan.status).toBe("changes");
    expect(plan.changes[0]!.risk).toBe("high");
  });

  it("enforce to testing is flagged", () => {
    const body = policyBody("enforce", ["mx.example.com"], 604800);
    const plan = planDomain(declared(domain), observed(domain, { sts, tlsRpt, policy: body }), {
      now,
    });
    expect(plan.status).toBe("changes");
    const relaxed = plan.findings.find((item) => item.code === "mode-relaxed")!;
    expect(relaxed.message).toContain("2026-12-11T10:00:00Z");
  });

  it("enforce policy missing a live MX is an error", () => {
    const body = policyBody("enforce", ["mx.example.com"], 604800);
    const observation = observed(domain, {
      mx: ["mx.example.com", "backup.example.net"],
      sts,
      tlsRpt,
      policy: body,
    });
    const plan = planDomain(enforce, observation, { now });
    expect(codes(plan)).toEqual(["enforce-mx-not-covered"]);
    expect(plan.findings[0]!.severity).toBe("error");
    expect(plan.status).toBe("in-sync");
  });

  it("declared enforce policy missing a live MX is held", () => {
    const body = policyBody("enforce", ["mx.example.com"], 1209600);
    const observation = observed(domain, {
      mx: ["mx.example.com", "backup.example.net"],
      sts,
      tlsRpt,
      policy: body,
    });
    const plan = planDomain(enforce, observation, { now });
    expect(codes(plan)).toContain("declared-mx-not-covered");
    expect(plan.status).toBe("held");
  });

  it("dropping a used pattern under enforce is held", () => {
    const body = policyBody("enforce", ["mx.example.com", "*.mail.example.net"], 604800);
    const observation = observed(domain, {
      mx: ["mx.example.com", "a.mail.example.net"],
      sts,
      tlsRpt,
      policy: body,
    });
    const plan = planDomain(enforce, observation, { now });
    expect(codes(plan)).toContain("mx-removal-unsafe");
    expect(plan.changes[0]!.heldReason).toBe(
      "a live MX host would lose its mx pattern under enforce",
    );
  });

  it("adding a pattern for a new MX warns with the safe time", () => {
    const body = policyBody("enforce", ["mx.example.com"], 604800);
    const desired = declared(domain, {
      mtaSts: { mode: "enforce", mx: ["mx.example.com", "mx2.example.com"], maxAge: 604800 },
    });
    const observation = observed(domain, {
      mx: ["mx.example.com", "mx2.example.com"],
      sts,
      tlsRpt,
      policy: body,
    });
    const plan = planDomain(desired, observation, { now });
    expect(plan.status).toBe("changes");
    const added = plan.findings.find((item) => item.code === "mx-added-under-enforce")!;
    expect(added.message).toContain("2026-12-11T10:00:00Z");
  });

  it("CNAME-delegated record in sync is info only", () => {
    const observation = observed(domain, { sts, tlsRpt, policy: testingBody });
    observation.stsTxt.cnameChain = ["_mta-sts.provider.example"];
    const plan = planDomain(declared(domain), observation, { now });
    expect(plan.status).toBe("in-sync");
    expect(codes(plan)).toEqual(["sts-record-cname"]);
  });

  it("CNAME-delegated record blocks a new id", () => {
    const observation = observed(domain, {
      sts,
      tlsRpt,
      policy: policyBody("testing", ["mx.example.com"], 86400),
    });
    observation.stsTxt.cnameChain = ["_mta-sts.provider.example"];
    const plan = planDomain(declared(domain), observation, { now });
    expect(plan.status).toBe("held");
    expect(codes(plan)).toContain("sts-record-cname-blocks-change");
  });
});

describe("planDomain retirement", () => {
  const absent = declared(domain, {
    state: "absent",
    mtaSts: { mode: "enforce", mx: ["mx.example.com"], maxAge: 1209600 },
  });

  it("first step publishes mode none with the largest max_age", () => {
    const body = policyBody("enforce", ["mx.example.com"], 2592000);
    const plan = planDomain(absent, observed(domain, { sts, tlsRpt, policy: body }), { now });
    expect(kinds(plan)).toEqual(["publish-policy", "set-sts-record"]);
    expect(plan.changes[0]!.after).toBe("version: STSv1\r\nmode: none\r\nmax_age: 2592000\r\n");
  });

  it("deletion waits for the horizon", () => {
    const none = [["v=STSv1; id=20261201T000000Z;"]];
    const body = "version: STSv1\r\nmode: none\r\nmax_age: 1209600\r\n";
    const plan = planDomain(absent, observed(domain, { sts: none, tlsRpt, policy: body }), { now });
    expect(plan.status).toBe("held");
    expect(kinds(plan)).toEqual(["delete-sts-record", "withdraw-policy"]);
    expect(plan.changes[0]!.heldUntil).toBe("2026-12-15T00:00:00Z");
    expect(codes(plan)).toContain("retirement-waiting");
  });

  it("deletion runs after the horizon", () => {
    const none = [["v=STSv1; id=20261101T000000Z;"]];
    const body = "version: STSv1\r\nmode: none\r\nmax_age: 1209600\r\n";
    const plan = planDomain(absent, observed(domain, { sts: none, tlsRpt, policy: body }), { now });
    expect(plan.status).toBe("changes");
    expect(plan.changes.map((change) => change.heldReason)).toEqual([undefined, undefined]);
  });

  it("foreign id is republished before waiting", () => {
    const none = [["v=STSv1; id=2022051602;"]];
    const body = "version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n";
    const plan = planDomain(absent, observed(domain, { sts: none, tlsRpt, policy: body }), { now });
    expect(codes(plan)).toContain("retirement-horizon-unknown");
    expect(kinds(plan)).toEqual(["publish-policy", "set-sts-record"]);
  });

  it("fully retired domain is in sync", () => {
    const plan = planDomain(absent, observed(domain, { tlsRpt }), { now });
    expect(plan.status).toBe("in-sync");
    expect(plan.findings).toEqual([]);
  });
});
