/**
 * RFC 8460 section 5.1 report file names, for example
 * "google.com!example.com!1725321600!1725407999!001.json.gz":
 *
 *   sender "!" policy-domain "!" begin-timestamp "!" end-timestamp [ "!" unique-id ] "." ("json" / "json.gz")
 *
 * The name only fills a missing policy-domain. The report body wins when both are
 * present (section 5.6).
 */

/** The fields of an RFC 8460 report file name. */
export interface ReportFileName {
  sender: string;
  policyDomain: string;
  begin: number;
  end: number;
  uniqueId: string | null;
}

const FILE_NAME = /^([^!]+)!([^!]+)!(\d+)!(\d+)(?:!([A-Za-z0-9]+))?\.json(?:\.gz)?$/i;

/** Parses the base name of `fileName` (any folder part is ignored); null when it does not fit. */
export function parseReportFileName(fileName: string): ReportFileName | null {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const match = FILE_NAME.exec(base);
  if (match === null) {
    return null;
  }
  return {
    sender: match[1]!,
    policyDomain: match[2]!,
    begin: Number(match[3]),
    end: Number(match[4]),
    uniqueId: match[5] ?? null,
  };
}
