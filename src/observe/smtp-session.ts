/**
 * The client side of an SMTP conversation on a plain socket, as far as the STARTTLS
 * probe needs it: read replies (RFC 5321 section 4.2, multi-line with "250-"), send
 * commands, and hand the socket over for the TLS upgrade.
 */

import type { Socket } from "node:net";

export interface SmtpReply {
  code: number;
  /** The text of each line after the code and separator. */
  lines: string[];
}

/** Error raised when a reply cannot be read; `kind` names the cause. */
export class SmtpSessionError extends Error {
  constructor(
    readonly kind: "timeout" | "closed" | "malformed",
    message: string,
  ) {
    super(message);
  }
}

/** RFC 5321 section 4.5.3.1.5: a reply line is at most 512 octets; allow some slack. */
const MAX_LINE = 4096;
const MAX_LINES = 100;
const REPLY_LINE = /^(\d{3})(?:([ -])(.*))?$/;

export class SmtpSession {
  readonly #socket: Socket;
  readonly #timeoutMs: number;
  #buffered = "";
  #closed = false;
  #waiting: (() => void) | null = null;
  readonly #onData = (chunk: Buffer): void => {
    this.#buffered += chunk.toString("latin1");
    this.#wake();
  };
  readonly #onEnd = (): void => {
    this.#closed = true;
    this.#wake();
  };

  constructor(socket: Socket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.on("data", this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("close", this.#onEnd);
  }

  /**
   * Reads one complete reply, waiting at most `timeoutMs`. `replyLabel` names the reply
   * in error messages, e.g. "the reply to EHLO".
   */
  async read(replyLabel: string): Promise<SmtpReply> {
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      const reply = this.#takeReply(replyLabel);
      if (reply !== null) {
        return reply;
      }
      if (this.#closed) {
        throw new SmtpSessionError(
          "closed",
          `the server closed the connection while the probe waited for ${replyLabel}`,
        );
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new SmtpSessionError(
          "timeout",
          `timed out after ${this.#timeoutMs} ms waiting for ${replyLabel}`,
        );
      }
      await this.#waitForData(remaining);
    }
  }

  /** Sends a command line and reads its reply. */
  async command(line: string, replyLabel: string): Promise<SmtpReply> {
    this.#socket.write(`${line}\r\n`);
    return this.read(replyLabel);
  }

  /** Stops reading and returns any bytes received after the last reply. */
  detach(): string {
    this.#socket.off("data", this.#onData);
    this.#socket.off("end", this.#onEnd);
    this.#socket.off("close", this.#onEnd);
    const rest = this.#buffered;
    this.#buffered = "";
    return rest;
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.();
  }

  #waitForData(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting = null;
        resolve();
      }, timeoutMs);
      this.#waiting = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Removes and returns the first complete reply in the buffer, or null when there is none yet. */
  #takeReply(replyLabel: string): SmtpReply | null {
    const lines: string[] = [];
    let code: number | null = null;
    let offset = 0;

    for (;;) {
      const end = this.#buffered.indexOf("\n", offset);
      if (end === -1) {
        if (this.#buffered.length - offset > MAX_LINE) {
          throw new SmtpSessionError(
            "malformed",
            `${replyLabel} has a line longer than ${MAX_LINE} bytes`,
          );
        }
        return null;
      }

      const line = this.#buffered.slice(offset, end).replace(/\r$/, "");
      offset = end + 1;
      const match = REPLY_LINE.exec(line);
      if (match === null) {
        throw new SmtpSessionError(
          "malformed",
          `${replyLabel} is not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`,
        );
      }

      const lineCode = Number(match[1]);
      if (code !== null && lineCode !== code) {
        throw new SmtpSessionError(
          "malformed",
          `${replyLabel} mixes reply codes ${code} and ${lineCode}`,
        );
      }
      code = lineCode;
      lines.push(match[3] ?? "");
      if (lines.length > MAX_LINES) {
        throw new SmtpSessionError("malformed", `${replyLabel} has more than ${MAX_LINES} lines`);
      }

      if (match[2] !== "-") {
        this.#buffered = this.#buffered.slice(offset);
        return { code, lines };
      }
    }
  }
}
