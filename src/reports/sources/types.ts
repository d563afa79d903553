/**
 * Report sources, the places ingestion reads report inputs from.
 *
 * Contract: a source is opened and yields its inputs one at a time. After the run has
 * written the summaries and quarantine copies, the source receives the inputs that were
 * handled, so a source that removes inputs (IMAP moves mail to another folder) does so
 * only once nothing can be lost. Finally it is closed, also after an error.
 */

import type { GunzipResult } from "../decode/gzip.js";

/** A report source. The caller passes credentials in; nothing here reads the environment. */
export type ReportSource =
  | { type: "directory"; path: string }
  | { type: "files"; paths: string[] }
  | {
      type: "imap";
      host: string;
      port: number;
      /** true: TLS from the first byte (IMAPS, usually port 993); false: STARTTLS or plain. */
      secure: boolean;
      user: string;
      password: string;
      /** Folder to read reports from, e.g. "INBOX". */
      folder: string;
      /** Folder that handled mail is moved to; created when missing. */
      processedFolder: string;
      /** PEM certificate(s) of a private CA to trust in addition to the system store. */
      ca?: string;
      /** Name the server certificate must match when `host` is an IP address. */
      servername?: string;
    };

/** One input read from a source. */
export interface SourceItem {
  /** Human-readable location for logs and quarantine reasons (a path, or imap://.../UID). */
  origin: string;
  /** The input's file name, used only to attribute a report without policy-domain. */
  fileName: string | null;
  /** The content, or null when it is over the size limit and was not read. */
  bytes: Buffer | null;
  size: number;
  /**
   * For a gzip input that the source decompressed already (the file source does so on
   * its reader thread, under the same limits): the output or the failure.
   */
  gunzipped?: GunzipResult;
}

/** An opened source. */
export interface OpenedSource {
  /** Yields the inputs in a stable order. */
  items(): AsyncIterable<SourceItem>;
  /** Called once the run's results are on disk, with the origins of the inputs handled. */
  finish(handled: string[]): Promise<void>;
  close(): Promise<void>;
}
