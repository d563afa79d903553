import { randomBytes } from "node:crypto";
import { rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";

/** Replaces `file` by writing a temporary file beside it and renaming it, so readers never see half a file. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  const mode = (await stat(file).catch(() => null))?.mode;

  try {
    await writeFile(temporary, text, { mode: mode ?? 0o644 });
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw new Error(`cannot write ${file}`, { cause: error });
  }
}
