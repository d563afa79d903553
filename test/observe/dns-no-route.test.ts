import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/shared.js";

/** `unshare -n` gives the child a network namespace without interfaces (it needs root). */
const unshareWorks = spawnSync("unshare", ["-n", "true"]).status === 0;
if (!unshareWorks)
  console.warn("skipped: unshare -n is not available, so no route-less namespace can be made");

function lookupWithoutRoute(...resolvers: string[]) {
  const result = spawnSync(
    "unshare",
    [
      "-n",
      process.execPath,
      "--import",
      "tsx",
      "test/observe/scripts/lookup-without-route.ts",
      ...resolvers,
    ],
    { cwd: repoRoot, encoding: "utf8", timeout: 30_000 },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(!unshareWorks)("DNS client without a route", () => {
  it("IPv6 resolver fails as an error, not a crash", () => {
    const result = lookupWithoutRoute("[2001:db8::1]:53");
    expect(result.stderr).not.toContain("ERR_SOCKET_BAD_PORT");
    expect(result.status).toBe(0);
    const lookup = JSON.parse(result.stdout) as { status: string; detail: string };
    expect(lookup.status).toBe("error");
    expect(lookup.detail).toContain("[2001:db8::1]:53");
  });

  it("IPv4 resolver fails as an error, not a crash", () => {
    const result = lookupWithoutRoute("192.0.2.53:53");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).status).toBe("error");
  });
});
