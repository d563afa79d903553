import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestCa, type TestCa } from "../../src/sandbox/ca.js";

let ca: TestCa;

/** Splits a PEM bundle into its certificates. */
function certificatesOf(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

beforeAll(async () => {
  ca = await createTestCa();
});

describe("test CA", () => {
  it("issue puts the names in subjectAltName", async () => {
    const issued = await ca.issue(["mta-sts.example.com", "*.example.net"]);
    const leaf = new X509Certificate(issued.certPem);

    expect(leaf.subjectAltName).toBe("DNS:mta-sts.example.com, DNS:*.example.net");
  });

  it("chain verifies up to the root", async () => {
    const issued = await ca.issue(["mta-sts.example.com"]);
    const [leaf, intermediate] = certificatesOf(issued.chainPem);
    const root = new X509Certificate(ca.certPem);

    expect(leaf!.verify(intermediate!.publicKey)).toBe(true);
    expect(intermediate!.verify(root.publicKey)).toBe(true);
    expect(intermediate!.ca).toBe(true);
    expect(leaf!.ca).toBe(false);
  });

  it("unrelated CA does not sign for this one", async () => {
    const other = await createTestCa("other test CA");
    const issued = await other.issue(["mta-sts.example.com"]);
    const [, intermediate] = certificatesOf(issued.chainPem);
    const root = new X509Certificate(ca.certPem);

    expect(intermediate!.verify(root.publicKey)).toBe(false);
  });

  it("issue honours notBefore and notAfter", async () => {
    const notBefore = new Date("2020-01-01T00:00:00Z");
    const notAfter = new Date("2020-02-01T00:00:00Z");
    const issued = await ca.issue(["old.example.com"], { notBefore, notAfter });
    const leaf = new X509Certificate(issued.certPem);

    expect(new Date(leaf.validFrom).toISOString()).toBe(notBefore.toISOString());
    expect(new Date(leaf.validTo).toISOString()).toBe(notAfter.toISOString());
  });

  it("commonNameOnly leaves out subjectAltName", async () => {
    const issued = await ca.issue(["mta-sts.example.com"], { commonNameOnly: true });
    const leaf = new X509Certificate(issued.certPem);

    expect(leaf.subjectAltName).toBeUndefined();
    expect(leaf.subject).toBe("CN=mta-sts.example.com");
  });

  it("issue without names throws", async () => {
    await expect(ca.issue([])).rejects.toThrow(/at least one DNS name/);
  });
});
