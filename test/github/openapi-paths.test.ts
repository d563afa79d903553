import { describe, expect, it } from "vitest";
import { OpenApiValidator } from "../support/openapi.js";
import { reportMissingShared, sharedPath } from "../support/shared.js";

const specFile = sharedPath("vendor-api/github-openapi-subset.json");
if (!specFile) reportMissingShared("vendor-api/github-openapi-subset.json");

function get(path: string) {
  return { method: "GET", path, query: new URLSearchParams(), contentType: null, body: null };
}

describe.skipIf(!specFile)("OpenAPI path matching", () => {
  const validator = specFile ? OpenApiValidator.fromFile(specFile) : null;

  it("multi-segment parameter spans slashes", () => {
    const check = validator!.check(get("/repos/o/r/git/ref/heads/feature/x"));
    expect(check.problems).toEqual([]);
    expect(check.pathParams.ref).toBe("heads/feature/x");
  });

  it("ordinary parameter does not span slashes", () => {
    const check = validator!.check(get("/repos/o/r/anything/else"));
    expect(check.problems.length).toBeGreaterThan(0);
    expect(check.operationId).toBeNull();
  });
});
