/**
 * Validation messages of the configuration files, each tied to a file and a position so
 * the CLI prints "file:line:column" and the Action annotates the YAML line.
 */

/**
 * One problem found while loading the configuration. `file` is relative to the project
 * root with "/" separators. `line` and `column` are 1-based; both are 0 when the
 * problem concerns the whole file (a missing or unreadable file).
 */
export interface ConfigError {
  file: string;
  line: number;
  column: number;
  message: string;
  severity: "error" | "warning";
}

/** A position in a file, as `ConfigError` carries it. */
export interface FilePosition {
  file: string;
  line: number;
  column: number;
}

/** Formats an error as "domains/a.example.yaml:3:7: error: message" (no position when line is 0). */
export function formatConfigError(error: ConfigError): string {
  const where = error.line > 0 ? `${error.file}:${error.line}:${error.column}` : error.file;
  return `${where}: ${error.severity}: ${error.message}`;
}

/** Orders errors by file, then line, then column, so output reads top to bottom per file. */
export function compareConfigErrors(a: ConfigError, b: ConfigError): number {
  if (a.file !== b.file) {
    return a.file < b.file ? -1 : 1;
  }
  return a.line - b.line || a.column - b.column;
}

/** Collects errors and warnings from every file of one load, dropping exact repeats. */
export class ErrorCollector {
  readonly errors: ConfigError[] = [];
  readonly warnings: ConfigError[] = [];
  private readonly seen = new Set<string>();

  error(at: FilePosition, message: string): void {
    this.add({ ...at, message, severity: "error" });
  }

  warning(at: FilePosition, message: string): void {
    this.add({ ...at, message, severity: "warning" });
  }

  add(entry: ConfigError): void {
    const key = formatConfigError(entry);
    if (this.seen.has(key)) {
      return;
    }
    this.seen.add(key);

    const list = entry.severity === "error" ? this.errors : this.warnings;
    list.push(entry);
  }

  /** Number of errors recorded so far; callers compare it before and after a step. */
  get errorCount(): number {
    return this.errors.length;
  }
}

/** Returns the position used for problems that concern a whole file. */
export function wholeFile(file: string): FilePosition {
  return { file, line: 0, column: 0 };
}
