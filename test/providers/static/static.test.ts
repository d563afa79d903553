import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createStaticHost } from "../../../src/providers/hosting/static.js";
import type { PolicyHost } from "../../../src/providers/types.js";

const POLICY = "version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmax_age: 86400\r\n";
const ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n";

describe("static policy host", () => {
  let parent: string;
  let directory: string;
  let logLines: string[];
  let host: PolicyHost;

  beforeEach(async () => {
    parent = await mkdtemp(path.join(tmpdir(), "mta-sts-gitops-static-"));
    directory = path.join(parent, "sites");
    logLines = [];
    host = createStaticHost({ name: "www", directory, log: (line) => logLines.push(line) });
  });

  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  const policyFile = (domain: string) =>
    path.join(directory, `mta-sts.${domain}`, ".well-known", "mta-sts.txt");

  test("publish writes the policy bytes", async () => {
    await host.publish([{ domain: "example.com", body: POLICY }]);

    expect(await readFile(policyFile("example.com"), "utf8")).toBe(POLICY);
  });

  test("publish normalizes the domain", async () => {
    await host.publish([{ domain: "Example.COM.", body: POLICY }]);

    expect(existsSync(policyFile("example.com"))).toBe(true);
  });

  test("publish replaces and leaves no temporary file", async () => {
    await host.publish([{ domain: "example.com", body: POLICY }]);

    await host.publish([{ domain: "example.com", body: ENFORCE }]);

    expect(await readFile(policyFile("example.com"), "utf8")).toBe(ENFORCE);
    expect(await readdir(path.dirname(policyFile("example.com")))).toEqual(["mta-sts.txt"]);
  });

  test("publish of the same body does not rewrite", async () => {
    await host.publish([{ domain: "example.com", body: POLICY }]);
    const before = await stat(policyFile("example.com"));

    await host.publish([{ domain: "example.com", body: POLICY }]);

    expect((await stat(policyFile("example.com"))).ino).toBe(before.ino);
    expect(logLines.at(-1)).toBe("static[www] publish: domain=example.com change=none");
  });

  test("publish keeps other domains", async () => {
    await host.publish([{ domain: "example.com", body: POLICY }]);

    await host.publish([{ domain: "example.org", body: ENFORCE }]);

    expect(await host.list()).toEqual(
      new Map([
        ["example.com", POLICY],
        ["example.org", ENFORCE],
      ]),
    );
  });

  test("list skips folders that hold no policy", async () => {
    await host.publish([{ domain: "example.com", body: POLICY }]);
    await mkdir(path.join(directory, "mta-sts.example.net", ".well-known"), { recursive: true });
    await mkdir(path.join(directory, "www.example.com"), { recursive: true });
    await writeFile(path.join(directory, "mta-sts.example.org"), "a file, not a site folder");
    await mkdir(path.join(directory, "mta-sts.Not_A_Domain"), { recursive: true });

    expect(await host.list()).toEqual(new Map([["example.com", POLICY]]));
  });

  test("list of a missing directory is empty", async () => {
    expect(await host.list()).toEqual(new Map());
  });

  test("withdraw removes the file and empty folders", async () => {
    await host.publish([
      { domain: "example.com", body: POLICY },
      { domain: "example.org", body: POLICY },
    ]);

    await host.withdraw(["example.com"]);

    expect(await readdir(directory)).toEqual(["mta-sts.example.org"]);
    expect(await host.list()).toEqual(new Map([["example.org", POLICY]]));
  });

  test("withdraw keeps folders with other files", async () => {
    await host.publish([{ domain: "example.com", body: POLICY }]);
    const index = path.join(directory, "mta-sts.example.com", "index.html");
    await writeFile(index, "<p>MTA-STS policy host</p>");

    await host.withdraw(["example.com"]);

    expect(existsSync(policyFile("example.com"))).toBe(false);
    expect(existsSync(path.join(directory, "mta-sts.example.com", ".well-known"))).toBe(false);
    expect(existsSync(index)).toBe(true);
  });

  test("withdraw of an absent policy is a no-op", async () => {
    await host.withdraw(["example.com"]);

    expect(logLines).toEqual(["static[www] withdraw: domain=example.com change=none"]);
  });

  test.each([
    { case: "parent reference", domain: "../example.com" },
    { case: "bare parent", domain: ".." },
    { case: "slash", domain: "example.com/../../outside" },
    { case: "backslash", domain: "example.com\\..\\outside" },
    { case: "empty label", domain: "example..com" },
    { case: "absolute path", domain: "/etc/passwd" },
    { case: "single label", domain: "localhost" },
    { case: "empty", domain: "" },
    { case: "space", domain: "exa mple.com" },
    { case: "NUL byte", domain: "example.com\u0000.evil" },
    { case: "non-ASCII", domain: "exämple.com" },
    { case: "label over 63 characters", domain: `${"a".repeat(64)}.com` },
  ])("publish rejects $case", async ({ domain }) => {
    await expect(host.publish([{ domain, body: POLICY }])).rejects.toThrow(/invalid policy domain/);

    expect(await readdir(parent)).toEqual([]);
  });

  test("withdraw rejects a domain that would escape", async () => {
    await writeFile(path.join(parent, "keep.txt"), "outside the served directory");

    await expect(host.withdraw(["../keep.txt"])).rejects.toThrow(/invalid policy domain/);

    expect(existsSync(path.join(parent, "keep.txt"))).toBe(true);
  });

  test("rejected batch writes nothing", async () => {
    await expect(
      host.publish([
        { domain: "example.com", body: POLICY },
        { domain: "../evil", body: POLICY },
      ]),
    ).rejects.toThrow(/invalid policy domain "\.\.\/evil"/);

    expect(existsSync(directory)).toBe(false);
  });

  test("site folder linked outside is rejected", async () => {
    const outside = path.join(parent, "outside");
    await mkdir(outside);
    await mkdir(directory);
    await symlink(outside, path.join(directory, "mta-sts.example.com"));

    await expect(host.publish([{ domain: "example.com", body: POLICY }])).rejects.toThrow(
      /resolves to .*outside, outside/,
    );

    expect(await readdir(outside)).toEqual([]);
  });

  test("withdraw through a link outside is rejected", async () => {
    const outside = path.join(parent, "outside");
    await mkdir(path.join(outside, ".well-known"), { recursive: true });
    await writeFile(path.join(outside, ".well-known", "mta-sts.txt"), POLICY);
    await mkdir(directory);
    await symlink(outside, path.join(directory, "mta-sts.example.com"));

    await expect(host.withdraw(["example.com"])).rejects.toThrow(/outside/);

    expect(existsSync(path.join(outside, ".well-known", "mta-sts.txt"))).toBe(true);
  });

  test("two policies for one domain are rejected", async () => {
    await expect(
      host.publish([
        { domain: "example.com", body: POLICY },
        { domain: "EXAMPLE.com", body: ENFORCE },
      ]),
    ).rejects.toThrow(/two policies for example\.com/);
  });
});
