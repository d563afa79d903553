import { describe, expect, test } from "vitest";
import { escapeTableCell, renderJobSummary, SUMMARY_MAX_BYTES } from "../../src/github/summary.js";
import { truncateMarkdown, utf8Bytes, utf16Length } from "../../src/github/truncate.js";

describe("renderJobSummary", () => {
  test("lists every config error", () => {
    const configErrors = Array.from({ length: 15 }, (_, i) => ({
      file: `/repo/domains/d${i}.yaml`,
      line: i + 1,
      column: 2,
      message: `bad | value <${i}>`,
      severity: "error" as const,
    }));
    const summary = renderJobSummary({
      title: "mta-sts-gitops plan",
      sharded: false,
      body: "",
      configErrors,
      root: "/repo",
      omittedAnnotations: 5,
    });

    expect(summary).toContain("### Configuration errors (15)");
    expect(summary).toContain("| `domains/d14.yaml:15:2` | error | bad \\| value &lt;14&gt; |");
    expect(summary).toContain("so 5 of these appear only in this table");
  });

  test("whole-file error shown without position", () => {
    const summary = renderJobSummary({
      title: "t",
      sharded: false,
      body: "",
      configErrors: [
        { file: "mta-sts-gitops.yaml", line: 0, column: 0, message: "missing", severity: "error" },
      ],
      root: "/repo",
      omittedAnnotations: 0,
    });
    expect(summary).toContain("| `mta-sts-gitops.yaml` | error | missing |");
  });

  test("cut at 1 MiB", () => {
    const body = "| d.example | publish-policy | ünïcode |\n".repeat(40_000);
    const summary = renderJobSummary({
      title: "t",
      sharded: false,
      body,
      configErrors: [],
      root: "/",
      omittedAnnotations: 0,
    });
    expect(utf8Bytes(summary)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(summary).toContain("cut at GitHub's 1 MiB limit");
  });
});

describe("job summary title", () => {
  const render = (body: string, sharded: boolean) =>
    renderJobSummary({
      title: "mta-sts-gitops plan",
      sharded,
      body,
      configErrors: [],
      root: "/",
      omittedAnnotations: 0,
    });

  test("body heading kept alone", () => {
    expect(render("## MTA-STS plan\nrows\n", false)).toBe("## MTA-STS plan\nrows\n");
  });

  test("body without heading gets title", () => {
    expect(render("rows\n", false)).toBe("## mta-sts-gitops plan\n\nrows\n");
  });

  test("shard always titled", () => {
    expect(render("## MTA-STS plan\n", true).startsWith("## mta-sts-gitops plan\n")).toBe(true);
  });
});

describe("truncateMarkdown", () => {
  test("fitting text unchanged", () => {
    expect(truncateMarkdown("a\nb\n", 10, "NOTE", utf16Length)).toBe("a\nb\n");
  });

  test("open code fence closed", () => {
    const text = [
      "intro",
      "```diff",
      ...Array.from({ length: 100 }, (_, i) => `+ line ${i}`),
      "```",
    ].join("\n");
    const cut = truncateMarkdown(text, 200, "\nNOTE\n", utf16Length);
    expect(cut.length).toBeLessThanOrEqual(200);
    expect(cut.match(/^```/gm)).toHaveLength(2);
    expect(cut.endsWith("```\n\nNOTE\n")).toBe(true);
  });

  test("open details closed", () => {
    const text = [
      "<details><summary>d</summary>",
      ...Array.from({ length: 100 }, (_, i) => `row ${i}`),
      "</details>",
    ].join("\n");
    const cut = truncateMarkdown(text, 150, "\nNOTE\n", utf16Length);
    expect(cut).toContain("</details>\n\nNOTE");
  });

  test("cut keeps longest prefix", () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${String(i).padStart(4, "0")}`).join(
      "\n",
    );
    const cut = truncateMarkdown(text, 1000, "\nNOTE\n", utf16Length);
    expect(cut.length).toBeLessThanOrEqual(1000);
    expect(cut.length).toBeGreaterThan(1000 - 20);
  });

  test("note longer than limit rejected", () => {
    expect(() => truncateMarkdown("x".repeat(50), 10, "a long note", utf16Length)).toThrow(
      /longer than the limit/,
    );
  });
});

describe("escapeTableCell", () => {
  test.each([
    ["a|b", "a\\|b"],
    ["<script>", "&lt;script&gt;"],
    ["line\nbreak", "line<br>break"],
    ["a & b", "a &amp; b"],
  ])("%j", (input, expected) => {
    expect(escapeTableCell(input)).toBe(expected);
  });
});
