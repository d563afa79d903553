import { gunzipSync } from "node:zlib";
import { UnreadableInputError } from "../quarantine.js";

/**
 * A whole input gunzipped before decoding, by the file reader thread: the output, or the
 * failure's code and message. The reader uses the same call and limit as gunzipBounded.
 */
export type GunzipResult = { bytes: Buffer } | { failure: { code?: string; message: string } };

/**
 * Turns a gunzipSync failure into the quarantine error, by the error's code and message.
 * The file reader thread gunzips some inputs itself and passes only these two on.
 */
export function gunzipFailure(
  code: string | undefined,
  message: string,
  maxBytes: number,
  cause?: unknown,
): UnreadableInputError {
  if (code === "ERR_BUFFER_TOO_LARGE") {
    return new UnreadableInputError(
      "decompressed-too-large",
      `gzip data decompresses to more than ${maxBytes} bytes (the maxDecompressedBytes limit); a real report is far smaller, so this looks like a gzip bomb`,
      { cause },
    );
  }
  return new UnreadableInputError("invalid-gzip", `gzip data is invalid: ${message}`, { cause });
}

/**
 * Decompresses gzip data, stopping once the output passes `maxBytes`, so a gzip bomb
 * costs at most `maxBytes` of memory. Concatenated gzip members are joined
 * (RFC 1952 section 2.2 allows several members in one file).
 */
export function gunzipBounded(bytes: Uint8Array, maxBytes: number): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw gunzipFailure(code, message, maxBytes, error);
  }
}
