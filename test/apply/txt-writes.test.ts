import { describe, expect, it } from "vitest";
import { stampPolicyId } from "../../src/apply/txt-writes.js";

const now = new Date("2026-12-04T10:05:30.500Z");

describe("stampPolicyId", () => {
  const cases = [
    {
      name: "earlier id moves to now",
      record: "v=STSv1; id=20261204T100000Z;",
      before: null,
      expected: "v=STSv1; id=20261204T100530Z;",
    },
    {
      name: "id of this second stays",
      record: "v=STSv1; id=20261204T100530Z;",
      before: null,
      expected: "v=STSv1; id=20261204T100530Z;",
    },
    {
      name: "later id stays",
      record: "v=STSv1; id=20261204T110000Z;",
      before: null,
      expected: "v=STSv1; id=20261204T110000Z;",
    },
    {
      name: "live id ahead of the clock",
      record: "v=STSv1; id=20261204T100000Z;",
      before: "v=STSv1; id=20261204T120000Z;",
      expected: "v=STSv1; id=20261204T120001Z;",
    },
    {
      name: "foreign id stays",
      record: "v=STSv1; id=2022051602;",
      before: null,
      expected: "v=STSv1; id=2022051602;",
    },
    {
      name: "record without id stays",
      record: "v=STSv1;",
      before: null,
      expected: "v=STSv1;",
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, () => {
      expect(stampPolicyId(testCase.record, testCase.before, now)).toBe(testCase.expected);
    });
  }
});
