/** Rules for the policy domain names that domain files declare. */

import { domainToASCII } from "node:url";

/** RFC 1035 section 2.3.4: 255 octets on the wire, 253 characters in text form. */
const MAX_NAME_LENGTH = 253;

/** RFC 1035 section 2.3.4: a label is at most 63 octets long. */
const MAX_LABEL_LENGTH = 63;

/** Letters, digits and inner hyphens (RFC 5321 section 4.1.2 sub-domain), lower case. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * Checks a declared policy domain. Returns null for a lower-case, fully qualified name
 * in A-label form without a trailing dot. Otherwise returns a reason that quotes the
 * name and says how to write it.
 */
export function findDomainNameProblem(name: string): string | null {
  const quoted = JSON.stringify(name);

  if (name === "") {
    return "domain must not be empty";
  }
  if (/[^\p{ASCII}]/u.test(name)) {
    const aLabel = domainToASCII(name);
    const fix =
      aLabel === "" ? "convert it to A-labels (Punycode)" : `write the A-label form "${aLabel}"`;
    return `domain ${quoted} contains non-ASCII characters; ${fix} in the domain key and the file name`;
  }
  if (name.endsWith(".")) {
    return `domain ${quoted} ends with a dot; write "${name.replace(/\.+$/, "")}" without it`;
  }
  if (name !== name.toLowerCase()) {
    return `domain ${quoted} contains upper-case letters; write "${name.toLowerCase()}" in the domain key and the file name`;
  }
  if (name.startsWith("*.")) {
    return `domain ${quoted} is a wildcard; declare each policy domain in its own file`;
  }
  if (name.length > MAX_NAME_LENGTH) {
    return `domain ${quoted} is longer than ${MAX_NAME_LENGTH} characters`;
  }

  const labels = name.split(".");
  if (labels.length < 2) {
    return `domain ${quoted} has a single label; write the fully qualified name, such as "example.com"`;
  }
  for (const label of labels) {
    if (label === "") {
      return `domain ${quoted} has an empty label; check for doubled or stray dots`;
    }
    if (label.length > MAX_LABEL_LENGTH) {
      return `domain ${quoted} has a label longer than ${MAX_LABEL_LENGTH} characters`;
    }
    if (!LABEL.test(label)) {
      return `domain ${quoted} has the label "${label}"; labels contain only letters, digits and inner hyphens`;
    }
  }

  return null;
}
