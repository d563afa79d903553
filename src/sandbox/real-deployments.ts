/**
 * Published MTA-STS deployments of well-known domains (gmail.com, protonmail.com,
 * archlinux.org, ...), as public sources recorded them. The loopback world serves them
 * byte for byte, with their quirks: split TXT strings, a CNAME-delegated `_mta-sts`, a
 * policy with LF endings and no final newline, and ids in other tools' formats.
 */

import { readFileSync } from "node:fs";
import type { WorldDomain } from "./world.js";

export interface RecordedDeployment {
  domain: string;
  mx: { host: string; preference: number }[] | null;
  sts_txt: string[] | null;
  policy: string | null;
  tlsrpt_txt: string[] | null;
  notes: string;
}

/** Loads the recorded deployments, in the file's order. */
export function loadRecordedDeployments(): RecordedDeployment[] {
  const text = readFileSync(new URL("./real-deployments.json", import.meta.url), "utf8");
  return JSON.parse(text) as RecordedDeployment[];
}

/**
 * Wire shapes of records whose sources describe more than the joined text:
 * mailbox.org's record is two character-strings, and protonmail.com delegates
 * `_mta-sts` by CNAME to protonmail.ch.
 */
const WIRE_SHAPES: Record<string, Partial<WorldDomain>> = {
  "mailbox.org": { sts: [["v=STSv1;", "id=20261606010000"]] },
  "protonmail.com": {
    sts: null,
    stsCname: "_mta-sts.protonmail.ch",
    extra: [
      {
        zone: "protonmail.ch",
        records: { "_mta-sts.protonmail.ch": { TXT: [["v=STSv1; id=190906205100Z;"]] } },
      },
    ],
  },
};

/** Returns the world entries for the recorded deployments. */
export function recordedDeploymentsWorld(deployments = loadRecordedDeployments()): WorldDomain[] {
  return deployments.map((deployment) => ({
    domain: deployment.domain,
    mx: (deployment.mx ?? []).map((record) => ({
      preference: record.preference,
      exchange: record.host,
    })),
    sts: deployment.sts_txt?.map((text) => [text]) ?? null,
    tlsRpt: deployment.tlsrpt_txt?.map((text) => [text]) ?? null,
    policy:
      deployment.policy === null
        ? null
        : { kind: "body", body: deployment.policy, contentType: "text/plain" },
    ...WIRE_SHAPES[deployment.domain],
  }));
}
