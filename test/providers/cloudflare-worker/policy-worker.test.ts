import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  readPolicyWorkerMap,
  readPolicyWorkerModified,
  renderPolicyWorker,
} from "../../../src/providers/hosting/worker/policy-worker.js";

const POLICY = "version: STSv1\r\nmode: testing\r\nmx: mx.example.com\r\nmax_age: 86400\r\n";
const OTHER = "version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n";

type Worker = { fetch(request: Request): Promise<Response> };

/** Imports a generated module from a temporary file, as the Workers runtime loads it. */
async function importWorker(source: string): Promise<Worker> {
  const folder = await mkdtemp(path.join(tmpdir(), "policy-worker-"));
  try {
    const file = path.join(folder, "worker.mjs");
    await writeFile(file, source);
    return ((await import(/* @vite-ignore */ pathToFileURL(file).href)) as { default: Worker })
      .default;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

describe("policy worker", () => {
  let folder: string;
  let worker: Worker;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), "policy-worker-"));
    const source = renderPolicyWorker(
      new Map([
        ["example.com", POLICY],
        ["other.example", OTHER],
        ["constructor", OTHER],
      ]),
    );
    const file = path.join(folder, "worker.mjs");
    await writeFile(file, source);
    worker = ((await import(/* @vite-ignore */ pathToFileURL(file).href)) as { default: Worker })
      .default;
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const send = (url: string, method = "GET") =>
    worker.fetch(new Request(url, { method, redirect: "manual" }));

  it("serves the policy of a known host", async () => {
    const response = await send("https://mta-sts.example.com/.well-known/mta-sts.txt");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("max-age=300");
    expect(await response.text()).toBe(POLICY);
  });

  it("serves each host its own policy", async () => {
    const response = await send("https://mta-sts.other.example/.well-known/mta-sts.txt");

    expect(await response.text()).toBe(OTHER);
  });

  it("matches the host name case-insensitively", async () => {
    const response = await send("https://MTA-STS.Example.COM./.well-known/mta-sts.txt");

    expect(response.status).toBe(200);
  });

  it("answers HEAD without a body", async () => {
    const response = await send("https://mta-sts.example.com/.well-known/mta-sts.txt", "HEAD");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await response.text()).toBe("");
  });

  it.each([
    ["unknown host", "https://mta-sts.unknown.example/.well-known/mta-sts.txt"],
    ["host without prefix", "https://example.com/.well-known/mta-sts.txt"],
    ["other path", "https://mta-sts.example.com/"],
    ["trailing slash", "https://mta-sts.example.com/.well-known/mta-sts.txt/"],
    ["prototype key", "https://mta-sts.constructor.example/.well-known/mta-sts.txt"],
    ["inherited name", "https://mta-sts.toString/.well-known/mta-sts.txt"],
  ])("returns 404 for %s", async (_case, url) => {
    const response = await send(url);

    expect(response.status).toBe(404);
  });

  it.each(["POST", "PUT", "DELETE", "OPTIONS"])("returns 405 for %s", async (method) => {
    const response = await send("https://mta-sts.example.com/.well-known/mta-sts.txt", method);

    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
  });

  it("never redirects", async () => {
    const urls = [
      "http://mta-sts.example.com/.well-known/mta-sts.txt",
      "https://mta-sts.example.com/.well-known",
      "https://www.example.com/",
    ];
    for (const url of urls) {
      const response = await send(url);
      expect(Math.floor(response.status / 100)).not.toBe(3);
      expect(response.headers.get("location")).toBeNull();
    }
  });
});

describe("readPolicyWorkerMap", () => {
  it("reads back the rendered map", () => {
    const map = new Map([
      ["b.example", OTHER],
      ["a.example", 'quote " backslash \\ line\u2028separator'],
    ]);

    expect(readPolicyWorkerMap(renderPolicyWorker(map))).toEqual(map);
  });

  it("renders the same source for the same map", () => {
    const first = renderPolicyWorker(
      new Map([
        ["a.example", POLICY],
        ["b.example", OTHER],
      ]),
    );
    const second = renderPolicyWorker(
      new Map([
        ["b.example", OTHER],
        ["a.example", POLICY],
      ]),
    );

    expect(second).toBe(first);
  });

  it.each([
    ["foreign source", "export default { fetch() { return new Response('hi'); } };"],
    ["broken JSON", 'const POLICY_ENTRIES = [["a",;\n'],
    ["wrong shape", 'const POLICY_ENTRIES = [["a"]];\n'],
  ])("returns null for %s", (_case, source) => {
    expect(readPolicyWorkerMap(source)).toBeNull();
  });
});

describe("policy worker Last-Modified", () => {
  it("sends the publication time", async () => {
    const source = renderPolicyWorker(
      new Map([["example.com", "version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n"]]),
      new Map([["example.com", "Fri, 04 Dec 2026 10:00:00 GMT"]]),
    );
    expect(readPolicyWorkerModified(source)).toEqual(
      new Map([["example.com", "Fri, 04 Dec 2026 10:00:00 GMT"]]),
    );
    const worker = await importWorker(source);
    const response = await worker.fetch(
      new Request("https://mta-sts.example.com/.well-known/mta-sts.txt"),
    );
    expect(response.headers.get("last-modified")).toBe("Fri, 04 Dec 2026 10:00:00 GMT");
  });

  it("module without times reads as empty", () => {
    expect(readPolicyWorkerModified("const POLICY_ENTRIES = [];\n")).toEqual(new Map());
  });
});
