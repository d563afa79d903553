import { beforeAll, describe, expect, it } from "vitest";
import { renderApplyMarkdown, renderApplyText } from "../../src/apply/render.js";
import type { ApplyResult } from "../../src/apply/types.js";
import { MemoryWorld } from "../support/memory-providers.js";
import { DAY_MS, declare, planAndApply, START, seedDomain } from "./fleet.js";

/** Runs one apply with every outcome: applied, pending, failed, held and unchanged. */
async function mixedResult(): Promise<ApplyResult> {
  const world = new MemoryWorld({ start: START });
  const before = Date.parse(START) - DAY_MS;
  world.host().delays.set("p.example", Number.POSITIVE_INFINITY);
  world.dns().failures.set("f.example", new Error("HTTP 500 | upstream"));
  const held = declare("h.example", { state: "absent" });
  seedDomain(world, held, { at: before, policy: { mode: "none", mx: [], maxAge: 604_800 } });
  const unchanged = declare("u.example");
  seedDomain(world, unchanged, { at: before });

  const declared = [
    declare("a.example"),
    declare("f.example"),
    held,
    declare("p.example"),
    unchanged,
  ];
  const { result } = await planAndApply(world, declared);
  return result;
}

let result: ApplyResult;

beforeAll(async () => {
  result = await mixedResult();
});

describe("renderApplyText", () => {
  it("lists changed domains with their steps", () => {
    expect(renderApplyText(result).split("\n")).toEqual([
      "apply: 5 domains: 1 applied, 1 pending, 1 held, 1 failed, 1 unchanged (60 s)",
      "a.example: applied",
      "    done    publish-policy https://mta-sts.a.example/.well-known/mta-sts.txt [host]: published 66 bytes: publish policy (mode testing, mx mx.a.example, max_age 604800)",
      "    done    verify-policy https://mta-sts.a.example/.well-known/mta-sts.txt [host]: served byte for byte after 1 fetch",
      '    done    set-sts-record _mta-sts.a.example [dns]: wrote "v=STSv1; id=20261204T100000Z;"',
      '    done    set-tlsrpt-record _smtp._tls.a.example [dns]: wrote "v=TLSRPTv1; rua=mailto:tlsrpt@a.example"',
      "f.example: failed",
      "    done    publish-policy https://mta-sts.f.example/.well-known/mta-sts.txt [host]: published 66 bytes: publish policy (mode testing, mx mx.f.example, max_age 604800)",
      "    done    verify-policy https://mta-sts.f.example/.well-known/mta-sts.txt [host]: served byte for byte after 1 fetch",
      '    failed  set-sts-record _mta-sts.f.example [dns]: DNS provider "dns" (memory) failed to write _mta-sts.f.example, _smtp._tls.f.example: HTTP 500 | upstream',
      '    failed  set-tlsrpt-record _smtp._tls.f.example [dns]: DNS provider "dns" (memory) failed to write _mta-sts.f.example, _smtp._tls.f.example: HTTP 500 | upstream',
      "h.example: held",
      "    held    delete-sts-record _mta-sts.h.example [dns] until 2026-12-10T10:00:00Z: inside the cache horizon of earlier policies",
      "    held    withdraw-policy https://mta-sts.h.example/.well-known/mta-sts.txt [host] until 2026-12-10T10:00:00Z: inside the cache horizon of earlier policies",
      "p.example: pending",
      "    done    publish-policy https://mta-sts.p.example/.well-known/mta-sts.txt [host]: published 66 bytes: publish policy (mode testing, mx mx.p.example, max_age 604800)",
      "    pending verify-policy https://mta-sts.p.example/.well-known/mta-sts.txt [host]: not served after 7 fetches in 60 s: status: HTTP 404",
      "    pending set-sts-record _mta-sts.p.example [dns]: waits until the published policy is served; _mta-sts left as it was",
      '    done    set-tlsrpt-record _smtp._tls.p.example [dns]: wrote "v=TLSRPTv1; rua=mailto:tlsrpt@p.example"',
      "Unchanged: u.example",
      "Pending: the published policy was not served before the deadline, so _mta-sts still carries the old id. Check the policy host, then run apply again; it publishes the same body again and writes the record once the policy is served.",
      "Held: the plan marked these changes as not safe yet. A later apply runs them once the time shown has passed or the reason is resolved.",
      "Failed: the domain could not be planned or a provider call raised an error, as its message says; the other domains went on. Fix the cause and run apply again: domains already applied then have no changes.",
      "",
    ]);
  });
});

describe("renderApplyMarkdown", () => {
  it("puts domains that need attention first", () => {
    const lines = renderApplyMarkdown(result).split("\n");
    const header = lines.indexOf("| domain | outcome | detail |");
    const rows = lines.slice(header + 2, lines.indexOf("", header));
    expect(rows.map((row) => row.split(" | ")[0])).toEqual([
      "| f.example",
      "| p.example",
      "| h.example",
      "| a.example",
    ]);
  });

  it("escapes pipes in cells", () => {
    const markdown = renderApplyMarkdown(result);
    expect(markdown).toContain(
      '| f.example | ❌ failed | DNS provider "dns" (memory) failed to write _mta-sts.f.example, _smtp._tls.f.example: HTTP 500 \\| upstream |',
    );
  });

  it("shows held changes with their time", () => {
    expect(renderApplyMarkdown(result)).toContain(
      "| h.example | ⏸️ held | delete-sts-record until 2026-12-10T10:00:00Z: inside the cache horizon of earlier policies; withdraw-policy until 2026-12-10T10:00:00Z: inside the cache horizon of earlier policies |",
    );
  });

  it("collapses unchanged domains", () => {
    expect(renderApplyMarkdown(result)).toContain(
      "<details><summary>1 unchanged domain</summary>\n\nu.example\n\n</details>",
    );
  });

  it("starts with the counts and the checksum", () => {
    const [title, , counts] = renderApplyMarkdown(result).split("\n");
    expect(title).toBe("## MTA-STS apply");
    expect(counts).toBe(
      `**5 domains: 1 applied, 1 pending, 1 held, 1 failed, 1 unchanged** · 60 s · plan checksum \`${result.planChecksum}\``,
    );
  });
});
