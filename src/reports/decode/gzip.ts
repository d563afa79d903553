import { gunzipSync } from "node:zlib";
import { UnreadableInputError } from "../quarantine.js";

/**
 * Decompresses gzip data, stopping once the output passes `maxBytes`, so a gzip bomb
 * costs at most `maxBytes` of memory. Concatenated gzip members are joined
 * (RFC 1952 section 2.2 allows several members in one file).
 */
export function gunzipBounded(bytes: Uint8Array, maxBytes: number): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new UnreadableInputError(
        "decompressed-too-large",
        `gzip data decompresses to more than ${maxBytes} bytes (the maxDecompressedBytes limit); a real report is far smaller, so this looks like a gzip bomb`,
        { cause: error },
      );
    }
    throw new UnreadableInputError(
      "invalid-gzip",
      `gzip data is invalid: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
