import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { findStaleSchemaFiles, SCHEMA_FILES } from "../../src/config/json-schema.js";
import { repoRoot } from "../support/shared.js";

const schemasDir = path.join(repoRoot, "schemas");
const temporaryDirs: string[] = [];

afterEach(async () => {
  await Promise.all(
    temporaryDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })),
  );
});

async function copyOfSchemas(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "schemas-"));
  temporaryDirs.push(dir);
  await cp(schemasDir, dir, { recursive: true });
  return dir;
}

describe("committed schema files", () => {
  it("match the zod schemas", async () => {
    // On failure: run "npm run schemas" and commit the result.
    expect(await findStaleSchemaFiles(schemasDir)).toEqual([]);
  });

  it("drift check finds an edited file", async () => {
    const dir = await copyOfSchemas();
    const file = path.join(dir, SCHEMA_FILES.domain);
    const edited = (await readFile(file, "utf8")).replace('"domain"', '"domain_name"');
    await writeFile(file, edited);
    expect(await findStaleSchemaFiles(dir)).toEqual([SCHEMA_FILES.domain]);
  });

  it("drift check finds a missing file", async () => {
    const dir = await copyOfSchemas();
    await rm(path.join(dir, SCHEMA_FILES.config));
    expect(await findStaleSchemaFiles(dir)).toEqual([SCHEMA_FILES.config]);
  });
});

describe("example files against committed schemas", () => {
  async function validatorFor(file: string) {
    const ajv = new Ajv({ allErrors: true, discriminator: true, allowUnionTypes: true });
    addFormats.default(ajv);
    return ajv.compile(JSON.parse(await readFile(path.join(schemasDir, file), "utf8")));
  }

  async function readYaml(relative: string): Promise<{ schemaLine: string; data: unknown }> {
    const text = await readFile(path.join(repoRoot, relative), "utf8");
    return { schemaLine: text.split("\n")[0]!, data: parse(text) ?? {} };
  }

  it("mta-sts-gitops.yaml conforms", async () => {
    const validate = await validatorFor(SCHEMA_FILES.config);
    const { data } = await readYaml("mta-sts-gitops.yaml");
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
  });

  it("mta-sts-gitops.yaml names its schema", async () => {
    const { schemaLine } = await readYaml("mta-sts-gitops.yaml");
    expect(schemaLine).toBe("# yaml-language-server: $schema=./schemas/config.schema.json");
  });

  it("_defaults.yaml conforms", async () => {
    const validate = await validatorFor(SCHEMA_FILES["domain-defaults"]);
    const { data, schemaLine } = await readYaml("domains/_defaults.yaml");
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(schemaLine).toBe(
      "# yaml-language-server: $schema=../schemas/domain-defaults.schema.json",
    );
  });

  it("every domain file conforms and names its schema", async () => {
    const validate = await validatorFor(SCHEMA_FILES.domain);
    const files = (await readdir(path.join(repoRoot, "domains"))).filter(
      (name) => !name.startsWith("_"),
    );
    expect(files).toHaveLength(16);

    for (const name of files) {
      const { data, schemaLine } = await readYaml(`domains/${name}`);
      expect(validate(data), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(schemaLine, name).toBe(
        "# yaml-language-server: $schema=../schemas/domain.schema.json",
      );
    }
  });
});
