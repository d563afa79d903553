/**
 * mbox files (RFC 4155): messages separated by lines that start with "From ". Lines of a
 * message body that start with "From " are stored as ">From ", and mboxrd adds one more
 * ">" per level, so one ">" is removed from every line matching /^>+From /.
 */

import { UnreadableInputError } from "../quarantine.js";

const ESCAPED_FROM = /^>(>*From )/gm;

/** Splits an mbox file into its messages; throws when there are more than `maxMessages`. */
export function splitMbox(bytes: Uint8Array, maxMessages: number): Buffer[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  const messages: Buffer[] = [];
  let start = 0;

  while (start < text.length) {
    const separatorEnd = text.indexOf("\n", start);
    const bodyStart = separatorEnd === -1 ? text.length : separatorEnd + 1;
    const next = text.indexOf("\nFrom ", bodyStart - 1);
    const bodyEnd = next === -1 ? text.length : next + 1;

    const body = text.slice(bodyStart, bodyEnd).replace(ESCAPED_FROM, "$1");
    if (body.trim().length > 0) {
      messages.push(Buffer.from(body, "latin1"));
    }
    if (messages.length > maxMessages) {
      throw new UnreadableInputError(
        "too-large",
        `mbox file holds more than ${maxMessages} messages (the maxMboxMessages limit); split it`,
      );
    }
    start = bodyEnd;
  }

  return messages;
}
