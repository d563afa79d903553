import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { renderFindingsReference } from "../src/plan/findings-doc.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const target = path.join(root, "docs", "findings.md");
await writeFile(target, renderFindingsReference());
console.log(`wrote ${path.relative(root, target)}`);
