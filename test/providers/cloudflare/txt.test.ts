import { describe, expect, it } from "vitest";
import { type ExistingRecord, planTxtBatch } from "../../../src/providers/dns/cloudflare-batch.js";
import {
  decodeTxtContent,
  encodeTxtContent,
  parseQuotedStrings,
} from "../../../src/providers/dns/cloudflare-txt.js";

describe("encodeTxtContent", () => {
  it.each([
    ["short value", "v=STSv1; id=1;", '"v=STSv1; id=1;"'],
    ["empty value", "", '""'],
    ["quote and backslash", 'a"b\\c', '"a\\"b\\\\c"'],
    ["255 bytes", "x".repeat(255), `"${"x".repeat(255)}"`],
    ["256 bytes", "x".repeat(256), `"${"x".repeat(255)}" "x"`],
  ])("encodes %s", (_case, value, content) => {
    expect(encodeTxtContent(value)).toBe(content);
  });

  it("never splits inside a character", () => {
    const value = `${"x".repeat(254)}é${"y".repeat(10)}`;

    expect(encodeTxtContent(value)).toBe(`"${"x".repeat(254)}" "é${"y".repeat(10)}"`);
  });
});

describe("decodeTxtContent", () => {
  it.each([
    ["one string", '"v=STSv1; id=1;"', "v=STSv1; id=1;"],
    ["two strings joined without space", '"v=STSv1; " "id=1;"', "v=STSv1; id=1;"],
    ["tab between strings", '"a"\t"b"', "ab"],
    ["escaped quote", '"a\\"b"', 'a"b'],
    ["decimal escape", '"\\065\\066"', "AB"],
    ["UTF-8 bytes escaped", '"\\195\\169"', "é"],
    ["bare content", "v=STSv1; id=1;", "v=STSv1; id=1;"],
    ["unterminated quote", '"v=STSv1', '"v=STSv1'],
    ["text after the strings", '"a" b', '"a" b'],
    ["strings without a gap", '"a""b"', '"a""b"'],
  ])("decodes %s", (_case, content, value) => {
    expect(decodeTxtContent(content)).toBe(value);
  });

  it.each([
    "v=TLSRPTv1; rua=mailto:a@example.com",
    "x".repeat(600),
    'with "quotes" and \\ backslash',
    "ünïcödé ✓".repeat(40),
  ])("round-trips %#", (value) => {
    expect(decodeTxtContent(encodeTxtContent(value))).toBe(value);
  });

  it("keeps string boundaries in parseQuotedStrings", () => {
    expect(parseQuotedStrings('"a" "b c"')).toEqual(["a", "b c"]);
  });
});

describe("planTxtBatch", () => {
  const record = (
    id: string,
    name: string,
    value: string,
    ttl = 1,
    type = "TXT",
  ): ExistingRecord => ({
    id,
    name,
    type,
    content: type === "TXT" ? encodeTxtContent(value) : value,
    ttl,
  });
  const STS = "_mta-sts.example.com";
  const TLS = "_smtp._tls.example.com";

  it("sends nothing when the values are there", () => {
    const batch = planTxtBatch(
      [record("a", STS, "v=STSv1; id=1;")],
      [{ name: STS, values: ["v=STSv1; id=1;"] }],
      1,
    );

    expect(batch).toEqual({ deletes: [], patches: [], posts: [] });
  });

  it("keeps a bare record with the wanted value", () => {
    const bare = { id: "a", name: STS, type: "TXT", content: "v=STSv1; id=1;", ttl: 1 };

    expect(planTxtBatch([bare], [{ name: STS, values: ["v=STSv1; id=1;"] }], 1).patches).toEqual(
      [],
    );
  });

  it("patches a changed value", () => {
    const batch = planTxtBatch(
      [record("a", STS, "v=STSv1; id=1;", 300)],
      [{ name: STS, values: ["v=STSv1; id=2;"] }],
      1,
    );

    expect(batch).toEqual({
      deletes: [],
      patches: [{ id: "a", name: STS, type: "TXT", content: '"v=STSv1; id=2;"', ttl: 300 }],
      posts: [],
    });
  });

  it("posts a new value with the default TTL", () => {
    const batch = planTxtBatch(
      [],
      [{ name: TLS, values: ["v=TLSRPTv1; rua=mailto:a@example.com"] }],
      3600,
    );

    expect(batch.posts).toEqual([
      { name: TLS, type: "TXT", content: '"v=TLSRPTv1; rua=mailto:a@example.com"', ttl: 3600 },
    ]);
  });

  it("deletes duplicates and extra records", () => {
    const existing = [
      record("a", STS, "v=STSv1; id=1;"),
      record("b", STS, "v=STSv1; id=1;"),
      record("c", STS, "v=STSv1; id=0;"),
    ];

    const batch = planTxtBatch(existing, [{ name: STS, values: ["v=STSv1; id=1;"] }], 1);

    expect(batch.deletes).toEqual([{ id: "b" }, { id: "c" }]);
  });

  it("deletes every record for null", () => {
    const existing = [
      record("a", STS, "v=STSv1; id=1;"),
      record("b", TLS, "v=TLSRPTv1; rua=mailto:a@example.com"),
    ];

    const batch = planTxtBatch(existing, [{ name: STS, values: null }], 1);

    expect(batch).toEqual({ deletes: [{ id: "a" }], patches: [], posts: [] });
  });

  it("patches the TTL when the write sets one", () => {
    const batch = planTxtBatch(
      [record("a", STS, "v=STSv1; id=1;", 1)],
      [{ name: STS, values: ["v=STSv1; id=1;"], ttl: 600 }],
      1,
    );

    expect(batch.patches).toEqual([
      { id: "a", name: STS, type: "TXT", content: '"v=STSv1; id=1;"', ttl: 600 },
    ]);
  });

  it("ignores records of other types and names", () => {
    const existing = [
      record("a", STS, "target.example", 1, "CNAME"),
      record("b", "example.com", "v=spf1 -all"),
    ];

    const batch = planTxtBatch(existing, [{ name: STS, values: null }], 1);

    expect(batch).toEqual({ deletes: [], patches: [], posts: [] });
  });
});
