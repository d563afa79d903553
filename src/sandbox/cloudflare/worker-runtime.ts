/**
 * Runs uploaded Worker modules in this process, standing in for the Workers runtime:
 * each version's modules are written to a temporary folder and imported, and its
 * `default.fetch` handles requests. Node 20 has the same Request and Response classes.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

export type FetchHandler = (request: Request) => Promise<Response>;

export class WorkerRuntime {
  private readonly loaded = new Map<string, Promise<FetchHandler>>();
  private folder: string | null = null;

  /**
   * Imports a version's main module and returns its fetch handler. Throws the module's
   * own error, as the upload API reports a script that fails to start.
   */
  load(
    versionId: string,
    modules: Array<{ name: string; content: Buffer }>,
    main: string,
  ): Promise<FetchHandler> {
    const cached = this.loaded.get(versionId);
    if (cached) return cached;

    const loading = this.importModule(versionId, modules, main);
    this.loaded.set(versionId, loading);
    return loading;
  }

  /** Returns why a version cannot start, or null when its module loads and exports `fetch`. */
  async check(
    versionId: string,
    modules: Array<{ name: string; content: Buffer }>,
    main: string,
  ): Promise<string | null> {
    try {
      await this.load(versionId, modules, main);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }

  async close(): Promise<void> {
    if (this.folder) await rm(this.folder, { recursive: true, force: true });
    this.folder = null;
  }

  private async importModule(
    versionId: string,
    modules: Array<{ name: string; content: Buffer }>,
    main: string,
  ): Promise<FetchHandler> {
    this.folder ??= await mkdtemp(path.join(tmpdir(), "cloudflare-fake-workers-"));
    const versionFolder = path.join(this.folder, versionId);
    await mkdir(versionFolder, { recursive: true });
    // Worker modules are ES modules whatever their extension.
    await writeFile(path.join(versionFolder, "package.json"), '{"type":"module"}\n');

    for (const module of modules) {
      const file = path.resolve(versionFolder, module.name);
      if (!file.startsWith(`${versionFolder}${path.sep}`))
        throw new Error(`module name "${module.name}" leaves the upload`);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, module.content);
    }

    const url = pathToFileURL(path.join(versionFolder, main)).href;
    let imported: { default?: { fetch?: unknown } };
    try {
      imported = await import(/* @vite-ignore */ url);
    } catch (error) {
      throw new Error(`Uncaught ${(error as Error).name}: ${(error as Error).message}`);
    }

    const handler = imported.default?.fetch;
    if (typeof handler !== "function") {
      throw new Error("No event handlers were registered. This script does nothing.");
    }
    return (request) =>
      Promise.resolve(handler.call(imported.default, request, {}, {}) as Response);
  }
}
