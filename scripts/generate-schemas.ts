/**
 * Writes schemas/*.schema.json from the zod schemas in src/config/schema and the report
 * model in src/reports/model. Run it after
 * changing a schema (`npm run schemas`). With --check it writes nothing and exits 1
 * when a committed file differs, for CI.
 */

import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  findStaleSchemaFiles,
  renderJsonSchema,
  SCHEMA_FILES,
  SCHEMA_NAMES,
} from "../src/config/json-schema.js";
import { REPORT_SCHEMA_FILE, renderReportJsonSchema } from "../src/reports/model/schema.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const schemasDir = path.join(root, "schemas");

const reportSchemaPath = path.join(schemasDir, REPORT_SCHEMA_FILE);

if (process.argv.includes("--check")) {
  const stale = await findStaleSchemaFiles(schemasDir);
  const committedReport = await readFile(reportSchemaPath, "utf8").catch(() => null);
  if (committedReport !== renderReportJsonSchema()) stale.push(REPORT_SCHEMA_FILE);
  for (const file of stale) {
    console.error(
      `schemas/${file} differs from the zod schemas; run "npm run schemas" and commit the result`,
    );
  }
  process.exitCode = stale.length === 0 ? 0 : 1;
} else {
  for (const name of SCHEMA_NAMES) {
    const file = path.join(schemasDir, SCHEMA_FILES[name]);
    await writeFile(file, renderJsonSchema(name));
    console.log(`wrote ${path.relative(root, file)}`);
  }
  await writeFile(reportSchemaPath, renderReportJsonSchema());
  console.log(`wrote ${path.relative(root, reportSchemaPath)}`);
}
