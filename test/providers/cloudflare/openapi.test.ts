import { beforeAll, describe, expect, it } from "vitest";
import { OpenApiValidator } from "../../support/openapi.js";
import { sharedPath } from "../../support/shared.js";
import { canValidate } from "./fixtures.js";

const CLOUDFLARE = "vendor-api/cloudflare-openapi-subset.json";
const GITHUB = "vendor-api/github-openapi-subset.json";
const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";

describe.skipIf(!canValidate)("OpenApiValidator on the Cloudflare subset", () => {
  let validator: OpenApiValidator;
  beforeAll(() => {
    validator = OpenApiValidator.fromFile(sharedPath(CLOUDFLARE) ?? "");
  });

  const check = (method: string, path: string, query = "", body?: unknown) =>
    validator.check({
      method,
      path,
      query: new URLSearchParams(query),
      contentType: body === undefined ? null : "application/json",
      body: body === undefined ? null : JSON.stringify(body),
    });

  it("compiles every operation", () => {
    expect(() => validator.compileAll()).not.toThrow();
    expect(validator.basePath).toBe("/client/v4");
  });

  it("prefers a literal segment over a parameter", () => {
    expect(check("POST", `/zones/${ZONE}/dns_records/batch`, "", {}).operationId).toBe(
      "dns-records-for-a-zone-batch-dns-records",
    );
  });

  it("converts query values to their types", () => {
    const result = check("GET", "/zones", "page=2&per_page=50&account.id=abc");

    expect(result.problems).toEqual([]);
    expect(result.query).toEqual({ page: 2, per_page: 50, "account.id": "abc" });
  });

  it("reports query values out of range", () => {
    expect(check("GET", "/zones", "per_page=500").problems).toEqual([
      { in: "query", at: "per_page", message: "must be <= 50" },
    ]);
  });

  it("drops read-only properties from required", () => {
    const result = check("PUT", "/accounts/abc/workers/domains", "", {
      hostname: "mta-sts.example.com",
      service: "policies",
      zone_id: ZONE,
      zone_name: "example.com",
    });

    expect(result.problems).toEqual([]);
  });

  it("reports the branch of the record type", () => {
    const result = check("POST", `/zones/${ZONE}/dns_records/batch`, "", {
      posts: [{ name: "_mta-sts.example.com", type: "TXT", content: 42 }],
    });

    expect(result.problems).toEqual([
      { in: "body", at: "/posts/0", message: "must have required property 'ttl'" },
      { in: "body", at: "/posts/0/content", message: "must be string" },
    ]);
  });

  it("lists the record types for an unknown one", () => {
    const result = check("POST", `/zones/${ZONE}/dns_records/batch`, "", {
      posts: [{ name: "_mta-sts.example.com", type: "TEXT", content: "x", ttl: 1 }],
    });

    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.at).toBe("/posts/0/type");
    expect(result.problems[0]?.message).toContain('"TXT"');
  });

  it("reports a method the path lacks", () => {
    expect(check("PATCH", "/zones").problems[0]?.message).toBe(
      "PATCH is not an operation of /zones (allowed: GET, POST)",
    );
  });

  it("reports an unknown path", () => {
    expect(check("GET", "/nothing").problems[0]?.message).toBe(
      "no operation in Cloudflare API matches the path /nothing",
    );
  });

  it("reports a missing body", () => {
    expect(check("POST", `/zones/${ZONE}/dns_records/batch`).problems).toEqual([
      { in: "body", at: "", message: "request body is required but missing" },
    ]);
  });

  it("reports a body that is not JSON", () => {
    const result = validator.check({
      method: "POST",
      path: `/zones/${ZONE}/dns_records/batch`,
      query: new URLSearchParams(),
      contentType: "application/json",
      body: "{",
    });

    expect(result.problems[0]?.message).toMatch(/^body is not valid JSON/);
  });

  it("reports an unsupported content type", () => {
    const result = validator.check({
      method: "POST",
      path: `/zones/${ZONE}/dns_records/batch`,
      query: new URLSearchParams(),
      contentType: "text/plain",
      body: "{}",
    });

    expect(result.problems[0]?.message).toBe(
      'unsupported Content-Type "text/plain"; expected application/json',
    );
  });
});

describe.skipIf(sharedPath(GITHUB) === null)("OpenApiValidator on the GitHub subset", () => {
  it("compiles every operation", () => {
    const validator = OpenApiValidator.fromFile(sharedPath(GITHUB) ?? "");

    expect(() => validator.compileAll()).not.toThrow();
    expect(validator.basePath).toBe("");
  });

  it("lets the last parameter span slashes", () => {
    const validator = OpenApiValidator.fromFile(sharedPath(GITHUB) ?? "");

    const result = validator.check({
      method: "GET",
      path: "/repos/octo/fleet/contents/domains/example.com.yaml",
      query: new URLSearchParams(),
      contentType: null,
      body: null,
    });

    expect(result.pathTemplate).toBe("/repos/{owner}/{repo}/contents/{path}");
    expect(result.pathParams.path).toBe("domains/example.com.yaml");
  });
});
