import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../support/shared.js";

/** Case files copied byte-exact from the shared bug reproductions. */
export const casesDir = path.join(repoRoot, "test", "fixtures", "cases");

/** A DNS TXT answer as the case files store it: one string array per TXT record. */
export interface TxtAnswer {
  query: string;
  type: string;
  rcode: string;
  answers: string[][];
}

/** A case file that contains several independent answers. */
export interface TxtScenarios {
  query: string;
  type: string;
  scenarios: (Omit<TxtAnswer, "query" | "type"> & { name: string })[];
}

/** Lists the case files of one kind ("policy", "txt", "tlsrpt", "mx"), sorted. */
export function caseFiles(kind: string): string[] {
  return readdirSync(casesDir)
    .filter((name) => new RegExp(`^[0-9]+-${kind}-`).test(name))
    .sort();
}

/** Reads a case file as UTF-8 text, keeping its line endings. */
export function readCase(name: string): string {
  return readFileSync(path.join(casesDir, name), "utf8");
}

export function readCaseJson<T>(name: string): T {
  return JSON.parse(readCase(name)) as T;
}
