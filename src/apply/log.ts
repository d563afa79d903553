/**
 * Formats one log line as "apply <step>: key=value ...". Values with spaces, quotes or
 * an equals sign are quoted as JSON strings, so a line splits back into its fields.
 */
export function logLine(step: string, fields: Record<string, string | number>): string {
  const pairs = Object.entries(fields).map(([key, value]) => `${key}=${formatValue(value)}`);
  return [`apply ${step}:`, ...pairs].join(" ");
}

function formatValue(value: string | number): string {
  const text = String(value);
  if (text === "" || /[\s"=]/.test(text)) return JSON.stringify(text);
  return text;
}

/** Returns the message of a caught error, for steps and logs. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
