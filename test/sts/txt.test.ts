import { describe, expect, it } from "vitest";
import { joinTxtStrings, splitTxtValue, stsRecordName } from "../../src/sts/txt.js";

const byteLength = (text: string) => Buffer.byteLength(text, "utf8");

describe("splitTxtValue", () => {
  it("keeps a short value in one string", () => {
    expect(splitTxtValue("v=STSv1; id=1;")).toEqual(["v=STSv1; id=1;"]);
  });

  it("returns one empty string for an empty value", () => {
    expect(splitTxtValue("")).toEqual([""]);
  });

  it.each([
    [255, [255]],
    [256, [255, 1]],
    [600, [255, 255, 90]],
  ])("splits %d ASCII bytes into %j", (length, sizes) => {
    expect(splitTxtValue("a".repeat(length)).map(byteLength)).toEqual(sizes);
  });

  it("never splits inside a UTF-8 character", () => {
    const text = `${"a".repeat(254)}é${"b".repeat(10)}`;
    const strings = splitTxtValue(text);

    expect(strings.map(byteLength)).toEqual([254, 12]);
    expect(joinTxtStrings(strings)).toBe(text);
  });

  it("joins back to the original value", () => {
    const rua = Array.from(
      { length: 12 },
      (_, index) => `mailto:tlsrpt${index}@reports.example.com`,
    );
    const text = `v=TLSRPTv1; rua=${rua.join(",")}`;

    expect(joinTxtStrings(splitTxtValue(text))).toBe(text);
  });
});

describe("stsRecordName", () => {
  it("names _mta-sts under the domain", () => {
    expect(stsRecordName("example.com")).toBe("_mta-sts.example.com");
  });
});
