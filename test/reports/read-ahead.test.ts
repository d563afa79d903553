/**
 * The file source's reader thread: with it, a folder yields the same items in the same
 * order as plain sequential reads, and gzip files it decompressed decode as before.
 */

import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeInput } from "../../src/reports/decode/input.js";
import { DEFAULT_LIMITS, type IngestLimits } from "../../src/reports/limits.js";
import { openFileSource } from "../../src/reports/sources/files.js";
import type { SourceItem } from "../../src/reports/sources/types.js";
import { createWorkspace, type Workspace } from "./helpers.js";

let workspace: Workspace;
let inbox: string;

beforeEach(async () => {
  workspace = await createWorkspace();
  inbox = path.join(workspace.root, "inbox");
  await mkdir(inbox);
});

afterEach(async () => {
  await workspace.cleanup();
});

const LIMITS: IngestLimits = { ...DEFAULT_LIMITS, maxFileBytes: 200_000 };

/**
 * Reads every item of the inbox, with the reader thread from `readAheadMinFiles` files.
 * After the first item it waits until the thread has started, so the thread reads the
 * rest. Without the wait the test would read every file itself before the thread runs.
 */
async function readAll(
  readAheadMinFiles: number,
  limits: IngestLimits = LIMITS,
): Promise<SourceItem[]> {
  const source = await openFileSource([inbox], limits, { readAheadMinFiles });
  const items: SourceItem[] = [];
  try {
    for await (const item of source.items()) {
      items.push(item);
      if (items.length === 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await source.close();
  }
  return items;
}

function report(index: number): Buffer {
  return Buffer.from(JSON.stringify({ "report-id": `r-${index}`, policies: [] }));
}

/**
 * 300 small files over several chunks, then the kinds the reader treats apart: a gzip
 * file, invalid gzip, gzip that inflates past the reader's own cap, a file larger than
 * the reader reads, and one over maxFileBytes.
 */
async function writeInbox(): Promise<void> {
  for (let index = 0; index < 300; index += 1) {
    const bytes = index % 3 === 0 ? gzipSync(report(index)) : report(index);
    await writeFile(path.join(inbox, `a-${String(index).padStart(3, "0")}.json`), bytes);
  }
  await writeFile(path.join(inbox, "b-invalid.json.gz"), Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
  await writeFile(path.join(inbox, "c-large-output.json.gz"), gzipSync(Buffer.alloc(400_000)));
  await writeFile(path.join(inbox, "d-large.json"), Buffer.alloc(100_000, 0x20));
  await writeFile(path.join(inbox, "e-too-large.json"), randomBytes(250_000));
}

describe("file source reader thread", () => {
  it("yields the same items as sequential reads", async () => {
    await writeInbox();
    const sequential = await readAll(Number.POSITIVE_INFINITY);
    const ahead = await readAll(1);

    const shape = (item: SourceItem) => ({
      origin: item.origin,
      fileName: item.fileName,
      size: item.size,
      bytes: item.bytes?.toString("base64") ?? null,
    });
    expect(ahead.map(shape)).toEqual(sequential.map(shape));
    expect(ahead).toHaveLength(304);
  });

  it("gunzips small gzip files ahead", async () => {
    await writeInbox();
    const items = await readAll(1);
    const gzip = items.find((item) => item.fileName === "a-150.json");
    expect(gzip?.gunzipped).toEqual({ bytes: report(150) });
  });

  it("leaves large output to the consumer", async () => {
    await writeInbox();
    const items = await readAll(1);
    const large = items.find((item) => item.fileName === "c-large-output.json.gz");
    expect(large?.gunzipped).toBeUndefined();
  });

  it("invalid gzip decodes to the same failure", async () => {
    await writeInbox();
    const [ahead] = (await readAll(1)).filter((item) => item.fileName === "b-invalid.json.gz");
    expect(ahead?.gunzipped).toHaveProperty("failure");

    const decode = (gunzipped: SourceItem["gunzipped"]) =>
      decodeInput(ahead!.bytes!, ahead!.origin, ahead!.fileName, LIMITS, gunzipped);
    const withReader = (await decode(ahead!.gunzipped)).failures[0]?.error;
    const withoutReader = (await decode(undefined)).failures[0]?.error;
    expect(withReader?.code).toBe("invalid-gzip");
    expect(withReader?.message).toBe(withoutReader?.message);
  });

  it("decompressed-too-large decodes to the same failure", async () => {
    await writeFile(path.join(inbox, "a.json"), report(0));
    await writeFile(path.join(inbox, "bomb.json.gz"), gzipSync(Buffer.alloc(5000)));
    const limits = { ...LIMITS, maxDecompressedBytes: 4096 };
    const item = (await readAll(1, limits))[1]!;

    const decoded = await decodeInput(
      item.bytes!,
      item.origin,
      item.fileName,
      limits,
      item.gunzipped,
    );
    const error = decoded.failures[0]?.error;
    expect(item.gunzipped).toHaveProperty("failure");
    expect(error?.code).toBe("decompressed-too-large");
  });

  it("file removed after listing fails with its error", async () => {
    await writeInbox();
    const source = await openFileSource([inbox], LIMITS, { readAheadMinFiles: 1 });
    await rm(path.join(inbox, "a-200.json"));
    let count = 0;
    const read = async () => {
      for await (const _item of source.items()) {
        count += 1;
        if (count === 1) {
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    };
    try {
      await expect(read()).rejects.toThrow(/ENOENT: no such file or directory, open .*a-200\.json/);
      expect(count).toBe(200);
    } finally {
      await source.close();
    }
  });
});
