import { X509Certificate } from "node:crypto";
import type { PeerCertificate } from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import {
  certificateDnsNames,
  certificateMatchesHost,
  classifyCertificateError,
} from "../../src/observe/tls-trust.js";
import { createTestCa, type TestCa } from "../../src/sandbox/ca.js";

let ca: TestCa;

async function derFor(names: string[], commonNameOnly = false): Promise<Buffer> {
  const issued = await ca.issue(names, { commonNameOnly });
  return new X509Certificate(issued.certPem).raw;
}

beforeAll(async () => {
  ca = await createTestCa();
});

describe("certificateMatchesHost", () => {
  it.each([
    [["mta-sts.example.com"], "mta-sts.example.com", true],
    [["mta-sts.example.com"], "MTA-STS.Example.COM", true],
    [["MTA-STS.EXAMPLE.COM"], "mta-sts.example.com", true],
    [["mta-sts.example.com"], "example.com", false],
    [["mta-sts.example.com"], "a.mta-sts.example.com", false],
    [["*.example.com"], "mta-sts.example.com", true],
    [["*.example.com"], "mx1.example.com", true],
    [["*.example.com"], "a.mta-sts.example.com", false],
    [["*.example.com"], "example.com", false],
    [["*.com"], "example.com", false],
    [["m*.example.com"], "mta-sts.example.com", false],
    [["*sts.example.com"], "mta-sts.example.com", false],
    [["mta-sts.*.com"], "mta-sts.example.com", false],
    [["other.example.com", "mta-sts.example.com"], "mta-sts.example.com", true],
  ])("%j for %s is %s", async (names, host, expected) => {
    expect(certificateMatchesHost(await derFor(names), host)).toBe(expected);
  });

  it("ignores the subject CN", async () => {
    expect(
      certificateMatchesHost(await derFor(["mta-sts.example.com"], true), "mta-sts.example.com"),
    ).toBe(false);
  });
});

describe("certificateDnsNames", () => {
  it("lists the DNS names lower-case", async () => {
    const raw = await derFor(["MX1.example.com", "*.example.net"]);

    expect(certificateDnsNames({ raw } as PeerCertificate)).toEqual([
      "mx1.example.com",
      "*.example.net",
    ]);
  });

  it("keeps a name with a comma as one entry", async () => {
    const raw = await derFor(["a.example.com, DNS:mta-sts.example.com"]);

    expect(certificateDnsNames({ raw } as PeerCertificate)).toEqual([
      "a.example.com, dns:mta-sts.example.com",
    ]);
  });
});

describe("classifyCertificateError", () => {
  it.each([
    ["CERT_HAS_EXPIRED", "certificate-expired"],
    ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "certificate-not-trusted"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "certificate-not-trusted"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "certificate-not-trusted"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "certificate-host-mismatch"],
    ["CERT_NOT_YET_VALID", "validation-failure"],
  ])("%s is %s", (code, failure) => {
    const error = Object.assign(new Error("x"), { code });

    expect(classifyCertificateError(error, "mx.example.com")?.failure).toBe(failure);
  });

  it("leaves network errors alone", () => {
    const error = Object.assign(new Error("x"), { code: "ECONNRESET" });

    expect(classifyCertificateError(error, "mx.example.com")).toBeNull();
  });
});
