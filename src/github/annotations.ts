/**
 * Configuration errors as GitHub annotations on the YAML lines of a pull request.
 *
 * GitHub shows at most 10 error and 10 warning annotations per step (and 50 per job),
 * and drops the rest without a word
 * (https://github.com/actions/toolkit/blob/main/docs/problem-matchers.md#limitations).
 * So the first ones of each severity become annotations, and the job summary lists all.
 */

import path from "node:path";
import type { AnnotationProperties } from "@actions/core";
import type { ConfigError } from "../config/index.js";

/** Annotations of one severity that GitHub shows for a step. */
export const ANNOTATIONS_PER_STEP = 10;

/** The two workflow commands this module emits; `@actions/core` provides both. */
export interface AnnotationSink {
  error(message: string, properties: AnnotationProperties): void;
  warning(message: string, properties: AnnotationProperties): void;
}

export interface AnnotationCounts {
  annotated: number;
  /** Errors beyond the per-step limit, listed only in the job summary. */
  omitted: number;
}

/**
 * Emits an annotation for each of the first 10 errors and the first 10 warnings, at
 * their file, line and column. Returns how many were annotated and how many were left out.
 */
export function annotateConfigErrors(
  errors: ConfigError[],
  sink: AnnotationSink,
  root: string,
): AnnotationCounts {
  const emitted = { error: 0, warning: 0 };
  let omitted = 0;

  for (const problem of errors) {
    const level = problem.severity === "warning" ? "warning" : "error";
    if (emitted[level] >= ANNOTATIONS_PER_STEP) {
      omitted += 1;
      continue;
    }

    const properties: AnnotationProperties = {
      title: "mta-sts-gitops configuration",
      file: annotationPath(problem.file, root),
    };
    if (problem.line > 0) {
      properties.startLine = problem.line;
    }
    if (problem.column > 0) {
      properties.startColumn = problem.column;
    }

    sink[level](problem.message, properties);
    emitted[level] += 1;
  }

  return { annotated: emitted.error + emitted.warning, omitted };
}

/**
 * Returns the path GitHub matches against the pull request's files: relative to the
 * repository root, with forward slashes.
 */
export function annotationPath(file: string, root: string): string {
  const relative = path.isAbsolute(file) ? path.relative(root, file) : file;
  return relative.split(path.sep).join("/");
}
