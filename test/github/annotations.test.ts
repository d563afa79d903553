import type { AnnotationProperties } from "@actions/core";
import { describe, expect, test } from "vitest";
import type { ConfigError } from "../../src/config/index.js";
import {
  ANNOTATIONS_PER_STEP,
  annotateConfigErrors,
  annotationPath,
} from "../../src/github/annotations.js";

function recorder() {
  const calls: { level: string; message: string; properties: AnnotationProperties }[] = [];
  return {
    calls,
    sink: {
      error: (message: string, properties: AnnotationProperties) =>
        calls.push({ level: "error", message, properties }),
      warning: (message: string, properties: AnnotationProperties) =>
        calls.push({ level: "warning", message, properties }),
    },
  };
}

function configError(index: number, severity: "error" | "warning"): ConfigError {
  return {
    file: `domains/d${index}.example.yaml`,
    line: index + 1,
    column: 3,
    message: `problem ${index}`,
    severity,
  };
}

describe("annotateConfigErrors", () => {
  test("file, line and column", () => {
    const { calls, sink } = recorder();
    annotateConfigErrors([configError(4, "error")], sink, "/repo");
    expect(calls).toEqual([
      {
        level: "error",
        message: "problem 4",
        properties: {
          title: "mta-sts-gitops configuration",
          file: "domains/d4.example.yaml",
          startLine: 5,
          startColumn: 3,
        },
      },
    ]);
  });

  test("whole-file error has no line", () => {
    const { calls, sink } = recorder();
    annotateConfigErrors(
      [{ file: "mta-sts-gitops.yaml", line: 0, column: 0, message: "missing", severity: "error" }],
      sink,
      "/repo",
    );
    expect(calls[0]?.properties).toEqual({
      title: "mta-sts-gitops configuration",
      file: "mta-sts-gitops.yaml",
    });
  });

  test("ten per severity, rest counted", () => {
    const { calls, sink } = recorder();
    const errors = [
      ...Array.from({ length: 25 }, (_, i) => configError(i, "error")),
      ...Array.from({ length: 12 }, (_, i) => configError(100 + i, "warning")),
    ];
    const counts = annotateConfigErrors(errors, sink, "/repo");

    expect(calls.filter((call) => call.level === "error")).toHaveLength(ANNOTATIONS_PER_STEP);
    expect(calls.filter((call) => call.level === "warning")).toHaveLength(ANNOTATIONS_PER_STEP);
    expect(counts).toEqual({ annotated: 20, omitted: 17 });
    expect(calls[0]?.message).toBe("problem 0");
  });
});

describe("annotationPath", () => {
  test.each([
    ["domains/a.yaml", "/repo", "domains/a.yaml"],
    ["/repo/domains/a.yaml", "/repo", "domains/a.yaml"],
    ["/repo/mta-sts-gitops.yaml", "/repo/", "mta-sts-gitops.yaml"],
  ])("%s from %s", (file, root, expected) => {
    expect(annotationPath(file, root)).toBe(expected);
  });
});
