/**
 * Reads report files on a helper thread ahead of the ingestion loop, so file system
 * latency overlaps with decoding on the main thread.
 *
 * The main thread and the helper share one counter, the index of the next unclaimed file.
 * The helper claims files in chunks, reads each chunk into one buffer and posts it. The
 * main thread consumes files strictly in list order. It claims and reads an unclaimed
 * file itself, so it does not idle while the helper starts (starting a thread took 25 to
 * 60 ms on the 2-core test machine). For a file the helper claimed, it waits for the
 * helper's chunk. Files are therefore handled in the same order, with the same bytes, as
 * a plain sequential read.
 *
 * The helper's code is plain JavaScript that uses only node: modules, so it runs the same
 * from the TypeScript sources, under vitest and inside the bundled Action.
 */

import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from "node:worker_threads";
import type { GunzipResult } from "../decode/gzip.js";

/** One file as read, by the helper thread or by the consumer. */
export interface ReadResult {
  /** Bytes read, or null when the file is over the size limit and was not read. */
  bytes: Buffer | null;
  size: number;
  /** For a gzip file the helper thread decompressed: the outcome (see SourceItem). */
  gunzipped?: GunzipResult;
}

/** Limits the helper thread applies, the same as the consumer's. */
export interface ReadAheadLimits {
  maxFileBytes: number;
  maxMessageBytes: number;
  maxDecompressedBytes: number;
}

/** Outcome of one file of a chunk on the helper thread. */
const Outcome = {
  /** Read: its bytes are in the chunk's buffer. */
  read: 0,
  /** Over the size limit: not read. */
  skipped: 1,
  /** Larger than HELPER_MAX_BYTES: left for the consumer to read itself. */
  deferred: 2,
  /** Opening, sizing or reading failed: see `errors`. */
  failed: 3,
} as const;

type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** A chunk of files posted by the helper thread. */
interface Chunk {
  start: number;
  outcomes: Outcome[];
  /** Per file: the size from fstat, or the number of bytes read for a file that was read. */
  sizes: number[];
  /** Per file: where its bytes start in `buffer`. */
  offsets: number[];
  /** Per file: the read error, or for a file whose gunzip failed that error; else null. */
  errors: (SerializedError | null)[];
  buffer: ArrayBuffer;
  /** Per file: what gunzip gave, when the helper decompressed the file. */
  gunzip: GunzipOutcome[];
  /** Per file: offset and length of the decompressed bytes in `inflated`. */
  inflatedOffsets: number[];
  inflatedSizes: number[];
  inflated: ArrayBuffer;
}

/**
 * Gunzip outcome of one file on the helper thread: not tried (not gzip, output too large
 * for the helper, or the chunk's budget spent), decompressed, or invalid (the error's
 * code and message are in `errors`).
 */
const Gunzip = { none: 0, done: 1, failed: 2 } as const;

type GunzipOutcome = (typeof Gunzip)[keyof typeof Gunzip];

interface SerializedError {
  message: string;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
}

/**
 * Slots of the shared Int32Array. NEXT is the next unclaimed file, CONSUMED the number of
 * files consumed, and POSTED the number of chunks posted. DONE is 1 once the helper has
 * finished, STOP is 1 to ask it to stop, and SLEEPING is 1 while it waits because it is
 * far enough ahead.
 */
const NEXT = 0;
const CONSUMED = 1;
const POSTED = 2;
const DONE = 3;
const STOP = 4;
const SLEEPING = 5;
const SLOTS = 6;

/**
 * How long the consumer blocks for a chunk before it lets the event loop run once, so a
 * crashed helper thread is noticed through its "error" and "exit" events.
 */
const BLOCKING_WAIT_MS = 20;

/**
 * Files per chunk, and the most files the helper may claim beyond what was consumed. A
 * helper that reached the limit sleeps until the consumer is within RESUME_FILES of its
 * claims. It is therefore woken once per RESUME_FILES files, not once per chunk, because
 * waking a thread costs far more than reading a file on a machine whose cores are busy.
 */
const CHUNK_FILES = 128;
const AHEAD_FILES = 1024;
const RESUME_FILES = 512;

/**
 * Files larger than this are left to the consumer, which reads them one at a time as
 * before. Real reports are a few kilobytes. With the gunzip budget below, a chunk takes
 * at most about 4.3 MiB, and the chunks kept ahead of the consumer about 40 MiB.
 */
const HELPER_MAX_BYTES = 16 * 1024;

/**
 * The helper gunzips gzip files, so the consumer only parses them; decompression
 * measured about a fifth of the consumer's work per gzip report. The helper stops a file
 * at HELPER_MAX_INFLATED bytes of output and a chunk at CHUNK_MAX_INFLATED. Such files
 * are left for the consumer to decompress under the real limit, maxDecompressedBytes.
 */
const HELPER_MAX_INFLATED = 256 * 1024;
const CHUNK_MAX_INFLATED = 2 * 1024 * 1024;

/**
 * The helper thread. It claims CHUNK_FILES files at a time, sizes them with fstat, reads
 * the small ones into one buffer and transfers it. It waits while it has claimed
 * AHEAD_FILES files more than were consumed.
 */
const HELPER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { closeSync, fstatSync, openSync, readSync } = require("node:fs");
const { gunzipSync } = require("node:zlib");
const { files, limits, helperMaxBytes, maxInflated, chunkMaxInflated, state, port, chunkFiles, aheadFiles, resumeFiles } = workerData;
const { maxFileBytes, maxMessageBytes, maxDecompressedBytes } = limits;
const [NEXT, CONSUMED, POSTED, DONE, STOP, SLEEPING] = [${NEXT}, ${CONSUMED}, ${POSTED}, ${DONE}, ${STOP}, ${SLEEPING}];
const [READ, SKIPPED, DEFERRED, FAILED] = [${Outcome.read}, ${Outcome.skipped}, ${Outcome.deferred}, ${Outcome.failed}];
const [GUNZIP_NONE, GUNZIP_DONE, GUNZIP_FAILED] = [${Gunzip.none}, ${Gunzip.done}, ${Gunzip.failed}];
// The helper decides a file alone only when its output cap is the real limit.
const inflateLimit = Math.min(maxInflated, maxDecompressedBytes);

function serialize(error) {
  return { message: String(error && error.message), code: error.code, errno: error.errno, syscall: error.syscall, path: error.path };
}

// Mirrors decode/input.ts: gzip by magic bytes (RFC 1952), maxMessageBytes checked first.
function gunzipChunk(chunk, bytes) {
  const outputs = [];
  let total = 0;
  for (let slot = 0; slot < chunk.outcomes.length; slot += 1) {
    chunk.gunzip.push(GUNZIP_NONE);
    chunk.inflatedOffsets.push(total);
    chunk.inflatedSizes.push(0);
    outputs.push(null);
    const offset = chunk.offsets[slot];
    const size = chunk.sizes[slot];
    if (chunk.outcomes[slot] !== READ || size < 2 || size > maxMessageBytes) continue;
    if (bytes[offset] !== 0x1f || bytes[offset + 1] !== 0x8b) continue;
    if (total >= chunkMaxInflated) continue;
    try {
      const output = gunzipSync(bytes.subarray(offset, offset + size), { maxOutputLength: inflateLimit });
      chunk.gunzip[slot] = GUNZIP_DONE;
      chunk.inflatedSizes[slot] = output.length;
      outputs[slot] = output;
      total += output.length;
    } catch (caught) {
      if (caught.code === "ERR_BUFFER_TOO_LARGE" && inflateLimit < maxDecompressedBytes) continue;
      chunk.gunzip[slot] = GUNZIP_FAILED;
      chunk.errors[slot] = { message: String(caught.message), code: caught.code };
    }
  }
  chunk.inflated = new ArrayBuffer(total);
  const inflated = new Uint8Array(chunk.inflated);
  for (let slot = 0; slot < outputs.length; slot += 1) {
    if (outputs[slot] !== null) inflated.set(outputs[slot], chunk.inflatedOffsets[slot]);
  }
}

function readChunk(start, end) {
  const chunk = { start, outcomes: [], sizes: [], offsets: [], errors: [], buffer: null, gunzip: [], inflatedOffsets: [], inflatedSizes: [], inflated: null };
  const descriptors = [];
  let total = 0;
  for (let index = start; index < end; index += 1) {
    let descriptor = -1;
    let outcome = FAILED;
    let size = 0;
    let error = null;
    try {
      descriptor = openSync(files[index], "r");
      size = fstatSync(descriptor).size;
      if (size > maxFileBytes) outcome = SKIPPED;
      else if (size > helperMaxBytes) outcome = DEFERRED;
      else outcome = READ;
    } catch (caught) {
      error = serialize(caught);
    }
    if (outcome !== READ && descriptor !== -1) {
      closeSync(descriptor);
      descriptor = -1;
    }
    chunk.outcomes.push(outcome);
    chunk.sizes.push(size);
    chunk.offsets.push(total);
    chunk.errors.push(error);
    descriptors.push(descriptor);
    total += outcome === READ ? size : 0;
  }

  chunk.buffer = new ArrayBuffer(total);
  const bytes = new Uint8Array(chunk.buffer);
  for (let slot = 0; slot < descriptors.length; slot += 1) {
    const descriptor = descriptors[slot];
    if (descriptor === -1) continue;
    try {
      const size = chunk.sizes[slot];
      let filled = 0;
      while (filled < size) {
        const read = readSync(descriptor, bytes, chunk.offsets[slot] + filled, size - filled, null);
        if (read === 0) break;
        filled += read;
      }
      chunk.sizes[slot] = filled;
    } catch (caught) {
      chunk.outcomes[slot] = FAILED;
      chunk.errors[slot] = serialize(caught);
    } finally {
      closeSync(descriptor);
    }
  }
  gunzipChunk(chunk, bytes);
  return chunk;
}

function post(message, transfer) {
  port.postMessage(message, transfer);
  Atomics.add(state, POSTED, 1);
  Atomics.notify(state, POSTED);
}

try {
  for (;;) {
    if (Atomics.load(state, STOP) !== 0) break;
    const next = Atomics.load(state, NEXT);
    if (next >= files.length) break;
    const consumed = Atomics.load(state, CONSUMED);
    if (next - consumed >= aheadFiles) {
      Atomics.store(state, SLEEPING, 1);
      // Sleep until the consumer is within resumeFiles; the timeout only guards against a
      // lost wake-up.
      while (Atomics.load(state, STOP) === 0) {
        const seen = Atomics.load(state, CONSUMED);
        if (Atomics.load(state, NEXT) - seen <= resumeFiles) break;
        Atomics.wait(state, CONSUMED, seen, 100);
      }
      Atomics.store(state, SLEEPING, 0);
      continue;
    }
    const start = Atomics.add(state, NEXT, chunkFiles);
    if (start >= files.length) break;
    const chunk = readChunk(start, Math.min(start + chunkFiles, files.length));
    post(chunk, [chunk.buffer, chunk.inflated]);
  }
} catch (error) {
  post({ fatal: serialize(error) }, []);
} finally {
  Atomics.store(state, DONE, 1);
  Atomics.notify(state, POSTED);
}
`;

function rebuildError(serialized: SerializedError): Error {
  const error = new Error(serialized.message) as NodeJS.ErrnoException;
  error.code = serialized.code;
  error.errno = serialized.errno;
  error.syscall = serialized.syscall;
  error.path = serialized.path;
  return error;
}

/** A message from the helper thread: a chunk, or the error that stopped it. */
type HelperMessage = Chunk | { fatal: SerializedError };

/**
 * Files read in list order, partly by a helper thread. `readHere` reads one file on the
 * calling thread, for the files the helper has not claimed.
 *
 * Chunks are taken from the port with receiveMessageOnPort, synchronously, because the
 * ingestion loop runs for long stretches on microtasks alone and a "message" event would
 * wait for the next turn of the event loop.
 */
export class ReadAhead {
  private readonly state = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private current: Chunk | null = null;
  /** A message received from the port and not yet used. */
  private pending: HelperMessage | null = null;
  private failure: Error | null = null;
  private exited = false;

  constructor(
    private readonly files: string[],
    limits: ReadAheadLimits,
    private readonly readHere: (file: string) => ReadResult,
  ) {
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.worker = new Worker(HELPER_SOURCE, {
      eval: true,
      workerData: {
        files,
        limits: {
          maxFileBytes: limits.maxFileBytes,
          maxMessageBytes: limits.maxMessageBytes,
          maxDecompressedBytes: limits.maxDecompressedBytes,
        },
        helperMaxBytes: HELPER_MAX_BYTES,
        maxInflated: HELPER_MAX_INFLATED,
        chunkMaxInflated: CHUNK_MAX_INFLATED,
        state: this.state,
        port: channel.port2,
        chunkFiles: CHUNK_FILES,
        aheadFiles: AHEAD_FILES,
        resumeFiles: RESUME_FILES,
      },
      transferList: [channel.port2],
    });
    this.worker.on("error", (error) => {
      this.failure = new Error(`the report file reader thread failed: ${error.message}`, {
        cause: error,
      });
    });
    this.worker.on("exit", () => {
      this.exited = true;
    });
  }

  /**
   * Returns file `index`, or null when the helper thread claimed it and has not posted it
   * yet; then await `waitForChunk()` and ask again. Indices must be asked for in order.
   */
  read(index: number): ReadResult | null {
    const current = this.current;
    if (current !== null && index < current.start + current.sizes.length) {
      return this.fromChunk(current, index);
    }

    // Claim the file unless the helper has; Atomics.compareExchange returns the old value.
    if (Atomics.compareExchange(this.state, NEXT, index, index + 1) === index) {
      this.markConsumed(index + 1);
      return this.readHere(this.files[index]!);
    }

    if (!this.hasMessage()) {
      return null;
    }
    const chunk = this.checkMessage(this.pending!);
    this.pending = null;
    if (chunk.start !== index) {
      throw new Error(
        `report file reader posted files from index ${chunk.start}, expected ${index}; this is a bug`,
      );
    }
    this.current = chunk;
    this.markConsumed(chunk.start + chunk.sizes.length);
    return this.fromChunk(chunk, index);
  }

  /**
   * Waits until the helper thread has posted a chunk that `read` has not taken yet.
   * Throws when the thread failed or stopped early.
   */
  async waitForChunk(): Promise<void> {
    for (;;) {
      const posted = Atomics.load(this.state, POSTED);
      if (this.hasMessage()) {
        return;
      }
      if (this.failure !== null) {
        throw this.failure;
      }
      if (Atomics.load(this.state, DONE) !== 0 || this.exited) {
        // The last chunk may have been posted after the check above.
        if (this.hasMessage()) {
          return;
        }
        throw new Error("the report file reader thread stopped before posting every file");
      }
      if (Atomics.wait(this.state, POSTED, posted, BLOCKING_WAIT_MS) === "timed-out") {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  /** Stops the helper thread; safe to call more than once. */
  async close(): Promise<void> {
    Atomics.store(this.state, STOP, 1);
    Atomics.notify(this.state, CONSUMED);
    this.port.close();
    await this.worker.terminate();
  }

  /** Takes a posted message off the port into `pending`, unless one is there already. */
  private hasMessage(): boolean {
    if (this.pending !== null) {
      return true;
    }
    const received = receiveMessageOnPort(this.port);
    if (received === undefined) {
      return false;
    }
    this.pending = received.message as HelperMessage;
    return true;
  }

  private markConsumed(count: number): void {
    Atomics.store(this.state, CONSUMED, count);
    // A helper that reads SLEEPING as 0 here has not started Atomics.wait yet. It reads
    // the new count before it sleeps, so no wake-up is lost.
    if (
      Atomics.load(this.state, SLEEPING) === 1 &&
      Atomics.load(this.state, NEXT) - count <= RESUME_FILES
    ) {
      Atomics.notify(this.state, CONSUMED);
    }
  }

  private checkMessage(message: HelperMessage): Chunk {
    if ("fatal" in message) {
      throw new Error(`the report file reader thread failed: ${message.fatal.message}`);
    }
    return message;
  }

  private gunzipResult(chunk: Chunk, slot: number): GunzipResult | undefined {
    switch (chunk.gunzip[slot]) {
      case Gunzip.done:
        return {
          bytes: Buffer.from(
            chunk.inflated,
            chunk.inflatedOffsets[slot]!,
            chunk.inflatedSizes[slot]!,
          ),
        };
      case Gunzip.failed: {
        const error = chunk.errors[slot]!;
        return { failure: { code: error.code, message: error.message } };
      }
      default:
        return undefined;
    }
  }

  private fromChunk(chunk: Chunk, index: number): ReadResult {
    const slot = index - chunk.start;
    const size = chunk.sizes[slot]!;
    switch (chunk.outcomes[slot]) {
      case Outcome.read:
        return {
          bytes: Buffer.from(chunk.buffer, chunk.offsets[slot]!, size),
          size,
          gunzipped: this.gunzipResult(chunk, slot),
        };
      case Outcome.skipped:
        return { bytes: null, size };
      case Outcome.deferred:
        return this.readHere(this.files[index]!);
      default:
        throw rebuildError(chunk.errors[slot]!);
    }
  }
}
