/**
 * Size and shape limits for untrusted report input (RFC 8460 section 7: reports are
 * untrusted; bound the decompressed size and evaluate nothing).
 */

const MIB = 1024 * 1024;

/** Limits applied to every input; an input over a limit goes to quarantine. */
export interface IngestLimits {
  /** Largest file read from disk, in bytes (an mbox file may hold many reports). */
  maxFileBytes: number;
  /** Largest single report or e-mail before decompression, in bytes. */
  maxMessageBytes: number;
  /** Largest report after gunzip, in bytes. */
  maxDecompressedBytes: number;
  /** Deepest nesting of JSON arrays and objects; a conformant report nests 5 levels. */
  maxJsonDepth: number;
  /** Deepest nesting of MIME multiparts inside one e-mail. */
  maxMimeDepth: number;
  /** Most messages read from one mbox file. */
  maxMboxMessages: number;
}

/**
 * RFC 8460 section 5.2 names ten megabytes as a commonly observed receiver limit, so a
 * report or e-mail may be that large when compressed. The decompressed cap allows a
 * compression ratio far beyond real reports (Google and Microsoft reports shrink about
 * 3 to 10 times) while keeping a gzip bomb from filling memory.
 */
export const DEFAULT_LIMITS: IngestLimits = {
  maxFileBytes: 100 * MIB,
  maxMessageBytes: 10 * MIB,
  maxDecompressedBytes: 64 * MIB,
  maxJsonDepth: 32,
  maxMimeDepth: 8,
  maxMboxMessages: 100_000,
};
